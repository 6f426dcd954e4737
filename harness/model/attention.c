#include "harness/model/attention.h"

#include "harness/base/fastmath.h"
#include "harness/base/smm.h"

#include <cblas.h>
#include <libxsmm.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

// Causal attention is computed in blocks of this many query rows: block i0 needs keys
// [0, i0 + rows) only, so the products skip the (masked) upper triangle at block
// granularity -- 5/8 of the full work at T = 4 blocks, tending to 1/2. Bidirectional
// attention uses the same blocks over every key.
enum { QUERY_BLOCK = 32 };

// Rows of the query block starting at i0 (the last block may be short).
static inline int block_rows(int T, int i0) {
    return T - i0 < QUERY_BLOCK ? T - i0 : QUERY_BLOCK;
}

// The keys the products of the block at i0 cover: up to its last row, or all.
static inline int block_cols(const attn_scratch *ws, int T, int i0) {
    return ws->bidirectional ? T : i0 + block_rows(T, i0);
}

// The keys query i of row b attends to: 0 .. keys_end - 1.
static inline int keys_end(const attn_scratch *ws, const int32_t *lengths, int b, int i, int T) {
    if (!ws->bidirectional) return i + 1;
    return lengths && lengths[b] >= 1 && lengths[b] < T ? lengths[b] : T;
}

// The products of a query block, one libxsmm kernel each. Their shapes depend only on the
// block and on T, so each call looks its kernels up once (block_kernels_prepare) instead of
// once per head: at the main job's shape the lookups cost as much as some of the products.
enum {
    K_SCORES,  // forward: block logits from k~ and q~
    K_VALUES,  // forward: block outputs from v and the probabilities
    K_DATT,    // backward: gradient of the probabilities
    K_DV,      // backward: gradient of v (written by the last block, added by the others)
    K_DQT,     // backward: gradient of q~
    K_DKT,     // backward: gradient of k~ (as dv)
    N_KERNEL_KINDS
};

static int n_query_blocks(int T) { return (T + QUERY_BLOCK - 1) / QUERY_BLOCK; }

// The block's kernel of that kind, as prepared for this call; its f is NULL when libxsmm has
// none (the caller then uses cblas_sgemm).
static inline const smm_kernel *block_kernel(const attn_scratch *ws, int i0, int kind) {
    return &ws->kernels[(size_t)(i0 / QUERY_BLOCK) * N_KERNEL_KINDS + kind];
}

static inline int run_block_kernel(const attn_scratch *ws, int i0, int kind, const float *a,
                                   const float *b, float *c) {
    const smm_kernel *k = block_kernel(ws, i0, kind);
    if (!k->f) return -1;
    smm_run(k, a, b, c);
    return 0;
}

// Looks up every block's kernels for the forward (backward: 0) or the backward (1) at this T.
static void block_kernels_prepare(attn_scratch *ws, int T, int C, int backward) {
    const int D = ws->head_dim, W = ws->qk_width, C3 = 3 * C, last = (T - 1) / QUERY_BLOCK;
    for (int blk = 0; blk < n_query_blocks(T); blk++) {
        const int i0 = blk * QUERY_BLOCK, rows = block_rows(T, i0), cols = block_cols(ws, T, i0);
        const float beta = blk == last ? 0.0f : 1.0f;
        smm_kernel *k = ws->kernels + (size_t)blk * N_KERNEL_KINDS;
        // smm_get leaves f NULL when it fails; its return value says the same.
        if (!backward) {
            (void)smm_get(&k[K_SCORES], cols, rows, W, T, W, T, 0.0f, 0);
            (void)smm_get(&k[K_VALUES], D, rows, cols, C3, T, C, 0.0f, 0);
        } else {
            (void)smm_get(&k[K_DATT], cols, rows, D, T, C, T, 0.0f, 0);
            (void)smm_get(&k[K_DV], D, cols, rows, C, T, C3, beta, 1);
            (void)smm_get(&k[K_DQT], W, rows, cols, W, T, W, 0.0f, 0);
            (void)smm_get(&k[K_DKT], W, cols, rows, W, T, W, beta, 1);
        }
    }
}

// Scratch of one thread, carved from ws->mem: what evaluation needs (training keeps q~, k~
// and the probabilities in its caches) or what training needs, never both.
typedef struct head_scratch {
    float *qh, *kh;          // (T, D) raw head q and k, contiguous for the plugin
    float *ktT;              // (W, T) scaled k~ transposed: the score product's first operand
    float *pe_scratch;       // the plugin's own scratch (pe_scratch_floats)
    float *qt, *kt;          // evaluation: (T, W) transformed
    float *att;              // evaluation: (T, T) probabilities
    float *datt;             // training: (T, T) gradient of the probabilities, then logits
    float *vT;               // training: (D, T) head v transposed, for datt = dO . v^T
    float *dqt, *dkt;        // training: (T, W)
    float *dqh, *dkh;        // training: (T, D)
    float *dpe;              // training: plugin parameter gradient, private to the thread
} head_scratch;

