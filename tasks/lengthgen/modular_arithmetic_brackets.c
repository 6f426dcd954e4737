// modular_arithmetic_brackets (deterministic context-free; Deletang et al. 2023): a fully
// bracketed expression of residues mod m, binary + - * and a unary minus on single residues;
// the output is its value mod m, one residue symbol.
//     ( ( 2 + 4 ) * - 3 ) | 2      (2 + 4) * -3 = -18 = 2 (mod 5)
// n counts the input's tokens; every n >= 1 works. Expressions are drawn at exactly n
// tokens by the suite's recursion (modular.h): d, -d, (d), (-d) for n = 1 .. 4, and for a
// longer one (L op R) with L's length uniform in 1 .. n-4. The answers are not balanced.
//
// Choices: the modulus is an option (default 5, the suite's). mult=1 (the default) draws op
// uniformly over + - *, as the suite's experiments do (its task class defaults to + - only,
// and its runs switch * on); mult=0 draws + and - only, and '*' then leaves the vocabulary.
// The suite's input alphabet also holds x and =, which only solve_equation draws: left out.
#include "tasks/lengthgen/modular.h"

enum { OPT_MODULUS = LENGTHGEN_LEN_MAX + 1, OPT_MULT };
// The symbols after the m residues, in modular.h's order.
static const char *const others[] = {"+", "-", "(", ")", "*"};

static int modulus(const task *t) { return (int)t->opt[OPT_MODULUS]; }
static int mult(const task *t) { return (int)t->opt[OPT_MULT]; }


static int draw(const task *t, rng *r, int n, uint16_t *in, uint16_t *out, int *k, int *scored) {
    out[0] = (uint16_t)modular_bracketed(r, n, modulus(t), mult(t), in);
    *k = *scored = 1;
    return n;
}

// Names beyond the m residues follow others[] (the layout names '|').
static const char *brackets_symbol_name(const task *t, int id) {
    const int m = modulus(t);
    return id < m ? modular_residue_name(id) : others[id - m];
}

static lengthgen_spec spec_of(const task *t) {
    return (lengthgen_spec){NULL, modulus(t) + BRACKET_TIMES + mult(t), lengthgen_n, lengthgen_one, draw,
                            brackets_symbol_name};
}

static int own_validate(const task *t, char *err, size_t errlen) {
    return task_check_integers(t, (const int[]){OPT_MODULUS}, 1, err, errlen);
}

LENGTHGEN_FUNCTIONS_OF(brackets, spec_of, own_validate)

const task_ops task_modular_arithmetic_brackets = {
    .name = "modular_arithmetic_brackets",
    .summary = "deterministic context-free: reduce a bracketed expression mod m",
    .n_options = 4,
    .options = {LENGTHGEN_LEN_OPTIONS,
                {"modulus", 5, 2, MODULAR_MAX, NULL, "m: operands and answer are residues mod m"},
                {"mult", 1, 0, 1, "0|1", "1: operators + - * (the suite's runs); 0: + - only"}},
    LENGTHGEN_OPS(brackets),
};
