// stack_manipulation (deterministic context-free; Deletang et al. 2023): the input is a stack
// of bits, bottom first, then actions on it, applied left to right: POP, PUSH0, PUSH1 (a POP
// on an empty stack does nothing). The output is the final stack read from its top down,
// then END, then the padding '_' up to n + 1 symbols, so the output's length depends on n
// only. Scored: the stack and its END (the suite's accuracy mask ends at the terminator);
// the padding is not.
//     0 1 PUSH0 POP POP | 0 END _ _ _ _        ([0 1] -> [0 1 0] -> [0 1] -> [0], top first)
//
// n counts the input's tokens, bits and actions together. As in the suite, the number of
// bits is uniform in [1, n-1] and the actions fill the rest, each uniform over the three, so
// every input of n >= 2 starts with a bit and holds at least one action; n = 1 is a lone
// bit (no action), whose output is that bit and END.
//
// Choice: the suite pads with its output class 0, the same class as the bit 0; here padding
// is its own symbol '_', so that a sequence reads unambiguously. The padding is never scored
// and, past the last scored position, never read when a scored target is predicted, so the
// choice changes no score.
#include "tasks/lengthgen/lengthgen.h"

enum { BIT0, BIT1, POP, PUSH0, PUSH1, END, PAD, N_SYMBOLS };
static const char *const symbols[N_SYMBOLS] = {"0", "1", "POP", "PUSH0", "PUSH1", "END", "_"};

static int output_len(const task *t, int n) { (void)t; return n + 1; }

static int draw(const task *t, rng *r, int n, uint16_t *in, uint16_t *out, int *k, int *scored) {
    (void)t;
    const int bits = n == 1 ? 1 : 1 + (int)rng_below(r, (uint32_t)(n - 1));
    // The stack grows in out[0 .. height), bottom first, and is turned over at the end.
    int height = 0;
    for (int i = 0; i < bits; i++) out[height++] = in[i] = (uint16_t)rng_below(r, 2);
    for (int i = bits; i < n; i++) {
        const uint16_t action = in[i] = (uint16_t)(POP + rng_below(r, 3));
        if (action == POP) height -= height > 0;
        else out[height++] = (uint16_t)(action == PUSH1 ? BIT1 : BIT0);
    }
    for (int lo = 0, hi = height - 1; lo < hi; lo++, hi--) {
        const uint16_t bit = out[lo];
        out[lo] = out[hi], out[hi] = bit;
    }
    out[height] = END;
    for (int i = height + 1; i <= n; i++) out[i] = PAD;
    *k = n + 1;
    *scored = height + 1;
    return n;
}

static const lengthgen_spec spec = {symbols, N_SYMBOLS, lengthgen_n, output_len, draw, NULL};
LENGTHGEN_FUNCTIONS(stack, spec, NULL)

const task_ops task_stack_manipulation = {
    .name = "stack_manipulation",
    .summary = "context-free: a stack of bits and POP/PUSH actions; the final stack, top first",
    .n_options = 2,
    .options = {LENGTHGEN_LEN_OPTIONS},
    LENGTHGEN_OPS(stack),
};