static size_t scratch_floats(int T, int D, int W, size_t n_pe, size_t n_plugin, int training) {
    size_t common = 2 * (size_t)T * D + (size_t)W * T + n_plugin;
    size_t eval = 2 * (size_t)T * W + (size_t)T * T;
    size_t backward = 3 * (size_t)T * D + 2 * (size_t)T * W + (size_t)T * T + n_pe;
    return common + (training ? backward : eval);
}

attn_scratch *attn_scratch_create(const pe *enc, int max_T, int n_threads, int training) {
    attn_scratch *ws = calloc(1, sizeof *ws);
    if (!ws) return NULL;
    ws->max_T = max_T;
    ws->head_dim = enc->shape.head_dim;
    ws->qk_width = pe_qk_width(enc);
    ws->n_threads = n_threads;
    ws->training = training;
    ws->bidirectional = enc->shape.bidirectional;
    ws->n_pe_params = pe_n_params(enc);
    ws->n_plugin_scratch = pe_scratch_floats(enc, max_T);
    ws->per_thread = scratch_floats(max_T, ws->head_dim, ws->qk_width, ws->n_pe_params,
                                    ws->n_plugin_scratch, training);
    ws->mem = malloc(ws->per_thread * n_threads * sizeof(float));
    ws->kernels = calloc((size_t)n_query_blocks(max_T) * N_KERNEL_KINDS, sizeof(smm_kernel));
    if (!ws->mem || !ws->kernels) {
        attn_scratch_free(ws);
        return NULL;
    }
    return ws;
}

void attn_scratch_free(attn_scratch *ws) {
    if (!ws) return;
    free(ws->kernels);
    free(ws->mem);
    free(ws);
}

static head_scratch thread_scratch(attn_scratch *ws, int thread, int T) {
    int D = ws->head_dim, W = ws->qk_width;
    float *p = ws->mem + ws->per_thread * thread;
    head_scratch s = {0};
    s.qh = p, p += (size_t)T * D;
    s.kh = p, p += (size_t)T * D;
    s.ktT = p, p += (size_t)W * T;
    s.pe_scratch = p, p += ws->n_plugin_scratch;
    if (ws->training) {
        s.dqh = p, p += (size_t)T * D;
        s.dkh = p, p += (size_t)T * D;
        s.dqt = p, p += (size_t)T * W;
        s.dkt = p, p += (size_t)T * W;
        s.datt = p, p += (size_t)T * T;
        s.vT = p, p += (size_t)T * D;
        s.dpe = p;
    } else {
        s.qt = p, p += (size_t)T * W;
        s.kt = p, p += (size_t)T * W;
        s.att = p;
    }
    return s;
}

// One head row of D floats. A row is a few vectors, less than a memcpy call costs, and GCC
// turns a plain copy loop back into that call: constant sizes get the copy inlined.
static inline void copy_row(float *restrict dst, const float *restrict src, int D) {
    switch (D) {
    case 8: memcpy(dst, src, 8 * sizeof(float)); break;
    case 16: memcpy(dst, src, 16 * sizeof(float)); break;
    case 32: memcpy(dst, src, 32 * sizeof(float)); break;
    case 64: memcpy(dst, src, 64 * sizeof(float)); break;
    default: memcpy(dst, src, (size_t)D * sizeof(float));
    }
}

// Copies head columns [off, off + D) of T rows with stride ld into a (T, D) block, and back.
static void gather_head(float *restrict dst, const float *restrict src, int T, int D, int ld) {
    for (int t = 0; t < T; t++) copy_row(dst + (size_t)t * D, src + (size_t)t * ld, D);
}

static void scatter_head(float *restrict dst, const float *restrict src, int T, int D, int ld) {
    for (int t = 0; t < T; t++) copy_row(dst + (size_t)t * ld, src + (size_t)t * D, D);
}

// Reductions over a row in LANES independent partial results, combined in a fixed order:
// an in-order float sum is one serial chain that GCC will not vectorise (it would reorder
// the sum); this order is the same on every run and at any thread count.
enum { LANES = 16 };

