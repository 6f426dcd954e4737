// The selection stage of an experiment (config.h: selection_spec): once the selection runs
// are done, the value of the selected key each group of the sweep uses.
#ifndef POSBENCH_SELECTION_H
#define POSBENCH_SELECTION_H

#include <stddef.h>

#include "harness/experiment/config.h"

// For each of the n_points points (experiment_expand's order), chooses the selected key's
// value from the selection runs sel[0..n_sel) (experiment_expand_selection's) under results:
// the candidate with the fewest diverged runs and, among those, the best mean final value of
// the metric on the set over its other runs (highest for metrics named *accuracy*, lowest
// otherwise; ties go to the candidate listed first). Writes
// results/<experiment>/selection.csv (group, value, n, n_diverged, mean, chosen; one row per
// group and candidate; mean over the runs that did not diverge, nan when none). 0, or -1 with
// a message (a selection run not finished, no value of the metric on the set).
int selection_choose(const experiment *e, const run_config *points, size_t n_points,
                     const run_config *sel, size_t n_sel, const char *results,
                     char (*chosen)[CONFIG_VALUE_LEN], char *err, size_t errlen);

#endif
