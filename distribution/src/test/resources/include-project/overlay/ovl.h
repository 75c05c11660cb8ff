/* Outside a system directory, #include_next draws a -pedantic warning (warnings build only). */
#include_next <ovl.h>
#define HG_OVL_WRAPPED 1
