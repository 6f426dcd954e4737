// summary.csv as `posbench plot` reads it, and the fixed-shape data files drawn from it:
// accuracy bars (plots/accuracy.gp) and extrapolation curves (plots/extrapolation.gp).
// summary.csv has a variable number of leading columns (the group keys), which gnuplot
// cannot address by name; these files have fixed columns and one index block per series.
#ifndef POSBENCH_PLOT_SUMMARY_H
#define POSBENCH_PLOT_SUMMARY_H

#include <stddef.h>

#include "harness/plot/plot_groups.h"
#include "harness/plot/plot_panels.h"
#include "harness/plot/plot_series.h"

enum { PLOT_MAX_KEYS = 16, PLOT_KEY_VALUE = 64 };

typedef struct {
    int series;  // index into plot_summary.series
    char set[128], metric[64];
    int n;
    double mean, lo, hi;  // lo, hi: the 95% CI, NaN when there is none (n < 2)
    char values[PLOT_MAX_KEYS][PLOT_KEY_VALUE];  // the group's value of each key
} plot_summary_row;

typedef struct {
    char variant_keys[256];  // the group keys other than model.encoding, joined by ", "
    int n_keys, enc_col;     // the group keys (at most PLOT_MAX_KEYS kept), model.encoding's
    char keys[PLOT_MAX_KEYS][PLOT_KEY_VALUE];
    int n_rows;
    plot_summary_row *rows;
    plot_series_list series;
} plot_summary;

// Reads path (header: group keys, then set,metric,n,n_diverged,mean,sd,ci95_low,ci95_high,
// min,max). The encoding of a group is its model.encoding column, or default_encoding when
// that key was not swept. A set named SET@SUFFIX (rows posbench score added with
// evaluation-time encoding options) is read as set SET of its encoding's variant SUFFIX.
// 0, or -1 with "PATH:LINE: message". Free with plot_summary_free.
int plot_summary_read(const char *path, const char *default_encoding, plot_summary *s,
                      char *err, size_t errlen);
void plot_summary_free(plot_summary *s);

// Accuracy bars: data (one block per encoding, rows `x mean lo hi n` in percent) and ticks
// (rows `x "variant / set"`, the centre of each cluster). Clusters are (variant, set) pairs,
// bars within a cluster the encodings. b->n = 0 when the summary has no accuracy. When a
// cluster's set has a no-lookup baseline among base[0..n_base-1] (plot_set_baselines), also
// baseline: rows `x0 x1 percent` spanning each such cluster, and *has_baseline.
int plot_write_accuracy(const plot_summary *s, const char *data, const char *ticks,
                        const plot_set_baseline *base, int n_base, const char *baseline,
                        int *has_baseline,
                        plot_blocks *b, char *err, size_t errlen);

// Extrapolation curves of metric: one block per series, rows `length mean lo hi` sorted by
// length, from the sets named len_N (N = evaluation length in tokens, as books runs name
// them). b->n = 0 (nothing written) unless some series has the metric at two lengths or more.
int plot_write_extrapolation(const plot_summary *s, const char *metric, const char *data,
                             plot_blocks *b, char *err, size_t errlen);

// N of a set named len_N, or 0.
long plot_set_length(const char *set);

// Whether group key k is numeric and swept: every row's value a number, at least two
// distinct ones, and not model.encoding.
int plot_summary_key_is_numeric(const plot_summary *s, int k);

// The metric against swept key k (plot_summary_key_is_numeric) for plots/learning.gp with
// x_axis "value": one panel per evaluation set with rows of the metric, one block per series
// of the other keys' values (an encoding and its variant), rows `value mean lo hi n`
// (accuracy in percent) sorted by value. Fills b and p as plot_write_panels does.
// 0, or -1 with a message.
int plot_write_sweep(const plot_summary *s, int k, const char *metric, const char *data,
                     plot_blocks *b, plot_panels *p, char *err, size_t errlen);

#endif
