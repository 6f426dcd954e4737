// The attention core with every registered encoding, causal and bidirectional:
// finite-difference gradients with respect to qkv and the encoding's own parameters,
// causality (bidirectional: later tokens seen, padding past a row's length not), and
// eval-mode equality, at a short length (one query block) and at a long one (three blocks,
// the last partial, so the blocking of attention.c is exercised at its seams).
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
    int32_t len[B];  // bidirectional: sequence 1 is padded (causal attention ignores lengths)
    float *params, *qkv, *out, *R, *qt, *kt, *att, pos[B * T_LONG];
    attn_scratch *ws, *eval_ws;
} attn_ctx;

static double attn_loss(void *p) {
    attn_ctx *c = p;
    attention_forward(c->out, c->qt, c->kt, c->att, c->qkv, c->pos, c->len, &c->pe, c->params,
                      c->layer, B, c->T, C, NH, c->ws);
    double s = 0;
    for (int i = 0; i < B * c->T * C; i++) s += (double)c->out[i] * c->R[i];
    return s;
}

// 0, or -1 when the encoding has no bidirectional form (xPos: the configure error says so).
static int ctx_init(attn_ctx *c, const pe_ops *ops, int layer, int T, int bidirectional) {
    char err[256];
    pe_shape shape = {L, NH, C / NH, C, bidirectional};
    if (pe_configure(&c->pe, ops->name, NULL, &shape, err, sizeof err) != 0) {
        ck_assert_msg(bidirectional && strstr(err, "in a bidirectional model"), "%s", err);
        return -1;
    }
    c->layer = layer;
    c->T = T;
    c->len[0] = T, c->len[1] = T == T_LONG ? 45 : T - 2;
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
    return 0;
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
static void check_gradients(const pe_ops *ops, int T, size_t stride, double floor,
                            int bidirectional) {
    attn_ctx c;
    if (ctx_init(&c, ops, 1, T, bidirectional) != 0) return;
    size_t np = pe_n_params(&c.pe);
    float *dqkv = calloc(B * T * 3 * C, sizeof(float)), *dpe = calloc(np + 1, sizeof(float));
    attn_loss(&c);
    attention_backward(dqkv, dpe, c.R, c.qkv, c.qt, c.kt, c.att, c.pos, c.len, &c.pe, c.params,
                       c.layer, B, T, C, NH, c.ws);
    char label[80];
    const char *mode = bidirectional ? " bidirectional" : "";
    snprintf(label, sizeof label, "attention[%s%s] T=%d d/dqkv", ops->name, mode, T);
    gc_result r = gradcheck(attn_loss, &c, c.qkv, dqkv, B * T * 3 * C, stride, 1e-2, floor);
    gc_report(label, r);
    ck_assert_msg(r.worst < 4e-2, "%s: %g", label, r.worst);
    if (np) {
        snprintf(label, sizeof label, "attention[%s%s] T=%d d/dparams", ops->name, mode, T);
        r = gradcheck(attn_loss, &c, c.params, dpe, np, stride, 1e-2, floor);
        gc_report(label, r);
        ck_assert_msg(r.worst < 4e-2, "%s: %g", label, r.worst);
    }
    free(dqkv), free(dpe);
    ctx_free(&c);
}

static int n_encodings(void) {
    int n = 0;
    while (pe_registry[n]) n++;
    return n;
}

// Loop index i: encoding i % n, bidirectional for i >= n.
START_TEST(test_attention_gradients) {
    const int n = n_encodings();
    check_gradients(pe_registry[_i % n], T_SHORT, 1, 1e-3, _i >= n);
}
END_TEST

// Every 7th input of 13,440: each query block and each key column block is hit many times.
START_TEST(test_attention_gradients_long) {
    const int n = n_encodings();
    check_gradients(pe_registry[_i % n], T_LONG, 7, 1e-2, _i >= n);
}
END_TEST

// Changing a later token never changes an earlier output; with T_LONG the changed token
// (index 40) sits inside the second query block, whose rows before it must not move either.
static void check_causal(const pe_ops *ops, int T, int changed) {
    attn_ctx c;
    ctx_init(&c, ops, 0, T, 0);
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

// Bidirectional: a change to the last token of sequence 0 moves the outputs of every row
// (position 0 included); a change to sequence 1's padding (past its length) moves none of
// its rows before that length.
static void check_bidirectional(const pe_ops *ops, int T) {
    attn_ctx c;
    if (ctx_init(&c, ops, 0, T, 1) != 0) return;
    attn_loss(&c);
    const size_t n = (size_t)B * T * C;
    float *before = malloc(n * sizeof(float));
    memcpy(before, c.out, n * sizeof(float));
    for (int j = 0; j < 3 * C; j++) c.qkv[(size_t)(T - 1) * 3 * C + j] += 0.5f;
    const int pad = c.len[1];  // sequence 1's first padding row
    for (int j = 0; j < 3 * C; j++) c.qkv[((size_t)T + pad) * 3 * C + j] += 0.5f;
    attn_loss(&c);
    for (int t = 0; t < T; t++) {
        int moved = 0;
        for (int j = 0; j < C; j++) moved |= c.out[(size_t)t * C + j] != before[(size_t)t * C + j];
        ck_assert_msg(moved, "%s: row %d of %d did not see the last token", ops->name, t, T);
    }
    for (int t = 0; t < pad; t++)
        for (int j = 0; j < C; j++) {
            const size_t o = ((size_t)T + t) * C + j;
            ck_assert_msg(c.out[o] == before[o], "%s: row %d saw padding", ops->name, t);
        }
    free(before);
    ctx_free(&c);
}

START_TEST(test_attention_bidirectional) {
    check_bidirectional(pe_registry[_i], T_SHORT);
    check_bidirectional(pe_registry[_i], T_LONG);
}
END_TEST

// The evaluation path (no cache, its own smaller scratch) computes the same outputs as the
// training path.
static void check_eval_matches_train(const pe_ops *ops, int T, int bidirectional) {
    attn_ctx c;
    if (ctx_init(&c, ops, 1, T, bidirectional) != 0) return;
    attn_loss(&c);
    float *trained = malloc(B * T * C * sizeof(float));
    memcpy(trained, c.out, B * T * C * sizeof(float));
    attention_forward(c.out, NULL, NULL, NULL, c.qkv, c.pos, c.len, &c.pe, c.params, 1, B, T, C,
                      NH, c.eval_ws);
    for (int i = 0; i < B * T * C; i++) ck_assert_float_eq(c.out[i], trained[i]);
    free(trained);
    ctx_free(&c);
}

START_TEST(test_attention_eval_matches_train) {
    for (int bidirectional = 0; bidirectional < 2; bidirectional++) {
        check_eval_matches_train(pe_registry[_i], T_SHORT, bidirectional);
        check_eval_matches_train(pe_registry[_i], T_LONG, bidirectional);
    }
}
END_TEST

Suite *suite_attention(void) {
    const int n = n_encodings();
    Suite *s = suite_create("attention");
    TCase *tc = tcase_create("every encoding");
    tcase_add_loop_test(tc, test_attention_gradients, 0, 2 * n);
    tcase_add_loop_test(tc, test_attention_gradients_long, 0, 2 * n);
    tcase_add_loop_test(tc, test_attention_bidirectional, 0, n);
    tcase_add_loop_test(tc, test_attention_causal, 0, n);
    tcase_add_loop_test(tc, test_attention_causal_long, 0, n);
    tcase_add_loop_test(tc, test_attention_eval_matches_train, 0, n);
    suite_add_tcase(s, tc);
    return s;
}