static inline float row_max(const float *restrict x, int n) {
    float acc[LANES];
    for (int l = 0; l < LANES; l++) acc[l] = -INFINITY;
    int j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int l = 0; l < LANES; l++) acc[l] = x[j + l] > acc[l] ? x[j + l] : acc[l];
    for (int l = 0; j + l < n; l++) acc[l] = x[j + l] > acc[l] ? x[j + l] : acc[l];
    float m = acc[0];
    for (int l = 1; l < LANES; l++) m = acc[l] > m ? acc[l] : m;
    return m;
}

static inline float lanes_sum(const float acc[LANES]) {
    float s = 0.0f;
    for (int l = 0; l < LANES; l++) s += acc[l];
    return s;
}

// x = exp(x - max) in place; returns the sum of the results.
static inline float exp_shifted_sum(float *restrict x, int n, float max) {
    float acc[LANES] = {0};
    int j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int l = 0; l < LANES; l++) {
            x[j + l] = fast_expf(x[j + l] - max);
            acc[l] += x[j + l];
        }
    for (int l = 0; j + l < n; l++) {
        x[j + l] = fast_expf(x[j + l] - max);
        acc[l] += x[j + l];
    }
    return lanes_sum(acc);
}

static inline float dot_lanes(const float *restrict a, const float *restrict b, int n) {
    float acc[LANES] = {0};
    int j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int l = 0; l < LANES; l++) acc[l] += a[j + l] * b[j + l];
    for (int l = 0; j + l < n; l++) acc[l] += a[j + l] * b[j + l];
    return lanes_sum(acc);
}

// Row-wise softmax in place over each row's keys (keys_end); the other entries become
// exactly 0.
static void masked_softmax(const attn_scratch *ws, const int32_t *lengths, int b, float *s,
                           int T) {
    for (int i = 0; i < T; i++) {
        float *restrict row = s + (size_t)i * T;
        const int end = keys_end(ws, lengths, b, i, T);
        float max = row_max(row, end);
        float inv = 1.0f / exp_shifted_sum(row, end, max);
        for (int j = 0; j < end; j++) row[j] *= inv;
        for (int j = end; j < T; j++) row[j] = 0.0f;
    }
}

// dst (cols, n) row-major = scale * a^T for a (n, cols) row-major with stride lda. libxsmm's
// transpose (JIT kernels) instead of a scalar strided loop; the scaling is a contiguous pass.
static void transpose_scaled(float *restrict dst, const float *restrict a, int n, int cols,
                             int lda, float scale) {
    libxsmm_otrans(dst, a, sizeof(float), cols, n, lda, n);
    if (scale != 1.0f)
        for (size_t i = 0; i < (size_t)n * cols; i++) dst[i] *= scale;
}

// scale * q~ k~^T for the part attention reads: each block of query rows against the keys
// up to its last row (causal) or all keys. With a bias hook to follow, the rest of the
// block's rows is zeroed so that it adds to defined values; without one, nothing reads them
// (the softmax writes them).
// In smm's column-major terms the block's att^T (keys x rows) = (scale k~) (keys x W) . q~^T
// (W x rows): libxsmm has no kernel reading its first operand transposed, so scale k~^T is
// written out once per head (a power-of-two scale, as at D = 4^n, changes no bit).
static void block_scores(const attn_scratch *ws, float *att, const float *qt, const float *kt,
                         float *ktT, int T, int W, float scale, int zero_rest) {
    transpose_scaled(ktT, kt, T, W, W, scale);
    for (int i0 = 0; i0 < T; i0 += QUERY_BLOCK) {
        int rows = block_rows(T, i0), cols = block_cols(ws, T, i0);
        if (run_block_kernel(ws, i0, K_SCORES, ktT, qt + (size_t)i0 * W, att + (size_t)i0 * T) !=
            0)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, cols, W, scale,
                        qt + (size_t)i0 * W, W, kt, W, 0.0f, att + (size_t)i0 * T, T);
        for (int i = i0; i < cols && cols < T && zero_rest; i++)
            memset(att + (size_t)i * T + cols, 0, (size_t)(T - cols) * sizeof(float));
    }
}

