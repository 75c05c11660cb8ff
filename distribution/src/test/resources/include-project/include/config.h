#pragma once
/* Found through -I./include, so its __FILE__ is spelled "./include/config.h". */
#define HG_CONFIG 7
#define HG_CONFIG_FILE __FILE__
static const char hg_config_file[] = __FILE__;
