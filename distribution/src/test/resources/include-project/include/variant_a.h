/* Reached through #include XSTR(VARIANT.h) with -DVARIANT=variant_a. */
#define HG_VARIANT_NAME "a"
#define HG_VARIANT_FILE __FILE__
