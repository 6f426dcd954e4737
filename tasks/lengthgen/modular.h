// Pieces shared by the suite's tasks over the residues mod m (cycle_navigation,
// modular_arithmetic, modular_arithmetic_brackets, solve_equation): the residues' names, the
// check that a modulus option is whole, and the bracketed expressions that
// modular_arithmetic_brackets asks to reduce and solve_equation hides an unknown in.
//
// In each of these tasks the residues 0 .. m-1 are the vocabulary's first m ids (a residue's
// id is its value), so the class a task answers is the id of the residue it names.
#ifndef POSBENCH_LENGTHGEN_MODULAR_H
#define POSBENCH_LENGTHGEN_MODULAR_H

#include <stddef.h>
#include <stdint.h>

#include "harness/base/rng.h"
#include "tasks/lengthgen/lengthgen.h"
#include "tasks/task.h"

// The largest modulus (or cycle length): every residue is then named by one character.
#define MODULAR_MAX 10

// LENGTHGEN_FUNCTIONS without the token names, for a task whose vocabulary depends on its
// options: SPEC_OF(t) returns its lengthgen_spec by value (its symbols unused), and the task
// writes PREFIX##_token_name itself.
#define MODULAR_FUNCTIONS(PREFIX, SPEC_OF, OWN_VALIDATE)                                     \
    static int PREFIX##_vocab_size(const task *t) {                                          \
        const lengthgen_spec s = SPEC_OF(t);                                                 \
        return lengthgen_vocab_size(&s);                                                     \
    }                                                                                        \
    static int PREFIX##_max_len(const task *t) {                                             \
        const lengthgen_spec s = SPEC_OF(t);                                                 \
        return lengthgen_max_len(&s, t);                                                     \
    }                                                                                        \
    static int PREFIX##_next(const task *t, rng *r, uint16_t *tokens, uint8_t *mask) {       \
        const lengthgen_spec s = SPEC_OF(t);                                                 \
        return lengthgen_next(&s, t, r, tokens, mask);                                       \
    }                                                                                        \
    static int PREFIX##_validate(const task *t, char *err, size_t errlen) {                  \
        return lengthgen_validate(t, err, errlen, OWN_VALIDATE);                             \
    }

// "0" .. "9" for 0 <= v < MODULAR_MAX.
const char *modular_residue_name(int v);

// 0, or -1 with "task '<name>': option '<option>' = 5.5 must be an integer".
int modular_check_integer(const task *t, int option, char *err, size_t errlen);

// The ids, after the m residues, of a bracketed expression's other symbols. '*' is last so
// that a vocabulary without it (solve_equation's, or mult=0) keeps the others' ids.
enum { BRACKET_PLUS, BRACKET_MINUS, BRACKET_OPEN, BRACKET_CLOSE, BRACKET_TIMES };

// Writes a random expression of exactly len >= 1 tokens at out and returns its value mod m.
// The suite's grammar and sampling (Deletang et al. 2023, modular arithmetic with brackets):
// lengths 1 to 4 are d, -d, (d) and (-d) with d uniform in 0 .. m-1; a longer one is
// (L op R) with L's length uniform in 1 .. len-4, R taking the rest, and op uniform over
// + and - (and * when mult).
int modular_bracketed(rng *r, int len, int m, int mult, uint16_t *out);

#endif
