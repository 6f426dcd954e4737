// cycle_navigation (regular; Deletang et al. 2023): n moves on a cycle of C positions
// 0 .. C-1, starting at 0, each one step back (-), a stay (=) or one step forward (+),
// uniformly; the output is the final position, one residue symbol.
//     - - = + - | 3                -1 -1 +0 +1 -1 = -2 = 3 (mod 5)
// n counts the moves (the input's tokens); every n >= 1 works. The answers are not balanced
// (the suite does not balance them; for small n they gather near 0).
//
// Choices: the cycle length C is an option (default 5, the suite's; at most 10, so that every
// position is named by one digit). The suite encodes the moves as 0, 1, 2 for -1, 0, +1; here
// they are the symbols -, =, + (in that order, after the C positions in the vocabulary), so
// that they are not read as positions.
#include "tasks/lengthgen/modular.h"

enum { OPT_CYCLE = LENGTHGEN_LEN_MAX + 1 };
// The moves' ids, after the C positions; a move's step is its index minus 1.
enum { N_MOVES = 3 };
static const char *const moves[N_MOVES] = {"-", "=", "+"};

static int cycle(const task *t) { return (int)t->opt[OPT_CYCLE]; }


static int draw(const task *t, rng *r, int n, uint16_t *in, uint16_t *out, int *k, int *scored) {
    const int c = cycle(t);
    int at = 0;
    for (int i = 0; i < n; i++) {
        const int move = (int)rng_below(r, N_MOVES);
        in[i] = (uint16_t)(c + move);
        at = (at + move - 1 + c) % c;
    }
    out[0] = (uint16_t)at;
    *k = *scored = 1;
    return n;
}

static const char *cycle_symbol_name(const task *t, int id) {
    const int c = cycle(t);
    if (id < c) return modular_residue_name(id);
    return moves[id - c];  // (the layout names '|')
}

static lengthgen_spec spec_of(const task *t) {
    return (lengthgen_spec){NULL, cycle(t) + N_MOVES, lengthgen_n, lengthgen_one, draw,
                            cycle_symbol_name};
}

static int own_validate(const task *t, char *err, size_t errlen) {
    return task_check_integers(t, (const int[]){OPT_CYCLE}, 1, err, errlen);
}

LENGTHGEN_FUNCTIONS_OF(cycle, spec_of, own_validate)

const task_ops task_cycle_navigation = {
    .name = "cycle_navigation",
    .summary = "regular: moves -, =, + on a cycle of C positions; where do they end",
    .n_options = 3,
    .options = {LENGTHGEN_LEN_OPTIONS,
                {"cycle_length", 5, 2, MODULAR_MAX, NULL, "C: the number of positions"}},
    LENGTHGEN_OPS(cycle),
};
