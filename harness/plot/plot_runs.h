// The finished runs of an experiment as `posbench plot` sees them, and the data files drawn
// from their own CSVs: training curves (train.csv, plots/training.gp) and loss per position
// (positions.csv, plots/positions.gp).
//
// Runs are read as the summary reads them (harness/analysis/summary.h): folders under DIR/runs in
// strcmp order, only those with a `done` marker, grouped by point.csv without the seed. A
// run's encoding is its model.encoding in point.csv, else the one in its config.yaml.
#ifndef POSBENCH_PLOT_RUNS_H
#define POSBENCH_PLOT_RUNS_H

#include <stddef.h>

#include "harness/plot/plot_series.h"

typedef struct {
    char id[256];  // the run's folder name
    int series;    // index into plot_runs.series
    long seq_len;  // books training length (task.options.seq_len); 0 for other tasks
    int diverged;  // its status says `diverged` (no status file: done)
} plot_run;

typedef struct {
    char dir[4096];  // DIR/runs
    int n, cap;
    plot_run *runs;
    plot_series_list series;
} plot_runs;

// Reads DIR/runs. A missing DIR/runs gives 0 runs (a results folder may hold only
// summary.csv). 0, or -1 with a message naming the file. Free with plot_runs_free.
int plot_runs_read(const char *dir, plot_runs *r, char *err, size_t errlen);
void plot_runs_free(plot_runs *r);

// DIR/runs/<id>/file.
void plot_run_path(const plot_runs *r, int i, const char *file, char *buf, size_t len);
int plot_run_has(const plot_runs *r, int i, const char *file);

// The training length shared by every run, or 0 when unknown or not shared.
long plot_runs_train_len(const plot_runs *r);

// Training curves: one block per run that has a train.csv (series by series), rows
// `step loss`, the legend entry on the first run of each series only. Runs longer than
// 200 steps are averaged over windows of *window steps (1: raw). b->n = 0: no train.csv.
int plot_write_training(const plot_runs *r, const char *data, plot_blocks *b, int *window,
                        char *err, size_t errlen);

// Loss per position of the longest evaluation set in the runs' positions.csv (len_N with the
// largest N, else the set with the most positions; its name in set): one block per series,
// rows `position loss`, the mean over the series' runs. Positions are averaged in bins of
// *bin (a power of two, 1 up to 64 positions; the row is the bin's centre) so the curve
// shows the trend rather than each window's text. b->n = 0: no positions.csv.
int plot_write_positions(const plot_runs *r, const char *data, char *set, size_t setlen,
                         plot_blocks *b, int *bin, char *err, size_t errlen);

#endif
