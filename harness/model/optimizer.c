#include "harness/model/optimizer.h"

#include <math.h>

float lr_at(const lr_schedule *s, int step) {
    if (step < s->warmup_steps) return s->lr_max * (float)(step + 1) / (float)s->warmup_steps;
    if (step >= s->total_steps) return s->lr_min;
    double span = s->total_steps - s->warmup_steps;
    double progress = span > 0 ? (step - s->warmup_steps) / span : 1.0;
    double cosine = 0.5 * (1.0 + cos(M_PI * progress));
    return (float)(s->lr_min + cosine * (s->lr_max - s->lr_min));
}

// OpenMP's reduction clause combines partial sums in whatever order threads finish, which
// would make clipping, and so training, differ run to run in the last bits. Fixed chunks
// summed in order give the same norm every time, whatever the thread count.
#define NORM_CHUNKS 64

double grad_norm(const float *g, size_t n) {
    double partial[NORM_CHUNKS];
    const size_t chunk = (n + NORM_CHUNKS - 1) / NORM_CHUNKS;
#pragma omp parallel for schedule(static)
    for (int c = 0; c < NORM_CHUNKS; c++) {
        size_t lo = c * chunk, hi = lo + chunk < n ? lo + chunk : n;
        double ss = 0.0;
        for (size_t i = lo; i < hi; i++) ss += (double)g[i] * g[i];
        partial[c] = ss;
    }
    double ss = 0.0;
    for (int c = 0; c < NORM_CHUNKS; c++) ss += partial[c];
    return sqrt(ss);
}

double clip_grad_norm(float *g, size_t n, float max_norm) {
    double norm = grad_norm(g, n);
    if (max_norm > 0 && norm > max_norm) {
        float s = (float)(max_norm / (norm + 1e-6));
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) g[i] *= s;
    }
    return norm;
}

void adamw_update(float *restrict p, const float *restrict g, float *restrict m,
                  float *restrict v, size_t n, const adamw_config *c, float lr, int t,
                  int decay) {
    const float b1 = c->beta1, b2 = c->beta2;
    const float bc1 = 1.0f - powf(b1, (float)t), bc2 = 1.0f - powf(b2, (float)t);
    const float wd = decay ? c->weight_decay : 0.0f;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        float mi = b1 * m[i] + (1.0f - b1) * g[i];
        float vi = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        m[i] = mi;
        v[i] = vi;
        float update = (mi / bc1) / (sqrtf(vi / bc2) + c->eps);
        p[i] -= lr * (update + wd * p[i]);
    }
}
