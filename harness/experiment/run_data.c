#include "harness/experiment/run_data.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/dirs.h"
#include "harness/base/errors.h"
#include "harness/experiment/run.h"

// A generated task: fresh sequences (or a fixed pool) for training, one pool per set.
static int prepare_task(run_data *d, const run_config *c, char *err, size_t errlen) {
    if (task_configure(&d->train_task, c->task, c->task_options, err, errlen) != 0) return -1;
    d->train = (data_source){.next = task_feed_fresh, .ctx = &d->train_task,
                             .width = task_feed_width(&d->train_task)};
    if (c->train_examples > 0) {
        if (task_pool_create(&d->train_pool, &d->train_task, c->seed * 2 + 1,
                             (size_t)c->train_examples, err, errlen) != 0)
            return -1;
        d->train.next = task_pool_random;
        d->train.ctx = &d->train_pool;
    }
    for (int i = 0; i < c->n_sets; i++) {
        if (task_configure(&d->eval_tasks[i], c->task, c->sets[i].options, err, errlen) != 0 ||
            task_pool_create(&d->eval_pools[i], &d->eval_tasks[i], run_eval_seed(i),
                             (size_t)c->eval_examples, err, errlen) != 0)
            return -1;
        data_source *e = &d->evals[d->n_evals++];
        *e = (data_source){.next = task_pool_sequential, .ctx = &d->eval_pools[i],
                           .cursor = &d->eval_pools[i].cursor,
                           .width = task_feed_width(&d->eval_tasks[i])};
        snprintf(e->name, sizeof e->name, "%s", c->sets[i].name);
    }
    d->vocab = d->train_task.ops->vocab_size(&d->train_task);
    d->train_len = d->train.width;
    return 0;
}

// Books: training chunks drawn with replacement, and the first evaluation.examples test
// windows at each length, as sets named by their length ("len_1280").
static int prepare_books(run_data *d, const run_config *c, const char *data_dir, char *err,
                         size_t errlen) {
    if (books_data_load(&d->books, c->task_options, data_dir, err, errlen) != 0) return -1;
    d->train_feed = (data_feed){.data = d->books.train};
    d->train = (data_source){.next = data_feed_random, .ctx = &d->train_feed,
                             .width = data_feed_width(d->books.train)};
    for (int i = 0; i < d->books.n_mult; i++) {
        d->eval_feeds[i] = (data_feed){.data = d->books.test[i], .limit = (size_t)c->eval_examples};
        data_source *e = &d->evals[d->n_evals++];
        *e = (data_source){.next = data_feed_sequential, .ctx = &d->eval_feeds[i],
                           .cursor = &d->eval_feeds[i].cursor,
                           .width = data_feed_width(d->books.test[i])};
        snprintf(e->name, sizeof e->name, "len_%d", d->books.mult[i] * d->books.seq_len);
    }
    d->report_perplexity = 1;
    d->vocab = BOOKS_VOCAB;
    d->train_len = d->books.seq_len;
    return 0;
}

int run_data_prepare(run_data *d, const run_config *c, const char *results, char *err,
                     size_t errlen) {
    memset(d, 0, sizeof *d);
    if (strcmp(c->task, "books") != 0) return prepare_task(d, c, err, errlen);
    char data_dir[2048];
    snprintf(data_dir, sizeof data_dir, "%s/%s/data", results, c->experiment);
    return prepare_books(d, c, data_dir, err, errlen);
}

void run_data_free(run_data *d) {
    task_pool_free(&d->train_pool);
    for (int i = 0; i < CONFIG_MAX_SETS; i++) task_pool_free(&d->eval_pools[i]);
    books_data_free(&d->books);
}

// Books rows beyond loss and accuracy: perplexity and bits per byte over the whole window,
// and the same three over the positions past the training length only (t >= L: contexts
// longer than any seen in training), where the whole-window mean would dilute them.
static void books_rows(FILE *out, int step, const char *set, double loss, const double *sum,
                       const long *count, int width, int train_len) {
    fprintf(out, "%d,%s,perplexity,%.9g\n%d,%s,bits_per_byte,%.9g\n", step, set, exp(loss), step,
            set, loss / log(2.0));
    double beyond = 0;
    long n = 0;
    for (int t = train_len; t < width; t++) beyond += sum[t], n += count[t];
    if (!n) return;
    beyond /= (double)n;
    fprintf(out, "%d,%s,loss_beyond,%.9g\n%d,%s,perplexity_beyond,%.9g\n"
            "%d,%s,bits_per_byte_beyond,%.9g\n", step, set, beyond, step, set, exp(beyond), step,
            set, beyond / log(2.0));
}

