#include "harness/experiment/run_data.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/dirs.h"
#include "harness/base/errors.h"
#include "harness/experiment/run.h"
#include "harness/experiment/run_lengths.h"

int run_data_prepare(run_data *d, const run_config *c, const char *results, char *err,
                     size_t errlen) {
    char data_dir[2048];
    snprintf(data_dir, sizeof data_dir, "%s/%s/data", results, c->experiment);
    return run_data_open(d, c, data_dir, 0, err, errlen);
}

int run_data_open(run_data *d, const run_config *c, const char *data_dir, int evaluation_only,
                  char *err, size_t errlen) {
    memset(d, 0, sizeof *d);
    d->source = run_source_of(c->task);
    return d->source->open(d, c, data_dir, evaluation_only, err, errlen);
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

// Books sets longer than the training windows, read again through windows of the training
// length sliding by d->sliding_stride: each token predicted with up to L tokens of context,
// the model never past the positions it was trained on. Rows loss_sliding,
// perplexity_sliding, bits_per_byte_sliding.
static int sliding_rows(const run_data *d, const data_source *e, model *m, int threads, int step,
                        const char *set, FILE *out, char *err, size_t errlen) {
    const data_feed *f = e->ctx;
    data_slide slide;
    data_slide_start(&slide, f->data, f->limit, d->train_len, d->sliding_stride);
    eval_result er;
    if (evaluate(m, RUN_EVAL_BATCH, d->train_len, INT_MAX, data_feed_sliding, &slide, 0, threads,
                 &er, err, errlen) != 0)
        return -1;
    fprintf(out, "%d,%s,loss_sliding,%.9g\n%d,%s,perplexity_sliding,%.9g\n"
            "%d,%s,bits_per_byte_sliding,%.9g\n", step, set, er.loss, step, set, exp(er.loss),
            step, set, er.loss / log(2.0));
    return 0;
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
    const int by_position = positions || d->source->per_byte_metrics;
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
        if (d->source->per_byte_metrics)
            books_rows(eval_csv, step, set, er.loss, sum, count, e->width, d->train_len);
        if (accuracy) *accuracy = er.accuracy;
        if (d->source->per_byte_metrics && d->sliding_stride > 0 && e->width > d->train_len)
            rc = sliding_rows(d, e, m, threads, step, set, eval_csv, err, errlen);
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

// Whether m can serve sequences of T positions (randomized: drawn from [0, max_position),
// which must hold them), and their activations fit next to it.
static int check_width(const model *m, const run_config *c, const char *what, int B, int T,
                       int training, char *err, size_t errlen) {
    char msg[384], need[200];
    if (c->randomized_positions && T > c->max_position)
        return set_error(err, errlen, "%s (%d positions): model.max_position is %d; randomized "
                         "positions need at least one per token", what, T, c->max_position);
    const int reach = c->randomized_positions ? c->max_position : T;
    if (pe_check_length(&m->pe, reach, msg, sizeof msg) != 0)
        return set_error(err, errlen, "%s (%d positions): %s", what, reach, msg);
    snprintf(need, sizeof need, "%s: activations for a batch of %d x %d tokens", what, B, T);
    return memory_fits(acts_bytes(m, B, T, training) + 4 * m->n_params * sizeof(float), need,
                       err, errlen);
}

int run_data_check(const run_config *c, char *err, size_t errlen) {
    const run_source *src = run_source_of(c->task);
    run_plan p;
    if (src->check(c, err, errlen) != 0 || src->plan(c, &p, err, errlen) != 0 ||
        run_lengths_check(c, err, errlen) != 0)
        return -1;
    if (c->eval_sliding_stride > p.train_width)
        return set_error(err, errlen, "evaluation.sliding_stride: %d is longer than the training "
                         "windows (%d)", c->eval_sliding_stride, p.train_width);
    model_config mc = {p.vocab, c->d_model, c->layers, c->heads, c->norm, c->bidirectional};
    model *m = model_create(&mc, c->encoding, c->encoding_options, err, errlen);
    if (!m) return -1;
    int rc = check_width(m, c, "training", c->batch, p.train_width, 1, err, errlen);
    for (int i = 0; rc == 0 && i < p.n_sets; i++) {
        char what[96];
        snprintf(what, sizeof what, "evaluation set %.63s", p.names[i]);
        rc = check_width(m, c, what, RUN_EVAL_BATCH, p.widths[i], 0, err, errlen);
    }
    if (rc == 0 && c->length_max > 0) {
        const int width = run_lengths_width(c, err, errlen);
        rc = width < 0 ? -1
                       : check_width(m, c, "evaluation lengths", RUN_EVAL_BATCH, width, 0, err,
                                     errlen);
    }
    model_free(m);
    return rc;
}
