// Suite tasks whose strings are over an alphabet of digits of a chosen size (the suite's
// string tasks take the size as a parameter and use 2 in both papers). The vocabulary is the
// digits 0 .. alphabet-1, then '|': a binary task has no symbol it never draws, so its model
// has the same output classes at every setting of the option.
//
// LENGTHGEN_ALPHABET_FUNCTIONS is LENGTHGEN_FUNCTIONS for a spec that lists all ten digits,
// its symbol count taken from option ALPHABET (checked to be whole).
#ifndef POSBENCH_LENGTHGEN_ALPHABET_H
#define POSBENCH_LENGTHGEN_ALPHABET_H

#include "tasks/lengthgen/lengthgen.h"

#define LENGTHGEN_DIGITS {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
#define LENGTHGEN_ALPHABET_OPTION \
    {"alphabet", 2, 2, 10, NULL, "symbols: the digits 0 .. alphabet-1 (the suite's: 2)"}

#define LENGTHGEN_ALPHABET_FUNCTIONS(PREFIX, SPEC, ALPHABET, OWN_VALIDATE)                   \
    static lengthgen_spec PREFIX##_spec_of(const task *t) {                                  \
        lengthgen_spec s = SPEC;                                                             \
        s.n_symbols = (int)t->opt[ALPHABET];                                                 \
        return s;                                                                            \
    }                                                                                        \
    static int PREFIX##_own_validate(const task *t, char *err, size_t errlen) {              \
        if (task_check_integers(t, (const int[]){ALPHABET}, 1, err, errlen)) return -1;      \
        return lengthgen_validate_own(t, err, errlen, OWN_VALIDATE);                         \
    }                                                                                        \
    LENGTHGEN_FUNCTIONS_OF(PREFIX, PREFIX##_spec_of, PREFIX##_own_validate)

#endif
