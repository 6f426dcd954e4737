// Accuracy against length (evaluation.length_max > 0): after training, the model is scored
// on fresh sequences of the task at each length n = stride, 2 stride, ... up to length_max
// (the task's own n: its len_min = len_max = n), length_examples of them per length, read
// as the run reads its sets (attention, placeholders, positions). Per length: the loss, the
// accuracy per scored token and per whole sequence (every scored token right), in
// lengths.csv. The run's eval.csv gets, at its last step, set "lengths" with
// accuracy_within / sequence_accuracy_within (the mean over lengths up to the training
// len_max) and accuracy_beyond / sequence_accuracy_beyond (over longer lengths; the suite's
// score), so the summary reports them over seeds like any other metric.
#ifndef POSBENCH_RUN_LENGTHS_H
#define POSBENCH_RUN_LENGTHS_H

#include <stddef.h>
#include <stdio.h>

#include "harness/experiment/config.h"
#include "harness/model/model.h"

// within: 1 for a length up to the training len_max (trained on), else 0.
#define RUN_LENGTHS_CSV_HEADER "length,n,loss,accuracy,sequence_accuracy,within"

// The seed of the sequences of length n (not any set's, nor the training stream's).
uint64_t run_length_seed(int n);

// What the run cannot do before it starts: a task without len_min/len_max options, a length
// the task refuses (e.g. more distinct letters than the alphabet), books. 0, or -1 with err.
int run_lengths_check(const run_config *c, char *err, size_t errlen);

// The batch width of the longest length (length_max > 0), or -1 with err.
int run_lengths_width(const run_config *c, char *err, size_t errlen);

// Scores m at every length: lengths.csv rows into lengths (header included) and the summary
// rows into eval_csv at `step`. 0, or -1 with err.
int run_lengths_evaluate(const run_config *c, model *m, int step, FILE *lengths,
                         FILE *eval_csv, char *err, size_t errlen);

#endif
