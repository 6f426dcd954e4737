// xPos (Sun et al., "A Length-Extrapolatable Transformer", arXiv 2212.10554, Sec. 3): RoPE
// whose pair i of q at position m is also scaled by zeta_i^(m / scale_base), and of k at n by
// zeta_i^(-n / scale_base), zeta_i = (2i/D + gamma) / (1 + gamma) < 1, so that
//   s(m, n) = sum_i zeta_i^((m - n) / scale_base) Re(q~_i conj(k~_i) e^{j (m-n) theta_i}) / sqrt(D)
// decays with distance, fastest at the high frequencies (gamma 0.4, scale_base 512 as the
// paper). scale_base = 0 turns the scaling off: plain RoPE.
//
// Numerics: the per-vector factors grow like zeta^(-n/scale_base), ~e^100 at n = 40960, which
// overflows float although their products stay bounded. Positions are therefore taken
// relative to the middle c of the call's positions (the authors' code centres them too):
// zeta^((m-c)/sb) zeta^(-(n-c)/sb) is the same product, with exponents half as large. Each
// exponent is also clamped to +-80 (e^80 ~ 5.5e34) so that no factor is infinite; that only
// binds for spans of ~65k positions at the defaults, where the true weights underflow anyway.
#include "encoding.h"

#include <math.h>

#include "angles.h"

// A bidirectional model would give keys after the query the factor zeta^((m - n)/scale_base)
// > 1, growing without bound with the distance (xPos is a causal design): refused there
// unless the scaling is off.
static int xpos_qk_width(const pe *e, int head_dim) {
    if (e->shape.bidirectional && pe_opt(e, "scale_base") > 0) return -1;
    return head_dim >= 2 && head_dim % 2 == 0 && head_dim / 2 <= ANGLES_MAX_FREQ ? head_dim : -1;
}

// cos, sin, q-scale and k-scale tables, (T, D/2) each.
static size_t xpos_scratch_floats(const pe *e, int T) { return 2 * (size_t)T * e->shape.head_dim; }

static void xpos_tables(const pe *e, const float *pos, int T, float *scratch, float **c,
                        float **s, float **sq, float **sk) {
    const int D = e->shape.head_dim, F = D / 2;
    const size_t n = (size_t)T * F;
    *c = scratch, *s = scratch + n, *sq = scratch + 2 * n, *sk = scratch + 3 * n;
    angle_table(pos, T, pe_opt(e, "base"), 2.0 / D, F, *c, *s);
    const double sb = pe_opt(e, "scale_base"), gamma = pe_opt(e, "gamma");
    double lo = pos[0], hi = pos[0];
    for (int t = 1; t < T; t++) lo = fmin(lo, pos[t]), hi = fmax(hi, pos[t]);
    const double centre = 0.5 * (lo + hi);
    for (int i = 0; i < F; i++) {
        const double log_zeta = log((2.0 * i / D + gamma) / (1.0 + gamma));
        for (int t = 0; t < T; t++) {
            double x = sb > 0 ? (pos[t] - centre) / sb * log_zeta : 0.0;
            x = x > 80 ? 80 : x < -80 ? -80 : x;
            (*sq)[(size_t)t * F + i] = (float)exp(x);
            (*sk)[(size_t)t * F + i] = (float)exp(-x);
        }
    }
}

// q, k, q_out, k_out are (T, D).
static void xpos_qk_forward(const pe *e, const float *params, int layer, int head,
                            const float *pos, int T, const float *restrict q,
                            const float *restrict k, float *restrict q_out,
                            float *restrict k_out, float *scratch) {
    const int D = e->shape.head_dim, F = D / 2;
    float *cs, *sn, *sq, *sk;
    xpos_tables(e, pos, T, scratch, &cs, &sn, &sq, &sk);
    for (int t = 0; t < T; t++) {
        const size_t r = (size_t)t * F, row = (size_t)t * D;
        const float *restrict c = cs + r, *restrict s = sn + r, *restrict a = sq + r,
                              *restrict b = sk + r;
        for (int i = 0; i < F; i++) {
            const size_t o = row + 2 * i;
            const float q0 = q[o], q1 = q[o + 1], k0 = k[o], k1 = k[o + 1];
            q_out[o] = a[i] * (q0 * c[i] - q1 * s[i]);
            q_out[o + 1] = a[i] * (q0 * s[i] + q1 * c[i]);
            k_out[o] = b[i] * (k0 * c[i] - k1 * s[i]);
            k_out[o + 1] = b[i] * (k0 * s[i] + k1 * c[i]);
        }
    }
}

// The transform is a scaled rotation: its backward is the inverse rotation times the same
// scale, accumulated into dq, dk.
static void xpos_qk_backward(const pe *e, const float *params, float *dparams, int layer,
                             int head, const float *pos, int T, const float *q, const float *k,
                             const float *restrict dq_out, const float *restrict dk_out,
                             float *restrict dq, float *restrict dk, float *scratch) {
    const int D = e->shape.head_dim, F = D / 2;
    float *cs, *sn, *sq, *sk;
    xpos_tables(e, pos, T, scratch, &cs, &sn, &sq, &sk);
    for (int t = 0; t < T; t++) {
        const size_t r = (size_t)t * F, row = (size_t)t * D;
        const float *restrict c = cs + r, *restrict s = sn + r, *restrict a = sq + r,
                              *restrict b = sk + r;
        for (int i = 0; i < F; i++) {
            const size_t o = row + 2 * i;
            const float gq0 = dq_out[o], gq1 = dq_out[o + 1];
            const float gk0 = dk_out[o], gk1 = dk_out[o + 1];
            dq[o] += a[i] * (gq0 * c[i] + gq1 * s[i]);
            dq[o + 1] += a[i] * (gq1 * c[i] - gq0 * s[i]);
            dk[o] += b[i] * (gk0 * c[i] + gk1 * s[i]);
            dk[o + 1] += b[i] * (gk1 * c[i] - gk0 * s[i]);
        }
    }
}

static void xpos_frequency_magnitudes(const pe *e, const float *x, float *mag) {
    pair_norms(x, e->shape.head_dim / 2, mag);
}

const pe_ops pe_xpos = {
    .name = "xpos",
    .summary = "RoPE with xPos decay: pair i of q scaled by zeta_i^(m/scale_base), of k by "
               "zeta_i^(-n/scale_base); head_dim must be even; causal only unless scale_base=0",
    .n_options = 3,
    .options =
        {
            {"base", 10000, 1, 1e9, NULL, "frequency base: theta_i = base^(-2i/D)"},
            {"scale_base", 512, 0, 1e9, NULL, "distance scale of the decay; 0 turns it off"},
            {"gamma", 0.4, 0.001, 1e3, NULL, "zeta_i = (2i/D + gamma) / (1 + gamma)"},
        },
    .invariances = PE_SHIFT_INVARIANT,
    .scratch_floats = xpos_scratch_floats,
    .qk_width = xpos_qk_width,
    .qk_forward = xpos_qk_forward,
    .qk_backward = xpos_qk_backward,
    .n_frequencies = pair_bands,
    .frequency_magnitudes = xpos_frequency_magnitudes,
};
