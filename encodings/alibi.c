// ALiBi (Press, Smith, Lewis, "Train Short, Test Long", arXiv 2108.12409): a fixed bias
//   s(m, n) += -slope_h * |m - n|
// on every logit (bias hook; no parameters, no other position signal). For n heads a power
// of two, slope_h = 2^(-8 (h+1) / n), a geometric sequence from 2^(-8/n) (paper Sec. 3).
// For other head counts the authors' code takes the n0 = 2^floor(log2 n) slopes of n0 heads,
// then the first n - n0 of every other slope of 2 n0 heads (the odd powers 2^(-4 (2j+1)/n0)),
// so the added heads interleave with the existing ones instead of repeating them.
#include "encoding.h"

#include <math.h>

// Slope of head h of n: exact powers of two evaluated in double.
static double alibi_slope(int h, int n) {
    int n0 = 1;
    while (2 * n0 <= n) n0 *= 2;
    if (h < n0) return exp2(-8.0 * (h + 1) / n0);
    return exp2(-8.0 * (2 * (h - n0) + 1) / (2 * n0));
}

// scores (T, T): row i += -slope |pos[i] - pos[j]| for every key the row sees; the distance is
// symmetric, so a bidirectional model's keys after the query get the same penalty as before.
static void alibi_bias_forward(const pe *e, const float *params, int layer, int head,
                               const float *pos, int T, float *scores, float *scratch) {
    const float slope = (float)alibi_slope(head, e->shape.n_heads);
    for (int i = 0; i < T; i++) {
        float *restrict row = scores + (size_t)i * T;
        const float pi = pos[i];
        const int end = pe_keys_end(e, i, T);
        for (int j = 0; j < end; j++) row[j] -= slope * fabsf(pi - pos[j]);
    }
}

// The bias depends on no input and no parameter: nothing to accumulate.
static void alibi_bias_backward(const pe *e, const float *params, float *dparams, int layer,
                                int head, const float *pos, int T, const float *dscores,
                                float *scratch) {}

const pe_ops pe_alibi = {
    .name = "alibi",
    .summary = "linear distance bias -slope_h*|m-n|, geometric head slopes 2^(-8h/n) (ALiBi)",
    .invariances = PE_SHIFT_INVARIANT,
    .bias_forward = alibi_bias_forward,
    .bias_backward = alibi_bias_backward,
};
