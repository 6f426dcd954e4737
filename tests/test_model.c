// The whole model: finite-difference gradients of every parameter (the encoding's included)
// under every registered encoding and both norms, determinism, and evaluation-path equality.
#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encodings/encoding.h"
#include "gradcheck.h"
#include "harness/model/model.h"
#include "suites.h"

#define B 2
#define T 6

typedef struct model_ctx {
    model *m;
    acts *a;
    batch *b;
} model_ctx;

static double model_loss(void *p) {
    model_ctx *c = p;
    return model_forward(c->m, c->a, c->b, NULL, NULL);
}

// Which positions the batch scores: some (the last layer then runs packed past its attention,
// see model_forward) or all of them (it runs on every row); or some, in a bidirectional model
// whose second row is two tokens shorter than the batch (padding its keys must not see).
typedef enum { SCORE_SOME, SCORE_ALL, SCORE_BIDIRECTIONAL } scored_rows;

// c.m is NULL when the encoding has no bidirectional form (xpos; the error says so).
static model_ctx make_scoring(const char *encoding, norm_kind norm, scored_rows scored) {
    model_config cfg = {.vocab = 11, .d_model = 16, .n_layers = 2, .n_heads = 2, .norm = norm,
                        .bidirectional = scored == SCORE_BIDIRECTIONAL};
    char err[256];
    model_ctx c = {0};
    c.m = model_create(&cfg, encoding, NULL, err, sizeof err);
    if (!c.m && cfg.bidirectional && strstr(err, "in a bidirectional model")) return c;
    ck_assert_msg(c.m != NULL, "%s", err);
    model_init(c.m, 3, MODEL_INIT_STD);
    // Larger weights than the GPT-2 init so every parameter's gradient is well above the
    // float noise of a finite difference; the encoding's own parameters keep their init.
    // Embeddings are larger still: RMSNorm of a small vector is steep (curvature ~ 1/rms^2).
    for (int i = 0; i < c.m->n_tensors; i++) {
        const tensor_info *t = &c.m->tensors[i];
        if (t->init == INIT_ENCODING) continue;
        float *p = c.m->params + t->offset;
        gc_fill(p, t->size, 100 + i, t->offset == c.m->off_wte ? 1.5f : 0.4f);
        if (t->init == INIT_ONES)
            for (size_t j = 0; j < t->size; j++) p[j] += 1.0f;
    }
    c.a = acts_create(c.m, B, T, 1, 1);
    c.b = batch_create(B, T);
    for (int i = 0; i < B * T; i++) {
        c.b->tokens[i] = (i * 7 + 3) % 11;
        c.b->targets[i] = (i * 5 + 1) % 11;
        c.b->mask[i] = scored == SCORE_ALL || i % 3 != 0;
    }
    if (scored == SCORE_BIDIRECTIONAL) {
        c.b->len[1] = T - 2;
        c.b->mask[T + T - 2] = c.b->mask[T + T - 1] = 0;
    }
    return c;
}

static model_ctx make(const char *encoding, norm_kind norm) {
    return make_scoring(encoding, norm, SCORE_SOME);
}

static void destroy(model_ctx *c) {
    acts_free(c->a);
    batch_free(c->b);
    model_free(c->m);
}

static void check_model_grads_dropout(const char *encoding, norm_kind norm, scored_rows scored,
                                     float dropout) {
    model_ctx c = make_scoring(encoding, norm, scored);
    if (!c.m) return;
    acts_set_dropout(c.a, dropout, 77);  // every forward below draws the same masks
    model_zero_grad(c.m);
    model_forward(c.m, c.a, c.b, NULL, NULL);
    model_backward(c.m, c.a, c.b);
    float *grads = malloc(c.m->n_params * sizeof(float));
    memcpy(grads, c.m->grads, c.m->n_params * sizeof(float));
    // Per tensor: the sign-of-gradient direction and three random ones. Tolerance 1e-2
    // relative (fp32 forward, h = 1e-3 per component, Richardson-extrapolated).
    for (int i = 0; i < c.m->n_tensors; i++) {
        const tensor_info *t = &c.m->tensors[i];
        gc_result worst = {0};
        for (unsigned dir = 0; dir < 4; dir++) {
            gc_result r = gradcheck_direction(model_loss, &c, c.m->params + t->offset,
                                              grads + t->offset, t->size, dir * 7, 1e-3);
            if (r.worst >= worst.worst) worst = r;
        }
        char label[64];
        snprintf(label, sizeof label, "model[%s,%s%s%s] %s", encoding,
                 norm == NORM_RMS ? "rms" : "ln",
                 scored == SCORE_ALL ? ",all" : scored == SCORE_BIDIRECTIONAL ? ",bidir" : "",
                 dropout > 0 ? ",dropout" : "", t->name);
        gc_report(label, worst);
        ck_assert_msg(worst.worst < 1e-2, "%s: directional derivative %g, analytic %g", label,
                      worst.numeric, worst.analytic);
    }
    free(grads);
    destroy(&c);
}

