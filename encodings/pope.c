// PoPE (Gopalakrishnan et al., arXiv 2509.10534, Eq. 3-6): every component c of q and k is a
// complex number with magnitude softplus(x_c) (content, "what") and phase pos * theta_c, plus
// a learnable delta_c on keys ("where"), theta_c = base^(-c/D), c = 0..D-1. The q/k hook
// writes the real and imaginary parts, so that the ordinary dot product scaled by the
// attention core's 1/sqrt(D) (D = head_dim, not the width 2D) gives
//   s(m, n) = sum_c mu_q,c mu_k,c cos((m - n) theta_c - delta_c) / sqrt(D).
// Layout of q' and k' (T, 2D): row t = [mu cos(phase_0..D-1) | mu sin(phase_0..D-1)].
//
// delta is (n_layers, n_heads, D), kept in [-2 pi, 0]. delta_clamp=forward (default, as the
// public code does) clamps it in the forward and passes no gradient where the clamp is
// active; delta_clamp=project uses it as is and clips it after each optimizer step.
#include "encoding.h"

#include "angles.h"
#include "harness/base/fastmath.h"
#include "harness/base/rng.h"

#include <math.h>

#define TWO_PI 6.283185307179586

enum { INIT_UNIFORM, INIT_ZERO };
enum { CLAMP_FORWARD, CLAMP_PROJECT };

// softplus(x) = max(x, 0) + log(1 + e^-|x|) never overflows, and shares e^-|x| with the
// sigmoid (its derivative); the vectorisable exp/log keep the absolute error below 2e-7.
static inline float softplus(float x) {
    return (x > 0.0f ? x : 0.0f) + fast_logf(1.0f + fast_expf(-fabsf(x)));
}

static inline float sigmoid(float x) {
    const float e = fast_expf(-fabsf(x));
    return (x >= 0.0f ? 1.0f : e) / (1.0f + e);
}

static int pope_qk_width(const pe *e, int head_dim) {
    return head_dim <= ANGLES_MAX_FREQ ? 2 * head_dim : -1;
}

// cos and sin tables of pos * theta_c, (T, D) each.
static size_t pope_scratch_floats(const pe *e, int T) {
    return 2 * (size_t)T * e->shape.head_dim;
}

static size_t pope_n_params(const pe *e) {
    return (size_t)e->shape.n_layers * e->shape.n_heads * e->shape.head_dim;
}

static void pope_init(const pe *e, float *params, rng *r) {
    const size_t n = pope_n_params(e);
    const int zero = (int)pe_opt(e, "delta_init") == INIT_ZERO;
    for (size_t i = 0; i < n; i++)
        params[i] = zero ? 0.0f : (float)(-TWO_PI * rng_double(r));
}

static void pope_project(const pe *e, float *params) {
    if ((int)pe_opt(e, "delta_clamp") != CLAMP_PROJECT) return;
    const size_t n = pope_n_params(e);
    const float lo = (float)-TWO_PI;
    for (size_t i = 0; i < n; i++) params[i] = fminf(fmaxf(params[i], lo), 0.0f);
}

// The delta actually used in the forward, and whether its gradient passes. The bounds
// themselves pass gradient (like torch.clamp): a zero-initialised delta must be able to move.
static inline float effective_delta(float d, int clamp_forward, int *active) {
    const float lo = (float)-TWO_PI;
    *active = 1;
    if (!clamp_forward) return d;
    if (d > 0.0f || d < lo) *active = 0;
    return fminf(fmaxf(d, lo), 0.0f);
}

// q, k are (T, D); q_out, k_out are (T, 2D).
static void pope_qk_forward(const pe *e, const float *params, int layer, int head,
                            const float *pos, int T, const float *restrict q,
                            const float *restrict k, float *restrict q_out,
                            float *restrict k_out, float *scratch) {
    const int D = e->shape.head_dim, W = 2 * D;
    const int clamp = (int)pe_opt(e, "delta_clamp") == CLAMP_FORWARD;
    const float *delta = params + ((size_t)layer * e->shape.n_heads + head) * D;
    float *ca = scratch, *sa = scratch + (size_t)T * D;
    angle_table(pos, T, pe_opt(e, "base"), 1.0 / D, D, ca, sa);
    float cd[ANGLES_MAX_FREQ], sd[ANGLES_MAX_FREQ];
    for (int c = 0; c < D; c++) {
        int active;
        const float d = effective_delta(delta[c], clamp, &active);
        cd[c] = cosf(d);
        sd[c] = sinf(d);
    }
    for (int t = 0; t < T; t++) {
        const float *restrict qt = q + (size_t)t * D, *restrict kt = k + (size_t)t * D;
        const float *restrict c_t = ca + (size_t)t * D, *restrict s_t = sa + (size_t)t * D;
        float *restrict qo = q_out + (size_t)t * W, *restrict ko = k_out + (size_t)t * W;
        for (int c = 0; c < D; c++) {
            const float mq = softplus(qt[c]), mk = softplus(kt[c]);
            qo[c] = mq * c_t[c];
            qo[c + D] = mq * s_t[c];
            ko[c] = mk * (c_t[c] * cd[c] - s_t[c] * sd[c]);      // cos(a + d)
            ko[c + D] = mk * (s_t[c] * cd[c] + c_t[c] * sd[c]);  // sin(a + d)
        }
    }
}

