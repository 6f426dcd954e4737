// The length-generalisation suite's number and sorting tasks (tasks/lengthgen/
// binary_addition.c, binary_multiplication.c, compute_sqrt.c, bucket_sort.c): golden
// sequences checked by hand, independent solvers over many draws at the default lengths and
// at evaluation lengths near 500, the distributions the tasks' headers promise (chi-square),
// and their option errors.
//
// The generators compute with 32-bit limbs (tasks/lengthgen/bits.c); the solvers here read
// tokens by name and compute one bit per byte: ripple-carry addition, shift-and-add
// multiplication, a square root grown bit by bit against a running square and then checked
// by its definition, and, when the numbers fit, native 64-bit arithmetic as well. Checks
// inside loops over bits or tokens call ck_abort_msg only when they fail, since every passing
// ck_assert records its place with a write.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/rng.h"
#include "lengthgen_check.h"
#include "suites.h"

// ---- numbers one bit per byte, least significant first ---------------------------------

enum { NB = 1200 };  // bits of every number here; the longest input drawn has 500

static int id_of(const task *t, const char *name) {
    for (int id = 0; id < t->ops->vocab_size(t); id++)
        if (!strcmp(t->ops->token_name(t, id), name)) return id;
    ck_abort_msg("%s has no symbol '%s'", t->ops->name, name);
    return -1;
}

// 0 or 1 for the tokens named "0" and "1", else -1.
static int bit_of(const task *t, uint16_t tok) {
    const char *name = t->ops->token_name(t, tok);
    return !strcmp(name, "0") ? 0 : !strcmp(name, "1") ? 1 : -1;
}

// acc += x 2^shift, one bit at a time (acc is NB bits).
static void add_shifted(uint8_t *acc, const uint8_t *x, int nx, int shift) {
    int carry = 0;
    for (int i = 0; i < nx || carry; i++) {
        if (shift + i >= NB) ck_abort_msg("a number of more than %d bits", NB);
        const int s = acc[shift + i] + (i < nx ? x[i] : 0) + carry;
        acc[shift + i] = (uint8_t)(s & 1);
        carry = s >> 1;
    }
}

// Bits up to the highest 1 (0 for zero).
static int length_of(const uint8_t *x, int n) {
    while (n > 0 && !x[n - 1]) n--;
    return n;
}

// Compares two NB-bit numbers.
static int compare(const uint8_t *a, const uint8_t *b) {
    for (int i = NB - 1; i >= 0; i--)
        if (a[i] != b[i]) return a[i] > b[i] ? 1 : -1;
    return 0;
}

static uint64_t value(const uint8_t *x, int n) {
    ck_assert_int_le(length_of(x, n), 64);
    uint64_t v = 0;
    for (int i = length_of(x, n) - 1; i >= 0; i--) v = v << 1 | x[i];
    return v;
}

// The two numbers of "a op b" into a and b (each at least one bit, and nonzero), or the one
// number of an input too short for two into a (then *nb = -1).
static void read_operands(const task *t, const uint16_t *in, int m, const char *op, uint8_t *a,
                          int *na, uint8_t *b, int *nb) {
    ck_assert_int_lt(m, NB / 2);
    memset(a, 0, NB), memset(b, 0, NB);
    *na = 0, *nb = -1;
    for (int i = 0; i < m; i++) {
        const int bit = bit_of(t, in[i]);
        if (bit >= 0 && *nb < 0) a[(*na)++] = (uint8_t)bit;
        else if (bit >= 0) b[(*nb)++] = (uint8_t)bit;
        else {
            if (strcmp(t->ops->token_name(t, in[i]), op) || *nb >= 0)
                ck_abort_msg("token %d of the input is '%s'", i, t->ops->token_name(t, in[i]));
            *nb = 0;
        }
    }
    if (*nb < 0) {
        // Too short for two numbers: n bits of a number below 2^n - 1 (not all ones).
        ck_assert_int_le(m, 2);
        ck_assert_int_lt((int)value(a, m), (1 << m) - 1);
        return;
    }
    ck_assert_msg(*na >= 1 && *nb >= 1 && length_of(a, *na) && length_of(b, *nb),
                  "an operand is empty or zero");
}

