// Where a run's data comes from: sequences a task generates (tasks/task.h), or windows of a
// corpus of books (tasks/books.h). Everything that differs between the two is behind this
// table, so that running, rescoring, inspecting and plotting a run never ask which it has.
#ifndef POSBENCH_RUN_SOURCE_H
#define POSBENCH_RUN_SOURCE_H

#include <stddef.h>

#include "harness/experiment/config.h"
#include "harness/train/task_feed.h"
#include "tasks/books.h"

#define RUN_MAX_EVAL_SETS (CONFIG_MAX_SETS + BOOKS_MAX_MULT)

// How a task run's model reads task t's sequences (its attention, placeholder and positions).
row_reading run_task_reading(const run_config *c, const task *t);

// The shape of a run's data, known without building any of it.
typedef struct run_plan {
    int vocab;
    int train_width;  // batch width of training
    // Books: the training window; the evaluation sets are multiples of it, named len_N.
    // 0 when the sets are the experiment's named sets.
    int length_unit;
    int n_sets;
    char names[RUN_MAX_EVAL_SETS][64];
    int widths[RUN_MAX_EVAL_SETS];  // batch width of each evaluation set
} run_plan;

struct run_data;
struct data_source;

typedef struct run_source {
    // The run's data shape (nothing is built or read). 0, or -1 with err.
    int (*plan)(const run_config *c, run_plan *p, char *err, size_t errlen);
    // What must exist before the run starts (books: the corpus folder). 0, or -1 with err.
    int (*check)(const run_config *c, char *err, size_t errlen);
    // Opens the training data (unless evaluation_only) and every evaluation set into d;
    // books' datasets are built once into data_dir. 0, or -1 with err.
    int (*open)(struct run_data *d, const run_config *c, const char *data_dir,
                int evaluation_only, char *err, size_t errlen);
    // Token id as text: the task's name for it; for books the byte when printable, else 0xNN.
    void (*token_text)(const struct data_source *set, int id, char *buf, size_t len);
    // The options are a corpus, training window and lengths (corpus=,seq_len=,eval_mult=),
    // not a task's numeric options.
    int corpus_options;
    // Evaluation adds perplexity and bits per byte, whole window and past the training length.
    int per_byte_metrics;
    // Trains every step: no early stop (its last evaluation measures loss per position).
    int trains_every_step;
} run_source;

// The source of runs of task `task_name` (books, else a generated task).
const run_source *run_source_of(const char *task_name);

#endif