// Accumulates into dq, dk (T, D) and into dparams' delta slice of (layer, head).
static void pope_qk_backward(const pe *e, const float *params, float *dparams, int layer,
                             int head, const float *pos, int T, const float *restrict q,
                             const float *restrict k, const float *restrict dq_out,
                             const float *restrict dk_out, float *restrict dq,
                             float *restrict dk, float *scratch) {
    const int D = e->shape.head_dim, W = 2 * D;
    const int clamp = (int)pe_opt(e, "delta_clamp") == CLAMP_FORWARD;
    const size_t slice = ((size_t)layer * e->shape.n_heads + head) * D;
    const float *delta = params + slice;
    float *ca = scratch, *sa = scratch + (size_t)T * D;
    angle_table(pos, T, pe_opt(e, "base"), 1.0 / D, D, ca, sa);
    float cd[ANGLES_MAX_FREQ], sd[ANGLES_MAX_FREQ];
    double gd[ANGLES_MAX_FREQ];
    for (int c = 0; c < D; c++) {
        int active;
        const float d = effective_delta(delta[c], clamp, &active);
        cd[c] = cosf(d);
        sd[c] = sinf(d);
        gd[c] = 0.0;
    }
    for (int t = 0; t < T; t++) {
        const float *restrict qt = q + (size_t)t * D, *restrict kt = k + (size_t)t * D;
        const float *restrict c_t = ca + (size_t)t * D, *restrict s_t = sa + (size_t)t * D;
        const float *restrict gq = dq_out + (size_t)t * W, *restrict gk = dk_out + (size_t)t * W;
        float *restrict dqt = dq + (size_t)t * D, *restrict dkt = dk + (size_t)t * D;
        for (int c = 0; c < D; c++) {
            const float cka = c_t[c] * cd[c] - s_t[c] * sd[c];
            const float ska = s_t[c] * cd[c] + c_t[c] * sd[c];
            dqt[c] += (gq[c] * c_t[c] + gq[c + D] * s_t[c]) * sigmoid(qt[c]);
            dkt[c] += (gk[c] * cka + gk[c + D] * ska) * sigmoid(kt[c]);
            // d cos(a + d)/dd = -sin(a + d), d sin(a + d)/dd = cos(a + d)
            gd[c] += softplus(kt[c]) * (gk[c + D] * cka - gk[c] * ska);
        }
    }
    for (int c = 0; c < D; c++) {
        int active;
        effective_delta(delta[c], clamp, &active);
        if (active) dparams[slice + c] += (float)gd[c];
    }
}

// Band c is component c: its magnitude is the softplus the model multiplies with.
static int pope_n_frequencies(const pe *e) { return e->shape.head_dim; }

static void pope_frequency_magnitudes(const pe *e, const float *x, float *mag) {
    for (int c = 0; c < e->shape.head_dim; c++) mag[c] = softplus(x[c]);
}

const pe_ops pe_pope = {
    .name = "pope",
    .summary = "polar embedding: softplus magnitudes, phases pos*base^(-c/D) + learned key delta",
    .invariances = PE_SHIFT_INVARIANT,
    .n_options = 3,
    .options =
        {
            {"base", 10000, 1, 1e9, NULL, "frequency base: theta_c = base^(-c/D)"},
            {"delta_init", INIT_UNIFORM, 0, 1, "uniform|zero",
             "delta init: Uniform(-2pi, 0) or 0 (the paper's choice for extrapolation)"},
            {"delta_clamp", CLAMP_FORWARD, 0, 1, "forward|project",
             "keep delta in [-2pi, 0] by clamping in the forward or clipping after each step"},
        },
    .n_params = pope_n_params,
    .init = pope_init,
    .project = pope_project,
    .scratch_floats = pope_scratch_floats,
    .qk_width = pope_qk_width,
    .qk_forward = pope_qk_forward,
    .qk_backward = pope_qk_backward,
    .n_frequencies = pope_n_frequencies,
    .frequency_magnitudes = pope_frequency_magnitudes,
};