// out = the number's bits, '$', then '0's up to k symbols; returns k.
static int terminated(const task *t, const uint8_t *x, int len, int k, uint16_t *out) {
    for (int i = 0; i < k; i++) out[i] = (uint16_t)id_of(t, i < len && x[i] ? "1" : "0");
    out[len] = (uint16_t)id_of(t, "$");
    return k;
}

static int input_tokens(const task *t, const uint16_t *in, int m) {
    (void)t, (void)in;
    return m;
}

// ---- binary_addition ---------------------------------------------------------------------

static int addition_solve(const task *t, const uint16_t *in, int m, uint16_t *out,
                          int *scored) {
    uint8_t a[NB], b[NB], sum[NB] = {0};
    int na, nb;
    read_operands(t, in, m, "+", a, &na, b, &nb);
    int len;
    if (nb < 0) {
        memcpy(sum, a, (size_t)na);
        len = length_of(sum, na) ? length_of(sum, na) : 1;  // zero is "0"
    } else {
        add_shifted(sum, a, na, 0);
        add_shifted(sum, b, nb, 0);
        len = length_of(sum, NB);
        if (na <= 62 && nb <= 62) ck_assert_uint_eq(value(sum, len), value(a, na) + value(b, nb));
    }
    *scored = len + 1;
    return terminated(t, sum, len, m + 1, out);
}

START_TEST(test_binary_addition) {
    task t = lengthgen_configure("binary_addition", "len_min=3,len_max=8");
    // By hand, least significant bit first: 011 + 110 = 6 + 3 = 9 = 1001; 1 + 00110 =
    // 1 + 12 = 13 = 1011; 1101 + 100 = 11 + 1 = 12 = 0011. Each sum, '$', then '0's up to
    // n + 1 = 8, 8, 9 symbols; the sum and '$' scored.
    static const char *const golden[] = {"011+110|[1][0][0][1][$]000",
                                         "1+00110|[1][0][1][1][$]000",
                                         "1101+100|[0][0][1][1][$]0000"};
    lengthgen_check_golden(&t, 1, golden, 3);
    // Too short for two numbers: 01 is 2, written back as 01$; 00 is zero, "0$" and one '0'
    // of padding; n = 1 can only be 0.
    t = lengthgen_configure("binary_addition", "len_min=1,len_max=2");
    static const char *const short_golden[] = {"01|[0][1][$]", "00|[0][$]0", "0|[0][$]"};
    lengthgen_check_golden(&t, 6, short_golden, 3);
    t = lengthgen_configure("binary_addition", NULL);
    ck_assert_int_eq(t.ops->max_len(&t), 82);
    ck_assert_int_eq(lengthgen_check_solver(&t, 2, 3000, addition_solve, input_tokens), 82);
    t = lengthgen_configure("binary_addition", "len_min=450,len_max=500");
    ck_assert_int_eq(lengthgen_check_solver(&t, 3, 600, addition_solve, input_tokens), 1002);
}
END_TEST

// ---- binary_multiplication ---------------------------------------------------------------

static int multiplication_solve(const task *t, const uint16_t *in, int m, uint16_t *out,
                                int *scored) {
    uint8_t a[NB], b[NB], product[NB] = {0};
    int na, nb, len;
    read_operands(t, in, m, "*", a, &na, b, &nb);
    if (nb < 0) {
        len = m - 1;  // the suite's stand-in: m - 1 zeros
    } else {
        for (int j = 0; j < nb; j++)
            if (b[j]) add_shifted(product, a, na, j);
        len = length_of(product, NB);
        ck_assert_int_le(len, m - 1);
        if (na + nb <= 64) ck_assert_uint_eq(value(product, len), value(a, na) * value(b, nb));
    }
    *scored = len + 1;
    return terminated(t, product, len, m, out);
}

