/* Forced into every unit with -include include/prelude.h. */
#define HG_PRELUDE 1
#define HG_PRELUDE_FILE __FILE__
