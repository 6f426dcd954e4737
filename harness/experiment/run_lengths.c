#include "harness/experiment/run_lengths.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/errors.h"
#include "harness/base/options.h"
#include "harness/experiment/run.h"
#include "harness/experiment/run_source.h"
#include "harness/train/task_feed.h"

uint64_t run_length_seed(int n) { return 0x1e9c0000ull + (uint64_t)n; }

// The task of c at length n (its len_min = len_max = n). 0, or -1 with err.
static int task_at(const run_config *c, int n, task *t, char *err, size_t errlen) {
    char over[64], options[CONFIG_OPTIONS_LEN + 64];
    snprintf(over, sizeof over, "len_min=%d,len_max=%d", n, n);
    if (options_merge(c->task_options, over, options, sizeof options) != 0)
        return set_error(err, errlen, "evaluation.length_max: task options too long");
    if (task_configure(t, c->task, options, err, errlen) != 0) {
        char why[512];
        snprintf(why, sizeof why, "%s", err);
        return set_error(err, errlen, "evaluation.length_max: at length %d: %s", n, why);
    }
    return 0;
}

// The lengths evaluated: stride, 2 stride, ... up to length_max.
static int n_lengths(const run_config *c) { return c->length_max / c->length_stride; }
static int length_at(const run_config *c, int i) { return (i + 1) * c->length_stride; }

int run_lengths_check(const run_config *c, char *err, size_t errlen) {
    if (c->length_max <= 0) return 0;
    if (run_source_of(c->task)->corpus_options)
        return set_error(err, errlen, "evaluation.length_max: accuracy against length is for "
                         "tasks (books runs have their eval_mult lengths)");
    task t;
    if (task_configure(&t, c->task, c->task_options, err, errlen) != 0) return -1;
    if (options_find(t.ops->options, t.ops->n_options, "len_min") < 0 ||
        options_find(t.ops->options, t.ops->n_options, "len_max") < 0)
        return set_error(err, errlen, "evaluation.length_max: task '%s' has no len_min and "
                         "len_max options to set a length with", c->task);
    if (c->length_stride > c->length_max)
        return set_error(err, errlen, "evaluation.length_stride: %d is more than "
                         "evaluation.length_max %d (no length to evaluate)", c->length_stride,
                         c->length_max);
    for (int i = 0; i < n_lengths(c); i++)
        if (task_at(c, length_at(c, i), &t, err, errlen) != 0) return -1;
    return 0;
}

int run_lengths_width(const run_config *c, char *err, size_t errlen) {
    task t;
    if (task_at(c, length_at(c, n_lengths(c) - 1), &t, err, errlen) != 0) return -1;
    return task_feed_width(&t);
}

// One length's totals.
typedef struct length_score {
    double loss_sum;
    long tokens, right, sequences, sequences_right;
} length_score;

// Scores the sequences of pool p, batch by batch, into *s.
static void score_pool(model *m, acts *a, batch *b, task_pool *p, uint64_t seed,
                       length_score *s) {
    rng r;
    rng_seed(&r, seed);
    p->cursor = 0;
    int all_right[RUN_EVAL_BATCH], any[RUN_EVAL_BATCH];
    while (task_pool_sequential(b, p, &r) == 0) {
        long right, n;
        const double loss = model_forward(m, a, b, &right, &n);
        if (n == 0) continue;
        s->loss_sum += loss * (double)n;
        s->tokens += n, s->right += right;
        const int32_t *rows;
        int M;
        const int32_t *pred = acts_row_predictions(a, &rows, &M);
        for (int row = 0; row < b->B; row++) all_right[row] = 1, any[row] = 0;
        for (int k = 0; k < M; k++) {
            const int row = rows[k] / b->T;
            any[row] = 1;
            all_right[row] &= pred[k] == b->targets[rows[k]];
        }
        for (int row = 0; row < b->B; row++)
            if (any[row]) s->sequences++, s->sequences_right += all_right[row];
    }
}

int run_lengths_evaluate(const run_config *c, model *m, int step, FILE *lengths,
                         FILE *eval_csv, char *err, size_t errlen) {
    task train;
    if (task_configure(&train, c->task, c->task_options, err, errlen) != 0) return -1;
    const int trained_up_to =
        (int)train.opt[options_find(train.ops->options, train.ops->n_options, "len_max")];
    const int widest = run_lengths_width(c, err, errlen);
    if (widest < 0) return -1;
    acts *a = acts_create(m, RUN_EVAL_BATCH, widest, 0, c->threads);
    if (!a) return set_error(err, errlen, "evaluation.length_max: out of memory");
    omp_set_num_threads(c->threads);
    fputs(RUN_LENGTHS_CSV_HEADER "\n", lengths);
    double mean[2][2] = {{0}};  // [within, beyond][token, sequence]
    int count[2] = {0};
    int rc = 0;
    for (int i = 0; rc == 0 && i < n_lengths(c); i++) {
        const int n = length_at(c, i);
        task t;
        task_pool pool;
        if (task_at(c, n, &t, err, errlen) != 0 ||
            task_pool_create(&pool, &t, run_length_seed(n), (size_t)c->length_examples, err,
                             errlen) != 0) {
            rc = -1;
            break;
        }
        pool.reading = run_task_reading(c, &t);
        batch *b = batch_create(RUN_EVAL_BATCH, task_feed_width(&t));
        length_score s = {0};
        if (!b) rc = set_error(err, errlen, "evaluation.length_max: out of memory");
        else score_pool(m, a, b, &pool, run_length_seed(n), &s);
        batch_free(b);
        task_pool_free(&pool);
        if (rc || s.tokens == 0 || s.sequences == 0) {
            if (rc == 0) rc = set_error(err, errlen, "evaluation.length_max: no scored token "
                                        "at length %d", n);
            break;
        }
        const double acc = (double)s.right / s.tokens;
        const double seq = (double)s.sequences_right / s.sequences;
        const int beyond = n > trained_up_to;
        fprintf(lengths, "%d,%ld,%.9g,%.9g,%.9g,%d\n", n, s.sequences, s.loss_sum / s.tokens,
                acc, seq, !beyond);
        mean[beyond][0] += acc, mean[beyond][1] += seq, count[beyond]++;
    }
    acts_free(a);
    static const char *const where[2] = {"within", "beyond"};
    for (int k = 0; rc == 0 && k < 2; k++)
        if (count[k])
            fprintf(eval_csv, "%d,lengths,accuracy_%s,%.9g\n%d,lengths,sequence_accuracy_%s,"
                    "%.9g\n", step, where[k], mean[k][0] / count[k], step, where[k],
                    mean[k][1] / count[k]);
    return rc;
}
