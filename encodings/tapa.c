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

#include <math.h>

#define TWO_PI_F 6.28318530717958647692f

static int tapa_amplitude_dims(const pe *e, int head_dim) {
    return (int)lround(pe_opt(e, "theta") * head_dim);
}

static int tapa_qk_width(const pe *e, int head_dim) {
    int A = tapa_amplitude_dims(e, head_dim);
    return A >= 1 && A <= head_dim - 1 ? head_dim : -1;
}

// 2 pi |r|^alpha, with |0|^alpha = 0 so that the cosine is exactly 1 at m = n (also for
// alpha = 0, where powf would give 1).
static inline float phase_rate(float r, float alpha) {
    r = fabsf(r);
    return r > 0.0f ? TWO_PI_F * powf(r, alpha) : 0.0f;
}

// Eight partial sums: the compiler may not reorder a float sum, so one accumulator would
// serialise the loop on the add latency; eight map onto one vector register.
static inline float dot(const float *restrict a, const float *restrict b, int n) {
    float acc[8] = {0};
    int c = 0;
    for (; c + 8 <= n; c += 8)
        for (int u = 0; u < 8; u++) acc[u] += a[c + u] * b[c + u];
    float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; c < n; c++) s += a[c] * b[c];
    return s;
}

// q, k are (T, W); scores (T, T), written for j <= i only.
static void tapa_score_forward(const pe *e, const float *params, int layer, int head,
                               const float *pos, int T, int W, const float *q, const float *k,
                               float *scores) {
    const int A = tapa_amplitude_dims(e, W), P = W - A;
    const float alpha = (float)pe_opt(e, "alpha");
    const float ia = 1.0f / sqrtf((float)A), ip = 1.0f / sqrtf((float)P);
    for (int i = 0; i < T; i++) {
        const float *qi = q + (size_t)i * W;
        float *row = scores + (size_t)i * T;
        for (int j = 0; j <= i; j++) {
            const float *kj = k + (size_t)j * W;
            const float amp = dot(qi, kj, A) * ia;
            const float z = phase_rate(pos[i] - pos[j], alpha) * (dot(qi + A, kj + A, P) * ip);
            row[j] = amp * cosf(z);
        }
    }
}

// With a = amplitude, z = c_r * phase, S = a cos z (papers.md):
//   dS/dqA = cos z * kA / sqrt(A),  dS/dqP = -a * c_r * sin z * kP / sqrt(P), same for k.
// Accumulates into dq, dk (T, W); reads dscores[i][j] for j <= i only.
static void tapa_score_backward(const pe *e, const float *params, float *dparams, int layer,
                                int head, const float *pos, int T, int W,
                                const float *restrict q, const float *restrict k,
                                const float *restrict dscores, float *restrict dq,
                                float *restrict dk) {
    const int A = tapa_amplitude_dims(e, W), P = W - A;
    const float alpha = (float)pe_opt(e, "alpha");
    const float ia = 1.0f / sqrtf((float)A), ip = 1.0f / sqrtf((float)P);
    for (int i = 0; i < T; i++) {
        const float *qi = q + (size_t)i * W;
        float *dqi = dq + (size_t)i * W;
        for (int j = 0; j <= i; j++) {
            const float g = dscores[(size_t)i * T + j];
            if (g == 0.0f) continue;
            const float *kj = k + (size_t)j * W;
            float *dkj = dk + (size_t)j * W;
            const float amp = dot(qi, kj, A) * ia;
            const float cr = phase_rate(pos[i] - pos[j], alpha);
            const float z = cr * (dot(qi + A, kj + A, P) * ip);
            const float ga = g * cosf(z) * ia;
            const float gp = -g * amp * sinf(z) * cr * ip;
            for (int c = 0; c < A; c++) {
                dqi[c] += ga * kj[c];
                dkj[c] += ga * qi[c];
            }
            for (int c = A; c < W; c++) {
                dqi[c] += gp * kj[c];
                dkj[c] += gp * qi[c];
            }
        }
    }
}

const pe_ops pe_tapa = {
    .name = "tapa",
    .summary = "token-aware phase attention: amplitude * cos(2pi |m-n|^alpha * phase); "
               "round(theta*head_dim) must lie in [1, head_dim-1]",
    .n_options = 2,
    .options =
        {
            {"theta", 0.5, 0.01, 0.99, NULL, "fraction of each head used as amplitude part"},
            {"alpha", 0.1, 0, 2, NULL, "distance exponent of the phase rate 2pi|m-n|^alpha"},
        },
    .qk_width = tapa_qk_width,
    .score_forward = tapa_score_forward,
    .score_backward = tapa_score_backward,
};
