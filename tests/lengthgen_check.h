// Checks shared by the tests of the length-generalisation suite's tasks (tasks/lengthgen/):
// the layout (input, '|', output; the scored prefix of the output), golden sequences, an
// independent solver against many draws, and every length in range being drawn.
#ifndef POSBENCH_TEST_LENGTHGEN_CHECK_H
#define POSBENCH_TEST_LENGTHGEN_CHECK_H

#include <stdint.h>

#include "tasks/task.h"

// A test's own solution of a task: from the input tokens in[0..m), the output into out
// (returns its length k) and how many of its first symbols are scored (*scored).
typedef int (*lengthgen_solver)(const task *t, const uint16_t *in, int m, uint16_t *out,
                                int *scored);

// The task `name` configured with options (NULL: defaults); a bad configuration fails the
// test with its message.
task lengthgen_configure(const char *name, const char *options);

// The sequence as token names, targets of scored positions in brackets: "0110|[1]".
void lengthgen_render(const task *t, const uint16_t *tokens, const uint8_t *mask, int len,
                      char *buf, size_t buflen);

// Asserts that the first n_golden sequences drawn with rng_seed(seed) render as golden[].
void lengthgen_check_golden(const task *t, uint64_t seed, const char *const *golden,
                            int n_golden);

// Draws `draws` sequences (rng_seed(seed)) and asserts of each: the layout (one '|', at the
// first scored position; the mask 1 on a prefix of the output, 0 elsewhere), the length at
// most max_len, and output and scored count equal to solve's. n_of gives an example's length
// n from its input (what n counts is each task's): every n in [len_min, len_max] is drawn,
// and no other. Returns the longest sequence seen (max_len is tight when it equals it).
int lengthgen_check_solver(const task *t, uint64_t seed, int draws, lengthgen_solver solve,
                           int (*n_of)(const task *t, const uint16_t *in, int m));

#endif
