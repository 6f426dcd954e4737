// Every layer's backward against central finite differences of its forward.
// Loss = sum(out * R) for a fixed random R, so dout = R. Tolerance: 1e-2 worst relative error
// with h = 1e-2 on O(1) inputs in float (fp32 forward noise ~1e-7 / h ~ 1e-5 absolute;
// the floor 1e-3 keeps near-zero components from dominating).
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gradcheck.h"
#include "harness/model/layers.h"
#include "suites.h"

#define N 6
#define C 8
#define OC 5
#define V 7
#define TOL 1e-2

typedef struct layer_ctx {
    int kind;
    float inp[N * C], w[OC * C > C ? OC * C : C], b[C], R[N * (OC > C ? OC : C) * 4];
    float out[N * C * 4], mean[N], rstd[N];
    int32_t tokens[N];
} layer_ctx;

enum { K_RMS, K_LN, K_MATMUL, K_GELU, K_EMBED };

static int out_size(int kind) {
    return kind == K_MATMUL ? N * OC : N * C;
}

static void forward(layer_ctx *c) {
    switch (c->kind) {
    case K_RMS: rmsnorm_forward(c->out, c->rstd, c->inp, c->w, N, C); break;
    case K_LN: layernorm_forward(c->out, c->mean, c->rstd, c->inp, c->w, c->b, N, C); break;
    case K_MATMUL: matmul_forward(c->out, c->inp, c->w, N, C, OC); break;
    case K_GELU: gelu_forward(c->out, c->inp, N * C); break;
    case K_EMBED: embedding_forward(c->out, c->tokens, c->w, N, C); break;
    }
}

static double layer_loss(void *ctx) {
    layer_ctx *c = ctx;
    forward(c);
    double s = 0.0;
    for (int i = 0; i < out_size(c->kind); i++) s += (double)c->out[i] * c->R[i];
    return s;
}

static void setup(layer_ctx *c, int kind) {
    memset(c, 0, sizeof *c);
    c->kind = kind;
    gc_fill(c->inp, N * C, 1, 1.5f);
    gc_fill(c->w, sizeof c->w / sizeof(float), 2, 1.0f);
    gc_fill(c->b, C, 3, 0.5f);
    gc_fill(c->R, sizeof c->R / sizeof(float), 4, 1.0f);
    for (int i = 0; i < N; i++) c->tokens[i] = (i * 3) % 5;  // repeats: rows share a token
}

static void check(const char *label, layer_ctx *c, float *x, const float *g, size_t n) {
    gc_result r = gradcheck(layer_loss, c, x, g, n, 1, 1e-2, 1e-3);
    gc_report(label, r);
    ck_assert_msg(r.worst < TOL, "%s: worst error %g", label, r.worst);
}

// Inverted dropout: about p of the elements zeroed (100,000 at p = 0.1: within 5 sd of
// binomial), the others scaled by 1/(1 - p); the same key and rows give the same mask, a
// packed copy (row_of) the mask of the rows it came from, another key another mask.
START_TEST(test_dropout_mask) {
    enum { R = 1000, W = 100 };
    float *x = malloc(R * W * sizeof(float)), *y = malloc(R * W * sizeof(float));
    for (int i = 0; i < R * W; i++) x[i] = y[i] = 1.0f;
    dropout_apply(x, R, W, NULL, 42, 0.1f);
    long zeros = 0;
    for (int i = 0; i < R * W; i++) {
        ck_assert(x[i] == 0.0f || x[i] == 1.0f / 0.9f);
        zeros += x[i] == 0.0f;
    }
    const double sd = sqrt(R * W * 0.1 * 0.9);
    ck_assert_msg(fabs(zeros - R * W * 0.1) < 5 * sd, "%ld zeros", zeros);
    dropout_apply(y, R, W, NULL, 42, 0.1f);
    ck_assert(!memcmp(x, y, R * W * sizeof(float)));
    float packed[2 * W];
    const int32_t rows[2] = {7, 500};
    for (int i = 0; i < 2 * W; i++) packed[i] = 1.0f;
    dropout_apply(packed, 2, W, rows, 42, 0.1f);
    ck_assert(!memcmp(packed, x + 7 * W, W * sizeof(float)));
    ck_assert(!memcmp(packed + W, x + 500 * W, W * sizeof(float)));
    for (int i = 0; i < R * W; i++) y[i] = 1.0f;
    dropout_apply(y, R, W, NULL, 43, 0.1f);
    ck_assert(memcmp(x, y, R * W * sizeof(float)) != 0);
    free(x), free(y);
}
END_TEST

