#include "harness/model/layers.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/fastmath.h"
#include "harness/base/rng.h"
#include "harness/base/smm.h"

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

// The linear layers run as libxsmm kernels over blocks of ROW_BLOCK rows (forward and the
// input gradient) or of ROW_BLOCK rows of the sum (weight gradient): blocks are what threads
// share out, and the blocking is the same at any thread count, so results do not depend on
// it. In the column-major terms of smm, a row-major (N, C) array is C x N with leading
// dimension C. Shapes libxsmm has no kernel for go to cblas_sgemm.
enum { ROW_BLOCK = 64 };

static int n_blocks(int n) { return (n + ROW_BLOCK - 1) / ROW_BLOCK; }

static int rows_of(int block, int n) {
    return n - block * ROW_BLOCK < ROW_BLOCK ? n - block * ROW_BLOCK : ROW_BLOCK;
}

// The kernels of a full block and of the last (shorter) one; -1 if either is missing.
static int block_kernels(smm_kernel k[2], int N, int m, int kk, int lda, int ldb, int ldc,
                         float beta, int trans_b, int blocked_dim_is_k) {
    const int tail = N % ROW_BLOCK;
    for (int i = 0; i < 2; i++) {
        const int len = i == 0 ? ROW_BLOCK : tail;
        if (len == 0) {
            k[i] = k[0];
            continue;
        }
        const int n = blocked_dim_is_k ? kk : len, kdim = blocked_dim_is_k ? len : kk;
        if (smm_get(&k[i], m, n, kdim, lda, ldb, ldc, beta, trans_b) != 0) return -1;
    }
    return 0;
}

static inline const smm_kernel *kernel_of(const smm_kernel k[2], int block, int n) {
    return rows_of(block, n) == ROW_BLOCK ? &k[0] : &k[1];
}

// w (OC, C) transposed into a buffer of this thread that grows as needed: the kernels read
// the weight with OC contiguous. NULL if it cannot grow.
static const float *transposed(const float *w, int OC, int C) {
    static _Thread_local float *buf;
    static _Thread_local size_t cap;
    const size_t n = (size_t)OC * C;
    if (n > cap) {
        float *p = realloc(buf, n * sizeof(float));
        if (!p) return NULL;
        buf = p, cap = n;
    }
    for (int o = 0; o < OC; o++)
        for (int c = 0; c < C; c++) buf[(size_t)c * OC + o] = w[(size_t)o * C + c];
    return buf;
}

void matmul_forward(float *out, const float *inp, const float *w, int N, int C, int OC) {
    smm_kernel k[2];
    const float *wt = NULL;
    if (block_kernels(k, N, OC, C, OC, C, OC, 0.0f, 0, 0) == 0) wt = transposed(w, OC, C);
    if (!wt) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, OC, C, 1.0f, inp, C, w, C, 0.0f,
                    out, OC);
        return;
    }
    const int nb = n_blocks(N);
    // out^T (OC x rows) = w^T (OC x C) . inp^T (C x rows), block by block of rows.
#pragma omp parallel for schedule(static) if (nb > 1 && omp_get_max_threads() > 1)
    for (int b = 0; b < nb; b++)
        smm_run(kernel_of(k, b, N), wt, inp + (size_t)b * ROW_BLOCK * C,
                out + (size_t)b * ROW_BLOCK * OC);
}

