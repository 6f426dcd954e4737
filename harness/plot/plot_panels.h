// Curves in panels for `posbench plot`: the runs' values of a metric at points x of one axis
// (an optimizer step in plot_learning.h, an answer group in plot_groups.h), one panel per
// evaluation set, averaged over the seeds of each series with a Student-t 95% confidence
// interval. The statistics are the summary's (summary_describe_metric). Drawn by
// plots/learning.gp (plots/groups.gp loads it): the panels side by side in one figure, so the
// sets share a scale and a legend.
#ifndef POSBENCH_PLOT_PANELS_H
#define POSBENCH_PLOT_PANELS_H

#include <stddef.h>

#include "harness/plot/plot_runs.h"

enum { PLOT_MAX_SETS = 32, PLOT_SET_NAME = 128 };

// One value of one run: run r->runs[run] (of series `series`) at x in set `set`.
typedef struct {
    int set, series, run;
    int tag;  // the reader's own mark (learning: 1 for accuracy, 0 for loss)
    long long x;
    double value;
} plot_point;

typedef struct {
    int n, cap;
    plot_point *p;
    int n_sets;
    char sets[PLOT_MAX_SETS][PLOT_SET_NAME];  // in order of first appearance
} plot_points;

// The index of set, added if new; -1 when there are PLOT_MAX_SETS already.
int plot_points_set(plot_points *ps, const char *set);
// 0, or -1 when out of memory.
int plot_points_add(plot_points *ps, const plot_point *p);
void plot_points_free(plot_points *ps);

// Sorts the first n points by panel (set), series, x, then run, so that one x's values of
// one series lie together. Returns the index of a point equal in all four to the one before
// it (one run with two values at the same place: the caller names its file), or -1.
int plot_points_sort(plot_points *ps, int n);

// The panels of the figure, in the order the sets first appear.
typedef struct {
    char metric[16];   // "accuracy" (rows in percent) or "loss"
    int n;             // panels (evaluation sets with data)
    char sets[2048];   // each panel's set, as gnuplot words
    char counts[512];  // each panel's number of blocks, as gnuplot words
    int set_of[PLOT_MAX_SETS];  // each panel's set: an index into plot_points.sets
} plot_panels;

// Writes data from the first n points (sorted by plot_points_sort), values times scale:
// panel by panel, one block per series with rows `X mean lo hi n` (X: x_name) sorted by x
// (lo = hi = mean for a single seed, which has no interval). A series' legend entry is on
// its first block only (later ones have ""), so the shared legend lists it once. Fills b and
// p's n, sets and counts; `what` names the plot in messages. No file when nothing has a
// finite mean (b->n = 0). 0, or -1 with a message.
int plot_write_panels(const plot_runs *r, const plot_points *ps, int n, double scale,
                      const char *x_name, const char *what, const char *data, plot_blocks *b,
                      plot_panels *p, char *err, size_t errlen);

#endif
