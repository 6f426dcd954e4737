// Looking inside a finished run (posbench attn, posbench freq): its model on the evaluation
// sequences it was scored on, with what the forward pass computed kept for reading.
//
//   attention.csv  layer,head,query,key,prob,query_token,key_token for one example: every
//                  query position and every key it sees (causal: at or before it;
//                  bidirectional: all of the example's), tokens quoted;
//   frequency.csv  layer,frequency,mass: the PoPE paper's frequency usage. For each layer and
//                  frequency band (0 = the highest frequency), the band's magnitude (RoPE: the
//                  pair's norm; PoPE: softplus) summed over queries and keys of every head,
//                  position and example, as a share of the layer's total (each layer sums to 1);
//   groups.csv     set,group_name,group,n,correct,accuracy,no_lookup: answer accuracy broken
//                  down by the group the task gives each answer (tasks/task.h: answer_group;
//                  the shift of indirect indexing), one row per group present, by group;
//                  no_lookup is what a model that looks nothing up would score on the same
//                  answers (tasks/task.h: no_lookup_chance).
#ifndef POSBENCH_INSPECT_H
#define POSBENCH_INSPECT_H

#include <stddef.h>
#include <stdio.h>

#include "harness/experiment/config.h"
#include "harness/experiment/run_data.h"
#include "harness/model/model.h"

typedef struct inspected {
    run_config cfg;
    model *m;
    run_data data;        // the run's evaluation sets, opened as the run opened them
    const data_source *source;  // the selected set
    char set[64];   // its name
    int width;      // batch width (longest sequence - 1)
    size_t n;       // sequences in the set
    const task *task;       // a generated set's task and sequences; NULL for books
    const task_pool *pool;
} inspected;

// Opens a run folder: config.yaml, final.ckpt, and evaluation set `set` (NULL: the first) as
// the run was scored on it. 0, or -1 with err; close with inspect_close either way.
int inspect_open(inspected *x, const char *run_dir, const char *set, char *err, size_t errlen);
void inspect_close(inspected *x);
// Switches an open run to its evaluation set `set` (NULL: the first): 0, or -1 with err.
int inspect_select_set(inspected *x, const char *set, char *err, size_t errlen);

// attention.csv (see above) of example k (0-based) of the set.
int inspect_attention(inspected *x, size_t k, FILE *out, char *err, size_t errlen);
// frequency.csv (see above) over the first n_examples sequences of the set (fewer if the set
// is smaller). -1 with err when the encoding has no frequencies (encoding.h).
int inspect_frequency(inspected *x, size_t n_examples, FILE *out, char *err, size_t errlen);

// groups.csv's header line, and its rows for the first n_examples sequences of the set (0 or
// more than the set holds: all of them), scored exactly as the run scored them (the same
// batches, argmax against the answer). Answers without a group are not counted. -1 with err
// when the task has no groups.
#define INSPECT_GROUPS_HEADER "set,group_name,group,n,correct,accuracy,no_lookup\n"
int inspect_groups(inspected *x, size_t n_examples, FILE *out, char *err, size_t errlen);

// Fills b with the sequences first, first+1, ... of the set (padding rows past its end) and
// writes each row's number of real input positions into valid[].
void inspect_fill_batch(inspected *x, batch *b, size_t first, int *valid);

// The pure part of frequency usage, for tests: adds the band magnitudes of every head's raw
// query and key in qkv (N rows of 3C) into mass (F floats).
void frequency_mass_add(const pe *enc, const float *qkv, int N, int C, int NH, double *mass);

#endif
