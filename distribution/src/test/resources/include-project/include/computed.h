/* Reached only through a macro: #define HDR "computed.h" / #include HDR. */
#define HG_COMPUTED 3
