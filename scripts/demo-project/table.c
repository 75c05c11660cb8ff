#include <stdlib.h>
#include <string.h>

#include "wordfreq.h"

struct table {
  struct word_count *slots;
  size_t cap;
  size_t used;
};

struct table *table_new(void) {
  struct table *t = calloc(1, sizeof *t);
  t->cap = 64;
  t->slots = calloc(t->cap, sizeof *t->slots);
  return t;
}

void table_free(struct table *t) {
  for (size_t i = 0; i < t->cap; i++) free(t->slots[i].word);
  free(t->slots);
  free(t);
}

static void grow(struct table *t) {
  struct table bigger = {calloc(t->cap * 2, sizeof(struct word_count)), t->cap * 2, 0};
  for (size_t i = 0; i < t->cap; i++) {
    if (!t->slots[i].word) continue;
    size_t j = hash_string(t->slots[i].word) & (bigger.cap - 1);
    while (bigger.slots[j].word) j = (j + 1) & (bigger.cap - 1);
    bigger.slots[j] = t->slots[i];
    bigger.used++;
  }
  free(t->slots);
  *t = bigger;
}

void table_add(struct table *t, const char *word) {
  if (2 * (t->used + 1) > t->cap) grow(t);
  size_t i = hash_string(word) & (t->cap - 1);
  while (t->slots[i].word && strcmp(t->slots[i].word, word) != 0) i = (i + 1) & (t->cap - 1);
  if (!t->slots[i].word) {
    t->slots[i].word = strdup(word);
    t->used++;
  }
  t->slots[i].count++;
}

size_t table_size(const struct table *t) { return t->used; }

static int by_count(const void *a, const void *b) {
  const struct word_count *x = a, *y = b;
  if (x->count != y->count) return x->count < y->count ? 1 : -1;
  return strcmp(x->word, y->word);
}

size_t table_top(const struct table *t, struct word_count *out, size_t n) {
  struct word_count *all = malloc(t->used * sizeof *all);
  size_t k = 0;
  for (size_t i = 0; i < t->cap; i++)
    if (t->slots[i].word) all[k++] = t->slots[i];
  qsort(all, k, sizeof *all, by_count);
  if (n > k) n = k;
  memcpy(out, all, n * sizeof *out);
  free(all);
  return n;
}
