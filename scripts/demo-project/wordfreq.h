/* Word-frequency counter: the demo project compiled through the grid. */
#ifndef WORDFREQ_H
#define WORDFREQ_H

#include <stddef.h>

struct word_count {
  char *word;
  size_t count;
};

struct table;

struct table *table_new(void);
void table_free(struct table *t);
void table_add(struct table *t, const char *word);
size_t table_size(const struct table *t);
/* Fills out[] with the n most frequent words, most frequent first. */
size_t table_top(const struct table *t, struct word_count *out, size_t n);

/* Splits text into lower-cased words and calls add() for each. */
void tokenize(const char *text, void (*add)(void *, const char *), void *ctx);

unsigned long hash_string(const char *s);

#endif
