// RoPE (Su et al., RoFormer, arXiv 2104.09864): each pair (x_2i, x_2i+1) of a head's q and k
// is rotated by pos * theta_i, theta_i = base^(-2i/D), so q'.k' depends on positions only
// through m - n. The angles come from one table per call (encodings/angles.c).
#include "encoding.h"

#include "angles.h"

#include <math.h>

static int rope_qk_width(const pe *e, int head_dim) {
    return head_dim >= 2 && head_dim % 2 == 0 && head_dim / 2 <= ANGLES_MAX_FREQ ? head_dim : -1;
}

// Two (T, D/2) tables: cos and sin of every position's angle for every pair.
static size_t rope_scratch_floats(const pe *e, int T) { return (size_t)T * e->shape.head_dim; }

static void rope_tables(const pe *e, const float *pos, int T, float *scratch, float **c,
                        float **s) {
    const int F = e->shape.head_dim / 2;
    *c = scratch;
    *s = scratch + (size_t)T * F;
    angle_table(pos, T, pe_opt(e, "base"), 2.0 / e->shape.head_dim, F, *c, *s);
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

// Band i is the pair (x_2i, x_2i+1); its magnitude is the pair's norm, which the rotation
// keeps.
static int rope_n_frequencies(const pe *e) { return e->shape.head_dim / 2; }

static void rope_frequency_magnitudes(const pe *e, const float *x, float *mag) {
    for (int i = 0; i < e->shape.head_dim / 2; i++)
        mag[i] = sqrtf(x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1]);
}

const pe_ops pe_rope = {
    .name = "rope",
    .summary = "rotary embedding, pairs rotated by pos*base^(-2i/D); head_dim must be even",
    .n_options = 1,
    .options = {{"base", 10000, 1, 1e9, NULL, "frequency base: theta_i = base^(-2i/D)"}},
    .scratch_floats = rope_scratch_floats,
    .qk_width = rope_qk_width,
    .qk_forward = rope_qk_forward,
    .qk_backward = rope_qk_backward,
    .n_frequencies = rope_n_frequencies,
    .frequency_magnitudes = rope_frequency_magnitudes,
};
