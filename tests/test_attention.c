// The attention core with every registered encoding: finite-difference gradients with respect
// to qkv and the encoding's own parameters, causality, and eval-mode equality, at a short
// length (one query block) and at a long one (three blocks, the last partial, so the causal
// blocking of attention.c is exercised at its seams).
// Tolerance 4e-2 worst relative error (h = 1e-2 Richardson, floor 1e-3), fp32 throughout:
// the loss sums 192 float outputs, so a difference carries ~3e-5 of rounding noise, which
// against the floor is up to 3e-2 (seen in the -O1 sanitizer build); a wrong factor, sign or
// slice errs by O(1).
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encodings/encoding.h"
#include "gradcheck.h"
#include "harness/base/rng.h"
#include "harness/model/attention.h"
#include "suites.h"

#define B 2
#define T_SHORT 6
#define T_LONG 70  // QUERY_BLOCK 32: blocks of 32, 32 and 6 rows
#define C 16
#define NH 2
#define L 2

typedef struct attn_ctx {
    pe pe;
    int layer, T;
    float *params, *qkv, *out, *R, *qt, *kt, *att, pos[B * T_LONG];
    attn_scratch *ws, *eval_ws;
} attn_ctx;

static double attn_loss(void *p) {
    attn_ctx *c = p;
    attention_forward(c->out, c->qt, c->kt, c->att, c->qkv, c->pos, &c->pe, c->params, c->layer,
                      B, c->T, C, NH, c->ws);
    double s = 0;
    for (int i = 0; i < B * c->T * C; i++) s += (double)c->out[i] * c->R[i];
    return s;
}

static void ctx_init(attn_ctx *c, const pe_ops *ops, int layer, int T) {
    char err[256];
    pe_shape shape = {L, NH, C / NH, C};
    ck_assert_msg(pe_configure(&c->pe, ops->name, NULL, &shape, err, sizeof err) == 0, "%s", err);
    c->layer = layer;
    c->T = T;
    size_t np = pe_n_params(&c->pe), W = pe_qk_width(&c->pe);
    c->params = calloc(np + 1, sizeof(float));
    rng r;
    rng_seed(&r, 5);
    if (ops->init) ops->init(&c->pe, c->params, &r);
    c->qkv = malloc(B * T * 3 * C * sizeof(float));
    c->out = malloc(B * T * C * sizeof(float));
    c->R = malloc(B * T * C * sizeof(float));
    c->qt = malloc(B * NH * T * W * sizeof(float));
    c->kt = malloc(B * NH * T * W * sizeof(float));
    c->att = malloc(B * NH * T * T * sizeof(float));
    gc_fill(c->qkv, B * T * 3 * C, 11, 1.0f);
    gc_fill(c->R, B * T * C, 12, 1.0f);
    // Second sequence starts at position 3: positions are data, not loop indices.
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) c->pos[b * T + t] = (float)(t + 3 * b);
    c->ws = attn_scratch_create(&c->pe, T, 1, 1);
    c->eval_ws = attn_scratch_create(&c->pe, T, 1, 0);
}

static void ctx_free(attn_ctx *c) {
    free(c->params), free(c->qkv), free(c->out), free(c->R), free(c->qt), free(c->kt);
    free(c->att);
    attn_scratch_free(c->ws);
    attn_scratch_free(c->eval_ws);
}

