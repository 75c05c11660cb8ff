/* Relative includes with "../" from a subdirectory, and the same header by another spelling. */
#include "../../common/shared.h"
#include "shared.h"
#include "../../include/computed.h"

_Static_assert(HG_SHARED == 5 && HG_COMPUTED == 3, "headers resolved");

const char *const hg_deep_files[] = {__FILE__, hg_shared_file};
int hg_deep_value(void) { return hg_shared_line() + __LINE__ + __COUNTER__; }
