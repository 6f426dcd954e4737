// The transformer's elementwise and matrix layers, each a forward/backward pair over flat
// float arrays (outputs first, shapes last). Backward functions *accumulate* (+=) into every
// gradient they write, so residual branches and shared weights need no special case; the
// *_write variants write their input gradient instead, for buffers only they fill.
// N is the number of rows (batch x time), C the width of a row.
#ifndef POSBENCH_LAYERS_H
#define POSBENCH_LAYERS_H

#include <stdint.h>

// out (N, C) = wte[tokens[i]]; wte is (V, C).
void embedding_forward(float *out, const int32_t *tokens, const float *wte, int N, int C);
void embedding_backward(float *dwte, const float *dout, const int32_t *tokens, int N, int C);

// RMSNorm: out = inp / rms(inp) * w; caches rstd (N).
void rmsnorm_forward(float *out, float *rstd, const float *inp, const float *w, int N, int C);
void rmsnorm_backward(float *dinp, float *dw, const float *dout, const float *inp,
                      const float *w, const float *rstd, int N, int C);

// LayerNorm: out = (inp - mean) * rstd * w + b; caches mean and rstd (N).
void layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *w,
                       const float *b, int N, int C);
void layernorm_backward(float *dinp, float *dw, float *db, const float *dout, const float *inp,
                        const float *w, const float *mean, const float *rstd, int N, int C);

// Linear map without bias: out (N, OC) = inp (N, C) . w^T, w is (OC, C). libxsmm kernels
// (cblas_sgemm for shapes libxsmm has none for).
void matmul_forward(float *out, const float *inp, const float *w, int N, int C, int OC);
// dinp (N, C) += dout . w;  dw (OC, C) += dout^T . inp. dinp may be NULL.
void matmul_backward(float *dinp, float *dw, const float *dout, const float *inp,
                     const float *w, int N, int C, int OC);
// The same with dinp written (=), not accumulated: for a dinp no other branch adds to, it
// saves zeroing it first. dw still accumulates.
void matmul_backward_write(float *dinp, float *dw, const float *dout, const float *inp,
                           const float *w, int N, int C, int OC);

// GELU, tanh approximation (as GPT-2 and the PoPE paper's nanoGPT base), n elements.
void gelu_forward(float *out, const float *inp, long n);
// gelu_forward that also writes gelu'(inp) to grad (which may be inp itself), for
// gelu_backward_cached: dinp = grad dout, written (gelu_backward's values, without
// recomputing the tanh).
void gelu_forward_grad(float *out, float *grad, const float *inp, long n);
void gelu_backward_cached(float *dinp, const float *grad, const float *dout, long n);
void gelu_backward(float *dinp, const float *inp, const float *dout, long n);

// out = a + b, n elements (out may alias a).
void residual_forward(float *out, const float *a, const float *b, long n);

// Inverted dropout of x (rows of C) in place: each element zeroed with probability p, the
// others scaled by 1/(1 - p). The mask is a function of (key, the element's row in the
// batch, its column) only: row r of x is batch row row_of[r] (NULL: r), so a packed copy
// and the backward's gradient get the same mask without storing it.
void dropout_apply(float *x, long rows, int C, const int32_t *row_of, uint64_t key, float p);

// Softmax cross-entropy over rows of logits (M, V) against targets (M). Turns logits into
// probabilities in place, writes each row's loss (natural log) to row_loss (M) and its argmax
// to row_pred (M; may be NULL), returns the losses' sum in double, and counts in *n_correct
// (may be NULL) the rows whose argmax is the target (ties go to the lowest index).
double crossentropy_forward(float *logits, float *row_loss, int32_t *row_pred,
                            const int32_t *targets, int M, int V, long *n_correct);
// dlogits = (probs - onehot(target)) * scale, written (not accumulated): the loss is the
// start of backward.
void crossentropy_backward(float *dlogits, const float *probs, const int32_t *targets, int M,
                           int V, float scale);

#endif
