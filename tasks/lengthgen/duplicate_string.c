// duplicate_string (context-sensitive; Deletang et al. 2023): a string of n symbols, each
// uniform over the alphabet; the output is the string written twice, every symbol scored.
//     1 0 0 | 1 0 0 1 0 0
//
// n counts the input's symbols. Options: alphabet (default 2, the suite's binary strings):
// the symbols are the digits 0 .. alphabet-1; copies (default 2): how many times the output
// repeats the input, the duplication parameter of Ruoss et al.'s version of the task (2 in
// both papers; 1 is the plain copy task).
#include "tasks/lengthgen/alphabet.h"

#include <string.h>

enum { ALPHABET = 2, COPIES };
static const char *const digits[] = LENGTHGEN_DIGITS;

static int output_len(const task *t, int n) { return (int)t->opt[COPIES] * n; }

static int draw(const task *t, rng *r, int n, uint16_t *in, uint16_t *out, int *k, int *scored) {
    const uint32_t alphabet = (uint32_t)t->opt[ALPHABET];
    const int copies = (int)t->opt[COPIES];
    for (int i = 0; i < n; i++) in[i] = (uint16_t)rng_below(r, alphabet);
    for (int c = 0; c < copies; c++) memcpy(out + (size_t)c * n, in, (size_t)n * sizeof *in);
    *k = *scored = copies * n;
    return n;
}

static int check_copies(const task *t, char *err, size_t errlen) {
    return task_check_integers(t, (const int[]){COPIES}, 1, err, errlen);
}

static const lengthgen_spec spec = {digits, 10, lengthgen_n, output_len, draw, NULL};
LENGTHGEN_ALPHABET_FUNCTIONS(duplicate, spec, ALPHABET, check_copies)

const task_ops task_duplicate_string = {
    .name = "duplicate_string",
    .summary = "context-sensitive: a string; the string written twice",
    .n_options = 4,
    .options = {LENGTHGEN_LEN_OPTIONS, LENGTHGEN_ALPHABET_OPTION,
                {"copies", 2, 1, 8, NULL, "times the output repeats the input (the suite's: 2)"}},
    LENGTHGEN_OPS(duplicate),
};
