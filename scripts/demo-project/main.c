#include <stdio.h>
#include <stdlib.h>

#include "wordfreq.h"

static void add(void *ctx, const char *word) { table_add(ctx, word); }

int main(void) {
  static const char text[] =
      "the grid compiles the code, the workers run the compiler, "
      "and the coordinator sends every compile to the least busy worker";
  struct table *t = table_new();
  tokenize(text, add, t);
  struct word_count top[3];
  size_t n = table_top(t, top, 3);
  printf("%zu distinct words; most frequent:", table_size(t));
  for (size_t i = 0; i < n; i++) printf(" %s(%zu)", top[i].word, top[i].count);
  printf("\n");
  table_free(t);
  return EXIT_SUCCESS;
}
