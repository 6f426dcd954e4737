// Multi-head self-attention core, fused per (sequence, head), with the positional encoding's
// hooks (encodings/encoding.h) called at their points. The linear projections around it live
// in the model; this file only maps qkv to the heads' weighted values. Causal, or, when the
// encoding's shape says bidirectional, every query over the keys of its row's length.
#ifndef POSBENCH_ATTENTION_H
#define POSBENCH_ATTENTION_H

#include <stddef.h>
#include <stdint.h>

#include "encodings/encoding.h"
#include "harness/base/smm.h"

// Per-thread scratch, sized for sequences up to max_T, for training (forward with caches and
// backward) or for evaluation (forward without caches) only.
typedef struct attn_scratch {
    int max_T, head_dim, qk_width, n_threads, training, bidirectional;
    size_t n_pe_params, n_plugin_scratch, per_thread;  // floats per thread
    float *mem;
    smm_kernel *kernels;  // per query block, the products' kernels for the current call
} attn_scratch;

attn_scratch *attn_scratch_create(const pe *enc, int max_T, int n_threads, int training);
void attn_scratch_free(attn_scratch *ws);

// qkv is (B, T, 3C): [q | k | v] per row, head h at columns h*D .. h*D+D-1 of each part.
// out is (B, T, C). pos is (B, T). lengths (B): in a bidirectional model, row b's queries see
// its keys 0 .. lengths[b] - 1 (the rest is padding; NULL: all T); causal attention ignores
// it (padding after a sequence is never a key of the sequence). The cache for backward, when
// not NULL: qt and kt (B, NH, T, W) transformed queries and keys, att (B, NH, T, T) attention
// probabilities.
// With NULL caches (evaluation) they live in the scratch and memory is O(T^2) per thread.
void attention_forward(float *out, float *qt, float *kt, float *att, const float *qkv,
                       const float *pos, const int32_t *lengths, const pe *enc,
                       const float *pe_params, int layer, int B, int T, int C, int NH,
                       attn_scratch *ws);

// Writes dqkv (B, T, 3C), every element (nothing else feeds qkv, so no caller needs it
// accumulated or zeroed), and accumulates into dpe_params (the plugin's gradient slice).
void attention_backward(float *dqkv, float *dpe_params, const float *dout, const float *qkv,
                        const float *qt, const float *kt, const float *att, const float *pos,
                        const int32_t *lengths, const pe *enc, const float *pe_params,
                        int layer, int B, int T, int C, int NH, attn_scratch *ws);

#endif
