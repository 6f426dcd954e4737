// Batches from a dataset file (tasks/dataset.h) for training and evaluation.
//
// Training draws sequences uniformly with replacement from the rng the trainer passes, so a
// run's data order is a pure function of its data seed. Evaluation walks every sequence
// exactly once, in file order; the last batch's unused rows are padding that is never scored.
#ifndef POSBENCH_DATA_FEED_H
#define POSBENCH_DATA_FEED_H

#include <stddef.h>

#include "harness/base/rng.h"
#include "harness/model/model.h"
#include "harness/train/task_feed.h"
#include "tasks/dataset.h"

typedef struct data_feed {
    const dataset *data;
    row_reading reading;  // causal, or bidirectional for such a model (harness/train/task_feed.h)
    size_t cursor;  // next sequence of a sequential pass
    size_t limit;   // a sequential pass serves the first `limit` sequences (0: all)
} data_feed;

// The batch width a dataset needs: its longest sequence minus one (inputs predict the next
// token).
int data_feed_width(const dataset *d);

// batch_fn (harness/train/train.h) for training: B random sequences, padded to the batch's T.
int data_feed_random(batch *b, void *feed, rng *r);
// batch_fn for evaluation: the next B sequences in order; -1 when all have been served.
// Reset feed->cursor to 0 to start over.
int data_feed_sequential(batch *b, void *feed, rng *r);

// Sliding-window evaluation: every target of the first `limit` sequences (0: all) scored
// once, each seen with at most `window` inputs of context. Window k of a sequence starts at
// input k * stride and scores the targets the windows before it did not reach, so the first
// scores its whole window and every later one its last `stride` targets (fewer at the end),
// each with at least window - stride inputs before it. One window per batch row, positions
// 0 .. window - 1 within it. 1 <= stride <= window. Reset with data_slide_start.
typedef struct data_slide {
    const dataset *data;
    size_t limit;
    int window, stride;
    size_t seq;       // the sequence being read
    int start;        // the next window's first input in it
    int next_target;  // its first target not scored yet
} data_slide;

void data_slide_start(data_slide *s, const dataset *d, size_t limit, int window, int stride);
// batch_fn: the next B windows; -1 when every target has been served.
int data_feed_sliding(batch *b, void *feed, rng *r);

#endif
