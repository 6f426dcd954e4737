// The suite's counting and arithmetic tasks (tasks/lengthgen/), so far even_pairs: golden
// sequences checked by hand, a solver of its own over many draws at the default lengths and at
// long ones (tests/lengthgen_check.h), its option errors, and what its file's header promises
// about the distribution. The solver reads token names only, and computes differently from the
// generator: first against last symbol instead of counting pairs.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/rng.h"
#include "lengthgen_check.h"
#include "suites.h"

static const char *name_of(const task *t, int id) { return t->ops->token_name(t, id); }

// The id of the token named name (the test fails without one).
static uint16_t id_of(const task *t, const char *name) {
    const int V = t->ops->vocab_size(t);
    for (int id = 0; id < V; id++)
        if (!strcmp(name_of(t, id), name)) return (uint16_t)id;
    ck_abort_msg("%s: no token named '%s'", t->ops->name, name);
    return 0;
}

static int input_tokens(const task *t, const uint16_t *in, int m) {
    (void)t, (void)in;
    return m;
}

// Draws `draws` sequences and returns how many have the token named `name` at index i (-1:
// the last token, the answer of these tasks), for the distribution checks.
static int count_at(const task *t, uint64_t seed, int draws, int i, const char *name) {
    const int max_len = t->ops->max_len(t);
    uint16_t *tok = malloc((size_t)max_len * sizeof *tok);
    uint8_t *mask = malloc((size_t)max_len);
    rng r;
    rng_seed(&r, seed);
    int count = 0;
    for (int s = 0; s < draws; s++) {
        const int len = t->ops->next(t, &r, tok, mask);
        const int at = i < 0 ? len - 1 : i;
        count += at < len && !strcmp(name_of(t, tok[at]), name);
    }
    free(tok), free(mask);
    return count;
}

// ---- even_pairs ----------------------------------------------------------------------------

// Each a-b or b-a change flips the side, so an odd number of changes is exactly a string
// whose first and last symbols differ.
static int even_pairs_solve(const task *t, const uint16_t *in, int m, uint16_t *out,
                            int *scored) {
    int ab = 1;
    for (int i = 0; i < m; i++)
        ab &= !strcmp(name_of(t, in[i]), "a") || !strcmp(name_of(t, in[i]), "b");
    ck_assert(ab);
    out[0] = id_of(t, in[0] != in[m - 1] ? "1" : "0");
    *scored = 1;
    return 1;
}

START_TEST(test_even_pairs) {
    task t = lengthgen_configure("even_pairs", "len_min=4,len_max=8");
    // By hand: bbabaaa changes at b-a, a-b, b-a: 3, odd; bbbbbbba once, at b-a: odd;
    // aaaaba twice, at a-b and b-a: even.
    static const char *const golden[] = {"bbabaaa|[1]", "bbbbbbba|[1]", "aaaaba|[0]"};
    lengthgen_check_golden(&t, 1, golden, 3);
    t = lengthgen_configure("even_pairs", NULL);
    ck_assert_int_eq(t.ops->vocab_size(&t), 5);
    ck_assert_int_eq(t.ops->max_len(&t), 42);
    ck_assert_int_eq(lengthgen_check_solver(&t, 2, 3000, even_pairs_solve, input_tokens), 42);
    t = lengthgen_configure("even_pairs", "len_min=450,len_max=500");
    ck_assert_int_eq(lengthgen_check_solver(&t, 3, 600, even_pairs_solve, input_tokens), 502);
}
END_TEST

// A single symbol has no pair (always 0); from 2 symbols on the classes are balanced.
START_TEST(test_even_pairs_classes) {
    task t = lengthgen_configure("even_pairs", "len_min=1,len_max=1");
    ck_assert_int_eq(count_at(&t, 4, 200, -1, "0"), 200);
    t = lengthgen_configure("even_pairs", "len_min=2,len_max=40");
    const int odd = count_at(&t, 5, 4000, -1, "1");
    ck_assert_msg(odd > 1850 && odd < 2150, "%d odd in 4000", odd);
}
END_TEST

// ---- options -------------------------------------------------------------------------------

START_TEST(test_arithmetic_options) {
    static const struct {
        const char *task, *options, *err;
    } bad[] = {
        {"even_pairs", "modulus=5",
         "task 'even_pairs': unknown option 'modulus' (known: len_min, len_max)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        task t;
        char err[256];
        ck_assert_int_eq(task_configure(&t, bad[i].task, bad[i].options, err, sizeof err), -1);
        ck_assert_str_eq(err, bad[i].err);
    }
}
END_TEST

// Each solver test takes about a second (every check of the helper is a system call); the
// timeout leaves room for a loaded machine.
static TCase *solver_case(const char *name) {
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 30);
    return tc;
}

Suite *suite_lengthgen_arithmetic(void) {
    Suite *s = suite_create("lengthgen_arithmetic");
    TCase *tc = solver_case("even_pairs");
    tcase_add_test(tc, test_even_pairs);
    tcase_add_test(tc, test_even_pairs_classes);
    suite_add_tcase(s, tc);
    tc = tcase_create("options");
    tcase_add_test(tc, test_arithmetic_options);
    suite_add_tcase(s, tc);
    return s;
}
