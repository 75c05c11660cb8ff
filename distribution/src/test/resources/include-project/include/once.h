#pragma once
/* Included under several spellings; a second definition of the struct would not compile. */
struct hg_once {
  int value;
  const char *file;
};
static const struct hg_once hg_once_value = {__LINE__, __FILE__};
