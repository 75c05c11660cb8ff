/* Include structures real projects use; see ../README.md. */
#include "config.h"
#include "once.h"
#include "../include/once.h"
#include <once.h>
#define HDR "computed.h"
#include HDR
#define SYS_HDR <hg_sys.h>
#include SYS_HDR
#define STR(x) #x
#define XSTR(x) STR(x)
#include XSTR(VARIANT.h)
#include <limits.h>
#include "part.c"

#ifndef HG_PRELUDE
#error "-include include/prelude.h was not applied"
#endif
#if !__has_include("config.h") || !__has_include(<limits.h>) || !__has_include("part.c")
#error "__has_include missed a header that exists"
#endif
#if __has_include(<hg_no_such_header.h>) || __has_include("hg_no_such_header.h")
#error "__has_include found a header that does not exist"
#endif
#ifndef HG_WRAPPED_LIMITS
#error "sys/limits.h (the #include_next wrapper) was not used"
#endif
_Static_assert(INT_MAX > 0, "#include_next reached the real <limits.h>");
_Static_assert(HG_CONFIG == 7 && HG_COMPUTED == 3 && HG_SYS == 19, "headers resolved");

const char *const hg_main_file = __FILE__;
const char *const hg_main_prelude = HG_PRELUDE_FILE;
const char *const hg_main_config = HG_CONFIG_FILE;
const char *const hg_main_variant = HG_VARIANT_FILE " " HG_VARIANT_NAME;
const char *const hg_main_part = part_file;
const char *const hg_main_config_copy = hg_config_file;
const int hg_main_line = __LINE__;
const int hg_main_counters[] = {__COUNTER__, __COUNTER__, __LINE__};

int hg_main_values(void) {
  return HG_COMPUTED + HG_SYS + part_line() + part_counter() + hg_once_value.value;
}
