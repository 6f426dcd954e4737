// A run's resume point (training.checkpoint_every): everything a killed run needs to go on
// with the numbers of an uninterrupted one. One file, DIR/resume.ckpt, written whole
// (atomic_file) so that it is always a complete resume point or absent:
//   "PBRESUME", u32 version 1, the run id (16 bytes), i32 steps done, i32 early-stop streak,
//   the data stream's rng (4 x u64), u64 n_params, the parameters, AdamW's m and v (n_params
//   floats each), u64 length + bytes of train.csv so far, the same of eval.csv, and u64
//   FNV-1a 64 of every byte before it. Host byte order (little-endian only, as checkpoints).
#ifndef POSBENCH_RUN_RESUME_H
#define POSBENCH_RUN_RESUME_H

#include <stddef.h>

#include "harness/base/rng.h"
#include "harness/model/model.h"

#define RUN_RESUME_FILE "resume.ckpt"

typedef struct run_resume {
    int steps_done, solved_streak;
    rng data;
    char *train_csv, *eval_csv;  // the CSV texts so far (owned after run_resume_load)
    size_t train_len, eval_len;
} run_resume;

// Writes DIR/resume.ckpt for run id from m and r. 0, or -1 with a message.
int run_resume_save(const char *dir, const char *id, const model *m, const run_resume *r,
                    char *err, size_t errlen);
// Reads DIR/resume.ckpt of run id into m (parameters, AdamW moments) and *r: 1 when read,
// 0 when there is none, -1 with a message when it is damaged or another run's (m and r are
// then untouched, and the caller starts over).
int run_resume_load(const char *dir, const char *id, model *m, run_resume *r, char *err,
                    size_t errlen);
void run_resume_free(run_resume *r);
// Removes DIR/resume.ckpt (a finished run needs none).
void run_resume_remove(const char *dir);

#endif
