// RoPE (Su et al., RoFormer, arXiv 2104.09864): each pair (x_2i, x_2i+1) of a head's q and k
// is rotated by pos * theta_i, theta_i = base^(-2i/D), so q'.k' depends on positions only
// through m - n.
//
// Angles are formed and reduced to [-pi, pi] in double: at pos ~1e5 a float angle is off by
// ~4e-3 rad, which would spoil extrapolation results that RoPE should fail for its own reasons
// only. The reduced angle is then exact to float precision, so float sincos on it is as good
// as rounding a double cos to float (error ~1e-7) at half the cost.
#include "encoding.h"

#include <math.h>

static inline void angle_sincos(double a, float *c, float *s) {
    const float r = (float)(a - 6.283185307179586 * rint(a * 0.15915494309189535));
    *c = cosf(r);
    *s = sinf(r);
}

static int rope_qk_width(const pe *e, int head_dim) {
    return head_dim >= 2 && head_dim % 2 == 0 ? head_dim : -1;
}

// q, k are (T, D); q_out, k_out are (T, D). The pair loop is outer so that theta_i and the
// angle of a position are computed once and shared by q and k.
static void rope_qk_forward(const pe *e, const float *params, int layer, int head,
                            const float *pos, int T, const float *restrict q,
                            const float *restrict k, float *restrict q_out,
                            float *restrict k_out) {
    const int D = e->shape.head_dim;
    const double base = pe_opt(e, "base");
    for (int i = 0; i < D / 2; i++) {
        const double theta = pow(base, -2.0 * i / D);
        for (int t = 0; t < T; t++) {
            float c, s;
            angle_sincos((double)pos[t] * theta, &c, &s);
            const size_t o = (size_t)t * D + 2 * i;
            const float q0 = q[o], q1 = q[o + 1], k0 = k[o], k1 = k[o + 1];
            q_out[o] = q0 * c - q1 * s;
            q_out[o + 1] = q0 * s + q1 * c;
            k_out[o] = k0 * c - k1 * s;
            k_out[o + 1] = k0 * s + k1 * c;
        }
    }
}

// The rotation is orthogonal, so its backward is the inverse rotation of dq_out / dk_out,
// accumulated into dq, dk.
static void rope_qk_backward(const pe *e, const float *params, float *dparams, int layer,
                             int head, const float *pos, int T, const float *q, const float *k,
                             const float *restrict dq_out, const float *restrict dk_out,
                             float *restrict dq, float *restrict dk) {
    const int D = e->shape.head_dim;
    const double base = pe_opt(e, "base");
    for (int i = 0; i < D / 2; i++) {
        const double theta = pow(base, -2.0 * i / D);
        for (int t = 0; t < T; t++) {
            float c, s;
            angle_sincos((double)pos[t] * theta, &c, &s);
            const size_t o = (size_t)t * D + 2 * i;
            const float gq0 = dq_out[o], gq1 = dq_out[o + 1];
            const float gk0 = dk_out[o], gk1 = dk_out[o + 1];
            dq[o] += gq0 * c + gq1 * s;
            dq[o + 1] += gq1 * c - gq0 * s;
            dk[o] += gk0 * c + gk1 * s;
            dk[o + 1] += gk1 * c - gk0 * s;
        }
    }
}

const pe_ops pe_rope = {
    .name = "rope",
    .summary = "rotary embedding, pairs rotated by pos*base^(-2i/D); head_dim must be even",
    .n_options = 1,
    .options = {{"base", 10000, 1, 1e9, NULL, "frequency base: theta_i = base^(-2i/D)"}},
    .qk_width = rope_qk_width,
    .qk_forward = rope_qk_forward,
    .qk_backward = rope_qk_backward,
};