static void check_model_grads(const char *encoding, norm_kind norm, scored_rows scored) {
    check_model_grads_dropout(encoding, norm, scored, 0.0f);
}

// Dropout 0.2 under a fixed key: the gradient of the dropped-out network, through the
// embeddings' mask (learned and sinusoidal add theirs before it), the packed last layer
// (some rows scored) and the full one.
START_TEST(test_model_gradients_dropout) {
    static const char *const encodings[] = {"rope", "learned", "sinusoidal", "pope"};
    for (int i = 0; i < 4; i++) {
        check_model_grads_dropout(encodings[i], NORM_RMS, SCORE_SOME, 0.2f);
        check_model_grads_dropout(encodings[i], NORM_RMS, SCORE_ALL, 0.2f);
    }
}
END_TEST

// Dropout acts in training activations only, and is a function of its key: the same key
// gives the same loss bit for bit, another key another loss, evaluation activations the
// undropped loss, and probability 0 the undropped loss too.
START_TEST(test_model_dropout_behaviour) {
    model_ctx c = make("rope", NORM_RMS);
    acts *ev = acts_create(c.m, B, T, 0, 1);
    const double plain = model_forward(c.m, c.a, c.b, NULL, NULL);
    acts_set_dropout(ev, 0.5f, 1);
    ck_assert_double_eq(model_forward(c.m, ev, c.b, NULL, NULL), plain);
    acts_set_dropout(c.a, 0.5f, 1);
    const double one = model_forward(c.m, c.a, c.b, NULL, NULL);
    ck_assert_double_ne(one, plain);
    ck_assert_double_eq(model_forward(c.m, c.a, c.b, NULL, NULL), one);
    acts_set_dropout(c.a, 0.5f, 2);
    ck_assert_double_ne(model_forward(c.m, c.a, c.b, NULL, NULL), one);
    acts_set_dropout(c.a, 0.0f, 2);
    ck_assert_double_eq(model_forward(c.m, c.a, c.b, NULL, NULL), plain);
    acts_free(ev);
    destroy(&c);
}
END_TEST

START_TEST(test_model_gradients_rms) {
    check_model_grads(pe_registry[_i]->name, NORM_RMS, SCORE_SOME);
}
END_TEST

START_TEST(test_model_gradients_layernorm) {
    check_model_grads(pe_registry[_i]->name, NORM_LAYER, SCORE_SOME);
}
END_TEST

START_TEST(test_model_gradients_every_row_scored) {
    check_model_grads(pe_registry[_i]->name, NORM_RMS, SCORE_ALL);
}
END_TEST

START_TEST(test_model_gradients_bidirectional) {
    check_model_grads(pe_registry[_i]->name, NORM_RMS, SCORE_BIDIRECTIONAL);
}
END_TEST

// A bidirectional model's scored rows see later tokens, and not a row's padding: changing
// the last token of row 0 moves the loss of its first scored position; changing row 1's
// padding (past len[1]) moves nothing.
START_TEST(test_model_bidirectional_sees_later) {
    model_ctx c = make_scoring("rope", NORM_RMS, SCORE_BIDIRECTIONAL);
    acts *ev = acts_create(c.m, B, T, 0, 1);
    const int32_t *rows;
    int n;
    model_forward(c.m, ev, c.b, NULL, NULL);
    float before[B * T];
    const float *losses = acts_row_losses(ev, &rows, &n);
    memcpy(before, losses, (size_t)n * sizeof(float));
    ck_assert_int_eq(rows[0], 1);  // position 1 of row 0 is the first scored
    c.b->tokens[T - 1] = (c.b->tokens[T - 1] + 1) % 11;
    model_forward(c.m, ev, c.b, NULL, NULL);
    ck_assert(acts_row_losses(ev, &rows, &n)[0] != before[0]);
    c.b->tokens[T - 1] = (c.b->tokens[T - 1] + 10) % 11;  // back
    c.b->tokens[T + T - 1] = (c.b->tokens[T + T - 1] + 1) % 11;
    c.b->tokens[T + T - 2] = (c.b->tokens[T + T - 2] + 3) % 11;
    model_forward(c.m, ev, c.b, NULL, NULL);
    const float *after = acts_row_losses(ev, &rows, &n);
    for (int r = 0; r < n; r++) ck_assert_float_eq(after[r], before[r]);
    acts_free(ev);
    destroy(&c);
}
END_TEST