// dinp_beta 1 accumulates into dinp, 0 writes it (no zeroing pass before).
static void matmul_backward_beta(float *dinp, float *dw, const float *dout, const float *inp,
                                 const float *w, int N, int C, int OC, float dinp_beta) {
    const int nb = n_blocks(N), threads = omp_get_max_threads();
    smm_kernel k[2];
    if (dinp) {
        // dinp^T (C x rows) (+)= w (C x OC in column-major) . dout^T (OC x rows).
        if (block_kernels(k, N, C, OC, C, OC, C, dinp_beta, 0, 0) == 0) {
#pragma omp parallel for schedule(static) if (nb > 1 && threads > 1)
            for (int b = 0; b < nb; b++)
                smm_run(kernel_of(k, b, N), w, dout + (size_t)b * ROW_BLOCK * OC,
                        dinp + (size_t)b * ROW_BLOCK * C);
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, C, OC, 1.0f, dout, OC, w,
                        C, dinp_beta, dinp, C);
        }
    }
    // dw^T (C x OC) += inp^T (C x rows) . dout (rows x OC), summed block by block of rows in
    // order; threads take slices of OC (whole columns of dw^T), so no sum is split.
    if (block_kernels(k, N, C, OC, C, OC, C, 1.0f, 1, 1) != 0) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OC, C, N, 1.0f, dout, OC, inp, C,
                    1.0f, dw, C);
        return;
    }
    if (threads > 1 && OC % (ROW_BLOCK / 4) == 0 && OC > ROW_BLOCK / 4) {
        const int slice = ROW_BLOCK / 4, ns = OC / slice;
        smm_kernel ks[2];
        if (block_kernels(ks, N, C, slice, C, OC, C, 1.0f, 1, 1) == 0) {
#pragma omp parallel for schedule(static)
            for (int s = 0; s < ns; s++)
                for (int b = 0; b < nb; b++)
                    smm_run(kernel_of(ks, b, N), inp + (size_t)b * ROW_BLOCK * C,
                            dout + (size_t)b * ROW_BLOCK * OC + (size_t)s * slice,
                            dw + (size_t)s * slice * C);
            return;
        }
    }
    for (int b = 0; b < nb; b++)
        smm_run(kernel_of(k, b, N), inp + (size_t)b * ROW_BLOCK * C,
                dout + (size_t)b * ROW_BLOCK * OC, dw);
}

void matmul_backward(float *dinp, float *dw, const float *dout, const float *inp,
                     const float *w, int N, int C, int OC) {
    matmul_backward_beta(dinp, dw, dout, inp, w, N, C, OC, 1.0f);
}

void matmul_backward_write(float *dinp, float *dw, const float *dout, const float *inp,
                           const float *w, int N, int C, int OC) {
    matmul_backward_beta(dinp, dw, dout, inp, w, N, C, OC, 0.0f);
}

#define GELU_SCALE 0.7978845608028654f  // sqrt(2 / pi)

// tanh(sqrt(2/pi) (x + 0.044715 x^3)), the one transcendental of GELU and of its derivative.
static inline float gelu_tanh(float x) {
    return fast_tanhf(GELU_SCALE * (x + 0.044715f * x * x * x));
}

// d/dx of 0.5 x (1 + t) with t = gelu_tanh(x).
static inline float gelu_grad(float x, float t) {
    const float du = GELU_SCALE * (1.0f + 3.0f * 0.044715f * x * x);
    return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du;
}

void gelu_forward(float *out, const float *inp, long n) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) out[i] = 0.5f * inp[i] * (1.0f + gelu_tanh(inp[i]));
}

// The derivative from the same tanh as the value: backward then needs no exp of its own.
void gelu_forward_grad(float *out, float *grad, const float *inp, long n) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) {
        const float x = inp[i], t = gelu_tanh(x);
        out[i] = 0.5f * x * (1.0f + t);
        grad[i] = gelu_grad(x, t);
    }
}

void gelu_backward_cached(float *dinp, const float *grad, const float *dout, long n) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) dinp[i] = grad[i] * dout[i];
}

void gelu_backward(float *dinp, const float *inp, const float *dout, long n) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) dinp[i] += gelu_grad(inp[i], gelu_tanh(inp[i])) * dout[i];
}

void dropout_apply(float *x, long rows, int C, const int32_t *row_of, uint64_t key, float p) {
    // Keep when the top 24 bits of the element's number are at or above p * 2^24.
    const uint64_t drop_below = (uint64_t)((double)p * (1 << 24));
    const float scale = 1.0f / (1.0f - p);
#pragma omp parallel for schedule(static)
    for (long r = 0; r < rows; r++) {
        const uint64_t base = key + (uint64_t)(row_of ? row_of[r] : r) * (uint64_t)C;
        float *row = x + r * C;
        for (int c = 0; c < C; c++)
            row[c] = (rng_mix(base + (uint64_t)c) >> 40) < drop_below ? 0.0f : row[c] * scale;
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
