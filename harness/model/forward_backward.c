// The model's forward and backward passes and the activation buffers they use.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/errors.h"
#include "harness/base/rng.h"
#include "harness/model/attention.h"
#include "harness/model/layers.h"
#include "harness/model/model.h"

// Per-layer buffers exist L times when training (backward needs them all) and once when
// evaluating (each layer overwrites the previous one's): `layer_stride` is 0 then.
struct acts {
    int B, T, training;
    float dropout;         // training acts: the probability (0: none), acts_set_dropout
    uint64_t dropout_key;
    size_t layer_stride_nc, layer_stride_n, layer_stride_att, layer_stride_qt;
    float *mem;
    attn_scratch *ws;
    // (L+1 or 1, N, C) residual stream: res[l] is the input of layer l.
    float *res;
    // Per layer. When training, fc1 holds gelu'(fc1) once the forward is done.
    float *ln1, *ln1_mean, *ln1_rstd, *qkv, *qt, *kt, *att, *atty, *mid, *ln2, *ln2_mean,
        *ln2_rstd, *fc1, *gelu;
    float *tmp;  // (N, C) projection outputs before the residual add
    // The head, at scored rows only: gathered final residual, its norm, logits -> probs,
    // and each row's predicted token.
    int32_t *rows, *row_targets, *row_preds;
    int M;
    float *g, *gn, *gn_mean, *gn_rstd, *probs, *row_loss;
    // Backward scratch.
    float *dres, *dln, *dqkv, *datty, *dfc1, *dgelu, *dlogits, *dgn, *dg;
};

// One buffer of the activation allocation: where its pointer goes and how many floats it has.
typedef struct act_buffer {
    float **field;
    size_t floats;
} act_buffer;

enum { MAX_ACT_BUFFERS = 32 };  // acts_layout has 30 when training

// The activation layout for (B, T), in carving order: the one place it is written, so that
// what acts_bytes counts is exactly what acts_create carves. Fills table with pointers into
// *a (any acts, when only the sizes are wanted) and returns the number of buffers.
static int acts_layout(const model *m, size_t B, size_t T, int training, acts *a,
                       act_buffer *table) {
    const model_config *c = &m->cfg;
    const size_t N = B * T, C = c->d_model, V = c->vocab, L = c->n_layers;
    const size_t NH = c->n_heads, W = pe_qk_width(&m->pe);
    const size_t Lk = training ? L : 1;
    int n = 0;
#define BUFFER(field, count) (table[n++] = (act_buffer){&a->field, (count)})
    BUFFER(res, (training ? L + 1 : 1) * N * C);
    BUFFER(ln1, Lk * N * C);
    BUFFER(ln1_mean, Lk * N);
    BUFFER(ln1_rstd, Lk * N);
    BUFFER(qkv, Lk * N * 3 * C);
    BUFFER(atty, Lk * N * C);
    BUFFER(mid, Lk * N * C);
    BUFFER(ln2, Lk * N * C);
    BUFFER(ln2_mean, Lk * N);
    BUFFER(ln2_rstd, Lk * N);
    BUFFER(fc1, Lk * N * 4 * C);
    BUFFER(gelu, Lk * N * 4 * C);
    if (training) {
        BUFFER(qt, Lk * B * NH * T * W);
        BUFFER(kt, Lk * B * NH * T * W);
        BUFFER(att, Lk * B * NH * T * T);
    }
    BUFFER(tmp, N * C);
    BUFFER(g, N * C);
    BUFFER(gn, N * C);
    BUFFER(gn_mean, N);
    BUFFER(gn_rstd, N);
    BUFFER(row_loss, N);
    BUFFER(probs, N * V);
    if (training) {
        BUFFER(dres, N * C);
        BUFFER(dln, N * C);
        BUFFER(datty, N * C);
        BUFFER(dg, N * C);
        BUFFER(dqkv, N * 3 * C);
        BUFFER(dfc1, N * 4 * C);
        BUFFER(dgelu, N * 4 * C);
        BUFFER(dlogits, N * V);
    }
#undef BUFFER
    return n;
}

