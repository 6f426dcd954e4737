// Learned absolute position embeddings (as in GPT-2; the absolute baseline of the PoPE
// paper): one trained vector of width d_model per position, added to the token embeddings
// (input hook). Parameters are (max_len, C), initialised N(0, 0.02) (the token embeddings'
// default std; model.init_std does not change it).
//
// Positions at or beyond max_len have no vector of their own. Policy (option `beyond`):
//   clamp (default): they use the last vector, max_len - 1, so evaluation at any length runs
//                    (and measures what a learned table does past its end);
//   error:           the harness refuses sequences longer than max_len before running
//                    (max_positions, encoding.h); the hooks still clamp, so nothing reads out
//                    of bounds if a caller skips that check.
// Fractional positions are floored and negative ones use vector 0.
#include "encoding.h"

#include "harness/base/rng.h"

enum { BEYOND_CLAMP, BEYOND_ERROR };

static int max_len(const pe *e) { return (int)pe_opt(e, "max_len"); }

static size_t learned_n_params(const pe *e) { return (size_t)max_len(e) * e->shape.d_model; }

static void learned_init(const pe *e, float *params, rng *r) {
    const size_t n = learned_n_params(e);
    for (size_t i = 0; i < n; i++) params[i] = 0.02f * rng_normal(r);
}

static int learned_max_positions(const pe *e) {
    return (int)pe_opt(e, "beyond") == BEYOND_ERROR ? max_len(e) : 0;
}

static inline size_t row_of(float p, int n_rows) {
    if (!(p >= 1.0f)) return 0;  // also NaN
    return p >= (float)n_rows ? (size_t)n_rows - 1 : (size_t)p;
}

// x is (B, T, C); pos is (B, T).
static void learned_embed_forward(const pe *e, const float *params, const float *pos, int B,
                                  int T, float *x) {
    const int C = e->shape.d_model, L = max_len(e);
    for (size_t n = 0; n < (size_t)B * T; n++) {
        const float *restrict v = params + row_of(pos[n], L) * C;
        float *restrict row = x + n * C;
        for (int c = 0; c < C; c++) row[c] += v[c];
    }
}

// Accumulates dx (B, T, C) into the rows used; sequences in a batch share rows.
static void learned_embed_backward(const pe *e, const float *params, float *dparams,
                                   const float *pos, int B, int T, const float *dx) {
    const int C = e->shape.d_model, L = max_len(e);
    for (size_t n = 0; n < (size_t)B * T; n++) {
        float *restrict g = dparams + row_of(pos[n], L) * C;
        const float *restrict d = dx + n * C;
        for (int c = 0; c < C; c++) g[c] += d[c];
    }
}

const pe_ops pe_learned = {
    .name = "learned",
    .summary = "learned absolute position vectors added to the input; positions >= max_len "
               "clamp to the last vector or are refused (beyond=error)",
    .n_options = 2,
    .options =
        {
            {"max_len", 1024, 1, 1 << 16, NULL, "positions with their own vector (table rows)"},
            {"beyond", BEYOND_CLAMP, 0, 1, "clamp|error",
             "positions >= max_len: use the last vector, or refuse the sequence"},
        },
    .n_params = learned_n_params,
    .init = learned_init,
    .max_positions = learned_max_positions,
    .embed_forward = learned_embed_forward,
    .embed_backward = learned_embed_backward,
};
