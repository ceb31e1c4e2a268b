/* Shared declarations for the data path's WebAssembly kernels (freestanding: no libc). */
#ifndef KERNELS_H
#define KERNELS_H

typedef unsigned char u8;
typedef unsigned int u32;

#define EXPORT(name) __attribute__((export_name(name)))

/*
 * (int)f for an integer-valued f with |f| < 2^31: adding 1.5·2^52 leaves the integer in the low
 * mantissa bits. Used instead of a float-to-int conversion, which V8 checks by converting back
 * through its scratch register xmm15 (see affine.c on why that matters).
 */
static inline int exact_int(double f) {
  return (int)__builtin_bit_cast(long long, f + 0x1.8p52);
}

/*
 * Runs STMT for each of n samples of ch interleaved channels, with i the sample's index and c its
 * channel. Three channels, the common case, are unrolled so that c is a constant in STMT.
 */
#define FOR_EACH_SAMPLE(n, ch, STMT)                                    \
  do {                                                                  \
    if ((ch) == 3) {                                                    \
      for (int i0 = 0; i0 < (n); i0 += 3) {                             \
        { const int i = i0, c = 0; STMT; }                              \
        { const int i = i0 + 1, c = 1; STMT; }                          \
        { const int i = i0 + 2, c = 2; STMT; }                          \
      }                                                                 \
    } else {                                                            \
      for (int i = 0, c = 0; i < (n); i++) {                            \
        STMT;                                                           \
        if (++c == (ch)) c = 0;                                         \
      }                                                                 \
    }                                                                   \
  } while (0)

#endif
