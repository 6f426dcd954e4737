// solve_equation (deterministic context-free; Deletang et al. 2023): a bracketed expression
// of residues mod m with + and - (modular_arithmetic_brackets' grammar without *) in which
// one residue is replaced by the unknown x, then = and the expression's value; the output is
// the residue x stood for, one residue symbol.
//     ( 3 - ( - x ) ) = 1 | 3      3 - (-x) = 3 + x = 1, so x = -2 = 3 (mod 5)
// Without *, x enters with coefficient +1 or -1, so the solution is unique for every m.
//
// n counts the whole equation's tokens, as in the suite: an expression of n - 2 tokens
// (drawn as modular_arithmetic_brackets draws one, modular.h), then = and one residue. The
// residue that becomes x is the suite's: a position of the expression drawn uniformly, then
// the first residue at or after it, wrapping around to the start. So residues that follow
// runs of brackets and operators are chosen more often (in "( a + b )", a 3 times in 5).
//
// Shortest: "x = d" has 3 tokens. For n = 1 and 2 the suite emits a filler, n copies of the
// residue 0 with the answer 0, and so does this task, so that the default range 1..40 (and
// every n >= 1) works and trains on what the suite trains on.
//
// Choices: the modulus is an option (default 5, the suite's). Nothing is balanced.
#include "tasks/lengthgen/modular.h"

enum { OPT_MODULUS = LENGTHGEN_LEN_MAX + 1 };
// The symbols after the m residues: the expression's in modular.h's order, except that x
// takes the id of * (which an equation never holds), then =.
enum { SYM_X = BRACKET_TIMES, SYM_EQUALS, N_OTHERS };
static const char *const others[N_OTHERS] = {"+", "-", "(", ")", "x", "="};

static int modulus(const task *t) { return (int)t->opt[OPT_MODULUS]; }


static int draw(const task *t, rng *r, int n, uint16_t *in, uint16_t *out, int *k, int *scored) {
    const int m = modulus(t);
    *k = *scored = 1;
    if (n < 3) {
        for (int i = 0; i < n; i++) in[i] = 0;
        out[0] = 0;
        return n;
    }
    const int len = n - 2, value = modular_bracketed(r, len, m, 0, in);
    int p = (int)rng_below(r, (uint32_t)len);
    while (in[p] >= m) p = (p + 1) % len;  // every expression holds a residue
    out[0] = in[p];
    in[p] = (uint16_t)(m + SYM_X);
    in[len] = (uint16_t)(m + SYM_EQUALS);
    in[len + 1] = (uint16_t)value;
    return n;
}

// Names beyond the m residues follow others[] (the layout names '|').
static const char *solve_symbol_name(const task *t, int id) {
    const int m = modulus(t);
    return id < m ? modular_residue_name(id) : others[id - m];
}

static lengthgen_spec spec_of(const task *t) {
    return (lengthgen_spec){NULL, modulus(t) + N_OTHERS, lengthgen_n, lengthgen_one, draw,
                            solve_symbol_name};
}

static int own_validate(const task *t, char *err, size_t errlen) {
    return task_check_integers(t, (const int[]){OPT_MODULUS}, 1, err, errlen);
}

LENGTHGEN_FUNCTIONS_OF(solve, spec_of, own_validate)

const task_ops task_solve_equation = {
    .name = "solve_equation",
    .summary = "deterministic context-free: solve a bracketed equation mod m for x",
    .n_options = 3,
    .options = {LENGTHGEN_LEN_OPTIONS,
                {"modulus", 5, 2, MODULAR_MAX, NULL, "m: the residues and the answer are mod m"}},
    LENGTHGEN_OPS(solve),
};
