#pragma once
/* Found through -Ilinked (a symlink to real/deeper/inc, made by the test). Its ".." is
   real/deeper, so "../up/updir.h" is real/deeper/up/updir.h, not ./up/updir.h. */
#include "../up/updir.h"
#define HG_LINKED 11
#define HG_LINKED_FILE __FILE__
