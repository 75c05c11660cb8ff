/* A header of an -isystem directory, reached through #define SYS_HDR <hg_sys.h>. */
#define HG_SYS 19
