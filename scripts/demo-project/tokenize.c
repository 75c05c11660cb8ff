#include <ctype.h>
#include <string.h>

#include "wordfreq.h"

#define MAX_WORD 64

void tokenize(const char *text, void (*add)(void *, const char *), void *ctx) {
  char word[MAX_WORD];
  size_t len = 0;
  for (const char *p = text;; p++) {
    if (*p && isalpha((unsigned char)*p)) {
      if (len < MAX_WORD - 1) word[len++] = (char)tolower((unsigned char)*p);
      continue;
    }
    if (len > 0) {
      word[len] = '\0';
      add(ctx, word);
      len = 0;
    }
    if (!*p) break;
  }
}
