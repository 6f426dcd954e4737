// The suite's string tasks (tasks/lengthgen/): stack_manipulation, reverse_string,
// duplicate_string, missing_duplicate_string and odds_first. For each: golden sequences
// checked by hand, a solver of its own (another algorithm than the generator's, reading
// tokens by name) over many draws at the training lengths and at evaluation lengths, the
// option errors, and what the task's header promises about its distribution.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/options.h"
#include "lengthgen_check.h"
#include "suites.h"

// ---- helpers -----------------------------------------------------------------------------

static int id_of(const task *t, const char *name) {
    for (int id = 0; id < t->ops->vocab_size(t); id++)
        if (!strcmp(t->ops->token_name(t, id), name)) return id;
    ck_abort_msg("%s has no token '%s'", t->ops->name, name);
    return -1;
}

static const char *name_of(const task *t, uint16_t id) { return t->ops->token_name(t, id); }

static int option(const task *t, const char *name) {
    const int i = options_find(t->ops->options, t->ops->n_options, name);
    ck_assert_int_ge(i, 0);
    return (int)t->opt[i];
}

static int input_tokens(const task *t, const uint16_t *in, int m) {
    (void)t, (void)in;
    return m;
}

// The vocabulary, in id order, is names[] (then '|').
static void check_vocab(const task *t, const char *const *names, int n) {
    ck_assert_int_eq(t->ops->vocab_size(t), n + 1);
    for (int id = 0; id < n; id++) ck_assert_str_eq(t->ops->token_name(t, id), names[id]);
    ck_assert_str_eq(t->ops->token_name(t, n), "|");
}

// counts[0..k) of total draws are each within 5 standard deviations of total / k (the
// draws come from a fixed seed, so this either always passes or never does).
static void check_uniform(const char *what, const int *counts, int k, int total) {
    const double mean = (double)total / k, sd = sqrt(mean * (1 - 1.0 / k));
    for (int i = 0; i < k; i++)
        ck_assert_msg(fabs(counts[i] - mean) <= 5 * sd, "%s %d: %d draws, expected %.0f +- %.0f",
                      what, i, counts[i], mean, 5 * sd);
}

static void check_error(const char *name, const char *options, const char *message) {
    task t;
    char err[256];
    ck_assert_int_eq(task_configure(&t, name, options, err, sizeof err), -1);
    ck_assert_str_eq(err, message);
}

// The solver at the defaults (2000 draws: n = len_max = 40, which reaches max_len, about 50
// times) and at evaluation lengths 480 .. 500 (250 draws: each of the 21 lengths about 12
// times, len_max among them). The shared checks assert about three times per token, and
// each assertion is a write to Check's pipe, so the long draws are no more than that needs.
static void check_solver(const char *name, lengthgen_solver solve, int default_max_len) {
    task t = lengthgen_configure(name, NULL);
    ck_assert_int_eq(t.ops->max_len(&t), default_max_len);
    ck_assert_int_eq(lengthgen_check_solver(&t, 2, 2000, solve, input_tokens), default_max_len);
    t = lengthgen_configure(name, "len_min=480,len_max=500");
    ck_assert_int_eq(lengthgen_check_solver(&t, 3, 250, solve, input_tokens), t.ops->max_len(&t));
}

// Buffers for drawing sequences of task t directly.
typedef struct draws {
    task t;
    rng r;
    uint16_t *tok;
    uint8_t *mask;
} draws;

static draws draws_open(const char *name, const char *options, uint64_t seed) {
    draws d = {.t = lengthgen_configure(name, options)};
    rng_seed(&d.r, seed);
    d.tok = malloc((size_t)d.t.ops->max_len(&d.t) * sizeof *d.tok);
    d.mask = malloc((size_t)d.t.ops->max_len(&d.t));
    ck_assert(d.tok && d.mask);
    return d;
}

// One sequence; returns the input's length m (the tokens before '|'), its length in *len.
static int draws_next(draws *d, int *len) {
    *len = d->t.ops->next(&d->t, &d->r, d->tok, d->mask);
    int m = 0;
    while (strcmp(name_of(&d->t, d->tok[m]), "|")) m++;
    return m;
}

static void draws_close(draws *d) { free(d->tok), free(d->mask); }

// ---- stack_manipulation ------------------------------------------------------------------