START_TEST(test_rmsnorm_grad) {
    layer_ctx c;
    setup(&c, K_RMS);
    forward(&c);
    float dinp[N * C] = {0}, dw[C] = {0};
    rmsnorm_backward(dinp, dw, c.R, c.inp, c.w, c.rstd, N, C);
    check("rmsnorm d/dinp", &c, c.inp, dinp, N * C);
    check("rmsnorm d/dw", &c, c.w, dw, C);
}
END_TEST

START_TEST(test_layernorm_grad) {
    layer_ctx c;
    setup(&c, K_LN);
    forward(&c);
    float dinp[N * C] = {0}, dw[C] = {0}, db[C] = {0};
    layernorm_backward(dinp, dw, db, c.R, c.inp, c.w, c.mean, c.rstd, N, C);
    check("layernorm d/dinp", &c, c.inp, dinp, N * C);
    check("layernorm d/dw", &c, c.w, dw, C);
    check("layernorm d/db", &c, c.b, db, C);
}
END_TEST

START_TEST(test_matmul_grad) {
    layer_ctx c;
    setup(&c, K_MATMUL);
    float dinp[N * C] = {0}, dw[OC * C] = {0};
    matmul_backward(dinp, dw, c.R, c.inp, c.w, N, C, OC);
    check("matmul d/dinp", &c, c.inp, dinp, N * C);
    check("matmul d/dw", &c, c.w, dw, OC * C);
}
END_TEST

START_TEST(test_gelu_grad) {
    layer_ctx c;
    setup(&c, K_GELU);
    float dinp[N * C] = {0};
    gelu_backward(dinp, c.inp, c.R, N * C);
    check("gelu d/dinp", &c, c.inp, dinp, N * C);
}
END_TEST

START_TEST(test_embedding_grad) {
    layer_ctx c;
    setup(&c, K_EMBED);
    float dw[5 * C] = {0};
    embedding_backward(dw, c.R, c.tokens, N, C);
    check("embedding d/dwte", &c, c.w, dw, 5 * C);
}
END_TEST

// Backward accumulates: calling it twice doubles the gradient (residual branches rely on it).
START_TEST(test_backward_accumulates) {
    layer_ctx c;
    setup(&c, K_RMS);
    forward(&c);
    float once[N * C] = {0}, twice[N * C] = {0}, dw[C] = {0};
    rmsnorm_backward(once, dw, c.R, c.inp, c.w, c.rstd, N, C);
    rmsnorm_backward(twice, dw, c.R, c.inp, c.w, c.rstd, N, C);
    rmsnorm_backward(twice, dw, c.R, c.inp, c.w, c.rstd, N, C);
    for (int i = 0; i < N * C; i++) ck_assert_float_eq_tol(twice[i], 2 * once[i], 1e-6);
}
END_TEST

