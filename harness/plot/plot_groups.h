// Answer accuracy per group for `posbench plot`: each finished run's groups.csv (posbench
// groups, harness/analysis/inspect.h) as accuracy against the answers' group (indirect indexing: the
// shift), one panel per evaluation set, one line per series, the mean over its seeds with a
// Student-t 95% confidence interval (plot_panels.h). Drawn by plots/groups.gp.
#ifndef POSBENCH_PLOT_GROUPS_H
#define POSBENCH_PLOT_GROUPS_H

#include <stddef.h>

#include "harness/plot/plot_panels.h"
#include "harness/plot/plot_runs.h"

// Writes data: panel by panel, one block per series with rows `group mean lo hi n` (accuracy
// in percent) sorted by group; names gets the group names met (joined by " / " when tasks
// differ, "shift / k"). Diverged runs are left out, as the summary leaves them out. b->n = 0
// (nothing written) when no run has groups.csv. When every run has the same no_lookup at
// each group (one evaluation data, as in one experiment's sweep over encodings and seeds),
// also writes baseline: one block per panel, rows `group no_lookup` (percent), and sets
// *has_baseline. 0, or -1 with a message naming the file.
int plot_write_groups(const plot_runs *r, const char *data, const char *baseline,
                      plot_blocks *b, plot_panels *p, int *has_baseline, char *names, size_t len,
                      char *err, size_t errlen);

// A set's no-lookup baseline over its whole answer mix (what accuracy.png draws): from each
// finished, not diverged run's groups.csv, the n-weighted mean of no_lookup over the set's
// rows. Kept for a set only when every such run has groups.csv and they all agree (one
// evaluation data); *n = 0 when any run has none. out holds max sets. 0, or -1 with a
// message naming the file.
typedef struct {
    char set[128];
    double value;  // a fraction
} plot_set_baseline;
int plot_set_baselines(const plot_runs *r, plot_set_baseline *out, int max, int *n, char *err,
                       size_t errlen);

#endif
