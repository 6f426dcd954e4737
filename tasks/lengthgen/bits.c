// Natural numbers in 32-bit limbs for the suite's arithmetic tasks (bits.h).
#include "tasks/lengthgen/bits.h"

#include <string.h>

#include "harness/base/errors.h"
#include "tasks/lengthgen/lengthgen.h"

void bits_draw_nonzero(uint32_t *x, int limbs, int nbits, rng *r) {
    const int used = bits_limbs(nbits);
    const uint32_t top = nbits % 32 ? (1u << nbits % 32) - 1 : UINT32_MAX;
    memset(x, 0, (size_t)limbs * sizeof *x);
    // Rejecting zero keeps the draw uniform over the rest; it is redrawn with
    // probability 2^-nbits.
    do {
        for (int i = 0; i < used; i++) x[i] = (uint32_t)(rng_u64(r) >> 32);
        x[used - 1] &= top;
    } while (bits_length(x, used) == 0);
}

void bits_write(uint16_t *tok, const uint32_t *x, int nbits) {
    for (int i = 0; i < nbits; i++) tok[i] = (uint16_t)bits_get(x, i);
}

int bits_length(const uint32_t *x, int limbs) {
    for (int i = limbs - 1; i >= 0; i--)
        if (x[i]) {
            int b = 31;
            while (!(x[i] >> b)) b--;
            return 32 * i + b + 1;
        }
    return 0;
}

uint32_t bits_add(uint32_t *s, const uint32_t *a, const uint32_t *b, int limbs) {
    uint64_t carry = 0;
    for (int i = 0; i < limbs; i++) {
        const uint64_t t = (uint64_t)a[i] + b[i] + carry;
        s[i] = (uint32_t)t;
        carry = t >> 32;
    }
    return (uint32_t)carry;
}

void bits_mul(uint32_t *p, const uint32_t *a, int la, const uint32_t *b, int lb) {
    memset(p, 0, (size_t)(la + lb) * sizeof *p);
    for (int i = 0; i < la; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < lb; j++) {
            // At most (2^32 - 1)^2 + 2 (2^32 - 1) = 2^64 - 1: the sum cannot overflow.
            const uint64_t t = (uint64_t)a[i] * b[j] + p[i + j] + carry;
            p[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        p[i + lb] = (uint32_t)carry;
    }
}

static int compare(const uint32_t *a, const uint32_t *b, int limbs) {
    for (int i = limbs - 1; i >= 0; i--)
        if (a[i] != b[i]) return a[i] > b[i] ? 1 : -1;
    return 0;
}

// a -= b, with a >= b.
static void subtract(uint32_t *a, const uint32_t *b, int limbs) {
    uint64_t borrow = 0;
    for (int i = 0; i < limbs; i++) {
        const uint64_t t = (uint64_t)a[i] - b[i] - borrow;
        a[i] = (uint32_t)t;
        borrow = t >> 63;
    }
}

static void halve(uint32_t *x, int limbs) {
    for (int i = 0; i < limbs; i++) x[i] = x[i] >> 1 | (i + 1 < limbs ? x[i + 1] << 31 : 0);
}

// The binary digit-by-digit method, one root bit per step from the highest. With y the
// integer root of v's bits from 2j + 2 up (and rem = v - y^2 4^(j+1)), the next bit is 1
// when rem can lose ((2y + 1)^2 - (2y)^2) 4^j = (4y + 1) 4^j. r holds y 4^(j+1), so that
// amount is r with bit 2j set (r's bits below 2j + 2 are zero), and r / 2, plus bit 2j when
// the bit is 1, is the next step's r. (The loop's i is 2j.)
void bits_isqrt(uint32_t *r, const uint32_t *v, uint32_t *rem, int limbs) {
    memcpy(rem, v, (size_t)limbs * sizeof *rem);
    memset(r, 0, (size_t)limbs * sizeof *r);
    const int len = bits_length(v, limbs);
    if (len == 0) return;
    for (int i = (len - 1) & ~1; i >= 0; i -= 2) {
        const uint32_t bit = 1u << i % 32;
        r[i / 32] |= bit;
        const int fits = compare(rem, r, limbs) >= 0;
        if (fits) subtract(rem, r, limbs);
        r[i / 32] &= ~bit;
        halve(r, limbs);
        if (fits) r[i / 32] |= bit;
    }
}

int bits_validate(const task *t, char *err, size_t errlen) {
    const int n = (int)t->opt[LENGTHGEN_LEN_MAX];
    if (n > BITS_MAX)
        return set_error(err, errlen, "task '%s': len_max = %d is more than %d, the longest "
                         "number its arithmetic holds", t->ops->name, n, BITS_MAX);
    return 0;
}
