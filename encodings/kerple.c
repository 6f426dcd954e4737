// KERPLE, logarithmic variant (Chi, Fan, Ramadge, Rudnicky, "KERPLE: Kernelized Relative
// Positional Embedding for Length Extrapolation", arXiv 2205.09921, Eq. for "log"):
//   s(m, n) += -r1 * ln(1 + r2 |m - n|),  r1, r2 > 0 learned per layer and head (bias hook).
// Chosen over FIRE (Li et al., arXiv 2310.04418) for this harness because:
//   - it is a function of |m - n| alone, so it keeps the shift invariance the generic checks
//     test, while FIRE normalises the distance by the query position (absolute information);
//   - two scalars per head with a closed-form gradient, where FIRE needs an MLP per layer and
//     a learned threshold, much more backward code to get right for the same question;
//   - the log variant is the one the KERPLE paper found best at extrapolating, and it
//     contains an ALiBi-like regime (small r2: r1 r2 |m - n|), so it sits between ALiBi and
//     the learned T5 buckets in the comparison.
// Parameters (n_layers, n_heads, 2) = (r1, r2), initialised r1 ~ U(0, 2), r2 ~ U(0, 1) and
// kept >= 0.01 by the project hook after every optimizer step (our reading of the authors'
// code, which clamps both before each forward).
#include "encoding.h"

#include <math.h>

#include "harness/base/fastmath.h"
#include "harness/base/rng.h"

#define KERPLE_EPS 0.01f

static size_t kerple_n_params(const pe *e) {
    return 2 * (size_t)e->shape.n_layers * e->shape.n_heads;
}

static void kerple_init(const pe *e, float *params, rng *r) {
    const size_t n = kerple_n_params(e);
    for (size_t i = 0; i < n; i += 2) {
        params[i] = fmaxf((float)(2.0 * rng_double(r)), KERPLE_EPS);
        params[i + 1] = fmaxf((float)rng_double(r), KERPLE_EPS);
    }
}

static void kerple_project(const pe *e, float *params) {
    const size_t n = kerple_n_params(e);
    for (size_t i = 0; i < n; i++) params[i] = fmaxf(params[i], KERPLE_EPS);
}

static void kerple_bias_forward(const pe *e, const float *params, int layer, int head,
                                const float *pos, int T, float *scores, float *scratch) {
    const float *p = params + 2 * ((size_t)layer * e->shape.n_heads + head);
    const float r1 = p[0], r2 = p[1];
    for (int i = 0; i < T; i++) {
        float *restrict row = scores + (size_t)i * T;
        const float pi = pos[i];
        const int end = pe_keys_end(e, i, T);  // |m - n|: keys after the query alike
        for (int j = 0; j < end; j++) row[j] -= r1 * fast_logf(1.0f + r2 * fabsf(pi - pos[j]));
    }
}

// d/dr1 = -ln(1 + r2 d), d/dr2 = -r1 d / (1 + r2 d); sums over pairs in double.
static void kerple_bias_backward(const pe *e, const float *params, float *dparams, int layer,
                                 int head, const float *pos, int T, const float *dscores,
                                 float *scratch) {
    const size_t at = 2 * ((size_t)layer * e->shape.n_heads + head);
    const float r1 = params[at], r2 = params[at + 1];
    double g1 = 0.0, g2 = 0.0;
    for (int i = 0; i < T; i++) {
        const float *restrict g = dscores + (size_t)i * T;
        const float pi = pos[i];
        float s1 = 0.0f, s2 = 0.0f;  // a row's sums in float, rows in double
        const int end = pe_keys_end(e, i, T);
        for (int j = 0; j < end; j++) {
            const float d = fabsf(pi - pos[j]), u = 1.0f + r2 * d;
            s1 += g[j] * fast_logf(u);
            s2 += g[j] * d / u;
        }
        g1 += s1, g2 += s2;
    }
    dparams[at] -= (float)g1;
    dparams[at + 1] -= (float)(r1 * g2);
}

const pe_ops pe_kerple = {
    .name = "kerple",
    .summary = "KERPLE log bias -r1*ln(1+r2*|m-n|), learned r1, r2 > 0 per layer and head",
    .invariances = PE_SHIFT_INVARIANT,
    .n_params = kerple_n_params,
    .init = kerple_init,
    .project = kerple_project,
    .bias_forward = kerple_bias_forward,
    .bias_backward = kerple_bias_backward,
};
