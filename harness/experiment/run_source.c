#include "harness/experiment/run_source.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "harness/base/dirs.h"
#include "harness/base/errors.h"
#include "harness/experiment/run.h"
#include "harness/experiment/run_data.h"

// ---- a generated task --------------------------------------------------------------------------

// The rows of a run's task: a bidirectional model reads the answers at a placeholder token,
// one past the task's vocabulary; randomized positions come from [0, max_position).
row_reading run_task_reading(const run_config *c, const task *t) {
    return (row_reading){c->bidirectional, t->ops->vocab_size(t), c->randomized_positions,
                         c->max_position};
}

static int task_plan(const run_config *c, run_plan *p, char *err, size_t errlen) {
    memset(p, 0, sizeof *p);
    task t;
    if (task_configure(&t, c->task, c->task_options, err, errlen) != 0) return -1;
    p->train_width = task_feed_width(&t);
    p->vocab = t.ops->vocab_size(&t) + c->bidirectional;
    for (; p->n_sets < c->n_sets; p->n_sets++) {
        if (task_configure(&t, c->task, c->sets[p->n_sets].options, err, errlen) != 0) return -1;
        p->widths[p->n_sets] = task_feed_width(&t);
        snprintf(p->names[p->n_sets], sizeof p->names[0], "%s", c->sets[p->n_sets].name);
    }
    return 0;
}

// A bidirectional model needs the answers after the whole input, in training and in every
// set (a sample of each; the layouts are the task's, not the draw's).
static int task_check(const run_config *c, char *err, size_t errlen) {
    if (!c->bidirectional) return 0;
    task t;
    char msg[512];
    for (int i = -1; i < c->n_sets; i++) {
        if (task_configure(&t, c->task, i < 0 ? c->task_options : c->sets[i].options, err,
                           errlen) != 0)
            return -1;
        if (task_reading_check(&t, 256, 1, msg, sizeof msg) != 0)
            return set_error(err, errlen, "model.attention: bidirectional: %s%s%s", msg,
                             i < 0 ? "" : " (evaluation set ", i < 0 ? "" : c->sets[i].name);
    }
    return 0;
}

static int pool_length(const void *ctx, size_t i) {
    const task_pool *p = ctx;
    return p->len[i] - 1;
}

// Fresh sequences (or a fixed pool) for training, one pool per evaluation set.
static int task_open(run_data *d, const run_config *c, const char *data_dir, int evaluation_only,
                     char *err, size_t errlen) {
    if (task_configure(&d->train_task, c->task, c->task_options, err, errlen) != 0) return -1;
    d->train_stream = (task_stream){&d->train_task, run_task_reading(c, &d->train_task)};
    d->train = (data_source){.next = task_feed_fresh, .ctx = &d->train_stream,
                             .width = task_feed_width(&d->train_task)};
    if (c->train_examples > 0 && !evaluation_only) {
        if (task_pool_create(&d->train_pool, &d->train_task, train_data_seed(run_data_seed(c)),
                             (size_t)c->train_examples, err, errlen) != 0)
            return -1;
        d->train_pool.reading = d->train_stream.reading;
        d->train.next = task_pool_random;
        d->train.ctx = &d->train_pool;
    }
    for (int i = 0; i < c->n_sets; i++) {
        if (task_configure(&d->eval_tasks[i], c->task, c->sets[i].options, err, errlen) != 0 ||
            task_pool_create(&d->eval_pools[i], &d->eval_tasks[i], run_eval_seed(i),
                             (size_t)c->eval_examples, err, errlen) != 0)
            return -1;
        d->eval_pools[i].reading = run_task_reading(c, &d->eval_tasks[i]);
        data_source *e = &d->evals[d->n_evals++];
        *e = (data_source){.next = task_pool_sequential, .ctx = &d->eval_pools[i],
                           .cursor = &d->eval_pools[i].cursor, .n = d->eval_pools[i].n,
                           .length = pool_length, .width = task_feed_width(&d->eval_tasks[i]),
                           .task = &d->eval_tasks[i], .pool = &d->eval_pools[i]};
        snprintf(e->name, sizeof e->name, "%s", c->sets[i].name);
    }
    d->vocab = d->train_task.ops->vocab_size(&d->train_task) + c->bidirectional;
    d->train_len = d->train.width;
    return 0;
}

