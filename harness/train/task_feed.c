#include "harness/train/task_feed.h"

#include <stdlib.h>
#include <string.h>

#include "harness/base/errors.h"

int task_sequence_to_batch_row(batch *b, int row, const uint16_t *tokens, const uint8_t *mask,
                               int len) {
    if (len < 2 || len - 1 > b->T || row < 0 || row >= b->B) return -1;
    const size_t o = (size_t)row * b->T;
    int scored = 0;
    for (int t = 0; t < b->T; t++) {
        const int real = t < len - 1;
        b->tokens[o + t] = real ? tokens[t] : 0;
        b->targets[o + t] = real ? tokens[t + 1] : 0;
        b->mask[o + t] = real && mask[t];
        b->pos[o + t] = (float)t;
        scored += b->mask[o + t];
    }
    b->len[row] = len - 1;
    return scored;
}

// The bidirectional reading (row_reading): input, then placeholders that read the answers.
static int bidirectional_row(batch *b, int row, const uint16_t *tokens, const uint8_t *mask,
                             int len, int placeholder) {
    if (len < 2 || len - 1 > b->T || row < 0 || row >= b->B) return -1;
    int p = 0;  // the first scored position: the input ends before it
    while (p < len - 1 && !mask[p]) p++;
    int scored = 0;
    while (p + scored < len - 1 && mask[p + scored]) scored++;
    for (int t = p + scored; t < len - 1; t++)
        if (mask[t]) return -2;  // another answer after more input
    const size_t o = (size_t)row * b->T;
    for (int t = 0; t < b->T; t++) {
        const int real = t < len - 1, answer = real && t >= p;
        b->tokens[o + t] = !real ? 0 : answer ? placeholder : tokens[t];
        b->targets[o + t] = answer ? tokens[t + 1] : 0;
        b->mask[o + t] = answer && mask[t];
        b->pos[o + t] = (float)t;
    }
    b->len[row] = len - 1;
    return scored;
}

void random_positions(float *pos, int n, int range, rng *r) {
    int taken = 0;
    for (int v = 0; v < range && taken < n; v++)
        if ((int)rng_below(r, (uint32_t)(range - v)) < n - taken) pos[taken++] = (float)v;
}

int task_sequence_to_row(batch *b, int row, const uint16_t *tokens, const uint8_t *mask,
                         int len, const row_reading *reading, rng *r) {
    if (reading && reading->randomized && len - 1 > reading->max_position) return -1;
    const int scored = reading && reading->bidirectional
                           ? bidirectional_row(b, row, tokens, mask, len, reading->placeholder)
                           : task_sequence_to_batch_row(b, row, tokens, mask, len);
    if (scored >= 0 && reading && reading->randomized)
        random_positions(b->pos + (size_t)row * b->T, b->len[row], reading->max_position, r);
    return scored;
}

int task_reading_check(const task *t, int draws, uint64_t seed, char *err, size_t errlen) {
    const int max_len = t->ops->max_len(t);
    uint16_t *tok = malloc((size_t)max_len * sizeof *tok);
    uint8_t *mask = malloc((size_t)max_len);
    batch *b = batch_create(1, max_len > 1 ? max_len - 1 : 1);
    int rc = tok && mask && b ? 0 : set_error(err, errlen, "out of memory");
    rng r;
    rng_seed(&r, seed);
    for (int i = 0; rc == 0 && i < draws; i++) {
        const int len = t->ops->next(t, &r, tok, mask);
        if (bidirectional_row(b, 0, tok, mask, len, 0) == -2)
            rc = set_error(err, errlen, "task '%s' has input after its first answer (e.g. "
                           "several questions per sequence): a bidirectional model reads the "
                           "answers at placeholders after the whole input", t->ops->name);
    }
    free(tok), free(mask), batch_free(b);
    return rc;
}

int task_feed_width(const task *t) {
    int w = t->ops->max_len(t) - 1;
    return w > 0 ? w : 1;
}

int task_feed_fresh(batch *b, void *ctx, rng *r) {
    const task_stream *s = ctx;
    const task *t = s->task;
    const int max_len = t->ops->max_len(t);
    // Small enough for the stack for every built-in task; larger ones use the heap.
    uint16_t tok_small[512];
    uint8_t mask_small[512];
    uint16_t *tok = max_len <= 512 ? tok_small : malloc((size_t)max_len * sizeof *tok);
    uint8_t *mask = max_len <= 512 ? mask_small : malloc((size_t)max_len);
    int rc = 0;
    if (!tok || !mask) rc = -1;
    for (int row = 0; row < b->B && rc == 0; row++) {
        const int len = t->ops->next(t, r, tok, mask);
        if (task_sequence_to_row(b, row, tok, mask, len, &s->reading, r) < 0)
            batch_pad_row(b, row);
    }
    if (tok != tok_small) free(tok);
    if (mask != mask_small) free(mask);
    return rc;
}

int task_pool_create(task_pool *p, const task *t, uint64_t seed, size_t n, char *err,
                     size_t errlen) {
    memset(p, 0, sizeof *p);
    p->task = t;
    p->max_len = t->ops->max_len(t);
    p->n = n;
    p->tokens = malloc(n * (size_t)p->max_len * sizeof *p->tokens);
    p->mask = malloc(n * (size_t)p->max_len);
    p->len = malloc(n * sizeof *p->len);
    if (!p->tokens || !p->mask || !p->len) {
        task_pool_free(p);
        return set_error(err, errlen, "task '%s': cannot hold %zu sequences in memory",
                         t->ops->name, n);
    }
    rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        const size_t o = i * (size_t)p->max_len;
        p->len[i] = t->ops->next(t, &r, p->tokens + o, p->mask + o);
    }
    return 0;
}

void task_pool_free(task_pool *p) {
    free(p->tokens);
    free(p->mask);
    free(p->len);
    memset(p, 0, sizeof *p);
}

static void pool_row(batch *b, int row, const task_pool *p, size_t i, rng *r) {
    const size_t o = i * (size_t)p->max_len;
    if (task_sequence_to_row(b, row, p->tokens + o, p->mask + o, p->len[i], &p->reading, r) < 0)
        batch_pad_row(b, row);
}

int task_pool_random(batch *b, void *ctx, rng *r) {
    const task_pool *p = ctx;
    if (p->n == 0) return -1;
    for (int row = 0; row < b->B; row++) pool_row(b, row, p, rng_below(r, (uint32_t)p->n), r);
    return 0;
}

int task_pool_sequential(batch *b, void *ctx, rng *r) {
    task_pool *p = ctx;
    if (p->cursor >= p->n) return -1;
    for (int row = 0; row < b->B; row++) {
        if (p->cursor < p->n) pool_row(b, row, p, p->cursor++, r);
        else batch_pad_row(b, row);
    }
    return 0;
}
