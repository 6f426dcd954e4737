// Accuracy against length for `posbench plot` (runs' lengths.csv, harness/experiment/
// run_lengths.h): one panel per task (the runs' group values other than the encoding), one
// line per encoding, mean over seeds with a 95% band, the training lengths shaded; drawn by
// plots/learning.gp with x_axis "length". And the suite's table as a picture: a heatmap of
// the summary's mean accuracy beyond the training lengths, task by encoding
// (plots/heatmap.gp).
#ifndef POSBENCH_PLOT_LENGTHS_H
#define POSBENCH_PLOT_LENGTHS_H

#include <stddef.h>

#include "harness/plot/plot_panels.h"
#include "harness/plot/plot_runs.h"
#include "harness/plot/plot_summary.h"

// Writes data (rows `length mean lo hi n`, accuracy in percent) panel by panel as
// plot_write_panels does, and into shades each panel's longest training length, as gnuplot
// words. b->n = 0 when no run has lengths.csv. 0, or -1 with a message naming the file.
int plot_write_lengths(const plot_runs *r, const char *data, plot_blocks *b, plot_panels *p,
                       char *shades, size_t shades_len, char *err, size_t errlen);

// The heatmap of metric on set "lengths" (accuracy_beyond, in percent): data rows
// `column row mean n` (column: the encoding, row: the task, both 0-based), and the tic
// labels as gnuplot words (columns: encodings; rows: the tasks, "_" for spaces). *cells = 0
// when the summary has no such rows. 0, or -1 with a message.
int plot_write_heatmap(const plot_summary *s, const char *metric, const char *data,
                       char *columns, size_t columns_len, char *rows, size_t rows_len,
                       int *cells, char *err, size_t errlen);

#endif
