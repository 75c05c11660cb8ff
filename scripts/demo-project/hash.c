#include "wordfreq.h"

/* FNV-1a: small and good enough for a demo table. */
unsigned long hash_string(const char *s) {
  unsigned long h = 1469598103934665603UL;
  while (*s) {
    h ^= (unsigned char)*s++;
    h *= 1099511628211UL;
  }
  return h;
}
