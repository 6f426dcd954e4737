// AdamW, clipping and the schedule against values computed by hand.
#include <check.h>
#include <math.h>

#include "harness/model/optimizer.h"
#include "suites.h"

// Two steps from p = 1 with g = 0.5 then -0.25; lr 0.1, betas 0.9/0.99, wd 0.01:
//   t=1: m = 0.05, v = 0.0025, mhat = 0.5, vhat = 0.25, p = 1 - 0.1 (1 + 0.01) = 0.899
//   t=2: m = 0.02, v = 0.0031, mhat = 0.02/0.19, vhat = 0.0031/0.0199,
//        p = 0.899 - 0.1 (0.2666975 + 0.00899) = 0.8714311
START_TEST(test_adamw_by_hand) {
    adamw_config c = {.beta1 = 0.9f, .beta2 = 0.99f, .eps = 1e-8f, .weight_decay = 0.01f};
    const float lr = 0.1f;
    float p = 1.0f, m = 0.0f, v = 0.0f, g = 0.5f;
    adamw_update(&p, &g, &m, &v, 1, &c, lr, 1, 1);
    ck_assert_float_eq_tol(m, 0.05f, 1e-7);
    ck_assert_float_eq_tol(v, 0.0025f, 1e-8);
    ck_assert_float_eq_tol(p, 0.899f, 1e-6);
    g = -0.25f;
    adamw_update(&p, &g, &m, &v, 1, &c, lr, 2, 1);
    ck_assert_float_eq_tol(p, 0.8714311f, 2e-6);
}
END_TEST

// Without decay the parameter moves by the Adam step alone.
START_TEST(test_adamw_no_decay) {
    adamw_config c = {.beta1 = 0.9f, .beta2 = 0.99f, .eps = 1e-8f, .weight_decay = 0.5f};
    float p = 1.0f, m = 0.0f, v = 0.0f, g = 0.5f;
    adamw_update(&p, &g, &m, &v, 1, &c, 0.1f, 1, 0);
    ck_assert_float_eq_tol(p, 0.9f, 1e-6);
}
END_TEST

START_TEST(test_clip) {
    float g[2] = {3.0f, 4.0f};
    double norm = clip_grad_norm(g, 2, 1.0f);
    ck_assert_double_eq_tol(norm, 5.0, 1e-12);
    ck_assert_float_eq_tol(g[0], 0.6f, 1e-6);
    ck_assert_float_eq_tol(g[1], 0.8f, 1e-6);
    float h[2] = {0.3f, 0.4f};
    clip_grad_norm(h, 2, 1.0f);  // under the bound: untouched
    ck_assert_float_eq(h[0], 0.3f);
}
END_TEST

// Warm-up 10 steps to 1e-3, cosine to 1e-4 at step 110.
START_TEST(test_schedule) {
    lr_schedule s = {1e-3f, 1e-4f, 10, 110};
    ck_assert_float_eq_tol(lr_at(&s, 0), 1e-4f, 1e-9);
    ck_assert_float_eq_tol(lr_at(&s, 4), 5e-4f, 1e-9);
    ck_assert_float_eq_tol(lr_at(&s, 9), 1e-3f, 1e-9);
    ck_assert_float_eq_tol(lr_at(&s, 10), 1e-3f, 1e-9);
    ck_assert_float_eq_tol(lr_at(&s, 60), 5.5e-4f, 1e-9);
    ck_assert_float_eq_tol(lr_at(&s, 109), 1.0022205e-4f, 1e-9);
    ck_assert_float_eq_tol(lr_at(&s, 500), 1e-4f, 1e-9);
}
END_TEST

Suite *suite_adamw(void) {
    Suite *s = suite_create("adamw");
    TCase *tc = tcase_create("optimizer");
    tcase_add_test(tc, test_adamw_by_hand);
    tcase_add_test(tc, test_adamw_no_decay);
    tcase_add_test(tc, test_clip);
    tcase_add_test(tc, test_schedule);
    suite_add_tcase(s, tc);
    return s;
}
