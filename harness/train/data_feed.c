#include "harness/train/data_feed.h"

#include <string.h>

#include "harness/train/task_feed.h"

int data_feed_width(const dataset *d) {
    size_t widest = 0;
    for (size_t i = 0; i < d->n_seqs; i++) {
        size_t len = d->offsets[i + 1] - d->offsets[i];
        if (len > widest) widest = len;
    }
    return widest > 1 ? (int)(widest - 1) : 1;
}

// Row `row` from sequence i; the batch's T was sized by data_feed_width, so it fits. A
// one-token sequence predicts nothing and becomes padding.
static void fill_row(batch *b, int row, const dataset *d, size_t i) {
    const size_t off = d->offsets[i];
    const int len = (int)(d->offsets[i + 1] - off);
    if (task_sequence_to_batch_row(b, row, d->tokens + off, d->mask + off, len) < 0)
        batch_pad_row(b, row);
}

int data_feed_random(batch *b, void *feed, rng *r) {
    const dataset *d = ((data_feed *)feed)->data;
    if (d->n_seqs == 0) return -1;
    for (int row = 0; row < b->B; row++) fill_row(b, row, d, rng_below(r, (uint32_t)d->n_seqs));
    return 0;
}

int data_feed_sequential(batch *b, void *feed, rng *r) {
    data_feed *f = feed;
    const dataset *d = f->data;
    const size_t end = f->limit && f->limit < d->n_seqs ? f->limit : d->n_seqs;
    if (f->cursor >= end) return -1;
    for (int row = 0; row < b->B; row++) {
        if (f->cursor < end) fill_row(b, row, d, f->cursor++);
        else batch_pad_row(b, row);
    }
    return 0;
}
