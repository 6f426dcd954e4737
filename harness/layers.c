#include "layers.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "fastmath.h"

void embedding_forward(float *out, const int32_t *tokens, const float *wte, int N, int C) {
    for (int i = 0; i < N; i++) memcpy(out + (long)i * C, wte + (long)tokens[i] * C, C * sizeof(float));
}

// Serial: two rows with the same token add into the same gradient row.
void embedding_backward(float *dwte, const float *dout, const int32_t *tokens, int N, int C) {
    for (int i = 0; i < N; i++) {
        float *restrict d = dwte + (long)tokens[i] * C;
        const float *restrict g = dout + (long)i * C;
        for (int c = 0; c < C; c++) d[c] += g[c];
    }
}

#define NORM_EPS 1e-5f

void rmsnorm_forward(float *out, float *rstd, const float *inp, const float *w, int N, int C) {
#pragma omp parallel for schedule(static)
    for (int i = 0; i < N; i++) {
        const float *restrict x = inp + (long)i * C;
        float *restrict y = out + (long)i * C;
        float ss = 0.0f;
        for (int c = 0; c < C; c++) ss += x[c] * x[c];
        float r = 1.0f / sqrtf(ss / C + NORM_EPS);
        for (int c = 0; c < C; c++) y[c] = x[c] * r * w[c];
        rstd[i] = r;
    }
}

// y = x r w with r = (mean(x^2) + eps)^-1/2:
// dx_c = r (w_c g_c) - x_c r^3 / C * sum_j (w_j g_j x_j).
void rmsnorm_backward(float *dinp, float *dw, const float *dout, const float *inp,
                      const float *w, const float *rstd, int N, int C) {
#pragma omp parallel for schedule(static)
    for (int i = 0; i < N; i++) {
        const float *restrict x = inp + (long)i * C;
        const float *restrict g = dout + (long)i * C;
        float *restrict dx = dinp + (long)i * C;
        float r = rstd[i], dot = 0.0f;
        for (int c = 0; c < C; c++) dot += w[c] * g[c] * x[c];
        float k = dot * r * r * r / C;
        for (int c = 0; c < C; c++) dx[c] += r * w[c] * g[c] - k * x[c];
    }
    // The weight gradient sums over rows: a separate pass keeps the parallel loop race-free.
    for (int i = 0; i < N; i++) {
        const float *restrict x = inp + (long)i * C;
        const float *restrict g = dout + (long)i * C;
        float r = rstd[i];
        for (int c = 0; c < C; c++) dw[c] += g[c] * x[c] * r;
    }
}

void layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *w,
                       const float *b, int N, int C) {
#pragma omp parallel for schedule(static)
    for (int i = 0; i < N; i++) {
        const float *restrict x = inp + (long)i * C;
        float *restrict y = out + (long)i * C;
        float m = 0.0f, v = 0.0f;
        for (int c = 0; c < C; c++) m += x[c];
        m /= C;
        for (int c = 0; c < C; c++) v += (x[c] - m) * (x[c] - m);
        float r = 1.0f / sqrtf(v / C + NORM_EPS);
        for (int c = 0; c < C; c++) y[c] = (x[c] - m) * r * w[c] + b[c];
        mean[i] = m;
        rstd[i] = r;
    }
}

