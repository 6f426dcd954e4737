// The positional-encoding plugin interface.
//
// A PE may act at four points of a transformer (docs/design.md); each point is an optional hook,
// NULL when unused, with its backward:
//   1. input:     add a position signal to the token embeddings      (embed_forward/backward)
//   2. q/k:       map one head's q and k to new vectors, possibly wider (qk_forward/backward)
//   3. bias:      add a position-only bias to the attention logits     (bias_forward/backward)
//   4. score:     replace the scaled dot product q'.k'/sqrt(D) itself  (score_forward/backward)
// Hooks 2 and 4 compose (q/k transform first); 3 adds to whatever logits 4 or the default
// dot product produced.
//
// Shapes, for one head of one sequence: T positions, D = head_dim, W = qk_width(D).
// Every array is row-major and contiguous: q and k are (T, D), the transformed q', k' are
// (T, W), scores are (T, T) with row i the query at pos[i]. Causal attention only reads
// scores[i][j] for j <= i, so hooks may skip j > i; a bidirectional model
// (shape.bidirectional) reads every (i, j), keys after their query included (m < n):
// pe_keys_end says how far a row's loop must run. Positions are explicit floats so that
// evaluation can shift, stretch or extend them without changing a plugin.
//
// Scratch: hooks 2-4 receive `scratch`, scratch_floats(T) floats private to the calling
// thread (NULL scratch_floats: none), for tables of angles or intermediate (T, T) matrices;
// its contents do not survive between calls.
//
// Parameters: a plugin owns n_params() floats of the model's parameter buffer. Every hook
// receives that whole slice and indexes it by (layer, head) itself. Backward hooks
// *accumulate* (+=) into the gradient slice and into dq / dk; the caller gives each thread
// its own gradient slice, so hooks need no locking.
#ifndef POSBENCH_ENCODING_H
#define POSBENCH_ENCODING_H

#include <stddef.h>

#include "harness/base/options.h"

#define PE_MAX_OPTIONS 8

// What a plugin needs to know of the model it sits in.
typedef struct pe_shape {
    int n_layers;
    int n_heads;
    int head_dim;
    int d_model;
    int bidirectional;  // 0: causal attention; 1: every query sees every key
} pe_shape;

// Options are the shared numeric/enumerated kind (harness/base/options.h).
typedef option_spec pe_option_spec;

typedef struct pe_ops pe_ops;

// One configured encoding: its operations, the model shape and the option values.
typedef struct pe {
    const pe_ops *ops;
    pe_shape shape;
    double opt[PE_MAX_OPTIONS];
} pe;

// Deterministic random source handed to init (harness/base/rng.h).
typedef struct rng rng;

// Invariances a plugin declares; the generic checks (encodings/pe_check.h) test them.
enum {
    PE_SHIFT_INVARIANT = 1,  // logits depend on positions only through m - n
    PE_POSITION_FREE = 2,    // logits do not depend on positions at all
    // In a bidirectional model, keys after the query have a form of their own (T5's encoder
    // buckets); without it, such a key's logit must be the causal form of the pair.
    PE_DIRECTIONAL = 4,
};

// Layout version of pe_ops and of what it is handed, bumped whenever they change: a plugin
// built against another layout is refused at load time (pe_load_plugin) instead of being
// called through wrong offsets. Built-ins are compiled with the header and need not set it.
// Version 2: pe_shape.bidirectional (hooks must then fill keys after their query).
#define PE_ABI_VERSION 2

struct pe_ops {
    int abi_version;  // plugins: PE_ABI_VERSION; first, so that any layout can read it
    const char *name;
    const char *summary;
    int n_options;
    pe_option_spec options[PE_MAX_OPTIONS];
    // Options from this index on are left out of the canonical form while they hold their
    // default (pe_format_options): options added to an existing encoding then keep the run
    // ids, configs and checkpoints of earlier runs. 0: every option is always written.
    int first_quiet_option;
    // PE_* invariance flags.
    unsigned invariances;

    // Positions supported: a sequence may use positions 0 .. max_positions() - 1 only, and
    // the harness refuses longer sequences before running (pe_check_length). NULL or a
    // result < 1 means no limit; the hooks must still not read out of bounds past it.
    int (*max_positions)(const pe *enc);

    // Learnable parameters (floats) for this shape and these options; NULL means none.
    size_t (*n_params)(const pe *enc);
    void (*init)(const pe *enc, float *params, rng *r);
    // Called after every optimizer step, e.g. to clip a parameter into its range.
    void (*project)(const pe *enc, float *params);
    // Floats of per-thread scratch the attention-level hooks need for T positions.
    size_t (*scratch_floats)(const pe *enc, int T);

    // 1. input hook. x is (B, T, C); add the signal for positions pos (B, T).
    void (*embed_forward)(const pe *enc, const float *params, const float *pos, int B, int T,
                          float *x);
    void (*embed_backward)(const pe *enc, const float *params, float *dparams, const float *pos,
                           int B, int T, const float *dx);

