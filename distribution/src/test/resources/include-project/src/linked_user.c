/* Headers through the symlinked directory with <>, and __COUNTER__ across macros. */
#include <linkinc.h>
#include <updir.h>

#define HG_NEXT_ID() __COUNTER__
#define HG_AT_LINE() __LINE__

const int hg_linked_ids[] = {HG_NEXT_ID(), HG_NEXT_ID(), HG_NEXT_ID(), HG_AT_LINE()};
const char *const hg_linked_files[] = {__FILE__, HG_LINKED_FILE, hg_updir_file};
