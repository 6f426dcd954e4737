// The summary of an experiment: its finished runs grouped by configuration minus the seed,
// with n, mean, standard deviation, Student-t 95% confidence interval, min and max of each
// evaluation metric, and for accuracies the success rate (runs that solved the task, with its
// exact interval), written to results/<experiment>/summary.csv.
//
// Run layout read (written by the run executor, harness/experiment/run.h):
//   DIR/runs.csv             the experiment's current runs, in its file's order (optional)
//   DIR/runs/<id>/config.yaml  the run's resolved configuration
//   DIR/runs/<id>/point.csv  `key,value` header, one row per swept key (e.g. `seed,2`)
//   DIR/runs/<id>/eval.csv   `step,set,metric,value` header, tidy rows, several steps allowed
//   DIR/runs/<id>/status     first line `done` or `diverged` (what follows is not read)
//   DIR/runs/<id>/done       marker written last; a run without it is unfinished and skipped
//
// Rules: the runs are those of DIR/runs.csv, in its order; folders it does not list are stale
// (an earlier version of the experiment file) and left out, counted in n_stale. Without
// runs.csv every folder counts, in strcmp order of the names (dot-names and non-folders are
// ignored). Runs are in one group when their config.yaml files are the same but for the seed
// line; the group's columns are the first finished run's point.csv keys minus `seed`, in its
// order, and every finished run must have exactly those keys. Two groups with the same swept
// values (which only a folder mixing versions of an experiment can hold) are an error naming
// the first line where their configs differ. Groups appear in order of their first run (the
// file's order), and (set, metric) pairs in order of first appearance within the group. Each
// run contributes, per (set, metric), the value at the largest step in its eval.csv (numeric,
// not row order; two rows at that step are an error). Only `done` runs contribute values (a
// non-finite one makes the mean NaN); `diverged` runs are counted in n_diverged and their
// eval.csv is not read. A group whose runs all diverged before any evaluation still gets a
// row (n = 0) for each (set, metric) of the experiment, so its failure shows. Blank lines and
// CRLF endings are accepted; quoted fields are not.
#ifndef POSBENCH_SUMMARY_H
#define POSBENCH_SUMMARY_H

#include <stddef.h>

#include "harness/analysis/compare.h"

typedef struct {
    int group;             // index into summary.group_values
    char *set, *metric;
    int n;                 // done runs with a value
    int n_diverged;        // diverged runs in the group
    double mean, sd;       // sd with n - 1 (0 for n = 1); NaN for n = 0
    double ci_low, ci_high;  // mean -+ t(0.975, n-1) sd / sqrt(n); NaN for n < 2. Cut to
    // where every possible mean lies (the coverage is the same): accuracies to [0, 1], losses
    // and bits per byte to [0, inf).
    // Metrics named perplexity*: mean, sd and interval are those of log(value), mapped back
    // with exp (the geometric mean, an interval that stays positive; sd stays on the log
    // scale); min and max are the values'.
    double min, max;       // NaN for n = 0
    double median;         // of the values (the middle one, or the mean of the middle two)
    // Rows of accuracy, accuracy_within and accuracy_beyond: runs whose value is >= the
    // summary's success_at ("solved"), out of
    // n + n_diverged (a diverged run solved nothing), with the exact 95% interval of that rate
    // (harness/analysis/binomial.h). Other metrics, or no threshold: n_success -1 and NaN bounds.
    int n_success;
    double success_low, success_high;
    // Over the solved runs: the first evaluation step at which each reached success_at (NaN
    // when none solved): how long the task takes to learn, the other half of the story.
    double solved_at_min, solved_at_median, solved_at_max;
} summary_row;

// Two groups compared on one (set, metric): Welch's test on their means and, for accuracy
// rows with a success threshold, Fisher's exact test on their success counts
// (harness/analysis/compare.h).
typedef struct {
    int a, b;              // group indices, a < b
    char *set, *metric;
    int n_a, n_b;          // done runs with a value
    double mean_a, mean_b;
    welch_result welch;    // of mean_a - mean_b; NaN fields when either n < 2
    int solved_a, solved_b, total_a, total_b;  // accuracy rows: solved of n + n_diverged
    double fisher_p;       // NaN when not counted
} summary_comparison;

typedef struct {
    int n_keys;
    char **keys;           // group keys, e.g. "model.encoding"
    int n_groups;
    char ***group_values;  // [group][key]
    int n_rows;
    summary_row *rows;     // grouped: all rows of group 0, then group 1, ...
    int n_finished;        // runs with a done marker (done or diverged)
    int n_diverged;
    int n_unfinished;      // runs without a done marker, skipped
    int n_stale;           // run folders the experiment's manifest no longer lists, skipped
    char *first_stale;     // the first of them by id (NULL: none), for messages
    double success_at;     // the accuracy that counts a run as solved (NaN: none)
    int n_comparisons;
    summary_comparison *comparisons;  // every pair of groups that differ in one key (the
    // encoding, say, on one task), on every (set, metric)
} summary;

// The accuracy from which a run counts as solved unless told otherwise.
#define SUMMARY_SUCCESS_AT 0.9

// Reads every run under DIR/runs and computes the summary; success_at (NaN: none) is the
// accuracy from which a run counts as solved. Returns NULL with a one-line error naming the
// file (and line) on malformed input, or when no run has finished.
// The caller frees the result with summary_free.
summary *summary_compute(const char *dir, double success_at, char *err, size_t errlen);
void summary_free(summary *s);

// The statistics of one row from v[0..n-1]: r's n, mean, sd, ci_low, ci_high, min and max
// (as documented on summary_row); r's group, set and metric are left alone. The learning
// curves (harness/plot/plot_learning.h) use it so their last point matches summary.csv.
void summary_describe(const double *v, int n, summary_row *r);
// summary_describe as a row of this metric gets it: perplexities on the log scale, the
// intervals of accuracies and losses cut to their range (as documented on summary_row). v may
// be overwritten.
void summary_describe_metric(const char *metric, double *v, int n, summary_row *r);

// Writes s's comparisons as CSV to path atomically: a,b (each group's values joined by " "),
// set,metric,n_a,n_b,mean_a,mean_b,diff,diff_low,diff_high,welch_df,welch_p,solved_a,
// total_a,solved_b,total_b,fisher_p; numbers %.6g, NaN (and uncounted successes) empty.
int summary_write_comparisons_csv(const summary *s, const char *path, char *err, size_t errlen);
// Group g's values of the group keys, joined by " " (e.g. "pope" or "pope 0.001").
void summary_group_label(const summary *s, int g, char *buf, size_t len);

// Writes s as CSV to path atomically (path.tmp.<pid>, then rename): the group keys as column
// names, then set,metric,n,n_diverged,mean,sd,ci95_low,ci95_high,min,max,n_success,
// success_low,success_high,solved_at_min,solved_at_median,solved_at_max,median; numbers
// %.6g, NaN (and n_success -1) as an empty field. (median comes last so that readers of the
// earlier columns keep working.)
// Returns 0 / -1.
int summary_write_csv(const summary *s, const char *path, char *err, size_t errlen);

#endif
