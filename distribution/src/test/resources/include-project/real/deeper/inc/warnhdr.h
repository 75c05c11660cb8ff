/* Warns under -Wall wherever it is included (warnings build only). */
static int hg_unused_in_header;
