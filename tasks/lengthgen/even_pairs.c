// even_pairs (regular; Deletang et al. 2023): a string over {a, b} of length n, each symbol
// uniform; the output is whether the number of unequal neighbours (the pairs "ab" and "ba")
// is odd: one class symbol, 0 for even, 1 for odd.
//     a a b b a | 0            ab once, ba once: 2 pairs, even
//     a b a b   | 1            ab, ba, ab: 3 pairs, odd
// n counts the input's symbols; every n >= 1 works (n = 1 has no pair: always 0). The class
// is 1 exactly when the first and last symbols differ, so for n >= 2 the classes are
// balanced, as the suite leaves them (it does not balance them itself).
//
// Choices: the input symbols are named a and b (the paper's appendix writes the strings that
// way; the suite's code uses 0 and 1), so that they are not confused with the class symbols
// 0 and 1, which follow them in the vocabulary.
#include "tasks/lengthgen/lengthgen.h"

enum { SYM_A, SYM_B, CLASS_EVEN, CLASS_ODD };
static const char *const symbols[] = {"a", "b", "0", "1"};


static int draw(const task *t, rng *r, int n, uint16_t *in, uint16_t *out, int *k, int *scored) {
    (void)t;
    int unequal = 0;
    for (int i = 0; i < n; i++) {
        in[i] = (uint16_t)(SYM_A + rng_below(r, 2));
        if (i > 0) unequal += in[i] != in[i - 1];
    }
    out[0] = (uint16_t)(unequal % 2 ? CLASS_ODD : CLASS_EVEN);
    *k = *scored = 1;
    return n;
}

static const lengthgen_spec spec = {symbols, 4, lengthgen_n, lengthgen_one, draw, NULL};
LENGTHGEN_FUNCTIONS(even_pairs, spec, NULL)

const task_ops task_even_pairs = {
    .name = "even_pairs",
    .summary = "regular: a string over {a, b}; is the number of ab and ba pairs odd",
    .n_options = 2,
    .options = {LENGTHGEN_LEN_OPTIONS},
    LENGTHGEN_OPS(even_pairs),
};
