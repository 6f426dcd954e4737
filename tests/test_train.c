// Real training runs: determinism and learning the copy-at-offset toy task.
#include <check.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "harness/train/toy_task.h"
#include "harness/train/train.h"
#include "suites.h"

typedef struct toy {
    int symbols, offset;
} toy;

static int toy_next(batch *b, void *ctx, rng *r) {
    const toy *t = ctx;
    toy_copy_batch(b, t->symbols, t->offset, r);
    return 0;
}

static model *toy_model(const char *enc, uint64_t seed) {
    model_config cfg = {.vocab = 16, .d_model = 64, .n_layers = 2, .n_heads = 4};
    char err[256];
    model *m = model_create(&cfg, enc, NULL, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    model_init(m, seed, MODEL_INIT_STD);
    return m;
}

static train_config toy_config(int steps) {
    train_config tc = {.steps = steps, .batch_size = 32, .seq_len = 32, .clip = 1.0f,
                       .opt = {.beta1 = 0.9f, .beta2 = 0.99f, .eps = 1e-8f,
                               .weight_decay = 0.01f},
                       .data_seed = 7,
                       .log_every = 0, .n_threads = 1};
    tc.schedule = (lr_schedule){3e-3f, 3e-4f, 30, steps};
    return tc;
}

static double train_loss_dropout(const char *enc, uint64_t seed, int steps, int threads,
                                 float dropout) {
    model *m = toy_model(enc, seed);
    train_config tc = toy_config(steps);
    tc.n_threads = threads;
    tc.dropout = dropout;
    omp_set_num_threads(threads);
    toy t = {16, 3};
    train_result r;
    char err[256];
    ck_assert(train(m, &tc, toy_next, &t, NULL, NULL, NULL, &r, err, sizeof err) == 0);
    model_free(m);
    return r.last_loss;
}

static double train_loss(const char *enc, uint64_t seed, int steps, int threads) {
    return train_loss_dropout(enc, seed, steps, threads, 0.0f);
}

START_TEST(test_train_deterministic) {
    double a = train_loss("pope", 1, 20, 1), b = train_loss("pope", 1, 20, 1);
    double c = train_loss("pope", 2, 20, 1);
    ck_assert_msg(a == b, "same seed: %.17g vs %.17g", a, b);
    ck_assert_msg(a != c, "different seed gave the same loss %.17g", a);
    // Two threads: every reduction has a fixed order, so repeated runs agree bit for bit.
    double d = train_loss("tapa", 1, 20, 2), e = train_loss("tapa", 1, 20, 2);
    ck_assert_msg(d == e, "two threads, same seed: %.17g vs %.17g", d, e);
    // Dropout's masks come from the seed and the step: a run repeats, and differs from one
    // without dropout.
    double f = train_loss_dropout("pope", 1, 20, 1, 0.1f);
    ck_assert_msg(f == train_loss_dropout("pope", 1, 20, 1, 0.1f), "dropout: not repeatable");
    ck_assert_msg(f != a, "dropout 0.1 trained as without dropout: %.17g", f);
}
END_TEST

// A 2-layer model learns to copy the symbol 3 positions back to >= 99% held-out accuracy.
START_TEST(test_train_learns_copy) {
    const char *enc = _i == 0 ? "rope" : "pope";
    model *m = toy_model(enc, 1);
    train_config tc = toy_config(400);
    toy t = {16, 3};
    train_result r;
    eval_result e;
    char err[256];
    ck_assert(train(m, &tc, toy_next, &t, NULL, NULL, NULL, &r, err, sizeof err) == 0);
    ck_assert(evaluate(m, 32, 32, 4, toy_next, &t, 99, 1, &e, err, sizeof err) == 0);
    fprintf(stderr, "toy copy [%s]: loss %.4f accuracy %.2f%% after %d steps\n", enc, e.loss,
            100 * e.accuracy, r.steps_done);
    ck_assert_double_ge(e.accuracy, 0.99);
    model_free(m);
}
END_TEST

START_TEST(test_train_diverges_cleanly) {
    model *m = toy_model("rope", 1);
    train_config tc = toy_config(50);
    tc.schedule.lr_max = 1e3f;
    tc.schedule.warmup_steps = 0;
    tc.clip = 0;
    toy t = {16, 3};
    train_result r;
    char err[256];
    ck_assert(train(m, &tc, toy_next, &t, NULL, NULL, NULL, &r, err, sizeof err) == 0);
    ck_assert_int_ge(r.diverged_at, 0);
    ck_assert_int_lt(r.diverged_at, 50);
    model_free(m);
}
END_TEST

Suite *suite_train(void) {
    Suite *s = suite_create("train");
    TCase *tc = tcase_create("train");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_train_deterministic);
    tcase_add_loop_test(tc, test_train_learns_copy, 0, 2);
    tcase_add_test(tc, test_train_diverges_cleanly);
    suite_add_tcase(s, tc);
    return s;
}
