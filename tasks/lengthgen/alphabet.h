// Suite tasks whose strings are over an alphabet of digits of a chosen size (the suite's
// string tasks take the size as a parameter and use 2 in both papers). The vocabulary is the
// digits 0 .. alphabet-1, then '|': a binary task has no symbol it never draws, so its model
// has the same output classes at every setting of the option.
//
// LENGTHGEN_ALPHABET_FUNCTIONS is LENGTHGEN_FUNCTIONS for a spec that lists all ten digits:
// each call takes the spec's symbol count from option ALPHABET instead.
#ifndef POSBENCH_LENGTHGEN_ALPHABET_H
#define POSBENCH_LENGTHGEN_ALPHABET_H

#include <math.h>

#include "harness/base/errors.h"
#include "tasks/lengthgen/lengthgen.h"

#define LENGTHGEN_DIGITS {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
#define LENGTHGEN_ALPHABET_OPTION \
    {"alphabet", 2, 2, 10, NULL, "symbols: the digits 0 .. alphabet-1 (the suite's: 2)"}

// 0, or -1 with a message when option i of t is not a whole number.
static inline int lengthgen_integer_option(const task *t, int i, char *err, size_t errlen) {
    if (t->opt[i] == floor(t->opt[i])) return 0;
    return set_error(err, errlen, "task '%s': option '%s' = %g must be an integer",
                     t->ops->name, t->ops->options[i].name, t->opt[i]);
}

#define LENGTHGEN_ALPHABET_FUNCTIONS(PREFIX, SPEC, ALPHABET, OWN_VALIDATE)                   \
    static lengthgen_spec PREFIX##_spec(const task *t) {                                     \
        lengthgen_spec s = SPEC;                                                             \
        s.n_symbols = (int)t->opt[ALPHABET];                                                 \
        return s;                                                                            \
    }                                                                                        \
    static int PREFIX##_vocab_size(const task *t) {                                          \
        const lengthgen_spec s = PREFIX##_spec(t);                                           \
        return lengthgen_vocab_size(&s);                                                     \
    }                                                                                        \
    static const char *PREFIX##_token_name(const task *t, int id) {                          \
        const lengthgen_spec s = PREFIX##_spec(t);                                           \
        return lengthgen_token_name(&s, id);                                                 \
    }                                                                                        \
    static int PREFIX##_max_len(const task *t) { return lengthgen_max_len(&SPEC, t); }       \
    static int PREFIX##_next(const task *t, rng *r, uint16_t *tokens, uint8_t *mask) {       \
        const lengthgen_spec s = PREFIX##_spec(t);                                           \
        return lengthgen_next(&s, t, r, tokens, mask);                                       \
    }                                                                                        \
    static int PREFIX##_own_validate(const task *t, char *err, size_t errlen) {              \
        if (lengthgen_integer_option(t, ALPHABET, err, errlen)) return -1;                   \
        int (*const own)(const task *, char *, size_t) = OWN_VALIDATE;                       \
        return own ? own(t, err, errlen) : 0;                                                \
    }                                                                                        \
    static int PREFIX##_validate(const task *t, char *err, size_t errlen) {                  \
        return lengthgen_validate(t, err, errlen, PREFIX##_own_validate);                    \
    }

#endif
