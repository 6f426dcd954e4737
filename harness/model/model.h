// The decoder-only causal pre-norm transformer:
//   x = wte[tokens] (+ the encoding's input signal)
//   L x { x += proj(attention(qkv(norm1(x))));  x += fc2(gelu(fc1(norm2(x)))) }
//   logits = head(normf(x)) at the target positions only; softmax cross-entropy.
// Linear layers carry no bias (as in the PoPE paper's nanoGPT-style models); the MLP is 4x.
//
// Memory: parameters, gradients and the two AdamW moments are four equal parts of one
// allocation, each laid out as the named tensors of model_tensors(); activations are one
// allocation carved by acts_create.
#ifndef POSBENCH_MODEL_H
#define POSBENCH_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "encodings/encoding.h"

typedef enum { NORM_RMS = 0, NORM_LAYER = 1 } norm_kind;

typedef struct model_config {
    int vocab;
    int d_model;
    int n_layers;
    int n_heads;
    norm_kind norm;
    int bidirectional;  // attention without the causal mask (each row's keys: its batch length)
} model_config;

typedef enum { INIT_NORMAL, INIT_RESIDUAL, INIT_ONES, INIT_ZEROS, INIT_ENCODING } init_kind;

// One named parameter tensor: an offset into the parameter buffer and up to 3 dimensions.
typedef struct tensor_info {
    char name[24];
    size_t offset, size;
    int ndim, dims[3];
    init_kind init;
    int decay;  // AdamW weight decay applies (matrices yes; norms and PE parameters no)
} tensor_info;

#define MODEL_MAX_TENSORS 16

typedef struct model {
    model_config cfg;
    pe pe;
    int n_tensors;
    tensor_info tensors[MODEL_MAX_TENSORS];
    size_t n_params;
    float *params, *grads, *adam_m, *adam_v;
    // Views into params (and, at the same offsets, into grads).
    size_t off_wte, off_ln1w, off_ln1b, off_qkv, off_proj, off_ln2w, off_ln2b, off_fc1, off_fc2,
        off_lnfw, off_lnfb, off_head, off_pe;
} model;

// Validates cfg, configures the encoding `pe_name` with `pe_options` ("k=v,..." or NULL) for
// this shape and allocates; returns NULL with a one-line message in err. Free with model_free.
model *model_create(const model_config *cfg, const char *pe_name, const char *pe_options,
                    char *err, size_t errlen);
// What model_create checks before it allocates: cfg, and the encoding configured for its
// shape (into *encoding). 0, or -1 with the message model_create would give.
int model_check(const model_config *cfg, const char *pe_name, const char *pe_options,
                pe *encoding, char *err, size_t errlen);
void model_free(model *m);
// Physical memory of this machine in bytes (0 when unknown). Linux overcommits, so an
// allocation larger than this can succeed and the process be killed later, mid-run: sizes are
// checked against it first (model_create, train, evaluate).
size_t machine_memory_bytes(void);
// 0 when `need` bytes fit in the machine, else -1 with "what need X GiB, more than this
// machine's Y GiB" in err.
int memory_fits(size_t need, const char *what, char *err, size_t errlen);
// GPT-2 style init: N(0, std), residual projections N(0, std/sqrt(2L)), norms 1, PE init.
// GPT-2's std is MODEL_INIT_STD.
#define MODEL_INIT_STD 0.02f
void model_init(model *m, uint64_t seed, float std);

// A batch: B sequences of T tokens, with the positions each token sits at and which
// positions are scored. targets[i] is the token predicted at position i (ignored unless
// mask[i]). len[b] is row b's length (its tokens before the padding, 1..T): a bidirectional
// model's queries see those keys only; causal attention needs no length.
typedef struct batch {
    int B, T;
    int32_t *tokens, *targets;
    uint8_t *mask;
    float *pos;
    int32_t *len;
} batch;

// Every row of length T, at positions 0..T-1.
batch *batch_create(int B, int T);
void batch_free(batch *b);
// pos[b][t] = t for every row.
void batch_default_positions(batch *b);
// Row `row` becomes padding: token 0, never scored, positions 0..T-1, length T. Rows are
// independent, so a padding row changes nothing for the others.
void batch_pad_row(batch *b, int row);

// Activation buffers for batches up to (B, T). With training = 0 nothing is kept for
// backward: memory grows with one layer's activations and O(T^2) attention scratch only.
typedef struct acts acts;
// Bytes acts_create(m, B, T, training, ...) allocates (its per-thread scratch aside), so that
// callers can refuse sizes the machine cannot hold before allocating.
size_t acts_bytes(const model *m, int B, int T, int training);
acts *acts_create(const model *m, int B, int T, int training, int n_threads);
void acts_free(acts *a);
// Dropout for the forwards and backwards of training acts from now on: probability p (0:
// none) at the embeddings and at each block's two branches before their residual adds,
// masks drawn from key (the same key, the same masks: a backward must follow its forward
// under the key that forward used). Evaluation acts never drop.
void acts_set_dropout(acts *a, float p, uint64_t key);

// Forward pass; returns the mean cross-entropy over the masked positions (NaN if none) and
// counts correct argmax predictions in *n_correct (may be NULL) and scored positions in
// *n_scored (may be NULL). The batch may not exceed the (B, T) the activations were made for.
double model_forward(model *m, acts *a, const batch *b, long *n_correct, long *n_scored);
// Backward of the last forward (training acts only): accumulates into m->grads.
void model_backward(model *m, acts *a, const batch *b);
void model_zero_grad(model *m);

// Loss (nats) of each of the M scored positions of the last forward, and their flat indices
// b * T + t in the batch.
const float *acts_row_losses(const acts *a, const int32_t **rows, int *M);
// The token predicted (argmax, as model_forward counts it correct) at each of those rows.
const int32_t *acts_row_predictions(const acts *a, const int32_t **rows, int *M);

// What the last forward kept of layer `layer`, for looking inside a model (harness/analysis/inspect.h):
// its attention probabilities (B, NH, T, T) and its qkv rows (B, T, 3C). Training acts only
// (NULL otherwise); B and T are those acts_create was given.
const float *acts_attention(const acts *a, int layer);
const float *acts_qkv(const acts *a, int layer);

#endif