    // 2. q/k transform. Width of the transformed vectors; NULL means W = D.
    int (*qk_width)(const pe *enc, int head_dim);
    void (*qk_forward)(const pe *enc, const float *params, int layer, int head, const float *pos,
                       int T, const float *q, const float *k, float *q_out, float *k_out,
                       float *scratch);
    void (*qk_backward)(const pe *enc, const float *params, float *dparams, int layer, int head,
                        const float *pos, int T, const float *q, const float *k,
                        const float *dq_out, const float *dk_out, float *dq, float *dk,
                        float *scratch);

    // 3. score bias: scores[i][j] += bias(pos[i], pos[j]) for j < pe_keys_end(enc, i, T).
    void (*bias_forward)(const pe *enc, const float *params, int layer, int head,
                         const float *pos, int T, float *scores, float *scratch);
    void (*bias_backward)(const pe *enc, const float *params, float *dparams, int layer,
                          int head, const float *pos, int T, const float *dscores,
                          float *scratch);

    // 4. score function: scores[i][j] = logit(q'_i, k'_j, pos[i], pos[j]) for j < keys end,
    // replacing q'.k'/sqrt(D). q and k here are the (T, W) outputs of hook 2 (or the raw
    // heads when there is no hook 2).
    void (*score_forward)(const pe *enc, const float *params, int layer, int head,
                          const float *pos, int T, int W, const float *q, const float *k,
                          float *scores, float *scratch);
    void (*score_backward)(const pe *enc, const float *params, float *dparams, int layer,
                           int head, const float *pos, int T, int W, const float *q,
                           const float *k, const float *dscores, float *dq, float *dk,
                           float *scratch);

    // Frequency usage (the PoPE paper's analysis; posbench freq). How many frequency bands a
    // head has (NULL: the encoding has none), and the magnitude each band gets from one raw
    // query or key row x (head_dim floats, before the q/k transform) into mag, band 0 being
    // the highest frequency.
    int (*n_frequencies)(const pe *enc);
    void (*frequency_magnitudes)(const pe *enc, const float *x, float *mag);
};

// The end of query row i's keys in a (T, T) score matrix: i + 1 under causal attention
// (entries right of the diagonal are never read), T in a bidirectional model.
static inline int pe_keys_end(const pe *enc, int i, int T) {
    return enc->shape.bidirectional ? T : i + 1;
}

// Registry (encodings/registry.c): every built-in encoding, NULL-terminated.
extern const pe_ops *const pe_registry[];
// A built-in encoding, else one loaded by pe_load_plugin (encodings/plugin.c), or NULL.
const pe_ops *pe_find(const char *name);

// Loads a shared object exporting `const pe_ops posbench_encoding` and makes it findable by
// its name (pe_find, pe_configure). Loading the same file twice returns the first load.
// Returns the ops, or NULL with a one-line message in err. The object stays loaded until
// the process exits, since configured encodings keep pointers into it.
const pe_ops *pe_load_plugin(const char *path, char *err, size_t errlen);
// At most this many plugins per process.
#define PE_MAX_PLUGINS 16
// Adds an encoding to the registry after pe_validate_ops and a check that its name is free:
// 0, or -1 with a message. pe_load_plugin registers what it loads.
int pe_register(const pe_ops *ops, char *err, size_t errlen);
// The n-th registered plugin (0-based), or NULL past the last.
const pe_ops *pe_plugin_at(int n);
// Structural checks of an ops table (name, summary, options, hooks in pairs, init with
// parameters): 0, or -1 with a message. pe_register runs it on every plugin.
int pe_validate_ops(const pe_ops *ops, char *err, size_t errlen);

// Configure `out` for `name` with options "key=value,key=value" (NULL or "" for defaults).
// Returns 0, or -1 with a one-line message in err.
int pe_configure(pe *out, const char *name, const char *options, const pe_shape *shape,
                 char *err, size_t errlen);
// Transformed q/k width, number of parameters and scratch floats, NULL defaults applied.
int pe_qk_width(const pe *enc);
size_t pe_n_params(const pe *enc);
size_t pe_scratch_floats(const pe *enc, int T);
// Writes "key=value,..." with every option but quiet ones at their default (canonical form,
// for checkpoints and run ids).
void pe_format_options(const pe *enc, char *buf, size_t len);
// 0 when sequences of T positions (0 .. T-1) are within the encoding's max_positions, else
// -1 with a message naming the encoding and its limit.
int pe_check_length(const pe *enc, int T, char *err, size_t errlen);
// Option value by name (the plugin's own accessor). A name the encoding does not declare is a
// bug in its code, not an input error: posbench_bug (harness/base/errors.h) stops the process.
double pe_opt(const pe *enc, const char *name);

#endif
