// The length-generalisation suite's tasks (Deletang et al. 2023, "Neural Networks and the
// Chomsky Hierarchy", as used by Ruoss et al. 2023): each example is an input string over a
// small alphabet and the output string the task's rule gives for it. Every task of the suite
// shares this layout, in the convention of tasks/task.h:
//
//     x_1 ... x_n  |  y_1 ... y_k          scored: the targets y_1 .. y_s (s <= k)
//
// i.e. mask is 1 at the '|' and at y_1 .. y_{s-1}. A causal model reads the input, then
// predicts the output with teacher forcing. The harness can read the same sequence
// bidirectionally (the input, then one placeholder per output symbol, y_j read at the j-th
// placeholder), which needs only this layout: the first scored position is the '|', and
// every token after it is an output symbol. Outputs whose tail is padding (binary addition
// pads to a fixed output length after a terminator) score only their first s symbols, as the
// suite's accuracy mask does.
//
// n, the task's length, is drawn uniformly from [len_min, len_max], the first two options of
// every suite task (LENGTHGEN_LEN_OPTIONS); what n counts is the suite's (the input's tokens
// for most tasks; each task's file says).
//
// Vocabulary: the task's symbols (ids 0 .. n_symbols - 1, each with a printable name), then
// '|' (id n_symbols). Input and output share it.
#ifndef POSBENCH_LENGTHGEN_H
#define POSBENCH_LENGTHGEN_H

#include <stddef.h>
#include <stdint.h>

#include "harness/base/rng.h"
#include "tasks/task.h"

// The option indices and specs every suite task starts with.
enum { LENGTHGEN_LEN_MIN, LENGTHGEN_LEN_MAX };
#define LENGTHGEN_LEN_OPTIONS                                                \
    {"len_min", 1, 1, 100000, NULL, "shortest input length n (uniform)"},    \
    {"len_max", 40, 1, 100000, NULL, "longest input length n (uniform)"}

typedef struct lengthgen_spec {
    const char *const *symbols;  // the names of ids 0 .. n_symbols - 1 (NULL: symbol_name)
    int n_symbols;
    // The longest input (tokens) and output (k, padding included) of length n; both must be
    // non-decreasing in n, so the longest sequence is the one at len_max.
    int (*max_input)(const task *t, int n);
    int (*max_output)(const task *t, int n);
    // Draws an example of length n: the input into in, the output into out; returns the
    // input's token count and sets *k (the output's) and *scored (how many of the output's
    // first symbols are scored, 1 .. *k).
    int (*draw)(const task *t, rng *r, int n, uint16_t *in, uint16_t *out, int *k, int *scored);
    // The name of symbol id < n_symbols when symbols is NULL (names that follow the options).
    const char *(*symbol_name)(const task *t, int id);
} lengthgen_spec;

// The commonest max_input / max_output: n itself, and one symbol.
int lengthgen_n(const task *t, int n);
int lengthgen_one(const task *t, int n);

int lengthgen_vocab_size(const lengthgen_spec *s);
const char *lengthgen_token_name(const lengthgen_spec *s, const task *t, int id);
int lengthgen_max_len(const lengthgen_spec *s, const task *t);
// One sequence in the layout above (task_ops.next).
int lengthgen_next(const lengthgen_spec *s, const task *t, rng *r, uint16_t *tokens,
                   uint8_t *mask);
// len_min and len_max integral, len_min <= len_max; then the task's own check (NULL: none).
int lengthgen_validate(const task *t, char *err, size_t errlen,
                       int (*own)(const task *t, char *err, size_t errlen));
// The task's own check alone (NULL: none, 0).
int lengthgen_validate_own(const task *t, char *err, size_t errlen,
                           int (*own)(const task *t, char *err, size_t errlen));

// The task_ops functions of a suite task, named with PREFIX, from SPEC_OF(t), a function
// returning its lengthgen_spec (which may follow the options: a vocabulary sized by the
// modulus), and its own validation (a function, or NULL).
#define LENGTHGEN_FUNCTIONS_OF(PREFIX, SPEC_OF, OWN_VALIDATE)                                \
    static int PREFIX##_vocab_size(const task *t) {                                          \
        const lengthgen_spec s = SPEC_OF(t);                                                 \
        return lengthgen_vocab_size(&s);                                                     \
    }                                                                                        \
    static const char *PREFIX##_token_name(const task *t, int id) {                          \
        const lengthgen_spec s = SPEC_OF(t);                                                 \
        return lengthgen_token_name(&s, t, id);                                              \
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

// The same for a task whose spec is one static lengthgen_spec, SPEC.
#define LENGTHGEN_FUNCTIONS(PREFIX, SPEC, OWN_VALIDATE)                                      \
    static lengthgen_spec PREFIX##_spec_of(const task *t) {                                  \
        (void)t;                                                                             \
        return SPEC;                                                                         \
    }                                                                                        \
    LENGTHGEN_FUNCTIONS_OF(PREFIX, PREFIX##_spec_of, OWN_VALIDATE)

// The task_ops members those functions fill.
#define LENGTHGEN_OPS(PREFIX)                                                        \
    .validate = PREFIX##_validate, .vocab_size = PREFIX##_vocab_size,                \
    .token_name = PREFIX##_token_name, .max_len = PREFIX##_max_len, .next = PREFIX##_next

#endif