void attention_forward(float *out, float *qt_cache, float *kt_cache, float *att_cache,
                       const float *qkv, const float *pos, const int32_t *lengths, const pe *enc,
                       const float *pe_params, int layer, int B, int T, int C, int NH,
                       attn_scratch *ws) {
    const int D = C / NH, W = ws->qk_width, C3 = 3 * C;
    const float scale = 1.0f / sqrtf((float)D);
    const pe_ops *ops = enc->ops;
    block_kernels_prepare(ws, T, C, 0);
#pragma omp parallel for schedule(static) num_threads(ws->n_threads)
    for (int bh = 0; bh < B * NH; bh++) {
        int b = bh / NH, h = bh % NH;
        head_scratch s = thread_scratch(ws, omp_get_thread_num(), T);
        const float *q = qkv + (size_t)b * T * C3 + h * D;
        const float *k = q + C, *v = q + 2 * C;
        const float *p = pos + (size_t)b * T;
        float *qt = qt_cache ? qt_cache + (size_t)bh * T * W : s.qt;
        float *kt = kt_cache ? kt_cache + (size_t)bh * T * W : s.kt;
        float *att = att_cache ? att_cache + (size_t)bh * T * T : s.att;

        if (ops->qk_forward) {
            gather_head(s.qh, q, T, D, C3);
            gather_head(s.kh, k, T, D, C3);
            ops->qk_forward(enc, pe_params, layer, h, p, T, s.qh, s.kh, qt, kt, s.pe_scratch);
        } else {
            gather_head(qt, q, T, D, C3);
            gather_head(kt, k, T, D, C3);
        }
        if (ops->score_forward)
            ops->score_forward(enc, pe_params, layer, h, p, T, W, qt, kt, att, s.pe_scratch);
        else
            block_scores(ws, att, qt, kt, s.ktT, T, W, scale, ops->bias_forward != NULL);
        if (ops->bias_forward) ops->bias_forward(enc, pe_params, layer, h, p, T, att, s.pe_scratch);
        masked_softmax(ws, lengths, b, att, T);
        float *o = out + (size_t)b * T * C + h * D;
        // o^T (D x rows) = v^T (D x keys) . att^T (keys x rows) in smm's column-major terms.
        for (int i0 = 0; i0 < T; i0 += QUERY_BLOCK) {
            int rows = block_rows(T, i0);
            if (run_block_kernel(ws, i0, K_VALUES, v, att + (size_t)i0 * T,
                                 o + (size_t)i0 * C) != 0)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, D,
                            block_cols(ws, T, i0), 1.0f,
                            att + (size_t)i0 * T, T, v, C3, 0.0f, o + (size_t)i0 * C, C);
        }
    }
}

