// bucket_sort (context-sensitive; Deletang et al. 2023): n letters, each drawn uniformly and
// independently from the first `alphabet` letters a, b, c, ...; the output is the same letters
// in alphabetical order, all n scored.
//     c a e a b | a a b c e          alphabet = 5
// n counts the input's letters. alphabet is an option, 2 .. 26, with the suite's 5 as its
// default. The suite's symbols are 0 .. alphabet - 1; letters keep them apart from the bits of
// the number tasks. The vocabulary is a .. z and '|' whatever alphabet is, since the layout
// (lengthgen.h) gives a task one vocabulary for all its options; letters past the alphabet
// never occur.
#include "tasks/lengthgen/lengthgen.h"

#include <math.h>

#include "harness/base/errors.h"

enum { OPT_ALPHABET = LENGTHGEN_LEN_MAX + 1 };

static const char *const symbols[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i",
                                      "j", "k", "l", "m", "n", "o", "p", "q", "r",
                                      "s", "t", "u", "v", "w", "x", "y", "z"};


static int draw(const task *t, rng *r, int n, uint16_t *in, uint16_t *out, int *k, int *scored) {
    const int A = (int)t->opt[OPT_ALPHABET];
    int count[26] = {0};
    for (int i = 0; i < n; i++) count[in[i] = (uint16_t)rng_below(r, (uint32_t)A)]++;
    int at = 0;
    for (int c = 0; c < A; c++)
        for (int j = 0; j < count[c]; j++) out[at++] = (uint16_t)c;
    *k = *scored = n;
    return n;
}

static int check_alphabet(const task *t, char *err, size_t errlen) {
    return task_check_integers(t, (const int[]){OPT_ALPHABET}, 1, err, errlen);
}

static const lengthgen_spec spec = {symbols, 26, lengthgen_n, lengthgen_n, draw, NULL};
LENGTHGEN_FUNCTIONS(bucket, spec, check_alphabet)

const task_ops task_bucket_sort = {
    .name = "bucket_sort",
    .summary = "context-sensitive: a string of letters; the same letters sorted",
    .n_options = 3,
    .options = {LENGTHGEN_LEN_OPTIONS,
                {"alphabet", 5, 2, 26, NULL, "letters the string is drawn from (a, b, ...)"}},
    LENGTHGEN_OPS(bucket),
};
