#pragma once
/* Found through -Isrc/../common, and from src/sub/deep.c as "../../common/shared.h". */
#define HG_SHARED 5
static const char hg_shared_file[] = __FILE__;
static inline int hg_shared_line(void) { return __LINE__; }