void attention_backward(float *dqkv, float *dpe_params, const float *dout, const float *qkv,
                        const float *qt_cache, const float *kt_cache, const float *att_cache,
                        const float *pos, const int32_t *lengths, const pe *enc,
                        const float *pe_params, int layer, int B, int T, int C, int NH,
                        attn_scratch *ws) {
    const int D = C / NH, W = ws->qk_width, C3 = 3 * C;
    const float scale = 1.0f / sqrtf((float)D);
    const pe_ops *ops = enc->ops;
    const size_t n_pe = ws->n_pe_params;
    int n_threads = ws->n_threads;
    block_kernels_prepare(ws, T, C, 1);
#pragma omp parallel num_threads(n_threads)
    {
        head_scratch s = thread_scratch(ws, omp_get_thread_num(), T);
        memset(s.dpe, 0, n_pe * sizeof(float));
#pragma omp for schedule(static)
        for (int bh = 0; bh < B * NH; bh++) {
            int b = bh / NH, h = bh % NH;
            const float *q = qkv + (size_t)b * T * C3 + h * D;
            const float *k = q + C, *v = q + 2 * C;
            float *dq = dqkv + (size_t)b * T * C3 + h * D;
            float *dk = dq + C, *dv = dq + 2 * C;
            const float *dO = dout + (size_t)b * T * C + h * D;
            const float *p = pos + (size_t)b * T;
            const float *qt = qt_cache + (size_t)bh * T * W;
            const float *kt = kt_cache + (size_t)bh * T * W;
            const float *att = att_cache + (size_t)bh * T * T;

            // out = att . v  =>  datt = dO . v^T,  dv = sum over blocks of att^T . dO, block
            // by block of query rows over the keys they see (datt's entries right of them stay
            // unset: the softmax backward below reads a row's keys only and zeroes the rest).
            // The last block sees every key, so it writes dv and the earlier ones add to it. In
            // smm's terms datt^T (keys x rows) = v (keys x D) . dO^T (D x rows), with v
            // transposed into scratch as libxsmm reads no first operand transposed.
            transpose_scaled(s.vT, v, T, D, C3, 1.0f);
            const int last = (T - 1) / QUERY_BLOCK * QUERY_BLOCK;
            for (int i0 = last; i0 >= 0; i0 -= QUERY_BLOCK) {
                int rows = block_rows(T, i0), cols = block_cols(ws, T, i0);
                const float beta = i0 == last ? 0.0f : 1.0f;
                if (run_block_kernel(ws, i0, K_DATT, s.vT, dO + (size_t)i0 * C,
                                     s.datt + (size_t)i0 * T) != 0)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, cols, D, 1.0f,
                                dO + (size_t)i0 * C, C, v, C3, 0.0f, s.datt + (size_t)i0 * T, T);
                // dv^T (D x keys) (+)= dO^T (D x rows) . att (rows x keys), column-major.
                if (run_block_kernel(ws, i0, K_DV, dO + (size_t)i0 * C, att + (size_t)i0 * T, dv) !=
                    0)
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cols, D, rows, 1.0f,
                                att + (size_t)i0 * T, T, dO + (size_t)i0 * C, C, beta, dv, C3);
            }
            // The plain product's scale is folded into the logits' gradient here when no hook
            // needs that gradient unscaled (the hooks see d/dlogits; the plain product's
            // operands are q~ and k~, the logits scale q~ k~^T).
            const int plain = !ops->score_backward;
            const float gscale = plain && !ops->bias_backward ? scale : 1.0f;
            // Softmax backward: dscore_ij = att_ij (datt_ij - sum_k att_ik datt_ik).
            for (int i = 0; i < T; i++) {
                const float *restrict a = att + (size_t)i * T;
                float *restrict g = s.datt + (size_t)i * T;
                const int end = keys_end(ws, lengths, b, i, T);
                float dot = dot_lanes(a, g, end);
                for (int j = 0; j < end; j++) g[j] = a[j] * (g[j] - dot) * gscale;
                for (int j = end; j < T; j++) g[j] = 0.0f;
            }
            if (ops->bias_backward)
                ops->bias_backward(enc, pe_params, s.dpe, layer, h, p, T, s.datt, s.pe_scratch);
            // dqt / dkt: the gradient of the logits with respect to the transformed q and k.
            float *dqt = ops->qk_backward ? s.dqt : s.dqh;
            float *dkt = ops->qk_backward ? s.dkt : s.dkh;
            if (!plain) {
                memset(dqt, 0, (size_t)T * W * sizeof(float));
                memset(dkt, 0, (size_t)T * W * sizeof(float));
                ops->score_backward(enc, pe_params, s.dpe, layer, h, p, T, W, qt, kt, s.datt,
                                    dqt, dkt, s.pe_scratch);
            } else {
                if (ops->bias_backward)
                    for (int i = 0; i < T; i++)
                        for (int j = 0; j < keys_end(ws, lengths, b, i, T); j++)
                            s.datt[(size_t)i * T + j] *= scale;
                // g = scale d/dlogits: dqt = g . kt, dkt = g^T . qt over the blocks' keys.
                // The last block writes dkt and the others add to it, as for dv.
                for (int i0 = last; i0 >= 0; i0 -= QUERY_BLOCK) {
                    int rows = block_rows(T, i0), cols = block_cols(ws, T, i0);
                    const float *g = s.datt + (size_t)i0 * T;
                    const float beta = i0 == last ? 0.0f : 1.0f;
                    // dqt^T (W x rows) = kt^T (W x keys) . g^T (keys x rows), column-major.
                    if (run_block_kernel(ws, i0, K_DQT, kt, g, dqt + (size_t)i0 * W) != 0)
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, W, cols,
                                    1.0f, g, T, kt, W, 0.0f, dqt + (size_t)i0 * W, W);
                    // dkt^T (W x keys) (+)= qt^T (W x rows) . g (rows x keys), column-major.
                    if (run_block_kernel(ws, i0, K_DKT, qt + (size_t)i0 * W, g, dkt) != 0)
                        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cols, W, rows, 1.0f,
                                    g, T, qt + (size_t)i0 * W, W, beta, dkt, W);
                }
            }
            if (ops->qk_backward) {
                gather_head(s.qh, q, T, D, C3);
                gather_head(s.kh, k, T, D, C3);
                memset(s.dqh, 0, (size_t)T * D * sizeof(float));
                memset(s.dkh, 0, (size_t)T * D * sizeof(float));
                ops->qk_backward(enc, pe_params, s.dpe, layer, h, p, T, s.qh, s.kh, dqt, dkt,
                                 s.dqh, s.dkh, s.pe_scratch);
            }
            scatter_head(dq, s.dqh, T, D, C3);
            scatter_head(dk, s.dkh, T, D, C3);
        }
    }
    // Fixed reduction order over threads keeps the result bit-identical run to run.
    for (int t = 0; t < n_threads; t++) {
        const float *g = thread_scratch(ws, t, T).dpe;
        for (size_t i = 0; i < n_pe; i++) dpe_params[i] += g[i];
    }
}
