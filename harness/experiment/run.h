// One run of an experiment, start to finish, in its own folder:
//   <results>/<experiment>/runs/<id>/
//     config.yaml  the resolved configuration (reloads to the same run and id)
//     point.csv    `key,value`: this run's swept values (for the summary's groups)
//     build.txt    `version: `, `flags: ` and `cpu: ` lines: what produced the numbers
//     train.csv    step,loss,lr,grad_norm,tokens_per_s        (one row per step)
//     eval.csv     step,set,metric,value     (loss and accuracy per set; books: perplexity,
//                  bits_per_byte and past the training length *_beyond: run_data.h)
//     positions.csv  books runs: set,position,loss,count at the end (loss versus position)
//     final.ckpt   the weights at the end (harness/model/checkpoint.h)
//     status       `done` (and `stopped at step N` on the next line after an early stop,
//                  whose last periodic evaluation is then the final one), or `diverged`
//                  and on the next line the step
//     done         written last: a run folder with it is complete and is skipped
// Every file is written under a temporary name and renamed, so a run killed at any moment
// leaves no file that claims to be complete; it simply runs again.
#ifndef POSBENCH_RUN_H
#define POSBENCH_RUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/experiment/config.h"

// The header lines of a run's CSV files (written by run.c, read by rescoring, the summary
// and the plots).
#define RUN_POINT_CSV_HEADER "key,value"
#define RUN_TRAIN_CSV_HEADER "step,loss,lr,grad_norm,tokens_per_s"
#define RUN_EVAL_CSV_HEADER "step,set,metric,value"
#define RUN_POSITIONS_CSV_HEADER "set,position,loss,count"

// The run's folder into buf.
void run_dir(const run_config *r, const char *results, char *buf, size_t len);
// Creates the run's folder (and its parents) and writes its path into dir.
int run_make_dir(const run_config *r, const char *results, char *dir, size_t len, char *err,
                 size_t errlen);
// The checkpoint training.init_from names into buf: for a run id (16 hex digits),
// results/<experiment>/runs/<id>/final.ckpt; otherwise the text as a path.
void run_init_from_path(const run_config *r, const char *results, char *buf, size_t len);
// Whether that source can be used now: 0, or -1 with a message (a run id that has not
// finished, a file that cannot be read).
int run_init_from_check(const run_config *r, const char *results, char *err, size_t errlen);

// Whether the run's done marker exists.
int run_is_done(const run_config *r, const char *results);

// An experiment's current runs: DIR/runs.csv (header `id`) lists the id of every run the
// experiment file expands to, in the file's order. `posbench run` writes it (in every mode)
// before it starts a run, so that after the file is edited the folders of runs it no longer
// has are known as stale: the summary and the plots leave them out instead of pooling two
// versions of an experiment.
#define RUN_MANIFEST "runs.csv"
#define RUN_MANIFEST_HEADER "id"
// Writes results/<experiment>/runs.csv for the n runs (of one experiment). 0, or -1 with err.
int run_write_manifest(const run_config *runs, size_t n, const char *results, char *err,
                       size_t errlen);

// The run folders of an experiment's results folder (DIR/runs/*, finished or not). With a
// manifest: ids are the manifest's runs that have a folder, in its order, and stale the other
// folders (by id); without one (a folder assembled by hand, or from before manifests), every
// folder, by id, and no stale ones.
typedef struct run_folders {
    char **ids;
    int n;
    char **stale;
    int n_stale;
    int has_manifest;
} run_folders;
// 0, or -1 with "DIR/runs: cannot open: ..." (also when it does not exist) or the manifest's
// error; free with run_folders_free (harmless after an error).
int run_list_folders(const char *dir, run_folders *out, char *err, size_t errlen);
void run_folders_free(run_folders *f);
// Whether DIR/runs/ID holds its done marker.
int run_folder_is_done(const char *dir, const char *id);

// Whether a swept key is a seed (seed, init_seed, data_seed): the summary's groups and the
// plots' series pool the runs that differ only in those.
int run_key_is_seed(const char *key);

// A run's point.csv: its swept keys and their values, in file order.
typedef struct run_point {
    int n;
    char **keys, **values;
    int *lines;  // the line of each key in the file
} run_point;
// Reads path into *p (free with run_point_free, also after an error). 0, or -1 with
// "PATH:LINE: ..." (the CSV's errors, a key given twice).
int run_read_point(const char *path, run_point *p, char *err, size_t errlen);
void run_point_free(run_point *p);

// The first line of a run's status file (path): 1 for `diverged`, 0 for `done`, -1 with a
// message naming the file otherwise.
int run_read_status(const char *path, char *err, size_t errlen);

// Removes the temporary files (*.tmp) an interrupted run left in its folder, so that a sweep
// stopped by SIGINT/SIGTERM leaves no partial file behind. (After SIGKILL they stay until the
// run starts over and overwrites them; they are never mistaken for results.)
void run_clear_partial(const run_config *r, const char *results);

// Sequences per batch when a run scores its evaluation sets.
#define RUN_EVAL_BATCH 64

// The seed of evaluation set `set` of a generated task: fixed, so every run of every
// experiment is scored on the same sequences.
uint64_t run_eval_seed(int set);

// What run_execute did.
enum {
    RUN_FAILED = -1,      // with a message in err
    RUN_FINISHED = 0,     // done or diverged (both are results), or done before
    RUN_BUSY = 1,         // another process holds the run's lock and is training it
    RUN_INTERRUPTED = 2,  // *stop was set: stopped after a step, no partial file left
};

// Executes r unless it is done. progress (may be NULL) gets the trainer's progress lines.
// The run holds an exclusive lock on its folder's `lock` file while it trains (flock), so
// two posbench processes sharing a results folder (two `run`s of one file, a Slurm array)
// never train one run twice: the second gets RUN_BUSY. stop (may be NULL), set by a signal
// handler, stops training after the current step.
int run_execute(const run_config *r, const char *results, FILE *progress,
                const volatile sig_atomic_t *stop, char *err, size_t errlen);

#endif
