// The vectorisable exp and tanh against libm in double, over their whole useful ranges.
#include <check.h>
#include <math.h>

#include "harness/fastmath.h"
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

Suite *suite_fastmath(void) {
    Suite *s = suite_create("fastmath");
    TCase *tc = tcase_create("fastmath");
    tcase_add_test(tc, test_fast_expf_error);
    tcase_add_test(tc, test_fast_tanhf_error);
    suite_add_tcase(s, tc);
    return s;
}