static size_t layout_floats(const act_buffer *table, int n) {
    size_t total = 0;
    for (int i = 0; i < n; i++) total += table[i].floats;
    return total;
}

// The scored rows' indices, targets and predictions: three int32 per position.
static size_t row_ints(size_t B, size_t T) { return 3 * B * T; }

size_t acts_bytes(const model *m, int B, int T, int training) {
    acts sizes_only;
    act_buffer table[MAX_ACT_BUFFERS];
    const int n = acts_layout(m, (size_t)B, (size_t)T, training, &sizes_only, table);
    return layout_floats(table, n) * sizeof(float) +
           row_ints((size_t)B, (size_t)T) * sizeof(int32_t);
}

acts *acts_create(const model *m, int B, int T, int training, int n_threads) {
    const size_t N = (size_t)B * T, C = m->cfg.d_model, NH = m->cfg.n_heads;
    const size_t W = pe_qk_width(&m->pe);
    acts *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->B = B, a->T = T, a->training = training;
    a->layer_stride_nc = training ? N * C : 0;
    a->layer_stride_n = training ? N : 0;
    a->layer_stride_att = training ? (size_t)B * NH * T * T : 0;
    a->layer_stride_qt = training ? (size_t)B * NH * T * W : 0;
    act_buffer table[MAX_ACT_BUFFERS];
    const int n = acts_layout(m, (size_t)B, (size_t)T, training, a, table);
    a->mem = malloc(layout_floats(table, n) * sizeof(float));
    a->rows = malloc(row_ints((size_t)B, (size_t)T) * sizeof(int32_t));
    a->ws = attn_scratch_create(&m->pe, T, n_threads, training);
    if (!a->mem || !a->rows || !a->ws) {
        acts_free(a);
        return NULL;
    }
    a->row_targets = a->rows + N;
    a->row_preds = a->rows + 2 * N;
    float *p = a->mem;
    for (int i = 0; i < n; i++) {
        *table[i].field = p;
        p += table[i].floats;
    }
    // The head's norm gradient is dead before the first layer's is born.
    if (training) a->dgn = a->dln;
    return a;
}

void acts_free(acts *a) {
    if (!a) return;
    free(a->mem);
    free(a->rows);
    attn_scratch_free(a->ws);
    free(a);
}

const float *acts_row_losses(const acts *a, const int32_t **rows, int *M) {
    *M = a->M;
    *rows = a->rows;
    return a->row_loss;
}

const int32_t *acts_row_predictions(const acts *a, const int32_t **rows, int *M) {
    *M = a->M;
    *rows = a->rows;
    return a->row_preds;
}

const float *acts_attention(const acts *a, int layer) {
    return a->training ? a->att + (size_t)layer * a->layer_stride_att : NULL;
}

const float *acts_qkv(const acts *a, int layer) {
    return a->training ? a->qkv + (size_t)layer * a->layer_stride_nc * 3 : NULL;
}

static void norm_forward(const model *m, float *out, float *mean, float *rstd, const float *inp,
                         size_t w_off, size_t b_off, int N) {
    const int C = m->cfg.d_model;
    if (m->cfg.norm == NORM_LAYER)
        layernorm_forward(out, mean, rstd, inp, m->params + w_off, m->params + b_off, N, C);
    else
        rmsnorm_forward(out, rstd, inp, m->params + w_off, N, C);
}

static void norm_backward(model *m, float *dinp, const float *dout, const float *inp,
                          const float *mean, const float *rstd, size_t w_off, size_t b_off,
                          int N) {
    const int C = m->cfg.d_model;
    if (m->cfg.norm == NORM_LAYER)
        layernorm_backward(dinp, m->grads + w_off, m->grads + b_off, dout, inp,
                           m->params + w_off, mean, rstd, N, C);
    else
        rmsnorm_backward(dinp, m->grads + w_off, dout, inp, m->params + w_off, rstd, N, C);
}

