// Scoring finished runs again, without retraining: a run's final.ckpt evaluated on new
// evaluation sets (other task options, other book lengths) and/or with evaluation-time
// encoding options (RoPE's scaling=yarn, ...), the rows put into the run's eval.csv (and, for
// books, positions.csv) beside the ones training wrote, at the run's last step, so the
// summary and the plots treat them as one more set.
//
// Rows are named SET + suffix (suffix "@scaling=yarn;factor=10" by default when encoding
// options are given: CSV fields hold no commas). Scoring the same names again replaces their
// rows, so a command can be repeated. A new set of a generated task is drawn with the seed of
// its position after the experiment's own sets (harness/experiment/run.h: run_eval_seed), the same for
// every run of the experiment.
#ifndef POSBENCH_RUN_SCORE_H
#define POSBENCH_RUN_SCORE_H

#include <stddef.h>

#include "harness/experiment/config.h"
#include "harness/experiment/run_data.h"

typedef struct score_request {
    // The sets to score, as NAME (one of the experiment's sets, or books' len_N) or
    // NAME:KEY=VALUE,... (a new set of a generated task: options over the task's).
    const char *const *sets;
    int n_sets;
    // Books: lengths to score, multiples of the training length.
    const int *lengths;
    int n_lengths;
    const char *encoding_options;  // merged over the trained ones (NULL: as trained)
    // 1: factor = set length / training length (at least 1) and orig_len = training length,
    // per set, on top of encoding_options (RoPE's pi, ntk and yarn as the papers apply them).
    int factor_from_length;
    const char *suffix;  // NULL: the default above ("" when no encoding option is given)
} score_request;

// The run's config with the requested sets: data->sets (generated tasks) or the books
// lengths in data->task_options; pick[i] = 1 for the data's sets to score. 0, or -1 with
// err on an unknown set, a malformed spec or a length that is not a multiple.
int score_config(const run_config *run, const score_request *q, run_config *data,
                 int pick[RUN_MAX_EVAL_SETS], char *err, size_t errlen);

// Scores one finished run (its done marker and final.ckpt) as q asks. progress (may be NULL)
// gets one line per set. 0; 1 for a diverged run and 2 for an unfinished one (nothing to
// score); or -1 with err (the run's files are then unchanged).
int run_score(const run_config *run, const char *results, const score_request *q,
              FILE *progress, char *err, size_t errlen);

#endif