// The final stack without simulating it: scanning the input from its end, each POP cancels
// the nearest earlier symbol (an initial bit or a PUSH) that no later POP has cancelled; the
// symbols nothing cancels are the final stack, met top first. A POP on an empty stack only
// adds a cancel for symbols that earlier POPs removed anyway, so it changes nothing.
static int stack_solve(const task *t, const uint16_t *in, int m, uint16_t *out, int *scored) {
    int pops = 0, k = 0;
    for (int i = m - 1; i >= 0; i--) {
        const char *name = name_of(t, in[i]);
        if (!strcmp(name, "POP")) {
            pops++;
        } else if (pops) {
            pops--;
        } else {
            const char *bit = !strncmp(name, "PUSH", 4) ? name + 4 : name;
            out[k++] = (uint16_t)id_of(t, bit);
        }
    }
    *scored = k + 1;
    out[k++] = (uint16_t)id_of(t, "END");
    while (k < m + 1) out[k++] = (uint16_t)id_of(t, "_");
    return k;
}

START_TEST(test_stack_manipulation) {
    task t = lengthgen_configure("stack_manipulation", "len_min=1,len_max=6");
    static const char *const names[] = {"0", "1", "POP", "PUSH0", "PUSH1", "END", "_"};
    check_vocab(&t, names, 7);
    // By hand:
    //   0 POP POP POP POP PUSH0: [0] -> [] -> [] -> [] -> [] (three POPs on the empty stack
    //     do nothing) -> [0]; output 0 END, padded to n + 1 = 7; 0 and END scored.
    //   1 1 POP POP: [1 1] -> [1] -> []; output END and 4 '_' (n + 1 = 5); END scored.
    //   0: n = 1, a lone bit and no action; output 0 END, both scored.
    static const char *const golden[] = {"0POPPOPPOPPOPPUSH0|[0][END]_____",
                                         "11POPPOP|[END]____", "0|[0][END]"};
    lengthgen_check_golden(&t, 22, golden, 3);
    check_solver("stack_manipulation", stack_solve, 82);
}
END_TEST

// The header's distribution: the bits before the first action number uniformly 1 .. n-1, the
// actions are uniform over the three, the bits over 0 and 1; n = 1 is a lone bit.
START_TEST(test_stack_manipulation_distribution) {
    enum { DRAWS = 4000 };
    draws d = draws_open("stack_manipulation", "len_min=5,len_max=5", 7);
    int bits[4] = {0}, actions[3] = {0}, values[2] = {0}, n_actions = 0, len;
    static const char *const action_names[] = {"POP", "PUSH0", "PUSH1"};
    for (int s = 0; s < DRAWS; s++) {
        ck_assert_int_eq(draws_next(&d, &len), 5);
        int b = 0;
        for (; b < 5 && strlen(name_of(&d.t, d.tok[b])) == 1; b++)
            values[!strcmp(name_of(&d.t, d.tok[b]), "1")]++;
        ck_assert_msg(b >= 1 && b <= 4, "%d bits before the first action", b);
        bits[b - 1]++;
        for (int i = b; i < 5; i++, n_actions++) {
            int a = 0;
            while (a < 3 && strcmp(name_of(&d.t, d.tok[i]), action_names[a])) a++;
            ck_assert_msg(a < 3, "'%s' after an action", name_of(&d.t, d.tok[i]));
            actions[a]++;
        }
    }
    check_uniform("bits before the first action, minus 1,", bits, 4, DRAWS);
    check_uniform("action", actions, 3, n_actions);
    check_uniform("initial bit", values, 2, values[0] + values[1]);
    draws_close(&d);

    d = draws_open("stack_manipulation", "len_min=1,len_max=1", 8);
    int seen[2] = {0};
    for (int s = 0; s < 100; s++) {
        ck_assert_int_eq(draws_next(&d, &len), 1);
        ck_assert_int_eq(len, 4);  // b | b END
        ck_assert_int_eq(d.tok[2], d.tok[0]);
        ck_assert_str_eq(name_of(&d.t, d.tok[3]), "END");
        seen[!strcmp(name_of(&d.t, d.tok[0]), "1")] = 1;
    }
    ck_assert(seen[0] && seen[1]);
    draws_close(&d);
}
END_TEST

// ---- reverse_string ----------------------------------------------------------------------

// The string copied, then turned over in place by swapping its ends inwards.
static int reverse_solve(const task *t, const uint16_t *in, int m, uint16_t *out, int *scored) {
    (void)t;
    memcpy(out, in, (size_t)m * sizeof *in);
    for (uint16_t *a = out, *b = out + m - 1; a < b; a++, b--) {
        const uint16_t c = *a;
        *a = *b, *b = c;
    }
    *scored = m;
    return m;
}