// The packed last layer computes the scored rows as the full one does: each scored row's
// loss is the same whether the other rows are scored (every row computed) or not (packed),
// in training and in evaluation activations.
START_TEST(test_model_packed_last_layer_matches_full) {
    model_ctx some = make_scoring(pe_registry[_i]->name, NORM_RMS, SCORE_SOME);
    model_ctx all = make_scoring(pe_registry[_i]->name, NORM_RMS, SCORE_ALL);
    acts *ev = acts_create(some.m, B, T, 0, 1);
    model_forward(all.m, all.a, all.b, NULL, NULL);
    const int32_t *rows_all, *rows_some;
    int n_all, n_some;
    const float *loss_all = acts_row_losses(all.a, &rows_all, &n_all);
    ck_assert_int_eq(n_all, B * T);
    for (int pass = 0; pass < 2; pass++) {
        acts *a = pass == 0 ? some.a : ev;
        model_forward(some.m, a, some.b, NULL, NULL);
        const float *loss_some = acts_row_losses(a, &rows_some, &n_some);
        ck_assert_int_eq(n_some, 8);
        for (int r = 0; r < n_some; r++) {
            const float want = loss_all[rows_some[r]];
            ck_assert_float_eq_tol(loss_some[r], want, 1e-5f * (1.0f + fabsf(want)));
        }
    }
    acts_free(ev);
    destroy(&some);
    destroy(&all);
}
END_TEST

// Evaluation activations keep one layer at a time but compute the same loss.
START_TEST(test_model_eval_path) {
    model_ctx c = make(pe_registry[_i]->name, NORM_RMS);
    acts *ev = acts_create(c.m, B, T, 0, 1);
    long n1, n2, k1, k2;
    double train_loss = model_forward(c.m, c.a, c.b, &k1, &n1);
    double eval_loss = model_forward(c.m, ev, c.b, &k2, &n2);
    ck_assert_double_eq(train_loss, eval_loss);
    ck_assert_int_eq(n1, 8);
    ck_assert_int_eq(n1, n2);
    ck_assert_int_eq(k1, k2);
    acts_free(ev);
    destroy(&c);
}
END_TEST

// Same seed, same parameters bit for bit; another seed, different ones.
START_TEST(test_model_init_deterministic) {
    model_config cfg = {.vocab = 11, .d_model = 16, .n_layers = 2, .n_heads = 2};
    char err[256];
    model *a = model_create(&cfg, "pope", NULL, err, sizeof err);
    model *b = model_create(&cfg, "pope", NULL, err, sizeof err);
    model_init(a, 1, MODEL_INIT_STD);
    model_init(b, 1, MODEL_INIT_STD);
    ck_assert(memcmp(a->params, b->params, a->n_params * sizeof(float)) == 0);
    model_init(b, 2, MODEL_INIT_STD);
    ck_assert(memcmp(a->params, b->params, a->n_params * sizeof(float)) != 0);
    model_free(a);
    model_free(b);
}
END_TEST

// The init scale multiplies the normal draws of the weight matrices and leaves the norms'
// ones and the encoding's parameters alone: same seed, std 0.1 is std 0.02 times five.
START_TEST(test_model_init_scale) {
    model_config cfg = {.vocab = 11, .d_model = 16, .n_layers = 2, .n_heads = 2};
    char err[256];
    model *a = model_create(&cfg, "pope", "delta_init=uniform", err, sizeof err);
    model *b = model_create(&cfg, "pope", "delta_init=uniform", err, sizeof err);
    ck_assert_ptr_nonnull(a);
    model_init(a, 7, 0.02f);
    model_init(b, 7, 0.1f);
    int scaled = 0;
    for (int i = 0; i < a->n_tensors; i++) {
        const tensor_info *t = &a->tensors[i];
        int normal = t->init == INIT_NORMAL || t->init == INIT_RESIDUAL;
        scaled += normal;
        for (size_t j = t->offset; j < t->offset + t->size; j++) {
            float want = normal ? 5.0f * a->params[j] : a->params[j];
            ck_assert_float_eq_tol(b->params[j], want, 1e-6f * (1.0f + fabsf(want)));
        }
    }
    ck_assert_int_ge(scaled, 4);
    model_free(a);
    model_free(b);
}
END_TEST

START_TEST(test_model_rejects_bad_shapes) {
    char err[256];
    model_config cfg = {.vocab = 11, .d_model = 18, .n_layers = 2, .n_heads = 4};
    ck_assert_ptr_null(model_create(&cfg, "rope", NULL, err, sizeof err));
    ck_assert_str_eq(err, "model: d_model 18 is not divisible by n_heads 4");
    cfg.d_model = 16;
    ck_assert_ptr_null(model_create(&cfg, "ropee", NULL, err, sizeof err));
    ck_assert_str_eq(err, "unknown encoding 'ropee' (did you mean 'rope'?)");
}
END_TEST