static void task_token_text(const data_source *set, int id, char *buf, size_t len) {
    const int placeholder = id >= set->task->ops->vocab_size(set->task);
    snprintf(buf, len, "%s", placeholder ? "_" : set->task->ops->token_name(set->task, id));
}

// ---- books -------------------------------------------------------------------------------------

static int books_plan(const run_config *c, run_plan *p, char *err, size_t errlen) {
    memset(p, 0, sizeof *p);
    books_data b;
    char corpus[1024];
    if (books_data_options(c->task_options, corpus, sizeof corpus, &b, err, errlen) != 0)
        return -1;
    p->vocab = BOOKS_VOCAB;
    p->train_width = p->length_unit = b.seq_len;
    for (; p->n_sets < b.n_mult; p->n_sets++) {
        p->widths[p->n_sets] = b.mult[p->n_sets] * b.seq_len;
        snprintf(p->names[p->n_sets], sizeof p->names[0], "len_%d", p->widths[p->n_sets]);
    }
    return 0;
}

static int books_check(const run_config *c, char *err, size_t errlen) {
    if (c->randomized_positions)
        return set_error(err, errlen, "model.positions: randomized is for tasks (a book's "
                         "windows are read at positions 0 .. L-1)");
    if (c->bidirectional)
        return set_error(err, errlen, "model.attention: bidirectional is for tasks (a book "
                         "window's every next token would be in view)");
    books_data b;
    char corpus[1024];
    if (books_data_options(c->task_options, corpus, sizeof corpus, &b, err, errlen) != 0)
        return -1;
    if (!is_dir(corpus))
        return set_error(err, errlen, "books: corpus folder '%s' not found (tools/ has scripts "
                         "that fetch one)", corpus);
    return 0;
}

static int feed_length(const void *ctx, size_t i) {
    const data_feed *f = ctx;
    return (int)(f->data->offsets[i + 1] - f->data->offsets[i]) - 1;
}

// Training chunks drawn with replacement, and the first evaluation.examples test windows at
// each length, as sets named by their length ("len_1280").
static int books_open(run_data *d, const run_config *c, const char *data_dir,
                      int evaluation_only, char *err, size_t errlen) {
    if (books_data_load(&d->books, c->task_options, data_dir, err, errlen) != 0) return -1;
    d->train_feed = (data_feed){.data = d->books.train};
    d->train = (data_source){.next = data_feed_random, .ctx = &d->train_feed,
                             .width = data_feed_width(d->books.train)};
    for (int i = 0; i < d->books.n_mult; i++) {
        const dataset *test = d->books.test[i];
        d->eval_feeds[i] = (data_feed){.data = test, .limit = (size_t)c->eval_examples};
        data_source *e = &d->evals[d->n_evals++];
        *e = (data_source){.next = data_feed_sequential, .ctx = &d->eval_feeds[i],
                           .cursor = &d->eval_feeds[i].cursor,
                           .n = test->n_seqs < d->eval_feeds[i].limit ? test->n_seqs
                                                                      : d->eval_feeds[i].limit,
                           .length = feed_length, .width = data_feed_width(test)};
        snprintf(e->name, sizeof e->name, "len_%d", d->books.mult[i] * d->books.seq_len);
    }
    d->vocab = BOOKS_VOCAB;
    d->train_len = d->books.seq_len;
    d->sliding_stride = c->eval_sliding_stride;
    if (d->sliding_stride > d->train_len)
        return set_error(err, errlen, "evaluation.sliding_stride: %d is longer than the training "
                         "windows (seq_len %d)", d->sliding_stride, d->train_len);
    return 0;
}

static void books_token_text(const data_source *set, int id, char *buf, size_t len) {
    if (isprint(id)) snprintf(buf, len, "%c", id);
    else snprintf(buf, len, "0x%02x", id);
}

// ---- the table ---------------------------------------------------------------------------------

static const run_source TASK_SOURCE = {
    .plan = task_plan, .check = task_check, .open = task_open,
    .token_text = task_token_text};

static const run_source BOOKS_SOURCE = {
    .plan = books_plan, .check = books_check, .open = books_open,
    .token_text = books_token_text, .corpus_options = 1, .per_byte_metrics = 1,
    .trains_every_step = 1};

const run_source *run_source_of(const char *task_name) {
    return strcmp(task_name, BOOKS_TASK) == 0 ? &BOOKS_SOURCE : &TASK_SOURCE;
}