// The scored rows of the batch, in order, into a->rows and a->row_targets; returns how many.
static int collect_scored_rows(acts *a, const batch *bt, int N) {
    int M = 0;
    for (int i = 0; i < N; i++)
        if (bt->mask[i]) {
            a->rows[M] = i;
            a->row_targets[M] = bt->targets[i];
            M++;
        }
    return M;
}

// dst row r = src row rows[r], M rows of C floats. Where dst is src, rows[r] >= r makes the
// in-order copy safe: no row is overwritten before it is read.
static void gather_rows(float *dst, const float *src, const int32_t *rows, int M, int C) {
    for (int r = 0; r < M; r++)
        if (dst != src || rows[r] != r)
            memmove(dst + (size_t)r * C, src + (size_t)rows[r] * C, C * sizeof(float));
}

// The inverse for gradients: dst (N rows) zero but for row rows[r] = src row r.
static void scatter_rows(float *dst, const float *src, const int32_t *rows, int M, int N, int C) {
    memset(dst, 0, (size_t)N * C * sizeof(float));
    for (int r = 0; r < M; r++)
        memcpy(dst + (size_t)rows[r] * C, src + (size_t)r * C, C * sizeof(float));
}

// Whether the last layer runs past its attention on the scored rows only. Only the head reads
// the last layer's output, and only at scored rows; everything after attention (projection,
// residual, norm, MLP) is row by row, so the other rows' values are never used. Attention
// itself keeps every row: the scored rows attend to all earlier keys. Answer-only tasks (8 of
// ~65 rows scored) skip most of the last layer's linear work this way; language modelling
// (every row scored) runs as before.
static int last_layer_compact(int M, int N) { return M > 0 && M < N; }

void acts_set_dropout(acts *a, float p, uint64_t key) {
    a->dropout = p;
    a->dropout_key = key;
}

// Dropout sites: 0 the embeddings (with the encoding's input signal), 1 + 2l layer l's
// attention branch, 2 + 2l its MLP branch, each before its residual add (as the
// length-generalisation suite's models drop). Each site's mask is its own stream.
static int dropping(const acts *a) { return a->training && a->dropout > 0; }

static void drop(const acts *a, float *x, long rows, int C, const int32_t *row_of, int site) {
    dropout_apply(x, rows, C, row_of, rng_mix(a->dropout_key ^ rng_mix((uint64_t)site + 1)),
                  a->dropout);
}

