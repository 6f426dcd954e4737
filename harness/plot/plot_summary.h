// summary.csv as `posbench plot` reads it, and the fixed-shape data files drawn from it:
// accuracy bars (plots/accuracy.gp) and extrapolation curves (plots/extrapolation.gp).
// summary.csv has a variable number of leading columns (the group keys), which gnuplot
// cannot address by name; these files have fixed columns and one index block per series.
#ifndef POSBENCH_PLOT_SUMMARY_H
#define POSBENCH_PLOT_SUMMARY_H

#include <stddef.h>

#include "harness/plot/plot_groups.h"
#include "harness/plot/plot_series.h"

typedef struct {
    int series;  // index into plot_summary.series
    char set[128], metric[64];
    int n;
    double mean, lo, hi;  // lo, hi: the 95% CI, NaN when there is none (n < 2)
} plot_summary_row;

typedef struct {
    char variant_keys[256];  // the group keys other than model.encoding, joined by ", "
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

#endif
