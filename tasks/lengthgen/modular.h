// Pieces shared by the suite's tasks over the residues mod m (cycle_navigation,
// modular_arithmetic): the residues' names and the check that a modulus option is whole.
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

#endif