START_TEST(test_reverse_string) {
    task t = lengthgen_configure("reverse_string", "len_min=3,len_max=6");
    static const char *const digits[] = {"0", "1", "2", "3", "4"};
    check_vocab(&t, digits, 2);
    // By hand: 11010 backwards is 01011; 011 is 110; 111110 is 011111.
    static const char *const golden[] = {"11010|[0][1][0][1][1]", "011|[1][1][0]",
                                         "111110|[0][1][1][1][1][1]"};
    lengthgen_check_golden(&t, 1, golden, 3);
    t = lengthgen_configure("reverse_string", "len_min=3,len_max=6,alphabet=4");
    check_vocab(&t, digits, 4);
    // By hand: 202 is a palindrome; 02022 backwards is 22020; 12330 is 03321.
    static const char *const golden4[] = {"202|[2][0][2]", "02022|[2][2][0][2][0]",
                                          "12330|[0][3][3][2][1]"};
    lengthgen_check_golden(&t, 2, golden4, 3);
    check_solver("reverse_string", reverse_solve, 81);
    t = lengthgen_configure("reverse_string", "alphabet=10");
    ck_assert_int_eq(lengthgen_check_solver(&t, 4, 1000, reverse_solve, input_tokens), 81);
}
END_TEST

// ---- duplicate_string --------------------------------------------------------------------

// Output symbol j is input symbol j mod m, for j < copies * m.
static int duplicate_solve(const task *t, const uint16_t *in, int m, uint16_t *out,
                           int *scored) {
    const int k = option(t, "copies") * m;
    for (int j = 0; j < k; j++) out[j] = in[j % m];
    *scored = k;
    return k;
}

START_TEST(test_duplicate_string) {
    task t = lengthgen_configure("duplicate_string", "len_min=2,len_max=5");
    // By hand: 1101 twice is 11011101; 00 is 0000; 11111 is ten 1s.
    static const char *const golden[] = {"1101|[1][1][0][1][1][1][0][1]", "00|[0][0][0][0]",
                                         "11111|[1][1][1][1][1][1][1][1][1][1]"};
    lengthgen_check_golden(&t, 1, golden, 3);
    t = lengthgen_configure("duplicate_string", "len_min=2,len_max=4,alphabet=3,copies=3");
    // By hand, three copies: 20 -> 202020; 2010 -> 201020102010; 221 -> 221221221.
    static const char *const golden3[] = {"20|[2][0][2][0][2][0]",
                                          "2010|[2][0][1][0][2][0][1][0][2][0][1][0]",
                                          "221|[2][2][1][2][2][1][2][2][1]"};
    lengthgen_check_golden(&t, 2, golden3, 3);
    check_solver("duplicate_string", duplicate_solve, 121);
    // max_len is copies * 40 + 41 and is reached: n = 40 is drawn about 25 times in 1000.
    static const struct {
        const char *options;
        int max_len;
    } other[] = {{"copies=1", 81}, {"copies=3", 161}, {"copies=8,alphabet=7", 361}};
    for (size_t i = 0; i < sizeof other / sizeof *other; i++) {
        t = lengthgen_configure("duplicate_string", other[i].options);
        ck_assert_int_eq(t.ops->max_len(&t), other[i].max_len);
        ck_assert_int_eq(lengthgen_check_solver(&t, 5, 1000, duplicate_solve, input_tokens),
                         other[i].max_len);
    }
}
END_TEST

// ---- missing_duplicate_string ------------------------------------------------------------

// The input without its '_' is ww with one '?': the hidden bit is the one half a string away
// from the '?'. A lone token (n = 1) has the fixed answer 1.
static int missing_solve(const task *t, const uint16_t *in, int m, uint16_t *out,
                         int *scored) {
    *scored = 1;
    if (m == 1) {
        out[0] = (uint16_t)id_of(t, "1");
        return 1;
    }
    const int len = strcmp(name_of(t, in[m - 1]), "_") ? m : m - 1, half = len / 2;
    int gap = 0;
    while (strcmp(name_of(t, in[gap]), "?")) gap++;
    out[0] = in[gap < half ? gap + half : gap - half];
    return 1;
}

