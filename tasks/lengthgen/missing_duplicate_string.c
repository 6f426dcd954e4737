// missing_duplicate_string (context-sensitive; Deletang et al. 2023): a binary string w of
// n/2 bits (rounded down), written twice as ww with one of its 2*(n/2) positions, uniform,
// replaced by '?'; when n is odd, the empty symbol '_' follows, so that the input has n
// tokens. The output is the bit '?' hides, the one symbol scored.
//     0 1 1 0 ? 1 1 0 | 0            (n = 8: w = 0110; its second copy's first bit is hidden)
//     1 0 ? 1 0 1 _ | 1              (n = 7: w = 101, padded by '_')
//
// n counts the input's tokens, '?' and '_' included (the suite's length). n = 1 leaves no
// room for ww; the suite then gives the input 1 and the output 1 (a fixed example), and so
// does this task, so that every n >= 1 is valid.
//
// The suite's alphabet is binary, without a parameter; so is this task's.
#include "tasks/lengthgen/lengthgen.h"

enum { BIT0, BIT1, MISSING, EMPTY, N_SYMBOLS };
static const char *const symbols[N_SYMBOLS] = {"0", "1", "?", "_"};


static int draw(const task *t, rng *r, int n, uint16_t *in, uint16_t *out, int *k, int *scored) {
    (void)t;
    *k = *scored = 1;
    if (n == 1) {
        in[0] = out[0] = BIT1;
        return 1;
    }
    const int half = n / 2;
    for (int i = 0; i < half; i++) in[i] = in[half + i] = (uint16_t)rng_below(r, 2);
    const int gap = (int)rng_below(r, (uint32_t)(2 * half));
    out[0] = in[gap];
    in[gap] = MISSING;
    if (n % 2) in[n - 1] = EMPTY;
    return n;
}

static const lengthgen_spec spec = {symbols, N_SYMBOLS, lengthgen_n, lengthgen_one, draw, NULL};
LENGTHGEN_FUNCTIONS(missing, spec, NULL)

const task_ops task_missing_duplicate_string = {
    .name = "missing_duplicate_string",
    .summary = "context-sensitive: a doubled bit string with one bit hidden; that bit",
    .n_options = 2,
    .options = {LENGTHGEN_LEN_OPTIONS},
    LENGTHGEN_OPS(missing),
};
