// The training loop: batches from a task, forward/backward, clipping, AdamW with the
// schedule, progress, and divergence detection; plus evaluation over held-out batches.
#ifndef POSBENCH_TRAIN_H
#define POSBENCH_TRAIN_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/base/rng.h"
#include "harness/model/model.h"
#include "harness/model/optimizer.h"

// Fills the next batch (B, T fixed by the batch). Returns 0, or -1 when no data is left.
typedef int (*batch_fn)(batch *b, void *ctx, rng *r);

typedef struct train_config {
    int steps, batch_size, seq_len;
    adamw_config opt;
    lr_schedule schedule;
    float clip;          // global gradient-norm bound; <= 0 disables
    float dropout;       // model dropout in training (0: none); masks keyed by data_seed, step
    uint64_t data_seed;  // seeds the batch stream (the model has its own init seed)
    int log_every;       // progress every N steps (0: only at the end)
    int n_threads;
    // Set (by a signal handler) to stop after the current step: out->interrupted. NULL: none.
    const volatile sig_atomic_t *stop;
    // Resume points: every checkpoint_every steps (0: never; not after the last step, nor
    // after a step that stops training), checkpoint(step_ctx, steps done, the data stream's
    // state) is called; nonzero makes train fail (the callback keeps its own message).
    int checkpoint_every;
    int (*checkpoint)(void *ctx, int steps_done, const rng *data);
    // Resuming: first_step steps are done (the model holds their weights and AdamW moments)
    // and the data stream continues from *resume_data. 0 and NULL: a fresh start.
    int first_step;
    const rng *resume_data;
} train_config;

typedef struct train_result {
    int steps_done;
    int diverged_at;       // step whose loss or gradient went non-finite, or -1
    int stopped_at;        // step after which on_step asked to stop, or -1
    int interrupted;       // 1 when *tc->stop ended training early
    double last_loss;      // mean loss over the last log interval
    double tokens_per_s;   // all positions of every batch, per wall-clock second
} train_result;

// Called after every step (may be NULL): for CSV logging and periodic evaluation. Returns 0
// to go on, or 1 to end training after this step (an early stop: out->stopped_at).
typedef int (*step_fn)(void *ctx, int step, double loss, float lr, double grad_norm,
                       double tokens_per_s);

// One optimizer step on batch b: returns the loss; *gnorm gets the pre-clip gradient norm.
double train_step(model *m, acts *a, const batch *b, const train_config *tc, int step,
                  double *gnorm);

// The seed of the training batches of a model initialised with model_seed: derived from it so
// that one seed names a run, and different from it so that the data stream and the weights
// draw different numbers.
uint64_t train_data_seed(uint64_t model_seed);

// Trains m for tc->steps steps. progress (may be NULL) gets a live line on a terminal and
// periodic plain lines otherwise. Returns 0, or -1 if memory ran out (message in err).
int train(model *m, const train_config *tc, batch_fn next, void *ctx, step_fn on_step,
          void *step_ctx, FILE *progress, train_result *out, char *err, size_t errlen);

typedef struct eval_result {
    double loss;      // mean over scored positions
    double accuracy;  // fraction of scored positions whose argmax is the target
    long n_scored;
} eval_result;

// Evaluates n_batches batches of (B, T) from next with a fixed seed.
int evaluate(model *m, int B, int T, int n_batches, batch_fn next, void *ctx, uint64_t seed,
             int n_threads, eval_result *out, char *err, size_t errlen);
// The same, and also the loss summed at each position t < T of the batch rows (loss_sum[t])
// and how many scored predictions that sum has (count[t]): loss versus position, for long
// evaluation sequences.
int evaluate_by_position(model *m, int B, int T, int n_batches, batch_fn next, void *ctx,
                         uint64_t seed, int n_threads, eval_result *out, double *loss_sum,
                         long *count, char *err, size_t errlen);

#endif