// floor: the error floor of gradcheck; the long case sums 4,480 outputs, whose float rounding
// moves a difference by ~5e-5, so its floor is 1e-2 (a missing or doubled block still errs by
// the size of the gradient, ~1e-3, i.e. > 0.1 against that floor).
static void check_gradients(const pe_ops *ops, int T, size_t stride, double floor) {
    attn_ctx c;
    ctx_init(&c, ops, 1, T);
    size_t np = pe_n_params(&c.pe);
    float *dqkv = calloc(B * T * 3 * C, sizeof(float)), *dpe = calloc(np + 1, sizeof(float));
    attn_loss(&c);
    attention_backward(dqkv, dpe, c.R, c.qkv, c.qt, c.kt, c.att, c.pos, &c.pe, c.params, c.layer,
                       B, T, C, NH, c.ws);
    char label[64];
    snprintf(label, sizeof label, "attention[%s] T=%d d/dqkv", ops->name, T);
    gc_result r = gradcheck(attn_loss, &c, c.qkv, dqkv, B * T * 3 * C, stride, 1e-2, floor);
    gc_report(label, r);
    ck_assert_msg(r.worst < 4e-2, "%s: %g", label, r.worst);
    if (np) {
        snprintf(label, sizeof label, "attention[%s] T=%d d/dparams", ops->name, T);
        r = gradcheck(attn_loss, &c, c.params, dpe, np, stride, 1e-2, floor);
        gc_report(label, r);
        ck_assert_msg(r.worst < 4e-2, "%s: %g", label, r.worst);
    }
    free(dqkv), free(dpe);
    ctx_free(&c);
}

START_TEST(test_attention_gradients) { check_gradients(pe_registry[_i], T_SHORT, 1, 1e-3); }
END_TEST

// Every 7th input of 13,440: each query block and each key column block is hit many times.
START_TEST(test_attention_gradients_long) {
    check_gradients(pe_registry[_i], T_LONG, 7, 1e-2);
}
END_TEST

// Changing a later token never changes an earlier output; with T_LONG the changed token
// (index 40) sits inside the second query block, whose rows before it must not move either.
static void check_causal(const pe_ops *ops, int T, int changed) {
    attn_ctx c;
    ctx_init(&c, ops, 0, T);
    attn_loss(&c);
    float *before = malloc(B * T * C * sizeof(float));
    memcpy(before, c.out, B * T * C * sizeof(float));
    for (int j = 0; j < 3 * C; j++) c.qkv[changed * 3 * C + j] += 0.5f;  // sequence 0
    attn_loss(&c);
    for (int t = 0; t < changed; t++)
        for (int j = 0; j < C; j++) ck_assert_float_eq(c.out[t * C + j], before[t * C + j]);
    int moved = 0;
    for (int j = 0; j < C; j++) moved |= c.out[changed * C + j] != before[changed * C + j];
    ck_assert_msg(moved, "%s: the changed token's own output did not move", ops->name);
    free(before);
    ctx_free(&c);
}

START_TEST(test_attention_causal) { check_causal(pe_registry[_i], T_SHORT, T_SHORT - 1); }
END_TEST

START_TEST(test_attention_causal_long) { check_causal(pe_registry[_i], T_LONG, 40); }
END_TEST

// The evaluation path (no cache, its own smaller scratch) computes the same outputs as the
// training path.
static void check_eval_matches_train(const pe_ops *ops, int T) {
    attn_ctx c;
    ctx_init(&c, ops, 1, T);
    attn_loss(&c);
    float *trained = malloc(B * T * C * sizeof(float));
    memcpy(trained, c.out, B * T * C * sizeof(float));
    attention_forward(c.out, NULL, NULL, NULL, c.qkv, c.pos, &c.pe, c.params, 1, B, T, C, NH,
                      c.eval_ws);
    for (int i = 0; i < B * T * C; i++) ck_assert_float_eq(c.out[i], trained[i]);
    free(trained);
    ctx_free(&c);
}

START_TEST(test_attention_eval_matches_train) {
    check_eval_matches_train(pe_registry[_i], T_SHORT);
    check_eval_matches_train(pe_registry[_i], T_LONG);
}
END_TEST

Suite *suite_attention(void) {
    int n = 0;
    while (pe_registry[n]) n++;
    Suite *s = suite_create("attention");
    TCase *tc = tcase_create("every encoding");
    tcase_add_loop_test(tc, test_attention_gradients, 0, n);
    tcase_add_loop_test(tc, test_attention_gradients_long, 0, n);
    tcase_add_loop_test(tc, test_attention_causal, 0, n);
    tcase_add_loop_test(tc, test_attention_causal_long, 0, n);
    tcase_add_loop_test(tc, test_attention_eval_matches_train, 0, n);
    suite_add_tcase(s, tc);
    return s;
}