double model_forward(model *m, acts *a, const batch *bt, long *n_correct, long *n_scored) {
    const int B = bt->B, T = bt->T, N = B * T, C = m->cfg.d_model, V = m->cfg.vocab;
    const int L = m->cfg.n_layers, NH = m->cfg.n_heads;
    const float *P = m->params;
    // Batches smaller than the allocation are fine; strides follow the allocated shape. A
    // larger one is the caller's bug: every caller sizes the activations from its batches.
    if (B > a->B || T > a->T)
        posbench_bug("model_forward: batch %d x %d, activations for %d x %d", B, T, a->B, a->T);
    const size_t snc = a->layer_stride_nc, sn = a->layer_stride_n;
    const size_t satt = a->layer_stride_att, sqt = a->layer_stride_qt;
    const size_t res_stride = a->training ? (size_t)N * C : 0;
    const int M = collect_scored_rows(a, bt, N), compact = last_layer_compact(M, N);

    embedding_forward(a->res, bt->tokens, P + m->off_wte, N, C);
    if (m->pe.ops->embed_forward)
        m->pe.ops->embed_forward(&m->pe, P + m->off_pe, bt->pos, B, T, a->res);
    if (dropping(a)) drop(a, a->res, N, C, NULL, 0);
    for (int l = 0; l < L; l++) {
        float *res = a->res + l * res_stride, *res_next = res + res_stride;
        float *ln1 = a->ln1 + l * snc, *mid = a->mid + l * snc, *ln2 = a->ln2 + l * snc;
        float *qkv = a->qkv + l * 3 * snc, *atty = a->atty + l * snc;
        float *fc1 = a->fc1 + l * 4 * snc, *gelu = a->gelu + l * 4 * snc;
        norm_forward(m, ln1, a->ln1_mean + l * sn, a->ln1_rstd + l * sn, res,
                     m->off_ln1w + (size_t)l * C, m->off_ln1b + (size_t)l * C, N);
        matmul_forward(qkv, ln1, P + m->off_qkv + (size_t)l * 3 * C * C, N, C, 3 * C);
        attention_forward(atty, a->training ? a->qt + l * sqt : NULL,
                          a->training ? a->kt + l * sqt : NULL,
                          a->training ? a->att + l * satt : NULL, qkv, bt->pos, bt->len,
                          &m->pe, P + m->off_pe, l, B, T, C, NH, a->ws);
        // Past attention, n rows: all of them, or the scored ones packed at the front of each
        // buffer (last_layer_compact).
        const int packed = compact && l == L - 1, n = packed ? M : N;
        if (packed) {
            gather_rows(atty, atty, a->rows, M, C);
            gather_rows(mid, res, a->rows, M, C);
        }
        const int32_t *row_of = packed ? a->rows : NULL;
        matmul_forward(a->tmp, atty, P + m->off_proj + (size_t)l * C * C, n, C, C);
        if (dropping(a)) drop(a, a->tmp, n, C, row_of, 1 + 2 * l);
        residual_forward(mid, packed ? mid : res, a->tmp, (long)n * C);
        norm_forward(m, ln2, a->ln2_mean + l * sn, a->ln2_rstd + l * sn, mid,
                     m->off_ln2w + (size_t)l * C, m->off_ln2b + (size_t)l * C, n);
        matmul_forward(fc1, ln2, P + m->off_fc1 + (size_t)l * 4 * C * C, n, C, 4 * C);
        // Training keeps gelu'(fc1) in fc1's place: backward needs the derivative, not fc1.
        if (a->training)
            gelu_forward_grad(gelu, fc1, fc1, (long)n * 4 * C);
        else
            gelu_forward(gelu, fc1, (long)n * 4 * C);
        matmul_forward(a->tmp, gelu, P + m->off_fc2 + (size_t)l * 4 * C * C, n, 4 * C, C);
        if (dropping(a)) drop(a, a->tmp, n, C, row_of, 2 + 2 * l);
        residual_forward(res_next, mid, a->tmp, (long)n * C);
    }
    // The head only runs where a target is scored: answer-only tasks pay for B rows, not B*T.
    const float *final = a->res + L * res_stride;
    if (compact)
        memcpy(a->g, final, (size_t)M * C * sizeof(float));
    else
        gather_rows(a->g, final, a->rows, M, C);
    a->M = M;
    if (n_scored) *n_scored = M;
    if (n_correct) *n_correct = 0;
    if (M == 0) return NAN;
    norm_forward(m, a->gn, a->gn_mean, a->gn_rstd, a->g, m->off_lnfw, m->off_lnfb, M);
    matmul_forward(a->probs, a->gn, P + m->off_head, M, C, V);
    double loss = crossentropy_forward(a->probs, a->row_loss, a->row_preds, a->row_targets, M, V,
                                       n_correct);
    return loss / M;
}

