// The vectorisable exp and tanh against libm in double, over their whole useful ranges.
#include <check.h>
#include <math.h>

#include "harness/base/fastmath.h"
#include "suites.h"

START_TEST(test_fast_expf_error) {
    double worst = 0;
    for (float x = -87.0f; x < 88.0f; x += 0.0007f) {
        double e = exp((double)x);
        worst = fmax(worst, fabs(fast_expf(x) - e) / e);
    }
    ck_assert_msg(worst < 3e-7, "fast_expf worst relative error %g", worst);
    ck_assert_float_eq(fast_expf(0.0f), 1.0f);
    ck_assert(fast_expf(-1000.0f) >= 0.0f && fast_expf(-1000.0f) < 1e-37f);
    ck_assert(isfinite(fast_expf(1000.0f)));
}
END_TEST

START_TEST(test_fast_tanhf_error) {
    double worst = 0;
    for (float x = -20.0f; x < 20.0f; x += 1e-4f)
        worst = fmax(worst, fabs(fast_tanhf(x) - tanh((double)x)));
    ck_assert_msg(worst < 1e-6, "fast_tanhf worst absolute error %g", worst);
    ck_assert_float_eq(fast_tanhf(-3.0f), -fast_tanhf(3.0f));
}
END_TEST

START_TEST(test_fast_logf_error) {
    double worst = 0;
    for (float x = 1e-30f; x < 1e30f; x *= 1.0001f)
        worst = fmax(worst, fabs(fast_logf(x) - log((double)x)));
    ck_assert_msg(worst < 1e-5, "fast_logf worst absolute error %g", worst);
    double near_one = 0;
    for (float x = 0.5f; x < 2.0f; x += 1e-5f)
        near_one = fmax(near_one, fabs(fast_logf(x) - log((double)x)));
    ck_assert_msg(near_one < 1e-7, "fast_logf worst absolute error on [0.5, 2] %g", near_one);
}
END_TEST

START_TEST(test_fast_sincosf_error) {
    double worst = 0;
    for (float x = -1e4f; x < 1e4f; x += 0.0173f) {
        float s, c;
        fast_sincosf(x, &s, &c);
        worst = fmax(worst, fmax(fabs(s - sin((double)x)), fabs(c - cos((double)x))));
    }
    ck_assert_msg(worst < 2e-7, "fast_sincosf worst absolute error %g", worst);
    double small = 0;
    for (float x = -10.0f; x < 10.0f; x += 1e-4f) {
        float s, c;
        fast_sincosf(x, &s, &c);
        small = fmax(small, fmax(fabs(s - sin((double)x)), fabs(c - cos((double)x))));
    }
    ck_assert_msg(small < 2e-7, "fast_sincosf worst absolute error on [-10, 10] %g", small);
}
END_TEST

Suite *suite_fastmath(void) {
    Suite *s = suite_create("fastmath");
    TCase *tc = tcase_create("fastmath");
    tcase_add_test(tc, test_fast_expf_error);
    tcase_add_test(tc, test_fast_tanhf_error);
    tcase_add_test(tc, test_fast_logf_error);
    tcase_add_test(tc, test_fast_sincosf_error);
    suite_add_tcase(s, tc);
    return s;
}