START_TEST(test_binary_multiplication) {
    task t = lengthgen_configure("binary_multiplication", "len_min=3,len_max=8");
    // By hand, least significant bit first: 011 * 110 = 6 * 3 = 18 = 01001; 1 * 00110 =
    // 12 = 0011; 1101 * 100 = 11 * 1 = 11 = 1101. Each product, '$', then '0's up to n = 7, 7,
    // 8 symbols; the product and '$' scored.
    static const char *const golden[] = {"011*110|[0][1][0][0][1][$]0",
                                         "1*00110|[0][0][1][1][$]00",
                                         "1101*100|[1][1][0][1][$]000"};
    lengthgen_check_golden(&t, 1, golden, 3);
    // Too short for two numbers: the fixed "0$" (n = 2) and "$" (n = 1), all scored.
    t = lengthgen_configure("binary_multiplication", "len_min=1,len_max=2");
    static const char *const short_golden[] = {"01|[0][$]", "00|[0][$]", "0|[$]"};
    lengthgen_check_golden(&t, 6, short_golden, 3);
    t = lengthgen_configure("binary_multiplication", NULL);
    ck_assert_int_eq(t.ops->max_len(&t), 81);
    ck_assert_int_eq(lengthgen_check_solver(&t, 2, 3000, multiplication_solve, input_tokens),
                     81);
    t = lengthgen_configure("binary_multiplication", "len_min=450,len_max=500");
    ck_assert_int_eq(lengthgen_check_solver(&t, 3, 600, multiplication_solve, input_tokens),
                     1001);
}
END_TEST

// ---- compute_sqrt ------------------------------------------------------------------------

static int sqrt_solve(const task *t, const uint16_t *in, int m, uint16_t *out, int *scored) {
    ck_assert_int_lt(2 * m + 4, NB);
    uint8_t v[NB] = {0}, root[NB] = {0}, square[NB] = {0}, trial[NB], one[1] = {1};
    for (int i = 0; i < m; i++) {
        const int bit = bit_of(t, in[i]);
        if (bit < 0) ck_abort_msg("token %d of the input is not a bit", i);
        v[m - 1 - i] = (uint8_t)bit;  // most significant first
    }
    ck_assert_msg(length_of(v, m) > 0, "v = 0");
    const int k = (m + 1) / 2;
    // From the top bit down, keep bit i when (root + 2^i)^2 = root^2 + root 2^(i+1) + 4^i
    // stays within v.
    for (int i = k - 1; i >= 0; i--) {
        memcpy(trial, square, NB);
        add_shifted(trial, root, k, i + 1);
        add_shifted(trial, one, 1, 2 * i);
        if (compare(trial, v) <= 0) memcpy(square, trial, NB), root[i] = 1;
    }
    // The definition: root^2 <= v < (root + 1)^2, by multiplication.
    uint8_t next[NB] = {0}, product[NB] = {0};
    for (int j = 0; j < k; j++)
        if (root[j]) add_shifted(product, root, k, j);
    ck_assert(compare(product, v) <= 0);
    add_shifted(next, root, k, 0);
    add_shifted(next, one, 1, 0);
    memset(product, 0, NB);
    for (int j = 0; j <= k; j++)
        if (next[j]) add_shifted(product, next, k + 1, j);
    ck_assert(compare(product, v) > 0);
    if (m <= 62) {
        const uint64_t r = value(root, k), x = value(v, m);
        ck_assert(r * r <= x && (r + 1) * (r + 1) > x);
    }
    for (int i = 0; i < k; i++) out[i] = (uint16_t)id_of(t, root[k - 1 - i] ? "1" : "0");
    *scored = k;
    return k;
}

