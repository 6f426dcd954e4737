// binary_multiplication (context-sensitive; Deletang et al. 2023): two positive numbers in
// binary, least significant bit first, joined by '*'; the output is their product, least
// significant bit first and without high zeros, then the terminator '$', then '0's up to n
// symbols. Only the product and its '$' are scored, as the suite's accuracy mask stops at the
// terminator; the padding is in the sequence, unscored.
//     0 0 1 * 0 1 1 0 1 | 0 0 0 1 1 0 1 $ 0      4 * 22 = 88, n = 9, the first 8 scored
// n counts the input's tokens, '*' included. As the suite draws them:
//   - n >= 3: the first number's width w is uniform in [1, n - 2] and the second's is
//     n - 1 - w; each number is uniform in [1, 2^width - 1], written in exactly its width (so
//     its high end may be zeros). The product has at most n - 1 bits, so output and '$' fit
//     in n symbols.
//   - n <= 2 leaves no room for two numbers: the input is one number uniform in [0, 2^n - 2]
//     in n bits (the suite's draw never gives the all-ones string), and the output is the
//     suite's fixed stand-in, n - 1 '0's then '$' ("0 1 | 0 $"), all scored.
// The suite's input and output alphabets are separate, with one id for '*' and the
// terminator; here they share one vocabulary, so they are two symbols.
#include "tasks/lengthgen/bits.h"
#include "tasks/lengthgen/lengthgen.h"

enum { ZERO, ONE, TIMES, END };
static const char *const symbols[] = {"0", "1", "*", "$"};

static int draw(const task *t, rng *r, int n, uint16_t *in, uint16_t *out, int *k, int *scored) {
    (void)t;
    int len;
    if (n <= 2) {
        const uint32_t v = rng_below(r, (1u << n) - 1);
        for (int i = 0; i < n; i++) in[i] = (uint16_t)(v >> i & 1);
        len = n - 1;
        for (int i = 0; i < len; i++) out[i] = ZERO;
    } else {
        const int wa = 1 + (int)rng_below(r, (uint32_t)(n - 2)), wb = n - 1 - wa;
        const int la = bits_limbs(wa), lb = bits_limbs(wb);
        uint32_t a[BITS_LIMBS], b[BITS_LIMBS], product[BITS_LIMBS];
        bits_draw_nonzero(a, la, wa, r);
        bits_draw_nonzero(b, lb, wb, r);
        bits_write(in, a, wa);
        in[wa] = TIMES;
        bits_write(in + wa + 1, b, wb);
        bits_mul(product, a, la, b, lb);
        len = bits_length(product, la + lb);
        bits_write(out, product, len);
    }
    out[len] = END;
    for (int i = len + 1; i < n; i++) out[i] = ZERO;
    *k = n;
    *scored = len + 1;
    return n;
}

static const lengthgen_spec spec = {symbols, 4, lengthgen_n, lengthgen_n, draw, NULL};
LENGTHGEN_FUNCTIONS(multiplication, spec, bits_validate)

const task_ops task_binary_multiplication = {
    .name = "binary_multiplication",
    .summary = "context-sensitive: two binary numbers (least significant bit first); their "
               "product",
    .n_options = 2,
    .options = {LENGTHGEN_LEN_OPTIONS},
    LENGTHGEN_OPS(multiplication),
};
