/* A wrapper of the system's <limits.h> in an -isystem directory, the way compat layers do it. */
#include_next <limits.h>
#define HG_WRAPPED_LIMITS 1
