// The length-generalisation suite's tasks (tasks/lengthgen/): the layout they share, and for
// each task golden sequences checked by hand and an independent solver over many draws
// (tests/lengthgen_check.h). The tasks of each class of the suite have their own file:
// test_lengthgen_regular.c, test_lengthgen_cf.c, test_lengthgen_cs.c.
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lengthgen_check.h"
#include "suites.h"

// parity_check: the parity of the number of 1s, counted independently of the generator.
static int parity_solve(const task *t, const uint16_t *in, int m, uint16_t *out, int *scored) {
    (void)t;
    int odd = 0;
    for (int i = 0; i < m; i++) odd ^= !strcmp(t->ops->token_name(t, in[i]), "1");
    out[0] = (uint16_t)odd;
    *scored = 1;
    return 1;
}

static int input_tokens(const task *t, const uint16_t *in, int m) {
    (void)t, (void)in;
    return m;
}

START_TEST(test_parity_check) {
    task t = lengthgen_configure("parity_check", "len_min=3,len_max=6");
    // By hand: 11010 has three 1s (odd), 011 two (even), 111110 five (odd).
    static const char *const golden[] = {"11010|[1]", "011|[0]", "111110|[1]"};
    lengthgen_check_golden(&t, 1, golden, 3);
    t = lengthgen_configure("parity_check", NULL);
    ck_assert_int_eq(t.ops->max_len(&t), 42);
    ck_assert_int_eq(lengthgen_check_solver(&t, 2, 5000, parity_solve, input_tokens), 42);
}
END_TEST

START_TEST(test_lengthgen_options) {
    task t;
    char err[256];
    ck_assert_int_eq(task_configure(&t, "parity_check", "len_min=9,len_max=4", err, sizeof err),
                     -1);
    ck_assert_str_eq(err, "task 'parity_check': len_min = 9 > len_max = 4");
    ck_assert_int_eq(task_configure(&t, "parity_check", "len_max=4.5", err, sizeof err), -1);
    ck_assert_str_eq(err, "task 'parity_check': option 'len_max' = 4.5 must be an integer");
}
END_TEST

Suite *suite_lengthgen(void) {
    Suite *s = suite_create("lengthgen");
    TCase *tc = tcase_create("lengthgen");
    tcase_add_test(tc, test_parity_check);
    tcase_add_test(tc, test_lengthgen_options);
    suite_add_tcase(s, tc);
    return s;
}
