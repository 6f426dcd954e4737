// Learning curves for `posbench plot`: each finished run's eval.csv (harness/experiment/run.h) as the
// metric of every evaluation set against optimizer step, averaged over the seeds of each
// series with a Student-t 95% confidence interval (plot_panels.h). The statistics are the
// summary's (summary_describe_metric), so a curve's last point is the accuracy plot's bar.
// Drawn by plots/learning.gp: one panel per evaluation set, side by side in one figure, so
// the sets share a scale and a legend.
#ifndef POSBENCH_PLOT_LEARNING_H
#define POSBENCH_PLOT_LEARNING_H

#include <stddef.h>

#include "harness/plot/plot_panels.h"
#include "harness/plot/plot_runs.h"

// Writes data: panel by panel, one block per series with rows `step mean lo hi n` sorted by
// step (lo = hi = mean for a single seed, which has no interval). A series' legend entry is
// on its first block only (later ones have ""), so the shared legend lists it once. The
// metric is accuracy when some eval.csv has it, else loss. Diverged runs are left out, as the
// summary leaves them out. b->n = 0 (nothing written) unless some run was evaluated at two
// steps or more. 0, or -1 with a message naming the file.
int plot_write_learning(const plot_runs *r, const char *data, plot_blocks *b, plot_panels *p,
                        char *err, size_t errlen);

#endif