void model_backward(model *m, acts *a, const batch *bt) {
    const int B = bt->B, T = bt->T, N = B * T, C = m->cfg.d_model, V = m->cfg.vocab;
    const int L = m->cfg.n_layers, NH = m->cfg.n_heads, M = a->M;
    const float *P = m->params;
    float *G = m->grads;
    if (!a->training || M == 0) return;
    const size_t snc = a->layer_stride_nc, sn = a->layer_stride_n;
    const size_t satt = a->layer_stride_att, sqt = a->layer_stride_qt;
    const size_t res_stride = (size_t)N * C;
    const int compact = last_layer_compact(M, N);

    crossentropy_backward(a->dlogits, a->probs, a->row_targets, M, V, 1.0f / M);
    matmul_backward_write(a->dgn, G + m->off_head, a->dlogits, a->gn, P + m->off_head, M, C, V);
    memset(a->dg, 0, (size_t)M * C * sizeof(float));
    norm_backward(m, a->dg, a->dgn, a->g, a->gn_mean, a->gn_rstd, m->off_lnfw, m->off_lnfb, M);
    // A packed last layer takes its output's gradient packed, as the head left it.
    if (!compact) scatter_rows(a->dres, a->dg, a->rows, M, N, C);

    for (int l = L - 1; l >= 0; l--) {
        const float *res = a->res + l * res_stride;
        const float *ln1 = a->ln1 + l * snc, *mid = a->mid + l * snc, *ln2 = a->ln2 + l * snc;
        const float *qkv = a->qkv + l * 3 * snc, *atty = a->atty + l * snc;
        const float *fc1 = a->fc1 + l * 4 * snc, *gelu = a->gelu + l * 4 * snc;
        const int packed = compact && l == L - 1, n = packed ? M : N;
        float *dres = packed ? a->dg : a->dres;
        const int32_t *row_of = packed ? a->rows : NULL;
        // MLP branch: res_next = mid + fc2(gelu(fc1(norm2(mid)))); dres holds d(res_next).
        // With dropout the branch's gradient is dres through the same mask (in tmp).
        const float *dbranch = dres;
        if (dropping(a)) {
            memcpy(a->tmp, dres, (size_t)n * C * sizeof(float));
            drop(a, a->tmp, n, C, row_of, 2 + 2 * l);
            dbranch = a->tmp;
        }
        matmul_backward_write(a->dgelu, G + m->off_fc2 + (size_t)l * 4 * C * C, dbranch, gelu,
                        P + m->off_fc2 + (size_t)l * 4 * C * C, n, 4 * C, C);
        gelu_backward_cached(a->dfc1, fc1, a->dgelu, (long)n * 4 * C);  // fc1 holds gelu'
        matmul_backward_write(a->dln, G + m->off_fc1 + (size_t)l * 4 * C * C, a->dfc1, ln2,
                        P + m->off_fc1 + (size_t)l * 4 * C * C, n, C, 4 * C);
        norm_backward(m, dres, a->dln, mid, a->ln2_mean + l * sn, a->ln2_rstd + l * sn,
                      m->off_ln2w + (size_t)l * C, m->off_ln2b + (size_t)l * C, n);
        // Attention branch: mid = res + proj(attention(qkv(norm1(res)))); dres is d(mid).
        // Packed, the projection's input gradient lands in dln and both it and d(mid) are
        // spread back over all N rows, zero where nothing was scored.
        dbranch = dres;
        if (dropping(a)) {
            memcpy(a->tmp, dres, (size_t)n * C * sizeof(float));
            drop(a, a->tmp, n, C, row_of, 1 + 2 * l);
            dbranch = a->tmp;
        }
        matmul_backward_write(packed ? a->dln : a->datty, G + m->off_proj + (size_t)l * C * C,
                              dbranch, atty, P + m->off_proj + (size_t)l * C * C, n, C, C);
        if (packed) {
            scatter_rows(a->datty, a->dln, a->rows, M, N, C);
            scatter_rows(a->dres, a->dg, a->rows, M, N, C);
        }
        attention_backward(a->dqkv, G + m->off_pe, a->datty, qkv, a->qt + l * sqt,
                           a->kt + l * sqt, a->att + l * satt, bt->pos, bt->len, &m->pe,
                           P + m->off_pe, l, B, T, C, NH, a->ws);
        matmul_backward_write(a->dln, G + m->off_qkv + (size_t)l * 3 * C * C, a->dqkv, ln1,
                        P + m->off_qkv + (size_t)l * 3 * C * C, N, C, 3 * C);
        norm_backward(m, a->dres, a->dln, res, a->ln1_mean + l * sn, a->ln1_rstd + l * sn,
                      m->off_ln1w + (size_t)l * C, m->off_ln1b + (size_t)l * C, N);
    }
    if (dropping(a)) drop(a, a->dres, N, C, NULL, 0);
    if (m->pe.ops->embed_backward)
        m->pe.ops->embed_backward(&m->pe, P + m->off_pe, G + m->off_pe, bt->pos, B, T, a->dres);
    embedding_backward(G + m->off_wte, a->dres, bt->tokens, N, C);
}