// With xhat = (x - m) r and dn = g w: dx = r (dn - mean(dn) - xhat mean(dn xhat)).
void layernorm_backward(float *dinp, float *dw, float *db, const float *dout, const float *inp,
                        const float *w, const float *mean, const float *rstd, int N, int C) {
#pragma omp parallel for schedule(static)
    for (int i = 0; i < N; i++) {
        const float *restrict x = inp + (long)i * C;
        const float *restrict g = dout + (long)i * C;
        float *restrict dx = dinp + (long)i * C;
        float m = mean[i], r = rstd[i], dn_mean = 0.0f, dn_xhat_mean = 0.0f;
        for (int c = 0; c < C; c++) {
            float dn = g[c] * w[c];
            dn_mean += dn;
            dn_xhat_mean += dn * (x[c] - m) * r;
        }
        dn_mean /= C;
        dn_xhat_mean /= C;
        for (int c = 0; c < C; c++) {
            float xhat = (x[c] - m) * r;
            dx[c] += r * (g[c] * w[c] - dn_mean - xhat * dn_xhat_mean);
        }
    }
    for (int i = 0; i < N; i++) {
        const float *restrict x = inp + (long)i * C;
        const float *restrict g = dout + (long)i * C;
        float m = mean[i], r = rstd[i];
        for (int c = 0; c < C; c++) {
            dw[c] += g[c] * (x[c] - m) * r;
            db[c] += g[c];
        }
    }
}

void matmul_forward(float *out, const float *inp, const float *w, int N, int C, int OC) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, OC, C, 1.0f, inp, C, w, C, 0.0f,
                out, OC);
}

void matmul_backward(float *dinp, float *dw, const float *dout, const float *inp,
                     const float *w, int N, int C, int OC) {
    if (dinp)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, C, OC, 1.0f, dout, OC, w, C,
                    1.0f, dinp, C);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OC, C, N, 1.0f, dout, OC, inp, C, 1.0f,
                dw, C);
}

#define GELU_SCALE 0.7978845608028654f  // sqrt(2 / pi)

void gelu_forward(float *out, const float *inp, long n) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) {
        float x = inp[i];
        float u = GELU_SCALE * (x + 0.044715f * x * x * x);
        out[i] = 0.5f * x * (1.0f + fast_tanhf(u));
    }
}

void gelu_backward(float *dinp, const float *inp, const float *dout, long n) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) {
        float x = inp[i];
        float u = GELU_SCALE * (x + 0.044715f * x * x * x);
        float t = fast_tanhf(u);
        float du = GELU_SCALE * (1.0f + 3.0f * 0.044715f * x * x);
        float grad = 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du;
        dinp[i] += grad * dout[i];
    }
}

void residual_forward(float *out, const float *a, const float *b, long n) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) out[i] = a[i] + b[i];
}

// Per-row losses go to row_loss and are summed in row order after the parallel loop: an
// OpenMP reduction would combine them in thread-arrival order and change the last bits run
// to run. (The integer count of hits is exact in any order.)
double crossentropy_forward(float *logits, float *row_loss, int32_t *row_pred,
                            const int32_t *targets, int M, int V, long *n_correct) {
    long correct = 0;
#pragma omp parallel for schedule(static) reduction(+ : correct)
    for (int i = 0; i < M; i++) {
        float *restrict p = logits + (long)i * V;
        int arg = 0;
        float max = -INFINITY;
        for (int v = 0; v < V; v++)
            if (p[v] > max) max = p[v], arg = v;
        // -log p_t from the logits, not from the rounded probability, so it never is log(0).
        float target_logit = p[targets[i]] - max;
        float sum = 0.0f;
        for (int v = 0; v < V; v++) {
            p[v] = fast_expf(p[v] - max);
            sum += p[v];
        }
        float inv = 1.0f / sum;
        for (int v = 0; v < V; v++) p[v] *= inv;
        row_loss[i] = logf(sum) - target_logit;
        if (row_pred) row_pred[i] = arg;
        correct += arg == targets[i];
    }
    double loss = 0.0;
    for (int i = 0; i < M; i++) loss += row_loss[i];
    if (n_correct) *n_correct = correct;
    return loss;
}

void crossentropy_backward(float *dlogits, const float *probs, const int32_t *targets, int M,
                           int V, float scale) {
#pragma omp parallel for schedule(static)
    for (int i = 0; i < M; i++) {
        const float *restrict p = probs + (long)i * V;
        float *restrict d = dlogits + (long)i * V;
        for (int v = 0; v < V; v++) d[v] = p[v] * scale;
        d[targets[i]] -= scale;
    }
}
