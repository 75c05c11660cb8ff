/* What overlay/ovl.h reaches with #include_next. */
#define HG_OVL 23
