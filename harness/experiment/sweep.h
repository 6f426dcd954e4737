// The sweep scheduler behind `posbench run`: an experiment's pending runs as child
// processes, `jobs` at a time, with one progress line, per-run reports, and a clean stop on
// SIGINT/SIGTERM (children stopped, their temporary files removed).
#ifndef POSBENCH_SWEEP_H
#define POSBENCH_SWEEP_H

#include <stddef.h>
#include <stdio.h>

#include "harness/experiment/config.h"

// Indices of the runs without a done marker, into a new array (*pending, n_pending entries;
// the caller frees it). 0, or -1 with a message when memory runs out.
int sweep_pending(const run_config *runs, size_t n, const char *results, size_t **pending,
                  size_t *n_pending, char *err, size_t errlen);

// Whether runs[which[0..n)] can all start: what would fail only after training (an
// evaluation length the encoding cannot serve, a batch too big for memory, a missing corpus,
// a training.init_from source that is not there) is checked before any starts. 1 when all
// can, else 0 after naming each that cannot on errs.
int sweep_can_start(const run_config *runs, const size_t *which, size_t n, const char *results,
                    FILE *errs);

// What sweep_execute did.
typedef struct sweep_outcome {
    size_t finished, failed;  // runs that ended (failed counts those that did not succeed)
    size_t busy;              // of the finished: skipped, another process was training them
    int interrupted;          // the signal that stopped the sweep, else 0
} sweep_outcome;

// Trains runs[pending[0..n_pending)] in child processes, at most `jobs` at a time, each
// writing its progress to its folder's log.txt. Progress and one line per finished run go
// to out (rewritten in place when out is a terminal); failures are reported on stderr.
// Returns 0 when every run succeeded, 1 when one failed or a process could not be started
// (err says which), 130 after SIGINT/SIGTERM: the running children are stopped and their
// temporary files removed, so the same sweep continues where it stopped.
int sweep_execute(const run_config *runs, size_t n, const size_t *pending, size_t n_pending,
                  const char *results, int jobs, FILE *out, sweep_outcome *outcome, char *err,
                  size_t errlen);

#endif
