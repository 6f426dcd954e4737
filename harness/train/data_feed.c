#include "harness/train/data_feed.h"

#include <stdlib.h>
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
static void fill_row(batch *b, int row, const data_feed *f, size_t i, rng *r) {
    const dataset *d = f->data;
    const size_t off = d->offsets[i];
    const int len = (int)(d->offsets[i + 1] - off);
    if (task_sequence_to_row(b, row, d->tokens + off, d->mask + off, len, &f->reading, r) < 0)
        batch_pad_row(b, row);
}

int data_feed_random(batch *b, void *feed, rng *r) {
    const data_feed *f = feed;
    if (f->data->n_seqs == 0) return -1;
    for (int row = 0; row < b->B; row++)
        fill_row(b, row, f, rng_below(r, (uint32_t)f->data->n_seqs), r);
    return 0;
}

int data_feed_sequential(batch *b, void *feed, rng *r) {
    data_feed *f = feed;
    const dataset *d = f->data;
    const size_t end = f->limit && f->limit < d->n_seqs ? f->limit : d->n_seqs;
    if (f->cursor >= end) return -1;
    for (int row = 0; row < b->B; row++) {
        if (f->cursor < end) fill_row(b, row, f, f->cursor++, r);
        else batch_pad_row(b, row);
    }
    return 0;
}

void data_slide_start(data_slide *s, const dataset *d, size_t limit, int window, int stride) {
    *s = (data_slide){.data = d, .limit = limit, .window = window, .stride = stride};
}

// Fills row with the next window of s, advancing it; 0 when no target is left.
static int next_window(data_slide *s, batch *b, int row) {
    const dataset *d = s->data;
    const size_t end_seq = s->limit && s->limit < d->n_seqs ? s->limit : d->n_seqs;
    for (; s->seq < end_seq; s->seq++, s->start = 0, s->next_target = 0) {
        const size_t off = d->offsets[s->seq];
        const int targets = (int)(d->offsets[s->seq + 1] - off) - 1;
        if (s->next_target >= targets) continue;
        const int from = s->start, w = targets - from < s->window ? targets - from : s->window;
        // Scored: this window's targets the earlier windows did not reach, where the data
        // scores them.
        uint8_t mask_small[1024] = {0}, *mask = w < 1024 ? mask_small : malloc((size_t)w + 1);
        if (!mask) return -1;
        for (int j = 0; j <= w; j++)
            mask[j] = j < w && from + j >= s->next_target && d->mask[off + from + j];
        if (task_sequence_to_batch_row(b, row, d->tokens + off + from, mask, w + 1) < 0)
            batch_pad_row(b, row);
        if (mask != mask_small) free(mask);
        s->next_target = from + w;
        s->start += s->stride;
        return 1;
    }
    return 0;
}

int data_feed_sliding(batch *b, void *feed, rng *r) {
    data_slide *s = feed;
    int filled = 0;
    for (int row = 0; row < b->B; row++) {
        const int got = filled == row ? next_window(s, b, row) : 0;
        if (got < 0) return -1;
        if (got) filled++;
        else batch_pad_row(b, row);
    }
    return filled ? 0 : -1;
}
