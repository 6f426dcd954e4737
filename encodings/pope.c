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

#include "harness/rng.h"

#include <math.h>

#define TWO_PI 6.283185307179586

enum { INIT_UNIFORM, INIT_ZERO };
enum { CLAMP_FORWARD, CLAMP_PROJECT };

// softplus(x) = max(x, 0) + log(1 + e^-|x|) never overflows, and shares e^-|x| with the
// sigmoid (its derivative). logf(1 + e) instead of log1pf: the absolute error stays below
// 1e-7, all a magnitude needs, at half the cost.
static inline float softplus(float x) { return fmaxf(x, 0.0f) + logf(1.0f + expf(-fabsf(x))); }

static inline float softplus_sigmoid(float x, float *sigmoid) {
    const float e = expf(-fabsf(x));
    *sigmoid = (x >= 0.0f ? 1.0f : e) / (1.0f + e);
    return fmaxf(x, 0.0f) + logf(1.0f + e);
}

// cos and sin of a = pos * theta: reduced to [-pi, pi] in double, because at pos ~1e5 a float
// angle is off by ~4e-3 rad; the reduced angle is exact to float precision, so float sincos
// on it is as accurate as rounding a double cos (error ~1e-7) at half the cost.
static inline void angle_sincos(double a, float *c, float *s) {
    const float r = (float)(a - TWO_PI * rint(a * (1.0 / TWO_PI)));
    *c = cosf(r);
    *s = sinf(r);
}

static int pope_qk_width(const pe *e, int head_dim) { return 2 * head_dim; }

static size_t pope_n_params(const pe_shape *s) {
    return (size_t)s->n_layers * s->n_heads * s->head_dim;
}

static void pope_init(const pe *e, float *params, rng *r) {
    const size_t n = pope_n_params(&e->shape);
    const int zero = (int)pe_opt(e, "delta_init") == INIT_ZERO;
    for (size_t i = 0; i < n; i++)
        params[i] = zero ? 0.0f : (float)(-TWO_PI * rng_double(r));
}

static void pope_project(const pe *e, float *params) {
    if ((int)pe_opt(e, "delta_clamp") != CLAMP_PROJECT) return;
    const size_t n = pope_n_params(&e->shape);
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

// q, k are (T, D); q_out, k_out are (T, 2D). The frequency loop is outer so that theta_c,
// cos/sin(delta_c) and the query angle are shared by q and k: one sincos per (t, c).
static void pope_qk_forward(const pe *e, const float *params, int layer, int head,
                            const float *pos, int T, const float *restrict q,
                            const float *restrict k, float *restrict q_out,
                            float *restrict k_out) {
    const int D = e->shape.head_dim, W = 2 * D;
    const double base = pe_opt(e, "base");
    const int clamp = (int)pe_opt(e, "delta_clamp") == CLAMP_FORWARD;
    const float *delta = params + ((size_t)layer * e->shape.n_heads + head) * D;
    for (int c = 0; c < D; c++) {
        const double theta = pow(base, -(double)c / D);
        int active;
        const float d = effective_delta(delta[c], clamp, &active);
        const float cd = cosf(d), sd = sinf(d);
        for (int t = 0; t < T; t++) {
            float ca, sa;
            angle_sincos((double)pos[t] * theta, &ca, &sa);
            const size_t o = (size_t)t * W + c, i = (size_t)t * D + c;
            const float mq = softplus(q[i]), mk = softplus(k[i]);
            q_out[o] = mq * ca;
            q_out[o + D] = mq * sa;
            k_out[o] = mk * (ca * cd - sa * sd);      // cos(a + d)
            k_out[o + D] = mk * (sa * cd + ca * sd);  // sin(a + d)
        }
    }
}

// Accumulates into dq, dk (T, D) and into dparams' delta slice of (layer, head).
static void pope_qk_backward(const pe *e, const float *params, float *dparams, int layer,
                             int head, const float *pos, int T, const float *restrict q,
                             const float *restrict k, const float *restrict dq_out,
                             const float *restrict dk_out, float *restrict dq,
                             float *restrict dk) {
    const int D = e->shape.head_dim, W = 2 * D;
    const double base = pe_opt(e, "base");
    const int clamp = (int)pe_opt(e, "delta_clamp") == CLAMP_FORWARD;
    const size_t slice = ((size_t)layer * e->shape.n_heads + head) * D;
    const float *delta = params + slice;
    float *ddelta = dparams + slice;
    for (int c = 0; c < D; c++) {
        const double theta = pow(base, -(double)c / D);
        int active;
        const float d = effective_delta(delta[c], clamp, &active);
        const float cd = cosf(d), sd = sinf(d);
        double gd = 0.0;
        for (int t = 0; t < T; t++) {
            float ca, sa, sq, sk;
            angle_sincos((double)pos[t] * theta, &ca, &sa);
            const float cka = ca * cd - sa * sd, ska = sa * cd + ca * sd;
            const size_t o = (size_t)t * W + c, i = (size_t)t * D + c;
            const float gqc = dq_out[o], gqs = dq_out[o + D];
            const float gkc = dk_out[o], gks = dk_out[o + D];
            softplus_sigmoid(q[i], &sq);
            const float mk = softplus_sigmoid(k[i], &sk);
            dq[i] += (gqc * ca + gqs * sa) * sq;
            dk[i] += (gkc * cka + gks * ska) * sk;
            // d cos(a + d)/dd = -sin(a + d), d sin(a + d)/dd = cos(a + d)
            gd += mk * (gks * cka - gkc * ska);
        }
        if (active) ddelta[c] += (float)gd;
    }
}

const pe_ops pe_pope = {
    .name = "pope",
    .summary = "polar embedding: softplus magnitudes, phases pos*base^(-c/D) + learned key delta",
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
    .qk_width = pope_qk_width,
    .qk_forward = pope_qk_forward,
    .qk_backward = pope_qk_backward,
};
