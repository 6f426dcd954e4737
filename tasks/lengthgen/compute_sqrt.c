// compute_sqrt (context-sensitive; Deletang et al. 2023): a positive number v in n bits; the
// output is floor(sqrt(v)) in exactly ceil(n / 2) bits, all scored. Both are written most
// significant bit first (the suite's order for this task, unlike the addition and
// multiplication tasks), leading zeros kept: the root of an n-bit number has at most
// ceil(n / 2) bits, so the output's length depends on n alone and there is no terminator.
//     1 0 0 1 0 1 | 1 1 0        37 = 6^2 + 1, n = 6
//     0 0 1 1 0 | 0 1 0          6 = 2^2 + 2, n = 5
// n counts the input's bits; v is uniform in [1, 2^n - 1] (as the suite draws it).
#include "tasks/lengthgen/bits.h"
#include "tasks/lengthgen/lengthgen.h"

static const char *const symbols[] = {"0", "1"};

static int root_len(const task *t, int n) { (void)t; return (n + 1) / 2; }

static int draw(const task *t, rng *r, int n, uint16_t *in, uint16_t *out, int *k, int *scored) {
    const int limbs = bits_limbs(n), len = root_len(t, n);
    uint32_t v[BITS_LIMBS], root[BITS_LIMBS], rem[BITS_LIMBS];
    bits_draw_nonzero(v, limbs, n, r);
    bits_isqrt(root, v, rem, limbs);
    for (int i = 0; i < n; i++) in[i] = (uint16_t)bits_get(v, n - 1 - i);
    for (int i = 0; i < len; i++) out[i] = (uint16_t)bits_get(root, len - 1 - i);
    *k = *scored = len;
    return n;
}

static const lengthgen_spec spec = {symbols, 2, lengthgen_n, root_len, draw, NULL};
LENGTHGEN_FUNCTIONS(sqrt, spec, bits_validate)

const task_ops task_compute_sqrt = {
    .name = "compute_sqrt",
    .summary = "context-sensitive: a binary number (most significant bit first); the integer "
               "part of its square root",
    .n_options = 2,
    .options = {LENGTHGEN_LEN_OPTIONS},
    LENGTHGEN_OPS(sqrt),
};
