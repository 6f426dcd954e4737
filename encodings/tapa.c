// TAPA (Wang et al., arXiv 2509.12635, Eq. 12): the score itself is replaced. A head's first
// A = round(theta*D) components are an amplitude part, the other P = D - A a phase part:
//   s(m, n) = (qA . kA / sqrt(A)) * cos(2 pi |m - n|^alpha * (qP . kP) / sqrt(P)).
// No parameters, no frequencies; this is the whole logit (no further 1/sqrt(D)). The paper
// writes sqrt(theta D) and sqrt((1 - theta) D), which equal sqrt(A), sqrt(P) when theta*D is
// a whole number.
//
// qk_width is defined only to reject a head_dim whose split leaves a part empty (see
// registry.c); there is no q/k transform, so W = D here.
#include "encoding.h"

#include <cblas.h>
#include <math.h>

#include "harness/base/fastmath.h"
#include "harness/base/smm.h"

#define TWO_PI_F 6.28318530717958647692f

static int tapa_amplitude_dims(const pe *e, int head_dim) {
    return (int)lround(pe_opt(e, "theta") * head_dim);
}

static int tapa_qk_width(const pe *e, int head_dim) {
    int A = tapa_amplitude_dims(e, head_dim);
    return A >= 1 && A <= head_dim - 1 ? head_dim : -1;
}

// 2 pi |r|^alpha, with |0|^alpha = 0 so that the cosine is exactly 1 at m = n (also for
// alpha = 0, where powf would give 1). exp(alpha log r) in the vectorisable forms: this runs
// once per pair, and libm's powf there was most of TAPA's cost.
static inline float phase_rate(float r, float alpha) {
    r = fabsf(r);
    float rate = TWO_PI_F * fast_expf(alpha * fast_logf(r > 0.0f ? r : 1.0f));
    return r > 0.0f ? rate : 0.0f;
}

// Two (T, T) matrices: the amplitude and phase dot products (and their gradients), a table of
// T phase rates, and one part of a head's keys transposed (T x at most head_dim).
static size_t tapa_scratch_floats(const pe *e, int T) {
    return 2 * (size_t)T * T + (size_t)T + (size_t)T * e->shape.head_dim;
}

// When positions are consecutive (pos[t] = pos[0] + t, every sequence trained here), the rate
// depends on i - j alone: rates[r] = phase_rate(r) for r < T, T exp/log pairs instead of T^2
// per head and layer, and the same values as per pair (i - j is exact in float). Returns
// rates, or NULL for other positions (then computed per pair).
static const float *rate_table(const float *pos, int T, float alpha, float *rates) {
    for (int t = 1; t < T; t++)
        if (pos[t] != pos[0] + (float)t) return NULL;
    for (int r = 0; r < T; r++) rates[r] = phase_rate((float)r, alpha);
    return rates;
}

// out (T, T) = scale * x[:, off:off+n] . y[:, off:off+n]^T, rows of x and y W apart. These
// products are tiny (n = 8 at the main job's shape), where a BLAS call costs more than its
// arithmetic: in smm's column-major terms out^T = (scale y part) (T x n) . (x part)^T, and
// libxsmm reads no first operand transposed, so the scaled y part is written out into yt.
static void part_products(float *out, const float *x, const float *y, int T, int W, int off,
                          int n, float scale, float *yt) {
    for (int d = 0; d < n; d++)
        for (int j = 0; j < T; j++) yt[(size_t)d * T + j] = scale * y[(size_t)j * W + off + d];
    if (smm(T, T, n, yt, T, x + off, W, out, T, 0.0f, 0) != 0)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, n, scale, x + off, W, y + off,
                    W, 0.0f, out, T);
}

// dx[:, off:off+n] += g . y[:, off:off+n] (transpose_g 0) or g^T . y[...] (1), g (T, T).
static void part_gradient(float *dx, const float *g, const float *y, int T, int W, int off,
                          int n, int transpose_g) {
    if (smm(n, T, T, y + off, W, g, T, dx + off, W, 1.0f, transpose_g) != 0)
        cblas_sgemm(CblasRowMajor, transpose_g ? CblasTrans : CblasNoTrans, CblasNoTrans, T, n,
                    T, 1.0f, g, T, y + off, W, 1.0f, dx + off, W);
}

