// reverse_string (deterministic context-free; Deletang et al. 2023): a string of n symbols,
// each uniform over the alphabet; the output is the string backwards, every symbol scored.
//     0 1 1 0 0 | 0 0 1 1 0
//
// n counts the input's symbols. Option alphabet (default 2, the suite's binary strings): the
// symbols are the digits 0 .. alphabet-1.
#include "tasks/lengthgen/alphabet.h"

enum { ALPHABET = 2 };
static const char *const digits[] = LENGTHGEN_DIGITS;


static int draw(const task *t, rng *r, int n, uint16_t *in, uint16_t *out, int *k, int *scored) {
    const uint32_t alphabet = (uint32_t)t->opt[ALPHABET];
    for (int i = 0; i < n; i++) out[n - 1 - i] = in[i] = (uint16_t)rng_below(r, alphabet);
    *k = *scored = n;
    return n;
}

static const lengthgen_spec spec = {digits, 10, lengthgen_n, lengthgen_n, draw, NULL};
LENGTHGEN_ALPHABET_FUNCTIONS(reverse, spec, ALPHABET, NULL)

const task_ops task_reverse_string = {
    .name = "reverse_string",
    .summary = "context-free: a string; the string backwards",
    .n_options = 3,
    .options = {LENGTHGEN_LEN_OPTIONS, LENGTHGEN_ALPHABET_OPTION},
    LENGTHGEN_OPS(reverse),
};
