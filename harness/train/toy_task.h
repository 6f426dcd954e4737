// The copy-at-offset toy task: a sequence of uniformly random symbols, and at every position
// t >= offset the model must output the symbol seen `offset` positions earlier. A pure
// "where" task that needs relative position, used to check that training works at all.
#ifndef POSBENCH_TOY_TASK_H
#define POSBENCH_TOY_TASK_H

#include "harness/base/rng.h"
#include "harness/model/model.h"

// Fills b (tokens, targets, mask; positions 0..T-1) with symbols in [0, n_symbols).
void toy_copy_batch(batch *b, int n_symbols, int offset, rng *r);

#endif