int run_data_evaluate_set(run_data *d, int i, model *m, int threads, int step,
                          const char *suffix, FILE *eval_csv, FILE *positions, double *accuracy,
                          char *err, size_t errlen) {
    const data_source *e = &d->evals[i];
    if (!suffix) suffix = "";
    char set[160];
    snprintf(set, sizeof set, "%s%s", e->name, suffix);
    *e->cursor = 0;
    eval_result er;
    const int by_position = positions || d->report_perplexity;
    double *sum = by_position ? calloc((size_t)e->width, sizeof *sum) : NULL;
    long *count = by_position ? calloc((size_t)e->width, sizeof *count) : NULL;
    if (by_position && (!sum || !count)) {
        free(sum), free(count);
        return set_error(err, errlen, "out of memory");
    }
    int rc = evaluate_by_position(m, RUN_EVAL_BATCH, e->width, INT_MAX, e->next, e->ctx, 0,
                                  threads, &er, sum, count, err, errlen);
    if (rc == 0) {
        for (int t = 0; positions && t < e->width; t++)
            if (count[t])
                fprintf(positions, "%s,%d,%.9g,%ld\n", set, t, sum[t] / count[t], count[t]);
        fprintf(eval_csv, "%d,%s,loss,%.9g\n%d,%s,accuracy,%.9g\n", step, set, er.loss, step,
                set, er.accuracy);
        if (d->report_perplexity)
            books_rows(eval_csv, step, set, er.loss, sum, count, e->width, d->train_len);
        if (accuracy) *accuracy = er.accuracy;
    }
    free(sum);
    free(count);
    return rc;
}

int run_data_evaluate(run_data *d, model *m, int threads, int step, FILE *eval_csv,
                      FILE *positions, double *first, char *err, size_t errlen) {
    for (int i = 0; i < d->n_evals; i++)
        if (run_data_evaluate_set(d, i, m, threads, step, NULL, eval_csv, positions,
                                  i == 0 ? first : NULL, err, errlen) != 0)
            return -1;
    fflush(eval_csv);
    return 0;
}

// Whether m can serve sequences of T positions, and their activations fit next to it.
static int check_width(const model *m, const char *what, int B, int T, int training, char *err,
                       size_t errlen) {
    char msg[384], need[200];
    if (pe_check_length(&m->pe, T, msg, sizeof msg) != 0)
        return set_error(err, errlen, "%s (%d positions): %s", what, T, msg);
    snprintf(need, sizeof need, "%s: activations for a batch of %d x %d tokens", what, B, T);
    return memory_fits(acts_bytes(m, B, T, training) + 4 * m->n_params * sizeof(float), need,
                       err, errlen);
}

int run_data_check(const run_config *c, char *err, size_t errlen) {
    int widths[RUN_MAX_EVAL_SETS], n = 0, train_width, vocab;
    char names[RUN_MAX_EVAL_SETS][64];
    if (!strcmp(c->task, "books")) {
        books_data b;
        char corpus[1024];
        if (books_data_options(c->task_options, corpus, sizeof corpus, &b, err, errlen) != 0)
            return -1;
        if (!is_dir(corpus))
            return set_error(err, errlen, "books: corpus folder '%s' not found (tools/ has "
                             "scripts that fetch one)", corpus);
        train_width = b.seq_len;
        for (; n < b.n_mult; n++) {
            widths[n] = b.mult[n] * b.seq_len;
            snprintf(names[n], sizeof names[n], "len_%d", widths[n]);
        }
        vocab = BOOKS_VOCAB;
    } else {
        task t;
        if (task_configure(&t, c->task, c->task_options, err, errlen) != 0) return -1;
        train_width = task_feed_width(&t);
        vocab = t.ops->vocab_size(&t);
        for (; n < c->n_sets; n++) {
            if (task_configure(&t, c->task, c->sets[n].options, err, errlen) != 0) return -1;
            widths[n] = task_feed_width(&t);
            snprintf(names[n], sizeof names[n], "%s", c->sets[n].name);
        }
    }
    model_config mc = {vocab, c->d_model, c->layers, c->heads, c->norm};
    model *m = model_create(&mc, c->encoding, c->encoding_options, err, errlen);
    if (!m) return -1;
    int rc = check_width(m, "training", c->batch, train_width, 1, err, errlen);
    for (int i = 0; rc == 0 && i < n; i++) {
        char what[96];
        snprintf(what, sizeof what, "evaluation set %.63s", names[i]);
        rc = check_width(m, what, RUN_EVAL_BATCH, widths[i], 0, err, errlen);
    }
    model_free(m);
    return rc;
}
