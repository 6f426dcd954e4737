// Natural numbers of up to BITS_MAX bits for the suite's arithmetic tasks (binary_addition,
// binary_multiplication, compute_sqrt): little-endian arrays of 32-bit limbs (limb 0 holds
// bits 0..31). The caller owns every array (BITS_LIMBS limbs holds any of them, so they can
// live on the stack) and passes how many limbs an operation uses; limbs past a number's
// highest bit are zero.
#ifndef POSBENCH_LENGTHGEN_BITS_H
#define POSBENCH_LENGTHGEN_BITS_H

#include <stddef.h>
#include <stdint.h>

#include "harness/base/rng.h"
#include "tasks/task.h"

// The longest input length the length options allow (LENGTHGEN_LEN_OPTIONS), so that no
// task using these numbers has a lower limit than the suite's other tasks.
#define BITS_MAX 100000
// Limbs enough for a number of BITS_MAX bits and for a product's la + lb limbs (each count
// rounded up).
enum { BITS_LIMBS = BITS_MAX / 32 + 2 };

static inline int bits_limbs(int nbits) { return (nbits + 31) / 32; }
static inline int bits_get(const uint32_t *x, int i) { return (int)(x[i / 32] >> (i % 32) & 1); }

// x uniform in [1, 2^nbits - 1] (nbits >= 1), its `limbs` limbs all written.
void bits_draw_nonzero(uint32_t *x, int limbs, int nbits, rng *r);
// x's bits 0 .. nbits - 1 as tokens, least significant first: tok[i] is bit i, and the tasks'
// symbols "0" and "1" are ids 0 and 1.
void bits_write(uint16_t *tok, const uint32_t *x, int nbits);
// The number of bits up to x's highest 1 (0 when x is zero).
int bits_length(const uint32_t *x, int limbs);
// s = a + b over `limbs` limbs (s may be a or b); returns the carry out of the top limb.
uint32_t bits_add(uint32_t *s, const uint32_t *a, const uint32_t *b, int limbs);
// p = a * b; p has la + lb limbs and is neither a nor b.
void bits_mul(uint32_t *p, const uint32_t *a, int la, const uint32_t *b, int lb);
// r = floor(sqrt(v)), all three `limbs` limbs; rem is scratch (left holding v - r^2).
void bits_isqrt(uint32_t *r, const uint32_t *v, uint32_t *rem, int limbs);

// The validation a task using these numbers adds to the suite's: len_max <= BITS_MAX.
int bits_validate(const task *t, char *err, size_t errlen);

#endif