// q, k are (T, W); scores (T, T), written for the keys each row sees (pe_keys_end). All pairs' dot products come from
// two matrix products; the per-pair work left is the phase rate and one cosine, both vectorised.
static void tapa_score_forward(const pe *e, const float *params, int layer, int head,
                               const float *pos, int T, int W, const float *q, const float *k,
                               float *scores, float *scratch) {
    const int A = tapa_amplitude_dims(e, W), P = W - A;
    const float alpha = (float)pe_opt(e, "alpha");
    float *amp = scratch, *phase = scratch + (size_t)T * T;
    const float *rates = rate_table(pos, T, alpha, scratch + 2 * (size_t)T * T);
    float *yt = scratch + 2 * (size_t)T * T + T;
    part_products(amp, q, k, T, W, 0, A, 1.0f / sqrtf((float)A), yt);
    part_products(phase, q, k, T, W, A, P, 1.0f / sqrtf((float)P), yt);
    for (int i = 0; i < T; i++) {
        const float *restrict a = amp + (size_t)i * T, *restrict ph = phase + (size_t)i * T;
        float *restrict row = scores + (size_t)i * T;
        const float pi = pos[i];
        // Keys at or before the query, then (bidirectional) after it: two plain-bounded loops
        // that vectorise, the rate looked up by |i - j|.
        const int end = pe_keys_end(e, i, T), upto = end < i + 1 ? end : i + 1;
        if (rates) {
            for (int j = 0; j < upto; j++) {
                float sz, cz;
                fast_sincosf(rates[i - j] * ph[j], &sz, &cz);
                row[j] = a[j] * cz;
            }
            for (int j = i + 1; j < end; j++) {  // bidirectional: the rate is of |m - n|
                float sz, cz;
                fast_sincosf(rates[j - i] * ph[j], &sz, &cz);
                row[j] = a[j] * cz;
            }
            continue;
        }
        for (int j = 0; j < end; j++) {
            float sz, cz;
            fast_sincosf(phase_rate(pi - pos[j], alpha) * ph[j], &sz, &cz);
            row[j] = a[j] * cz;
        }
    }
}

// One pair's gradients in place: *a (the amplitude product) becomes dS/d(amplitude) and *ph
// (the phase product) dS/d(phase), scaled by the parts' 1/sqrt(width), for rate cr and
// upstream gradient g.
static inline void pair_gradients(float g, float cr, float ia, float ip, float *a, float *ph) {
    float sz, cz;
    fast_sincosf(cr * *ph, &sz, &cz);
    const float ga = g * cz * ia;
    *ph = -g * *a * sz * cr * ip;
    *a = ga;
}

// With a = amplitude, c_r = 2 pi |r|^alpha, z = c_r * phase, S = a cos z (the TAPA paper's logit):
//   dS/da = cos z,  dS/dphase = -a c_r sin z;
// the (T, T) gradients of the two dot-product matrices then go back through four products.
// Accumulates into dq, dk (T, W); reads dscores[i][j] for the keys each row sees only.
static void tapa_score_backward(const pe *e, const float *params, float *dparams, int layer,
                                int head, const float *pos, int T, int W, const float *q,
                                const float *k, const float *dscores, float *dq, float *dk,
                                float *scratch) {
    const int A = tapa_amplitude_dims(e, W), P = W - A;
    const float alpha = (float)pe_opt(e, "alpha");
    const float ia = 1.0f / sqrtf((float)A), ip = 1.0f / sqrtf((float)P);
    float *amp = scratch, *phase = scratch + (size_t)T * T;
    const float *rates = rate_table(pos, T, alpha, scratch + 2 * (size_t)T * T);
    float *yt = scratch + 2 * (size_t)T * T + T;
    part_products(amp, q, k, T, W, 0, A, ia, yt);
    part_products(phase, q, k, T, W, A, P, ip, yt);
    // In place: amp becomes dS/d(qA.kA), phase becomes dS/d(qP.kP); zero above the diagonal.
    for (int i = 0; i < T; i++) {
        const float *restrict g = dscores + (size_t)i * T;
        float *restrict a = amp + (size_t)i * T, *restrict ph = phase + (size_t)i * T;
        const float pi = pos[i];
        // Two loops, as in the forward: with the rate looked up the loop vectorises; a rate
        // chosen per pair inside it kept this the hottest loop of a TAPA run.
        const int end = pe_keys_end(e, i, T), upto = end < i + 1 ? end : i + 1;
        if (rates) {
            for (int j = 0; j < upto; j++)
                pair_gradients(g[j], rates[i - j], ia, ip, &a[j], &ph[j]);
            for (int j = i + 1; j < end; j++)
                pair_gradients(g[j], rates[j - i], ia, ip, &a[j], &ph[j]);
        } else {
            for (int j = 0; j < end; j++)
                pair_gradients(g[j], phase_rate(pi - pos[j], alpha), ia, ip, &a[j], &ph[j]);
        }
        for (int j = end; j < T; j++) a[j] = ph[j] = 0.0f;
    }
    part_gradient(dq, amp, k, T, W, 0, A, 0);
    part_gradient(dk, amp, q, T, W, 0, A, 1);
    part_gradient(dq, phase, k, T, W, A, P, 0);
    part_gradient(dk, phase, q, T, W, A, P, 1);
}

const pe_ops pe_tapa = {
    .name = "tapa",
    .summary = "token-aware phase attention: amplitude * cos(2pi |m-n|^alpha * phase); "
               "round(theta*head_dim) must lie in [1, head_dim-1]",
    .invariances = PE_SHIFT_INVARIANT,
    .n_options = 2,
    .options =
        {
            {"theta", 0.5, 0.01, 0.99, NULL, "fraction of each head used as amplitude part"},
            {"alpha", 0.1, 0, 2, NULL, "distance exponent of the phase rate 2pi|m-n|^alpha"},
        },
    .scratch_floats = tapa_scratch_floats,
    .qk_width = tapa_qk_width,
    .score_forward = tapa_score_forward,
    .score_backward = tapa_score_backward,
};
