// RoPE (Su et al., RoFormer, arXiv 2104.09864): each pair (x_2i, x_2i+1) of a head's q and k
// is rotated by pos * theta_i, theta_i = base^(-2i/D), so q'.k' depends on positions only
// through m - n. The angles come from one table per call (encodings/angles.c).
//
// Context extension without retraining (option `scaling`, with `factor` s; all equal plain
// RoPE at s = 1, and scaling=none takes exactly the code path RoPE had before them):
//   pi:   position interpolation (Chen et al., arXiv 2306.15595): positions divided by s,
//         i.e. theta_i / s;
//   ntk:  NTK-aware base scaling (bloc97, 2023; YaRN paper Eq. 16): base * s^(D/(D-2)), which
//         leaves the highest frequency alone and interpolates the lowest by exactly s;
//   yarn: YaRN (Peng et al., arXiv 2309.00071, Sec. 3.2-3.4): "NTK-by-parts" frequencies
//         theta_i' = (1 - g) theta_i / s + g theta_i with g the ramp of r_i = L / lambda_i
//         (L = orig_len, the training length; lambda_i = 2 pi / theta_i): g = 0 for r < alpha,
//         1 for r > beta, linear between (the paper's form; the authors' code ramps linearly
//         over the pair index between the same two thresholds instead), plus the attention
//         temperature sqrt(1/t) = 0.1 ln(s) + 1 applied to both q' and k', so logits grow
//         by (0.1 ln s + 1)^2.
// PoPE has no such counterpart: its paper evaluates it zero-shot and describes no
// frequency interpolation for it.
#include "encoding.h"

#include <math.h>

#include "angles.h"

enum { SCALE_NONE, SCALE_PI, SCALE_NTK, SCALE_YARN };

static int rope_qk_width(const pe *e, int head_dim) {
    return head_dim >= 2 && head_dim % 2 == 0 && head_dim / 2 <= ANGLES_MAX_FREQ ? head_dim : -1;
}

// Two (T, D/2) tables: cos and sin of every position's angle for every pair.
static size_t rope_scratch_floats(const pe *e, int T) { return (size_t)T * e->shape.head_dim; }

// The F = D/2 frequencies of a scaling method; returns the factor multiplying q' and k'.
static double scaled_freqs(const pe *e, double *theta) {
    const int D = e->shape.head_dim, F = D / 2;
    const double s = pe_opt(e, "factor"), base = pe_opt(e, "base");
    const int method = (int)pe_opt(e, "scaling");
    // s^(D/(D-2)): with D = 2 the only frequency is 1 whatever the base.
    const double b = method == SCALE_NTK && D > 2 ? base * pow(s, (double)D / (D - 2)) : base;
    for (int i = 0; i < F; i++) theta[i] = pow(b, -i * (2.0 / D));
    if (method == SCALE_PI)
        for (int i = 0; i < F; i++) theta[i] /= s;
    if (method != SCALE_YARN || s == 1.0) return 1.0;
    const double L = pe_opt(e, "orig_len"), lo = pe_opt(e, "alpha"), hi = pe_opt(e, "beta");
    for (int i = 0; i < F; i++) {
        const double r = L * theta[i] / 6.283185307179586;
        double g = hi > lo ? (r - lo) / (hi - lo) : (r >= hi);
        g = g < 0 ? 0 : g > 1 ? 1 : g;
        theta[i] = (1 - g) * theta[i] / s + g * theta[i];
    }
    return 0.1 * log(s) + 1.0;
}

static void rope_tables(const pe *e, const float *pos, int T, float *scratch, float **c,
                        float **s) {
    const int F = e->shape.head_dim / 2;
    *c = scratch;
    *s = scratch + (size_t)T * F;
    if ((int)pe_opt(e, "scaling") == SCALE_NONE) {
        angle_table(pos, T, pe_opt(e, "base"), 2.0 / e->shape.head_dim, F, *c, *s);
        return;
    }
    double theta[ANGLES_MAX_FREQ];
    const float m = (float)scaled_freqs(e, theta);
    angle_table_freqs(pos, T, theta, F, *c, *s);
    // The temperature folds into the tables: q' = m R q, and the backward is m R^T.
    if (m != 1.0f)
        for (size_t i = 0; i < (size_t)T * F; i++) (*c)[i] *= m, (*s)[i] *= m;
}

