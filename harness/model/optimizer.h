// AdamW with decoupled weight decay, global-norm gradient clipping and the learning-rate
// schedule (linear warm-up, then cosine decay to a floor), as in nanoGPT and the PoPE paper.
#ifndef POSBENCH_OPTIMIZER_H
#define POSBENCH_OPTIMIZER_H

#include <stddef.h>

// The learning rate is not here: it changes every step (lr_schedule, lr_at) and is passed to
// each update.
typedef struct adamw_config {
    float beta1, beta2, eps, weight_decay;
} adamw_config;

typedef struct lr_schedule {
    float lr_max, lr_min;
    int warmup_steps, total_steps;
} lr_schedule;

// Learning rate at step (0-based): lr_max * (step+1)/warmup during warm-up, then cosine
// from lr_max down to lr_min at total_steps.
float lr_at(const lr_schedule *s, int step);

// L2 norm of g (n floats), accumulated in double.
double grad_norm(const float *g, size_t n);
// Scales g so that its norm is at most max_norm (no-op when max_norm <= 0); returns the
// norm before clipping.
double clip_grad_norm(float *g, size_t n, float max_norm);

// One AdamW step (t is the 1-based step count, for bias correction) on n parameters:
//   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
//   p -= lr * (mhat / (sqrt(vhat) + eps) + wd * p)   with wd applied only where decay.
void adamw_update(float *p, const float *g, float *m, float *v, size_t n,
                  const adamw_config *c, float lr, int t, int decay);

#endif
