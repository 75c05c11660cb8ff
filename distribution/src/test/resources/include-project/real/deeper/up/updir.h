#pragma once
/* Reached as linked/../up/updir.h: both through -Ilinked/../up and relative to linkinc.h. */
#define HG_UP 13
static const char hg_updir_file[] = __FILE__;
