// A run's data: where its training batches come from and its evaluation sets, whatever the
// task (a generator, a fixed pool, book datasets), and scoring a model on those sets. Shared
// by training a run (run.c) and scoring a finished one again (run_score.c).
#ifndef POSBENCH_RUN_DATA_H
#define POSBENCH_RUN_DATA_H

#include <stddef.h>
#include <stdio.h>

#include "harness/experiment/config.h"
#include "harness/experiment/run_books.h"
#include "harness/experiment/run_source.h"
#include "harness/model/model.h"
#include "harness/train/data_feed.h"
#include "harness/train/task_feed.h"
#include "harness/train/train.h"

// One stream of batches: a generator, a pool or a dataset file behind one batch_fn.
typedef struct data_source {
    char name[64];
    batch_fn next;
    void *ctx;
    size_t *cursor;  // reset before each sequential pass (evaluation sets)
    int width;       // batch width T
    // Evaluation sets: n sequences; sequence i has length(ctx, i) scored positions at most
    // (its tokens less one). A generated set also names its task and pool (else NULL).
    size_t n;
    int (*length)(const void *ctx, size_t i);
    const task *task;
    const task_pool *pool;
} data_source;

typedef struct run_data {
    const run_source *source;
    data_source train;
    int n_evals;
    data_source evals[RUN_MAX_EVAL_SETS];
    int vocab;
    int train_len;  // books: the training window in tokens; task runs: the batch width
    int sliding_stride;  // books: evaluation.sliding_stride (0: no sliding-window rows)
    // Storage behind the sources: task runs...
    task train_task, eval_tasks[CONFIG_MAX_SETS];
    task_stream train_stream;
    task_pool train_pool, eval_pools[CONFIG_MAX_SETS];
    // ... and books runs.
    books_data books;
    data_feed train_feed, eval_feeds[BOOKS_MAX_MULT];
} run_data;

// Builds c's training source and evaluation sets (books: the datasets are built once into
// <results>/<experiment>/data). 0, or -1 with err (free d with run_data_free either way).
int run_data_prepare(run_data *d, const run_config *c, const char *results, char *err,
                     size_t errlen);
// The same with the books' data folder given, and without the training data when
// evaluation_only (a finished run looked into).
int run_data_open(run_data *d, const run_config *c, const char *data_dir, int evaluation_only,
                  char *err, size_t errlen);
void run_data_free(run_data *d);

// Checks c before anything is built or trained: books' corpus folder exists, and the model
// can serve every length it will see (an encoding's limit on positions, e.g. learned with
// beyond=error) with activations that fit in this machine's memory. 0, or -1 with err
// naming the set ("evaluation set len_1280 (1280 positions): ...").
int run_data_check(const run_config *c, char *err, size_t errlen);

// Scores m on evaluation set i and writes `step,set,metric,value` rows to eval_csv (loss and
// accuracy; books also perplexity and bits_per_byte, and where the set is longer than the
// training windows loss_beyond, perplexity_beyond and bits_per_byte_beyond: the same over
// the positions t >= the training length only), the set's name followed by suffix (NULL:
// none).
// positions (may be NULL) gets `set,position,loss,count` rows: the mean loss at each
// position. *accuracy (may be NULL) gets the set's accuracy. 0, or -1 with err.
int run_data_evaluate_set(run_data *d, int i, model *m, int threads, int step,
                          const char *suffix, FILE *eval_csv, FILE *positions, double *accuracy,
                          char *err, size_t errlen);
// Every set in turn; *first (may be NULL) gets the first set's accuracy, the one the early
// stop watches.
int run_data_evaluate(run_data *d, model *m, int threads, int step, FILE *eval_csv,
                      FILE *positions, double *first, char *err, size_t errlen);

#endif
