/* Built only by `make WERROR= WARN=1`: warnings under -pedantic and -Wall whose text names
   header paths and include chains, so a remote build must print exactly what a local one does. */
#include "ovl.h"
#include "warnhdr.h"
#include "./../include/config.h"

#if !defined(HG_OVL_WRAPPED) || HG_OVL != 23
#error "overlay/ovl.h did not reach sys/ovl.h with #include_next"
#endif

int hg_binary = 0b1010;
int hg_empty_array[0];

int hg_warnings(void) {
  int unused_here;
  return HG_CONFIG;
}
