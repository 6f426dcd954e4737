// modular_arithmetic (regular; Deletang et al. 2023, the variant without brackets): an
// expression d op d op ... op d of residues mod m and operators + - *, read with the usual
// precedence (* first, then + and - from left to right); the output is its value mod m, one
// residue symbol.
//     3 + 4 * 2 - 1 | 0            3 + 8 - 1 = 10 = 0 (mod 5)
// n counts the input's tokens. The suite's expressions always have an odd length: for an
// even n it draws n - 1 tokens, and so does this task. Every n >= 1 works; a range of n then
// gives only odd lengths (1..40: 1, 3, .., 39, each with probability 2/40), and an
// evaluation at a single even n sees the length below it, as the suite's does.
//
// As in the suite: operands uniform over 0 .. m-1, operators uniform over + - *, no balancing
// of the answers; the modulus is an option (default 5, the suite's). Left out: the suite's
// input alphabet has a blank symbol that its sampler never draws, and an option to leave out
// operators that its runs do not use.
#include "tasks/lengthgen/modular.h"

enum { OPT_MODULUS = LENGTHGEN_LEN_MAX + 1 };
// The operators' ids, after the m residues.
enum { OP_PLUS, OP_MINUS, OP_TIMES, N_OPERATORS };
static const char *const operators[N_OPERATORS] = {"+", "-", "*"};

static int modulus(const task *t) { return (int)t->opt[OPT_MODULUS]; }

static int input_len(const task *t, int n) { (void)t; return n % 2 ? n : n - 1; }

static int draw(const task *t, rng *r, int n, uint16_t *in, uint16_t *out, int *k, int *scored) {
    const int m = modulus(t), len = input_len(t, n);
    // One pass: done is the sum of the finished products, term the product still growing
    // (with the sign of the + or - that began it).
    int done = 0, term = (int)rng_below(r, (uint32_t)m);
    in[0] = (uint16_t)term;
    for (int i = 1; i < len; i += 2) {
        const int op = (int)rng_below(r, N_OPERATORS), d = (int)rng_below(r, (uint32_t)m);
        in[i] = (uint16_t)(m + op);
        in[i + 1] = (uint16_t)d;
        if (op == OP_TIMES) {
            term = term * d % m;
        } else {
            done = (done + term) % m;
            term = op == OP_PLUS ? d : (m - d) % m;
        }
    }
    out[0] = (uint16_t)((done + term) % m);
    *k = *scored = 1;
    return len;
}

static const char *marith_symbol_name(const task *t, int id) {
    const int m = modulus(t);
    if (id < m) return modular_residue_name(id);
    return operators[id - m];  // (the layout names '|')
}

static lengthgen_spec spec_of(const task *t) {
    return (lengthgen_spec){NULL, modulus(t) + N_OPERATORS, input_len, lengthgen_one, draw,
                            marith_symbol_name};
}

static int own_validate(const task *t, char *err, size_t errlen) {
    return task_check_integers(t, (const int[]){OPT_MODULUS}, 1, err, errlen);
}

LENGTHGEN_FUNCTIONS_OF(marith, spec_of, own_validate)

const task_ops task_modular_arithmetic = {
    .name = "modular_arithmetic",
    .summary = "regular: reduce d op d op ... op d mod m (+ - *, no brackets)",
    .n_options = 3,
    .options = {LENGTHGEN_LEN_OPTIONS,
                {"modulus", 5, 2, MODULAR_MAX, NULL, "m: operands and answer are residues mod m"}},
    LENGTHGEN_OPS(marith),
};