START_TEST(test_missing_duplicate_string) {
    task t = lengthgen_configure("missing_duplicate_string", "len_min=1,len_max=7");
    static const char *const names[] = {"0", "1", "?", "_"};
    check_vocab(&t, names, 4);
    // By hand:
    //   1: n = 1, the fixed example; answer 1.
    //   0?1011: n = 6, w = 011 (the intact second copy); '?' is w's second bit, 1.
    //   01?1_: n = 5, w = 01 (first copy), then ?1 and the '_' of odd n; '?' is w's first
    //     bit, 0.
    static const char *const golden[] = {"1|[1]", "0?1011|[1]", "01?1_|[0]"};
    lengthgen_check_golden(&t, 2, golden, 3);
    check_solver("missing_duplicate_string", missing_solve, 42);
}
END_TEST

// The header's distribution: '?' uniform over the 2 * (n/2) positions of ww, '_' last when n
// is odd (and nowhere else), the hidden bit uniform; n = 1 is always 1 | 1.
START_TEST(test_missing_duplicate_string_distribution) {
    enum { DRAWS = 6000 };
    for (int n = 6; n <= 7; n++) {
        char options[64];
        snprintf(options, sizeof options, "len_min=%d,len_max=%d", n, n);
        draws d = draws_open("missing_duplicate_string", options, 9);
        int gaps[6] = {0}, answers[2] = {0}, len;
        for (int s = 0; s < DRAWS; s++) {
            ck_assert_int_eq(draws_next(&d, &len), n);
            int gap = -1;
            for (int i = 0; i < n; i++) {
                const char *name = name_of(&d.t, d.tok[i]);
                ck_assert_int_eq(!strcmp(name, "_"), n % 2 && i == n - 1);
                if (!strcmp(name, "?")) {
                    ck_assert_int_eq(gap, -1);
                    gap = i;
                }
            }
            ck_assert_int_ge(gap, 0);
            gaps[gap]++;
            answers[!strcmp(name_of(&d.t, d.tok[n + 1]), "1")]++;
        }
        check_uniform("'?' at", gaps, 6, DRAWS);
        check_uniform("hidden bit", answers, 2, DRAWS);
        draws_close(&d);
    }
    draws d = draws_open("missing_duplicate_string", "len_min=1,len_max=1", 10);
    char text[64];
    for (int s = 0; s < 20; s++) {
        int len;
        draws_next(&d, &len);
        lengthgen_render(&d.t, d.tok, d.mask, len, text, sizeof text);
        ck_assert_str_eq(text, "1|[1]");
    }
    draws_close(&d);
}
END_TEST

// ---- odds_first --------------------------------------------------------------------------

// Each input symbol sent to its place: s_p (1-based p) goes to its rank among the positions
// of p's parity, in the leading group when p has the leading parity (odd for first=s1, even
// for first=s2), else after it.
static int odds_solve(const task *t, const uint16_t *in, int m, uint16_t *out, int *scored) {
    const int lead_parity = option(t, "first") == 1 ? 1 : 0;  // first's choices: s2|s1
    const int leading = lead_parity ? (m + 1) / 2 : m / 2;
    for (int p = 1; p <= m; p++) {
        const int rank = (p - 1) / 2;
        out[p % 2 == lead_parity ? rank : leading + rank] = in[p - 1];
    }
    *scored = m;
    return m;
}

START_TEST(test_odds_first) {
    task t = lengthgen_configure("odds_first", "len_min=4,len_max=7");
    // By hand (default first=s2: s_2 s_4 .., then s_1 s_3 ..):
    //   10101: s2 s4 = 00, s1 s3 s5 = 111 -> 00111.
    //   10001: s2 s4 = 00, s1 s3 s5 = 101 -> 00101.
    //   11000: s2 s4 = 10, s1 s3 s5 = 100 -> 10100.
    static const char *const golden[] = {"10101|[0][0][1][1][1]", "10001|[0][0][1][0][1]",
                                         "11000|[1][0][1][0][0]"};
    lengthgen_check_golden(&t, 4, golden, 3);
    // Ten digits make the regrouping visible. By hand, s2 first:
    //   553610: s2 s4 s6 = 560, s1 s3 s5 = 531 -> 560531.
    //   85999:  s2 s4 = 59, s1 s3 s5 = 899 -> 59899.
    //   580400: s2 s4 s6 = 840, s1 s3 s5 = 500 -> 840500.
    t = lengthgen_configure("odds_first", "len_min=4,len_max=7,alphabet=10");
    static const char *const golden10[] = {"553610|[5][6][0][5][3][1]", "85999|[5][9][8][9][9]",
                                           "580400|[8][4][0][5][0][0]"};
    lengthgen_check_golden(&t, 1, golden10, 3);
    // The same strings with first=s1: 531560, 89959, 500840.
    t = lengthgen_configure("odds_first", "len_min=4,len_max=7,alphabet=10,first=s1");
    static const char *const golden10_s1[] = {
        "553610|[5][3][1][5][6][0]", "85999|[8][9][9][5][9]", "580400|[5][0][0][8][4][0]"};
    lengthgen_check_golden(&t, 1, golden10_s1, 3);
    check_solver("odds_first", odds_solve, 81);
    t = lengthgen_configure("odds_first", "first=s1");
    ck_assert_int_eq(lengthgen_check_solver(&t, 6, 1000, odds_solve, input_tokens), 81);
}
END_TEST