// q, k, q_out, k_out are (T, D).
static void rope_qk_forward(const pe *e, const float *params, int layer, int head,
                            const float *pos, int T, const float *restrict q,
                            const float *restrict k, float *restrict q_out,
                            float *restrict k_out, float *scratch) {
    const int D = e->shape.head_dim, F = D / 2;
    float *cs, *sn;
    rope_tables(e, pos, T, scratch, &cs, &sn);
    for (int t = 0; t < T; t++) {
        const float *restrict c = cs + (size_t)t * F, *restrict s = sn + (size_t)t * F;
        const size_t row = (size_t)t * D;
        for (int i = 0; i < F; i++) {
            const size_t o = row + 2 * i;
            const float q0 = q[o], q1 = q[o + 1], k0 = k[o], k1 = k[o + 1];
            q_out[o] = q0 * c[i] - q1 * s[i];
            q_out[o + 1] = q0 * s[i] + q1 * c[i];
            k_out[o] = k0 * c[i] - k1 * s[i];
            k_out[o + 1] = k0 * s[i] + k1 * c[i];
        }
    }
}

// The rotation is orthogonal, so its backward is the inverse rotation of dq_out / dk_out,
// accumulated into dq, dk.
static void rope_qk_backward(const pe *e, const float *params, float *dparams, int layer,
                             int head, const float *pos, int T, const float *q, const float *k,
                             const float *restrict dq_out, const float *restrict dk_out,
                             float *restrict dq, float *restrict dk, float *scratch) {
    const int D = e->shape.head_dim, F = D / 2;
    float *cs, *sn;
    rope_tables(e, pos, T, scratch, &cs, &sn);
    for (int t = 0; t < T; t++) {
        const float *restrict c = cs + (size_t)t * F, *restrict s = sn + (size_t)t * F;
        const size_t row = (size_t)t * D;
        for (int i = 0; i < F; i++) {
            const size_t o = row + 2 * i;
            const float gq0 = dq_out[o], gq1 = dq_out[o + 1];
            const float gk0 = dk_out[o], gk1 = dk_out[o + 1];
            dq[o] += gq0 * c[i] + gq1 * s[i];
            dq[o + 1] += gq1 * c[i] - gq0 * s[i];
            dk[o] += gk0 * c[i] + gk1 * s[i];
            dk[o + 1] += gk1 * c[i] - gk0 * s[i];
        }
    }
}

static void rope_frequency_magnitudes(const pe *e, const float *x, float *mag) {
    pair_norms(x, e->shape.head_dim / 2, mag);
}

const pe_ops pe_rope = {
    .name = "rope",
    .summary = "rotary embedding, pairs rotated by pos*base^(-2i/D); head_dim must be even",
    .n_options = 6,
    .options =
        {
            {"base", 10000, 1, 1e9, NULL, "frequency base: theta_i = base^(-2i/D)"},
            {"scaling", SCALE_NONE, 0, 3, "none|pi|ntk|yarn",
             "context extension at evaluation: position interpolation, NTK-aware base, YaRN"},
            {"factor", 1, 1, 1e6, NULL, "extension factor s (target length / training length)"},
            {"orig_len", 1024, 1, 1e9, NULL, "yarn: the training length L"},
            {"alpha", 1, 0, 1e6, NULL, "yarn: r = L/wavelength below which theta is divided by s"},
            {"beta", 32, 0, 1e6, NULL, "yarn: r above which theta is kept"},
        },
    // Options after base joined later; left out at their defaults, old run ids still hold.
    .first_quiet_option = 1,
    .invariances = PE_SHIFT_INVARIANT,
    .scratch_floats = rope_scratch_floats,
    .qk_width = rope_qk_width,
    .qk_forward = rope_qk_forward,
    .qk_backward = rope_qk_backward,
    .n_frequencies = pair_bands,
    .frequency_magnitudes = rope_frequency_magnitudes,
};
