/* A .c file included by main.c (never compiled on its own), as "unity" builds do. */
#include "config.h" /* already seen: #pragma once keeps it to one copy */

static int part_line(void) { return __LINE__; }
static const char part_file[] = __FILE__;
static int part_counter(void) { return __COUNTER__; }