// The writing variants overwrite whatever dinp held with what accumulating into zeros gives.
START_TEST(test_backward_write) {
    layer_ctx c;
    setup(&c, K_MATMUL);
    float acc[N * C] = {0}, wr[N * C], dw[OC * C] = {0};
    for (int i = 0; i < N * C; i++) wr[i] = 1e3f;
    matmul_backward(acc, dw, c.R, c.inp, c.w, N, C, OC);
    matmul_backward_write(wr, dw, c.R, c.inp, c.w, N, C, OC);
    for (int i = 0; i < N * C; i++) ck_assert_float_eq(wr[i], acc[i]);
    // The cached GELU derivative, kept in place of the input as the model does.
    float gacc[N * C] = {0}, gwr[N * C], out[N * C], out2[N * C], g[N * C];
    for (int i = 0; i < N * C; i++) gwr[i] = -1e3f;
    gelu_backward(gacc, c.inp, c.R, N * C);
    gelu_forward(out, c.inp, N * C);
    memcpy(g, c.inp, sizeof g);
    gelu_forward_grad(out2, g, g, N * C);
    gelu_backward_cached(gwr, g, c.R, N * C);
    for (int i = 0; i < N * C; i++) {
        ck_assert_float_eq_tol(out2[i], out[i], 1e-6f);
        ck_assert_float_eq_tol(gwr[i], gacc[i], 1e-6f);
    }
}
END_TEST

typedef struct ce_ctx {
    float logits[N * V], work[N * V];
    int32_t targets[N];
} ce_ctx;

static double ce_loss(void *ctx) {
    ce_ctx *c = ctx;
    float rows[N];
    memcpy(c->work, c->logits, sizeof c->work);
    return crossentropy_forward(c->work, rows, NULL, c->targets, N, V, NULL) / N;
}

START_TEST(test_crossentropy_grad) {
    ce_ctx c;
    gc_fill(c.logits, N * V, 5, 3.0f);
    for (int i = 0; i < N; i++) c.targets[i] = (i * 5) % V;
    ce_loss(&c);
    float d[N * V];
    crossentropy_backward(d, c.work, c.targets, N, V, 1.0f / N);
    gc_result r = gradcheck(ce_loss, &c, c.logits, d, N * V, 1, 1e-2, 1e-3);
    gc_report("cross-entropy d/dlogits", r);
    ck_assert_double_lt(r.worst, TOL);
}
END_TEST

// Loss equals -log softmax computed directly in double; argmax counts and predictions are
// exact; a huge logit gap gives a finite loss (no log(0)).
START_TEST(test_crossentropy_values) {
    float logits[2 * 3] = {1, 2, 3, 0, 0, 200};
    int32_t targets[2] = {2, 0};
    long correct;
    float rows[2];
    int32_t pred[2];
    double loss = crossentropy_forward(logits, rows, pred, targets, 2, 3, &correct);
    // Row 2: -log softmax_0 = log(2 + e^200) = 200 + log(1 + 2 e^-200).
    double expected = -(3 - log(exp(1.0) + exp(2.0) + exp(3.0))) + (200 + log1p(2 * exp(-200.0)));
    ck_assert_double_eq_tol(loss, expected, 1e-4);
    ck_assert_int_eq(correct, 1);
    ck_assert_int_eq(pred[0], 2);
    ck_assert_int_eq(pred[1], 2);
    ck_assert_double_eq_tol(rows[1], 200.0, 1e-4);
    ck_assert(isfinite(loss));
}
END_TEST

Suite *suite_layers(void) {
    Suite *s = suite_create("layers");
    TCase *tc = tcase_create("gradients");
    tcase_add_test(tc, test_dropout_mask);
    tcase_add_test(tc, test_rmsnorm_grad);
    tcase_add_test(tc, test_layernorm_grad);
    tcase_add_test(tc, test_matmul_grad);
    tcase_add_test(tc, test_gelu_grad);
    tcase_add_test(tc, test_embedding_grad);
    tcase_add_test(tc, test_crossentropy_grad);
    tcase_add_test(tc, test_backward_accumulates);
    tcase_add_test(tc, test_backward_write);
    suite_add_tcase(s, tc);
    TCase *values = tcase_create("values");
    tcase_add_test(values, test_crossentropy_values);
    suite_add_tcase(s, values);
    return s;
}
