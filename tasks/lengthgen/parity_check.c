// parity_check (regular; Deletang et al. 2023): a binary string of length n; the output is
// whether it holds an odd number of 1s (one symbol: 1 odd, 0 even).
//     0 1 1 0 1 | 1
#include "tasks/lengthgen/lengthgen.h"

static const char *const symbols[] = {"0", "1"};


static int draw(const task *t, rng *r, int n, uint16_t *in, uint16_t *out, int *k, int *scored) {
    (void)t;
    int ones = 0;
    for (int i = 0; i < n; i++) ones += in[i] = (uint16_t)rng_below(r, 2);
    out[0] = (uint16_t)(ones & 1);
    *k = *scored = 1;
    return n;
}

static const lengthgen_spec spec = {symbols, 2, lengthgen_n, lengthgen_one, draw, NULL};
LENGTHGEN_FUNCTIONS(parity, spec, NULL)

const task_ops task_parity_check = {
    .name = "parity_check",
    .summary = "regular: a binary string; is the number of 1s odd",
    .n_options = 2,
    .options = {LENGTHGEN_LEN_OPTIONS},
    LENGTHGEN_OPS(parity),
};
