// The task plugin interface: a generator of training/evaluation sequences, one at a time.
//
// A task is one C file defining a `const task_ops` (like encodings/encoding.h): a name, a
// one-line summary, its options (harness/base/options.h), a check of option combinations the
// per-option ranges cannot express, its vocabulary, and `next`, which draws ONE sequence
// from an rng. Given the same options and the same rng state, `next` produces the same
// sequence on every platform, so a dataset is a pure function of (task, options, seed):
// rng_seed(seed), then `next` once per sequence, in order.
//
// Target convention (the same in memory, in dataset files and in batches):
//   mask[t] = 1 means position t is scored, and its target is the NEXT token, tokens[t + 1]
//   (the model at position t predicts token t + 1). mask[len - 1] is therefore always 0.
// A sequence of len tokens becomes one batch row directly: inputs tokens[0..len-2], targets
// tokens[1..len-1], mask[0..len-2] unchanged (task_sequence_to_batch_row in harness/train/task_feed.h).
#ifndef POSBENCH_TASK_H
#define POSBENCH_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "harness/base/options.h"
#include "harness/base/rng.h"

#define TASK_MAX_OPTIONS 8

typedef struct task_ops task_ops;

// One configured task: its operations and option values (in the order of ops->options).
typedef struct task {
    const task_ops *ops;
    double opt[TASK_MAX_OPTIONS];
} task;

struct task_ops {
    const char *name;
    const char *summary;
    int n_options;
    option_spec options[TASK_MAX_OPTIONS];
    // Options from this index on are left out of the canonical form while they hold their
    // default (harness/base/options.h), so adding one keeps earlier run ids. 0: all written.
    int first_quiet_option;

    // Rejects impossible combinations (each option is already within its own range):
    // 0, or -1 with a one-line message in err. NULL means every combination is valid.
    int (*validate)(const task *t, char *err, size_t errlen);
    // Vocabulary: ids 0..vocab_size-1 (at most 65535), each with a printable name.
    int (*vocab_size)(const task *t);
    const char *(*token_name)(const task *t, int id);
    // Longest sequence `next` can return, so callers can size their buffers.
    int (*max_len)(const task *t);
    // Writes one sequence into tokens[0..len) and mask[0..len) (the convention above) and
    // returns len >= 2.
    int (*next)(const task *t, rng *r, uint16_t *tokens, uint8_t *mask);

    // Optional, for accuracy broken down by a property of the question (posbench groups):
    // the group of the scored answer tokens[answer_pos] (so mask[answer_pos - 1] = 1), read
    // from the tokens before it only, e.g. the shift its query asks for. 1 with *group, or 0
    // when that answer has no group (or the tokens do not have the task's form). NULL: the
    // task's answers have no groups.
    int (*answer_group)(const task *t, const uint16_t *tokens, int answer_pos, int *group);
    // What the group is, for files and plots ("shift"); set when answer_group is.
    const char *group_name;
    // Set exactly when answer_group is (posbench groups calls both): the reference a run's
    // answers are read against (groups.csv's no_lookup). The chance, in [0, 1], that a model
    // which looks nothing up answers tokens[answer_pos] right: it takes the answer from the
    // question when the question holds it (indirect indexing's shift 0), and otherwise names a
    // letter of the string at random.
    double (*no_lookup_chance)(const task *t, const uint16_t *tokens, int answer_pos);
};

// Registry (tasks/registry.c): every built-in task, NULL-terminated.
extern const task_ops *const task_registry[];
const task_ops *task_find(const char *name);

// Configures `out` for task `name` with "key=value,..." (NULL or "" for the defaults):
// unknown task (with "did you mean"), option errors, then the task's validate.
// Returns 0, or -1 with a one-line message in err.
int task_configure(task *out, const char *name, const char *options, char *err, size_t errlen);
// 0 when the listed options of t hold whole numbers, else -1 with "task 'NAME': option 'KEY'
// = 4.5 must be an integer" for the first that does not (for a task's validate).
int task_check_integers(const task *t, const int *options, int n, char *err, size_t errlen);
// Canonical "key=value,..." of every option (what dataset files record).
void task_format_options(const task *t, char *buf, size_t len);

// Called after each sequence written (done of n), e.g. to print progress.
typedef void (*task_progress_fn)(uint64_t done, uint64_t n, void *ctx);
// Writes n sequences to the dataset file path (tasks/dataset.h): rng_seed(seed), then `next`
// n times, one sequence in memory at a time. progress may be NULL. 0, or -1 with err.
int task_write_dataset(const task *t, uint64_t seed, uint64_t n, const char *path,
                       task_progress_fn progress, void *ctx, char *err, size_t errlen);

#endif
