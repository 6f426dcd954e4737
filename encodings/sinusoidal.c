// Sinusoidal absolute encoding (Vaswani et al., "Attention Is All You Need", arXiv 1706.03762,
// Sec. 3.5), added to the token embeddings (input hook):
//   PE(pos, 2i) = sin(pos / base^(2i/C)),  PE(pos, 2i+1) = cos(pos / base^(2i/C)),
// C = d_model, base 10000. An odd C leaves its last channel with the sine only. `scale`
// multiplies the signal: the paper adds it at amplitude 1 to embeddings scaled by sqrt(C),
// while posbench's embeddings start near 0.02, so a smaller scale keeps the token identity
// from drowning at initialisation (1 is the paper's value and the default).
// No parameters: the backward has nothing to accumulate.
#include "encoding.h"

#include <math.h>

#include "angles.h"

static int sin_qk_width(const pe *e, int head_dim) {
    return (e->shape.d_model + 1) / 2 <= ANGLES_MAX_FREQ ? head_dim : -1;
}

// x is (B, T, C); pos is (B, T). One position at a time keeps the tables on the stack.
static void sin_embed_forward(const pe *e, const float *params, const float *pos, int B, int T,
                              float *x) {
    const int C = e->shape.d_model, F = (C + 1) / 2;
    const float scale = (float)pe_opt(e, "scale");
    const double base = pe_opt(e, "base");
    double theta[ANGLES_MAX_FREQ];
    for (int i = 0; i < F; i++) theta[i] = pow(base, -i * (2.0 / C));
    float c[ANGLES_MAX_FREQ], s[ANGLES_MAX_FREQ];
    for (size_t n = 0; n < (size_t)B * T; n++) {
        angle_table_freqs(&pos[n], 1, theta, F, c, s);
        float *restrict row = x + n * C;
        for (int i = 0; i < C / 2; i++) {
            row[2 * i] += scale * s[i];
            row[2 * i + 1] += scale * c[i];
        }
        if (C % 2) row[C - 1] += scale * s[F - 1];
    }
}

static void sin_embed_backward(const pe *e, const float *params, float *dparams,
                               const float *pos, int B, int T, const float *dx) {}

const pe_ops pe_sinusoidal = {
    .name = "sinusoidal",
    .summary = "fixed absolute sin/cos of pos/base^(2i/d_model) added to the input embeddings",
    .n_options = 2,
    .options =
        {
            {"base", 10000, 1, 1e9, NULL, "frequency base: pos / base^(2i/d_model)"},
            {"scale", 1, 0, 1e3, NULL, "amplitude of the added signal (the paper: 1)"},
        },
    .qk_width = sin_qk_width,
    .embed_forward = sin_embed_forward,
    .embed_backward = sin_embed_backward,
};