// ---- shared by the alphabet tasks, and the option errors --------------------------------

// The vocabulary is the digits 0 .. alphabet-1 and '|', and each digit is drawn uniformly.
START_TEST(test_alphabet) {
    static const char *const tasks[] = {"reverse_string", "duplicate_string", "odds_first"};
    static const char *const digits[] = {"0", "1", "2", "3", "4"};
    for (size_t i = 0; i < sizeof tasks / sizeof *tasks; i++) {
        draws d = draws_open(tasks[i], "alphabet=5", 11);
        check_vocab(&d.t, digits, 5);
        int counts[5] = {0}, total = 0, len;
        for (int s = 0; s < 500; s++) {
            const int m = draws_next(&d, &len);
            for (int j = 0; j < m; j++, total++) counts[d.tok[j]]++;
        }
        check_uniform(tasks[i], counts, 5, total);
        draws_close(&d);
    }
}
END_TEST

START_TEST(test_lengthgen_strings_options) {
    check_error("stack_manipulation", "len_min=7,len_max=3",
                "task 'stack_manipulation': len_min = 7 > len_max = 3");
    check_error("stack_manipulation", "len_min=0",
                "task 'stack_manipulation': option 'len_min' = 0 out of range [1, 100000]");
    check_error("missing_duplicate_string", "len_max=40.5",
                "task 'missing_duplicate_string': option 'len_max' = 40.5 must be an integer");
    check_error("missing_duplicate_string", "alphabet=3",
                "task 'missing_duplicate_string': unknown option 'alphabet' (known: len_min, "
                "len_max)");
    check_error("reverse_string", "alphabet=11",
                "task 'reverse_string': option 'alphabet' = 11 out of range [2, 10]");
    check_error("reverse_string", "alphabet=1",
                "task 'reverse_string': option 'alphabet' = 1 out of range [2, 10]");
    check_error("reverse_string", "alphabet=2.5",
                "task 'reverse_string': option 'alphabet' = 2.5 must be an integer");
    check_error("duplicate_string", "copies=0",
                "task 'duplicate_string': option 'copies' = 0 out of range [1, 8]");
    check_error("duplicate_string", "copies=1.5",
                "task 'duplicate_string': option 'copies' = 1.5 must be an integer");
    check_error("duplicate_string", "len_min=5,len_max=4,copies=1.5",
                "task 'duplicate_string': len_min = 5 > len_max = 4");
    check_error("odds_first", "first=s3",
                "task 'odds_first': option 'first' must be one of s2|s1, got 's3'");
    check_error("odds_first", "alphabet=3.5",
                "task 'odds_first': option 'alphabet' = 3.5 must be an integer");
    // The boundaries are valid.
    lengthgen_configure("reverse_string", "alphabet=10,len_min=1,len_max=1");
    lengthgen_configure("duplicate_string", "copies=8,alphabet=2,len_min=100000,len_max=100000");
    lengthgen_configure("missing_duplicate_string", "len_min=1,len_max=1");
}
END_TEST

Suite *suite_lengthgen_strings(void) {
    Suite *s = suite_create("lengthgen_strings");
    TCase *tc = tcase_create("lengthgen_strings");
    tcase_add_test(tc, test_stack_manipulation);
    tcase_add_test(tc, test_stack_manipulation_distribution);
    tcase_add_test(tc, test_reverse_string);
    tcase_add_test(tc, test_duplicate_string);
    tcase_add_test(tc, test_missing_duplicate_string);
    tcase_add_test(tc, test_missing_duplicate_string_distribution);
    tcase_add_test(tc, test_odds_first);
    tcase_add_test(tc, test_alphabet);
    tcase_add_test(tc, test_lengthgen_strings_options);
    suite_add_tcase(s, tc);
    return s;
}