START_TEST(test_compute_sqrt) {
    task t = lengthgen_configure("compute_sqrt", "len_min=1,len_max=8");
    // By hand, most significant bit first, the root in ceil(n / 2) bits: 010 = 2, 1^2 <= 2 <
    // 2^2, root 01; 100000 = 32, 5^2 = 25 <= 32 < 36, root 101; 01100 = 12, 3^2 = 9 <= 12 <
    // 16, root 011.
    static const char *const golden[] = {"010|[0][1]", "100000|[1][0][1]", "01100|[0][1][1]"};
    lengthgen_check_golden(&t, 5, golden, 3);
    t = lengthgen_configure("compute_sqrt", NULL);
    ck_assert_int_eq(t.ops->max_len(&t), 61);
    ck_assert_int_eq(lengthgen_check_solver(&t, 2, 3000, sqrt_solve, input_tokens), 61);
    t = lengthgen_configure("compute_sqrt", "len_min=450,len_max=500");
    ck_assert_int_eq(lengthgen_check_solver(&t, 3, 600, sqrt_solve, input_tokens), 751);
}
END_TEST

// ---- bucket_sort -------------------------------------------------------------------------

static int by_name(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int sort_solve(const task *t, const uint16_t *in, int m, uint16_t *out, int *scored) {
    const char *names[1024];
    ck_assert_int_le(m, 1024);
    const char last = (char)('a' + (int)t->opt[2] - 1);
    for (int i = 0; i < m; i++) {
        names[i] = t->ops->token_name(t, in[i]);
        if (strlen(names[i]) != 1 || names[i][0] < 'a' || names[i][0] > last)
            ck_abort_msg("'%s' is not one of a .. %c", names[i], last);
    }
    qsort(names, (size_t)m, sizeof *names, by_name);
    for (int i = 0; i < m; i++) out[i] = (uint16_t)id_of(t, names[i]);
    *scored = m;
    return m;
}

START_TEST(test_bucket_sort) {
    task t = lengthgen_configure("bucket_sort", "len_min=3,len_max=8");
    // By hand: ccbdaab has a, b, c twice and d once; ceeedcea a once, c twice, d once, e four
    // times; aaccd is already in order.
    static const char *const golden[] = {"ccbdaab|[a][a][b][b][c][c][d]",
                                         "ceeedcea|[a][c][c][d][e][e][e][e]",
                                         "aaccd|[a][a][c][c][d]"};
    lengthgen_check_golden(&t, 1, golden, 3);
    t = lengthgen_configure("bucket_sort", NULL);
    ck_assert_int_eq(t.ops->vocab_size(&t), 27);
    ck_assert_int_eq(t.ops->max_len(&t), 81);
    ck_assert_int_eq(lengthgen_check_solver(&t, 2, 3000, sort_solve, input_tokens), 81);
    t = lengthgen_configure("bucket_sort", "alphabet=26");
    ck_assert_int_eq(lengthgen_check_solver(&t, 4, 2000, sort_solve, input_tokens), 81);
    t = lengthgen_configure("bucket_sort", "alphabet=2,len_min=450,len_max=500");
    ck_assert_int_eq(lengthgen_check_solver(&t, 3, 600, sort_solve, input_tokens), 1001);
}
END_TEST

// ---- the distributions the headers promise -----------------------------------------------

// Draws `draws` sequences (rng_seed(seed)) and compares how often each of `cells` outcomes
// (cell_of of the input) occurs with the probabilities p by Pearson's chi-square; an outcome
// of probability 0 must never occur. The bound, df + 5 sd of the normal approximation, is
// passed by a correct generator with probability well over 1 - 1e-5; the seed is fixed, so
// the test is deterministic.
static void check_distribution(const task *t, uint64_t seed, int draws, int cells,
                               const double *p,
                               int (*cell_of)(const task *t, const uint16_t *in, int m)) {
    const int max_len = t->ops->max_len(t);
    uint16_t *tok = malloc((size_t)max_len * sizeof *tok);
    uint8_t *mask = malloc((size_t)max_len);
    long *count = calloc((size_t)cells, sizeof *count);
    ck_assert(tok && mask && count);
    rng r;
    rng_seed(&r, seed);
    for (int s = 0; s < draws; s++) {
        const int len = t->ops->next(t, &r, tok, mask);
        int m = 0;
        while (m < len && !mask[m]) m++;
        const int c = cell_of(t, tok, m);
        ck_assert(c >= 0 && c < cells);
        count[c]++;
    }
    double chi = 0;
    int df = -1;
    for (int c = 0; c < cells; c++) {
        if (p[c] <= 0) {
            ck_assert_msg(count[c] == 0, "%s: outcome %d drawn, but impossible", t->ops->name, c);
            continue;
        }
        const double e = p[c] * draws;
        chi += (count[c] - e) * (count[c] - e) / e;
        df++;
    }
    const double bound = df + 5 * sqrt(2.0 * df);
    printf("lengthgen_numbers: %s: chi2 %.1f (df %d, bound %.1f)\n", t->ops->name, chi, df,
           bound);
    ck_assert_msg(chi < bound, "%s: chi2 %.1f, df %d", t->ops->name, chi, df);
    free(tok), free(mask), free(count);
}

// The bits of in[from .. to) as a number, least significant first (-1 for another token).
static int number_at(const task *t, const uint16_t *in, int from, int to) {
    int v = 0;
    for (int i = to - 1; i >= from; i--) {
        const int bit = bit_of(t, in[i]);
        if (bit < 0) return -1;
        v = 2 * v + bit;
    }
    return v;
}

// At n = 6: which of the 72 (width, a, b) the input is: 1 + 00110 is width 1, a = 1, b = 12.
// Each width w = 1 .. 4 has 32 cells from 32 (w - 1), of which the first (2^w - 1)
// (2^(5-w) - 1) are (a - 1) (2^(5-w) - 1) + b - 1.
static int operands_cell(const task *t, const uint16_t *in, int m) {
    int w = 0;
    while (w < m && bit_of(t, in[w]) >= 0) w++;
    ck_assert(m == 6 && w >= 1 && w <= 4);
    const int a = number_at(t, in, 0, w), b = number_at(t, in, w + 1, m);
    ck_assert(a >= 1 && b >= 1);
    return 32 * (w - 1) + (a - 1) * ((1 << (5 - w)) - 1) + b - 1;
}

// The split uniform over widths 1 .. 4, then each number uniform over its nonzero values.
static void operands_p(double *p) {
    memset(p, 0, 128 * sizeof *p);
    for (int w = 1; w <= 4; w++) {
        const int pairs = ((1 << w) - 1) * ((1 << (5 - w)) - 1);
        for (int c = 0; c < pairs; c++) p[32 * (w - 1) + c] = 0.25 / pairs;
    }
}

// Inputs of n <= 2: n = 1 "0" and "1" are cells 0, 1; n = 2 the number v is cell 2 + v.
static int short_cell(const task *t, const uint16_t *in, int m) {
    ck_assert(m == 1 || m == 2);
    const int v = number_at(t, in, 0, m);
    ck_assert_int_ge(v, 0);
    return m == 1 ? v : 2 + v;
}

START_TEST(test_number_distributions) {
    static const char *const names[] = {"binary_addition", "binary_multiplication"};
    for (int k = 0; k < 2; k++) {
        task t = lengthgen_configure(names[k], "len_min=6,len_max=6");
        double p[128];
        operands_p(p);
        check_distribution(&t, 7, 30000, 128, p, operands_cell);
        // n = 1 half the time, always "0"; n = 2 the others, 0, 1, 2 a sixth each, never 3.
        t = lengthgen_configure(names[k], "len_min=1,len_max=2");
        static const double p_short[6] = {0.5, 0, 1.0 / 6, 1.0 / 6, 1.0 / 6, 0};
        check_distribution(&t, 8, 6000, 6, p_short, short_cell);
    }
}
END_TEST

// compute_sqrt at n = 4: v uniform in 1 .. 15 (cell v, 0 impossible).
static int sqrt_cell(const task *t, const uint16_t *in, int m) {
    ck_assert_int_eq(m, 4);
    int v = 0;
    for (int i = 0; i < m; i++) v = 2 * v + bit_of(t, in[i]);
    return v;
}

// bucket_sort: the first and last letters, independent and uniform over the alphabet (5).
static int letters_cell(const task *t, const uint16_t *in, int m) {
    ck_assert_int_ge(m, 2);
    const int first = t->ops->token_name(t, in[0])[0] - 'a';
    const int last = t->ops->token_name(t, in[m - 1])[0] - 'a';
    ck_assert(first >= 0 && first < 26 && last >= 0 && last < 26);
    return 26 * first + last;
}

START_TEST(test_other_distributions) {
    task t = lengthgen_configure("compute_sqrt", "len_min=4,len_max=4");
    double p[26 * 26] = {0};
    for (int v = 1; v < 16; v++) p[v] = 1.0 / 15;
    check_distribution(&t, 9, 15000, 16, p, sqrt_cell);
    t = lengthgen_configure("bucket_sort", "len_min=2,len_max=12");
    for (int c = 0; c < 26 * 26; c++) p[c] = c / 26 < 5 && c % 26 < 5 ? 1.0 / 25 : 0;
    check_distribution(&t, 10, 25000, 26 * 26, p, letters_cell);
}
END_TEST

// ---- options -----------------------------------------------------------------------------

static void expect_error(const char *name, const char *options, const char *message) {
    task t;
    char err[256];
    ck_assert_int_eq(task_configure(&t, name, options, err, sizeof err), -1);
    ck_assert_str_eq(err, message);
}

START_TEST(test_number_options) {
    expect_error("binary_addition", "len_min=9,len_max=4",
                 "task 'binary_addition': len_min = 9 > len_max = 4");
    expect_error("compute_sqrt", "len_min=2.5",
                 "task 'compute_sqrt': option 'len_min' = 2.5 must be an integer");
    expect_error("bucket_sort", "alphabet=1",
                 "task 'bucket_sort': option 'alphabet' = 1 out of range [2, 26]");
    expect_error("bucket_sort", "alphabet=27",
                 "task 'bucket_sort': option 'alphabet' = 27 out of range [2, 26]");
    expect_error("bucket_sort", "alphabet=4.5",
                 "task 'bucket_sort': option 'alphabet' = 4.5 must be an integer");
    expect_error("bucket_sort", "len_min=40,len_max=39",
                 "task 'bucket_sort': len_min = 40 > len_max = 39");
    // The numbers' capacity, 100000 bits, is the length options' own maximum, so only a task
    // configured past the option ranges reaches that check.
    static const char *const numbers[] = {"binary_addition", "binary_multiplication",
                                          "compute_sqrt"};
    for (int k = 0; k < 3; k++) {
        task t = lengthgen_configure(numbers[k], "len_max=100000");
        char err[256], want[256];
        ck_assert_int_eq(t.ops->validate(&t, err, sizeof err), 0);
        t.opt[1] = 100001;
        ck_assert_int_eq(t.ops->validate(&t, err, sizeof err), -1);
        snprintf(want, sizeof want, "task '%s': len_max = 100001 is more than 100000, the "
                 "longest number its arithmetic holds", numbers[k]);
        ck_assert_str_eq(err, want);
    }
}
END_TEST

Suite *suite_lengthgen_numbers(void) {
    Suite *s = suite_create("lengthgen_numbers");
    TCase *tc = tcase_create("lengthgen_numbers");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_binary_addition);
    tcase_add_test(tc, test_binary_multiplication);
    tcase_add_test(tc, test_compute_sqrt);
    tcase_add_test(tc, test_bucket_sort);
    tcase_add_test(tc, test_number_distributions);
    tcase_add_test(tc, test_other_distributions);
    tcase_add_test(tc, test_number_options);
    suite_add_tcase(s, tc);
    return s;
}