// Sizes the machine cannot hold are refused before allocating (Linux would overcommit and
// kill the run later). The parameter count and the needed bytes are exact; the machine's
// memory varies, so only the message's start is compared.
START_TEST(test_model_refuses_what_memory_cannot_hold) {
    char err[256], want[256];
    model_config cfg = {.vocab = 65, .d_model = 65536, .n_layers = 64, .n_heads = 8};
    ck_assert_ptr_null(model_create(&cfg, "nope", NULL, err, sizeof err));
    // 64 layers x (12 C^2 + 2 C) + C + 2 x 65 x C parameters, 16 bytes each.
    const size_t C = 65536, n = 64 * (12 * C * C + 2 * C) + C + 2 * 65 * C;
    snprintf(want, sizeof want,
             "model: %zu parameters with their gradients and AdamW moments need %.1f GiB, more "
             "than this machine's ", n, n * 16.0 / (1024.0 * 1024.0 * 1024.0));
    ck_assert_msg(!strncmp(err, want, strlen(want)), "got: %s\nwant: %s", err, want);
    // Activations: a model that fits, a batch that does not.
    cfg = (model_config){.vocab = 65, .d_model = 64, .n_layers = 2, .n_heads = 4};
    model *m = model_create(&cfg, "nope", NULL, err, sizeof err);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(memory_fits(acts_bytes(m, 1, 64, 1), "small", err, sizeof err), 0);
    const size_t huge = acts_bytes(m, 1 << 10, 1 << 14, 1);
    ck_assert_uint_gt(huge, (size_t)1 << 40);  // the (T x T) attention of every layer
    ck_assert_int_eq(memory_fits(huge, "huge batch", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "huge batch need "));
    model_free(m);
}
END_TEST

// A batch larger than the activations is a caller's bug, which stops the process (posbench_bug)
// rather than writing past the buffers.
START_TEST(test_model_batch_beyond_activations_is_a_bug) {
    model_ctx c = make("rope", NORM_RMS);
    batch *big = batch_create(B, T + 1);
    ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));  // the "posbench: bug" line
    model_forward(c.m, c.a, big, NULL, NULL);
}
END_TEST

// Evaluation keeps one layer's activations and no attention cache (memory at
// T = 4096 bounded): its bytes do not grow with depth, while training's grow by at least the
// (H, T, T) probabilities of every added layer.
START_TEST(test_model_eval_memory_independent_of_depth) {
    char err[256];
    size_t eval_bytes[2], train_bytes[2];
    const int layers[2] = {1, 8}, long_T = 4096;
    for (int i = 0; i < 2; i++) {
        model_config cfg = {.vocab = 256, .d_model = 256, .n_layers = layers[i], .n_heads = 8};
        model *m = model_create(&cfg, "rope", NULL, err, sizeof err);
        ck_assert_msg(m != NULL, "%s", err);
        eval_bytes[i] = acts_bytes(m, 1, long_T, 0);
        train_bytes[i] = acts_bytes(m, 1, long_T, 1);
        model_free(m);
    }
    ck_assert_uint_eq(eval_bytes[0], eval_bytes[1]);
    ck_assert_uint_lt(eval_bytes[1], (size_t)128 << 20);  // ~20 (T, C) rows: 84 MB
    ck_assert_uint_ge(train_bytes[1] - train_bytes[0], (size_t)7 * 8 * long_T * long_T * sizeof(float));
}
END_TEST

Suite *suite_model(void) {
    int n = 0;
    while (pe_registry[n]) n++;
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("gradients");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_model_gradients_rms, 0, n);
    tcase_add_loop_test(tc, test_model_gradients_layernorm, 0, n);
    tcase_add_loop_test(tc, test_model_gradients_every_row_scored, 0, n);
    tcase_add_loop_test(tc, test_model_gradients_bidirectional, 0, n);
    tcase_add_test(tc, test_model_gradients_dropout);
    suite_add_tcase(s, tc);
    TCase *other = tcase_create("behaviour");
    tcase_add_loop_test(other, test_model_eval_path, 0, n);
    tcase_add_loop_test(other, test_model_packed_last_layer_matches_full, 0, n);
    tcase_add_test(other, test_model_bidirectional_sees_later);
    tcase_add_test(other, test_model_dropout_behaviour);
    tcase_add_test(other, test_model_init_deterministic);
    tcase_add_test(other, test_model_init_scale);
    tcase_add_test(other, test_model_rejects_bad_shapes);
    tcase_add_test(other, test_model_refuses_what_memory_cannot_hold);
    tcase_add_test(other, test_model_eval_memory_independent_of_depth);
    tcase_add_test_raise_signal(other, test_model_batch_beyond_activations_is_a_bug, SIGABRT);
    suite_add_tcase(s, other);
    return s;
}
