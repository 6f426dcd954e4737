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
#include "tasks/dataset.h"

typedef struct data_feed {
    const dataset *data;
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

#endif
