/* Only in an -iquote directory: "q.h" finds it, <q.h> must not. */
#define HG_QUOTED 17
#define HG_QUOTED_FILE __FILE__
