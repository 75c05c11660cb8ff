/* -iquote, -I through a symlinked directory and through "linked/..". */
#include "q.h"
#include "config.h"
#include "linkinc.h"
#include "updir.h"

#if __has_include(<q.h>)
#error "<q.h> must not be found: quoted/ is an -iquote directory"
#endif
#if !__has_include("q.h") || !__has_include(<linkinc.h>) || !__has_include(<updir.h>)
#error "__has_include missed a header that exists"
#endif
_Static_assert(HG_QUOTED == 17 && HG_LINKED == 11 && HG_UP == 13, "headers resolved");

const char *const hg_other_files[] = {
    __FILE__, HG_QUOTED_FILE, HG_LINKED_FILE, hg_updir_file, hg_config_file, HG_PRELUDE_FILE};
const int hg_other_lines[] = {__LINE__, __COUNTER__, __LINE__, __COUNTER__};
