// Tests of the task generators and the dataset format. Every task meets the interface
// contract (a loop test over task_registry); indirect indexing is checked against golden
// output, an independent solver that reads generated files, the exact distributions the
// header of tasks/indirect_indexing.c promises (chi-square), and its option errors; dataset
// files round-trip exactly and damaged ones are refused with the documented messages.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "capture.h"
#include "harness/base/rng.h"
#include "harness/cli/cli_data.h"
#include "harness/model/model.h"
#include "harness/train/task_feed.h"
#include "suites.h"
#include "tasks/dataset.h"
#include "tasks/task.h"

#define II "indirect_indexing"

static char *temp_path(const char *suffix) {
    static char buf[4][256];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 256, "/tmp/posbench_test_%d_%s", (int)getpid(), suffix);
    return p;
}

static task configure(const char *name, const char *options) {
    task t;
    char err[256];
    ck_assert_msg(task_configure(&t, name, options, err, sizeof err) == 0, "%s", err);
    return t;
}

static dataset *write_and_load(const char *options, uint64_t seed, uint64_t n,
                               const char *path) {
    task t = configure(II, options);
    char err[256];
    ck_assert_msg(task_write_dataset(&t, seed, n, path, NULL, NULL, err, sizeof err) == 0, "%s",
                  err);
    dataset *d = dataset_load(path, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    return d;
}

static unsigned char *slurp(const char *path, long *n) {
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)*n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(fread(buf, 1, (size_t)*n, f), *n);
    fclose(f);
    return buf;
}

// indirect_indexing's max_len is the longest sequence it can write, not a loose bound: the
// batch is that wide, and padding columns cost compute. Over many draws the longest one
// reaches it (one-digit shifts below 10, two-digit ones from 10) and none exceeds it.
START_TEST(test_max_len_is_tight) {
    static const char *const options[] = {
        "alphabet=26,len_min=6,len_max=10,shift_max=1,allow_zero=0,queries=8",
        "alphabet=26,len_min=6,len_max=10,shift_max=9,queries=2", "len_min=20,len_max=40",
        "len_min=30,len_max=30,shift_max=12,queries=2"};
    for (size_t k = 0; k < sizeof options / sizeof options[0]; k++) {
        task t = configure(II, options[k]);
        const int max_len = t.ops->max_len(&t);
        uint16_t tok[512];
        uint8_t mask[512];
        ck_assert_int_le(max_len, 512);
        rng r;
        rng_seed(&r, 11);
        int longest = 0;
        for (int s = 0; s < 5000; s++) {
            const int len = t.ops->next(&t, &r, tok, mask);
            longest = len > longest ? len : longest;
        }
        ck_assert_msg(longest == max_len, "%s: longest %d, max_len %d", options[k], longest,
                      max_len);
    }
}
END_TEST

// ---- the interface contract, for every registered task ----------------------------------

static int n_tasks(void) {
    int n = 0;
    while (task_registry[n]) n++;
    return n;
}

START_TEST(test_task_contract) {
    const task_ops *ops = task_registry[_i];
    ck_assert_ptr_eq(task_find(ops->name), ops);
    ck_assert(ops->summary && ops->vocab_size && ops->token_name && ops->max_len && ops->next);
    task t = configure(ops->name, NULL);
    const int V = ops->vocab_size(&t), max_len = ops->max_len(&t);
    ck_assert(V >= 1 && V <= DATASET_MAX_VOCAB);
    for (int i = 0; i < V; i++) {
        const char *name = ops->token_name(&t, i);
        ck_assert(name && strlen(name) >= 1 && strlen(name) <= 255);
    }
    uint16_t *tok = malloc((size_t)max_len * 2 * sizeof *tok);
    uint8_t *mask = malloc((size_t)max_len * 2);
    rng a, b;
    rng_seed(&a, 3);
    rng_seed(&b, 3);
    for (int s = 0; s < 200; s++) {
        const int len = ops->next(&t, &a, tok, mask);
        ck_assert(len >= 2 && len <= max_len);
        ck_assert_int_eq(mask[len - 1], 0);
        int scored = 0;
        for (int i = 0; i < len; i++) {
            ck_assert_int_lt(tok[i], V);
            ck_assert_int_le(mask[i], 1);
            scored += mask[i];
        }
        ck_assert_int_ge(scored, 1);
        // Same rng state, same sequence.
        ck_assert_int_eq(ops->next(&t, &b, tok + max_len, mask + max_len), len);
        ck_assert(memcmp(tok, tok + max_len, (size_t)len * sizeof *tok) == 0);
        ck_assert(memcmp(mask, mask + max_len, (size_t)len) == 0);
        // A task with answer groups names them and gives every scored answer one.
        for (int i = 1; ops->answer_group && i < len; i++) {
            int group;
            if (mask[i - 1]) ck_assert_int_eq(ops->answer_group(&t, tok, i, &group), 1);
        }
    }
    ck_assert(!ops->answer_group == !ops->group_name);
    ck_assert(!ops->answer_group == !ops->no_lookup_chance);
    free(tok);
    free(mask);
}
END_TEST

START_TEST(test_unknown_task) {
    task t;
    char err[1024];
    ck_assert_int_eq(task_configure(&t, "indirect_indexin", NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "unknown task 'indirect_indexin' (did you mean 'indirect_indexing'?)");
    ck_assert_int_eq(task_configure(&t, "zzz", NULL, err, sizeof err), -1);
    // Every task named, in the registry's order.
    char known[4096] = "unknown task 'zzz' (known: ";
    for (int i = 0; task_registry[i]; i++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
                 task_registry[i]->name);
    ck_assert_str_eq(err, strcat(known, ")"));
}
END_TEST

// ---- indirect indexing -------------------------------------------------------------------

// Sequence s of d by token names, the target of each scored position [bracketed].
static void render(const dataset *d, size_t s, char *buf, size_t len) {
    size_t used = 0;
    for (size_t i = d->offsets[s]; i < d->offsets[s + 1]; i++) {
        const int answer = i > d->offsets[s] && d->mask[i - 1];
        used += (size_t)snprintf(buf + used, len - used, answer ? "[%s]" : "%s",
                                 d->vocab[d->tokens[i]]);
        ck_assert_uint_lt(used, len);
    }
}

// Verified by hand against the rule: g is at 8, 8-8 = 0 is b; L at 30, 30-7 = 23 is q;
// K at 19, 19-9 = 10 is n.
START_TEST(test_golden) {
    const char *path = temp_path("golden.pbd");
    dataset *d = write_and_load(NULL, 1, 3, path);
    static const char *const golden[3] = {
        "beVlKIXugxyJmkvRhSUijnFTdPwtzYLCfA,g,-8,[b]",
        "TYGDbiUaefycClwKOZpRktoqFzSxHQLPjsInN,L,-7,[q]",
        "zcVrEAZDCenfYgoutQmKqSbMNXFULjdJhvPispxI,K,-9,[n]",
    };
    ck_assert_int_eq(d->n_seqs, 3);
    for (int s = 0; s < 3; s++) {
        char buf[256];
        render(d, (size_t)s, buf, sizeof buf);
        ck_assert_str_eq(buf, golden[s]);
    }
    ck_assert_str_eq(d->task, II);
    ck_assert_str_eq(d->options,
                     "alphabet=52,len_min=20,len_max=40,shift_max=15,allow_zero=1,sampling=pairs,distinct=1");
    ck_assert_uint_eq(d->seed, 1);
    dataset_free(d);
    unlink(path);
}
END_TEST

// queries=3, verified by hand: C at 4, +2 is I; E +0 is E; L at 7, -2 is E (index 5); B at 1,
// -1 is A; D at 5, +1 is E; E at 6, -2 is I ... Every answer is scored, and the first query
// of each sequence is the one queries=1 draws (the string and first pair come first).
START_TEST(test_queries) {
    const char *path = temp_path("queries.pbd");
    dataset *d = write_and_load("alphabet=12,len_min=6,len_max=8,shift_max=2,queries=3", 1, 3, path);
    static const char *const golden[3] = {
        "GHFJCEIL,C,+2,[I],E,+0,[E],L,-2,[E]",
        "ABGHIDE,B,-1,[A],D,+1,[E],E,-2,[I]",
        "FAIBDKCJ,B,+1,[D],I,+0,[I],D,+0,[D]",
    };
    char buf[256], one[256];
    for (int s = 0; s < 3; s++) {
        render(d, (size_t)s, buf, sizeof buf);
        ck_assert_str_eq(buf, golden[s]);
    }
    dataset_free(d);
    d = write_and_load("alphabet=12,len_min=6,len_max=8,shift_max=2", 1, 1, path);
    render(d, 0, one, sizeof one);
    ck_assert_str_eq(one, "GHFJCEIL,C,+2,[I]");
    dataset_free(d);
    task t;
    char err[256];
    ck_assert_int_eq(task_configure(&t, II, "distinct=0,queries=2", err, sizeof err), -1);
    ck_assert_str_eq(err, "task 'indirect_indexing': queries > 1 needs distinct=1 (every source "
                          "must be unique)");
    unlink(path);
}
END_TEST

// What the independent solver extracts from one sequence.
typedef struct solved {
    int L, src, shift, answer_idx;
} solved;

static int is_letter(const char *s) {
    return strlen(s) == 1 && ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'));
}

// Reads sequence s by token NAMES only (not the generator's ids) and checks it against the
// rule: distinct letters, ",source,sign digits,", target = letter at index(source) + shift,
// exactly one scored position, the one predicting the target.
static solved solve(const dataset *d, size_t s, int alphabet) {
    const size_t a = d->offsets[s], n = d->offsets[s + 1] - a;
    const char *name[64];
    ck_assert_uint_le(n, 64);
    for (size_t i = 0; i < n; i++) name[i] = d->vocab[d->tokens[a + i]];
    int L = 0;
    while (L < (int)n && is_letter(name[L])) L++;
    ck_assert_msg(L >= 1 && !strcmp(name[L], ","), "sequence %zu: no ',' after the string", s);
    for (int i = 0; i < L; i++) {
        const int c = name[i][0], idx = c <= 'Z' ? c - 'A' : 26 + c - 'a';
        ck_assert_msg(idx < alphabet, "sequence %zu: letter %c outside the alphabet", s, c);
        for (int j = 0; j < i; j++) ck_assert_msg(strcmp(name[i], name[j]), "repeated letter");
    }
    int p = L + 1;
    ck_assert(is_letter(name[p]));
    const char *source = name[p++];
    ck_assert_str_eq(name[p++], ",");
    ck_assert(!strcmp(name[p], "+") || !strcmp(name[p], "-"));
    const int sign = name[p++][0] == '-' ? -1 : 1;
    int mag = 0, digits = 0;
    while (strlen(name[p]) == 1 && name[p][0] >= '0' && name[p][0] <= '9')
        mag = 10 * mag + (name[p++][0] - '0'), digits++;
    ck_assert(digits == 1 || (digits == 2 && mag >= 10));
    ck_assert_str_eq(name[p++], ",");
    ck_assert_int_eq(p, (int)n - 1);
    int src = -1;
    for (int i = 0; i < L; i++)
        if (!strcmp(name[i], source)) src = i;
    ck_assert_msg(src >= 0, "sequence %zu: source %s not in the string", s, source);
    const int shift = sign * mag, target = src + shift;
    ck_assert_msg(target >= 0 && target < L, "sequence %zu: shift leaves the string", s);
    ck_assert_str_eq(name[n - 1], name[target]);
    for (size_t i = 0; i < n; i++) ck_assert_int_eq(d->mask[a + i], i == n - 2);
    return (solved){L, src, shift, target};
}

START_TEST(test_solver_reads_file) {
    const char *path = temp_path("solver.pbd");
    dataset *d = write_and_load(NULL, 11, 2000, path);
    ck_assert_int_eq(d->n_seqs, 2000);
    ck_assert_int_eq(d->vocab_size, 65);
    int seen_len[41] = {0}, seen_shift[31] = {0};
    for (size_t s = 0; s < d->n_seqs; s++) {
        solved r = solve(d, s, 52);
        ck_assert(r.L >= 20 && r.L <= 40 && abs(r.shift) <= 15);
        seen_len[r.L] = seen_shift[r.shift + 15] = 1;
    }
    for (int L = 20; L <= 40; L++) ck_assert_msg(seen_len[L], "length %d never drawn", L);
    for (int s = 0; s < 31; s++) ck_assert_msg(seen_shift[s], "shift %d never drawn", s - 15);
    dataset_free(d);
    // Non-default options, with zero excluded and a smaller alphabet.
    d = write_and_load("alphabet=12,len_min=2,len_max=12,shift_max=11,allow_zero=0", 12, 2000,
                       path);
    for (size_t s = 0; s < d->n_seqs; s++) {
        solved r = solve(d, s, 12);
        ck_assert(r.L >= 2 && r.L <= 12 && r.shift != 0 && abs(r.shift) <= 11);
    }
    dataset_free(d);
    unlink(path);
}
END_TEST

// Draws n sequences of the task directly and tallies shift, answer index and leakage.
typedef struct tally {
    long shift[199], answer[64], source[64], cell[64][199], last_letter, n;
} tally;

static void draw(const char *options, uint64_t seed, int n, tally *out) {
    task t = configure(II, options);
    memset(out, 0, sizeof *out);
    uint16_t tok[128];
    uint8_t mask[128];
    rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        const int len = t.ops->next(&t, &r, tok, mask);
        int L = 0;
        while (tok[L] < 52) L++;
        int src = -1;
        for (int j = 0; j < L; j++)
            if (tok[j] == tok[L + 1]) src = j;
        int ans = -1;
        for (int j = 0; j < L; j++)
            if (tok[j] == tok[len - 1]) ans = j;
        ck_assert(src >= 0 && ans >= 0);
        out->shift[ans - src + 99]++;
        out->answer[ans]++;
        out->source[src]++;
        out->cell[src][ans - src + 99]++;
        out->last_letter += ans == L - 1;
        out->n++;
    }
}

// The exact distributions of the documented sampling, by enumeration: L uniform; then
// (pairs) every valid (i, s) equally likely, or (shift) s uniform over the possible shifts,
// then i uniform over where it fits. p_shift[s + 99], p_answer[index], p_source[index],
// p_last.
static void expected(int lo, int hi, int S, int zero_ok, int by_shift, double *p_shift,
                     double *p_answer, double *p_source, double *p_last) {
    memset(p_shift, 0, 199 * sizeof *p_shift);
    memset(p_answer, 0, 64 * sizeof *p_answer);
    memset(p_source, 0, 64 * sizeof *p_source);
    *p_last = 0;
    for (int L = lo; L <= hi; L++) {
        const double pL = 1.0 / (hi - lo + 1);
        int pairs = 0, shifts = 0;
        for (int s = -S; s <= S; s++) {
            if (s == 0 && !zero_ok) continue;
            if (abs(s) < L) shifts++, pairs += L - abs(s);
        }
        for (int s = -S; s <= S; s++) {
            if ((s == 0 && !zero_ok) || abs(s) >= L) continue;
            for (int i = 0; i < L; i++) {
                if (i + s < 0 || i + s >= L) continue;
                const double p = pL * (by_shift ? 1.0 / shifts / (L - abs(s)) : 1.0 / pairs);
                p_shift[s + 99] += p;
                p_answer[i + s] += p;
                p_source[i] += p;
                if (i + s == L - 1) *p_last += p;
            }
        }
    }
}

// Pearson chi-square of counts against probabilities (bins with p > 0); *df = bins - 1.
static double chi_square(const long *count, const double *p, int bins, long n, int *df) {
    double chi = 0;
    *df = -1;
    for (int b = 0; b < bins; b++) {
        if (p[b] <= 0) {
            ck_assert_msg(count[b] == 0, "bin %d drawn but impossible", b);
            continue;
        }
        const double e = p[b] * n;
        chi += (count[b] - e) * (count[b] - e) / e;
        (*df)++;
    }
    return chi;
}

// A bound that a correct generator exceeds with probability well under 1e-5 (normal
// approximation of chi-square, 5 sd); the seeds are fixed, so the test is deterministic.
static double chi_bound(int df) { return df + 5 * sqrt(2.0 * df); }

static void check_distribution(const char *options, int lo, int hi, int S, int zero_ok,
                               int by_shift) {
    const int n = 40000;
    tally t;
    draw(options, 21, n, &t);
    double p_shift[199], p_answer[64], p_source[64], p_last;
    expected(lo, hi, S, zero_ok, by_shift, p_shift, p_answer, p_source, &p_last);
    int df;
    double chi = chi_square(t.shift, p_shift, 199, t.n, &df);
    printf("tasks: %s: shift chi2 %.1f (df %d, bound %.1f)", options, chi, df, chi_bound(df));
    ck_assert_int_eq(df, 2 * S - !zero_ok);
    ck_assert_msg(chi < chi_bound(df), "shift distribution: chi2 %.1f, df %d", chi, df);
    chi = chi_square(t.answer, p_answer, 64, t.n, &df);
    printf("; answer index chi2 %.1f (df %d)", chi, df);
    ck_assert_int_eq(df, hi - 1);
    ck_assert_msg(chi < chi_bound(df), "answer index: chi2 %.1f, df %d", chi, df);
    chi = chi_square(t.source, p_source, 64, t.n, &df);
    printf("; source index chi2 %.1f (df %d)", chi, df);
    ck_assert_msg(chi < chi_bound(df), "source index: chi2 %.1f, df %d", chi, df);
    // No leak: the last letter of the string (the one right before the query) is the answer
    // no more often than a uniformly placed answer would be (mean 1/L), and as often as the
    // sampling says.
    double chance = 0;
    for (int L = lo; L <= hi; L++) chance += 1.0 / L / (hi - lo + 1);
    const double f_last = (double)t.last_letter / t.n, sd = sqrt(p_last * (1 - p_last) / t.n);
    printf("; answer = last letter %.4f (expected %.4f, chance %.4f)\n", f_last, p_last, chance);
    ck_assert(fabs(f_last - p_last) < 5 * sd);
    ck_assert(f_last <= chance);
}

START_TEST(test_distribution_pairs) {
    check_distribution("sampling=pairs", 20, 40, 15, 1, 0);
    check_distribution("sampling=pairs,allow_zero=0,len_min=5,len_max=30", 5, 30, 15, 0, 0);
    // The joint law itself, where it has few cells: every valid (source, shift) of a
    // 6-letter string equally likely (6 * 7 - 2 * (1 + 2 + 3) = 30 pairs).
    tally t;
    draw("alphabet=6,len_min=6,len_max=6,shift_max=3", 2, 30000, &t);
    long count[6 * 7];
    double p[6 * 7];
    for (int i = 0; i < 6; i++)
        for (int s = -3; s <= 3; s++) {
            count[i * 7 + s + 3] = t.cell[i][s + 99];
            p[i * 7 + s + 3] = i + s >= 0 && i + s < 6 ? 1.0 / 30 : 0;
        }
    int df;
    const double chi = chi_square(count, p, 6 * 7, t.n, &df);
    ck_assert_int_eq(df, 29);
    ck_assert_msg(chi < chi_bound(df), "joint (source, shift): chi2 %.1f", chi);
}
END_TEST

// sampling=shift: the shift's marginal is flat over [-15, 15] (all shifts fit when L >= 16).
START_TEST(test_distribution_shift) {
    check_distribution("sampling=shift", 20, 40, 15, 1, 1);
    tally t;
    draw("sampling=shift", 5, 31000, &t);
    double flat[199] = {0};
    for (int s = -15; s <= 15; s++) flat[s + 99] = 1.0 / 31;
    int df;
    const double chi = chi_square(t.shift, flat, 199, t.n, &df);
    ck_assert_msg(chi < chi_bound(df), "flat shifts: chi2 %.1f", chi);
}
END_TEST

START_TEST(test_allow_zero) {
    tally t;
    draw("allow_zero=0", 8, 5000, &t);
    ck_assert_int_eq(t.shift[99], 0);
    draw("allow_zero=1", 8, 5000, &t);
    ck_assert_int_gt(t.shift[99], 0);
}
END_TEST

START_TEST(test_determinism) {
    const char *a = temp_path("det_a.pbd"), *b = temp_path("det_b.pbd");
    dataset_free(write_and_load(NULL, 5, 500, a));
    dataset_free(write_and_load(NULL, 5, 500, b));
    long na, nb;
    unsigned char *fa = slurp(a, &na), *fb = slurp(b, &nb);
    ck_assert(na == nb && memcmp(fa, fb, (size_t)na) == 0);
    free(fb);
    dataset_free(write_and_load(NULL, 6, 500, b));
    fb = slurp(b, &nb);
    ck_assert(na != nb || memcmp(fa, fb, (size_t)na) != 0);
    // A prefix of a dataset is the smaller dataset: the first sequences do not depend on n.
    dataset *small = write_and_load(NULL, 5, 10, b), *big = dataset_load(a, NULL, 0);
    ck_assert(memcmp(small->tokens, big->tokens, small->n_tokens * 2) == 0);
    dataset_free(small);
    dataset_free(big);
    free(fa);
    free(fb);
    unlink(a);
    unlink(b);
}
END_TEST

START_TEST(test_bad_options) {
    static const char *const cases[][2] = {
        {"len_min=30,len_max=20", "task 'indirect_indexing': len_min = 30 > len_max = 20"},
        {"alphabet=30",
         "task 'indirect_indexing': len_max = 40 > alphabet = 30 (the letters of a string are "
         "distinct)"},
        {"shift_max=40",
         "task 'indirect_indexing': shift_max = 40 must be < len_max = 40 (no shift in a string "
         "of 40 letters reaches 40)"},
        {"shift_max=100",
         "task 'indirect_indexing': option 'shift_max' = 100 out of range [0, 99]"},
        {"shift_max=0,allow_zero=0",
         "task 'indirect_indexing': shift_max = 0 with allow_zero=0 leaves no shift"},
        {"len_min=1,allow_zero=0",
         "task 'indirect_indexing': len_min = 1 with allow_zero=0 (a 1-letter string has no "
         "nonzero shift)"},
        {"len_min=20.5", "task 'indirect_indexing': option 'len_min' = 20.5 must be an integer"},
        {"alphabet=53", "task 'indirect_indexing': option 'alphabet' = 53 out of range [2, 52]"},
        {"allow_zero=2",
         "task 'indirect_indexing': option 'allow_zero' must be one of 0|1, got '2'"},
        {"shfit_max=3",
         "task 'indirect_indexing': unknown option 'shfit_max' (did you mean 'shift_max'?)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        task t;
        char err[256];
        ck_assert_int_eq(task_configure(&t, II, cases[i][0], err, sizeof err), -1);
        ck_assert_str_eq(err, cases[i][1]);
    }
    // The boundaries themselves are fine: one valid pair for every length.
    configure(II, "len_min=1,len_max=1,shift_max=0,alphabet=2");
    configure(II, "len_min=2,len_max=2,shift_max=1,allow_zero=0,alphabet=2");
    configure(II, "len_min=52,len_max=52,shift_max=51");
}
END_TEST

// The smallest settings still generate valid sequences (one letter, shift +0).
START_TEST(test_edge_options) {
    const char *path = temp_path("edge.pbd");
    dataset *d = write_and_load("len_min=1,len_max=1,shift_max=0,alphabet=2", 4, 50, path);
    for (size_t s = 0; s < d->n_seqs; s++) {
        solved r = solve(d, s, 2);
        ck_assert(r.L == 1 && r.shift == 0);
    }
    dataset_free(d);
    d = write_and_load("len_min=52,len_max=52,shift_max=51,allow_zero=0", 4, 300, path);
    int far = 0;
    for (size_t s = 0; s < d->n_seqs; s++) far |= abs(solve(d, s, 52).shift) >= 10;
    ck_assert(far);  // two-digit shifts render and solve
    dataset_free(d);
    unlink(path);
}
END_TEST

// The group of every answer is the shift its query asked for. The shifts are read here by
// token NAMES, query after query from the start of the sequence, and each is confirmed by
// its answer (the letter at index(source) + shift); the hook reads backwards from the answer.
static void check_shift_groups(const char *options, uint64_t seed, int n, int *seen) {
    task t = configure(II, options);
    uint16_t tok[600];
    uint8_t mask[600];
    rng r;
    rng_seed(&r, seed);
    for (int s = 0; s < n; s++) {
        const int len = t.ops->next(&t, &r, tok, mask);
        const char *name[600];
        for (int i = 0; i < len; i++) name[i] = t.ops->token_name(&t, tok[i]);
        int L = 0, p, answers = 0;
        while (is_letter(name[L])) L++;
        for (p = L; p < len; answers++) {
            ck_assert_str_eq(name[p], ",");
            int src = 0;
            while (src < L && strcmp(name[src], name[p + 1])) src++;
            ck_assert_str_eq(name[p + 2], ",");
            const int sign = name[p + 3][0] == '-' ? -1 : 1;
            int shift = 0;
            for (p += 4; name[p][0] >= '0' && name[p][0] <= '9'; p++)
                shift = 10 * shift + name[p][0] - '0';
            shift *= sign;
            ck_assert_str_eq(name[p], ",");
            ck_assert_int_eq(mask[p], 1);
            ck_assert_str_eq(name[p + 1], name[src + shift]);
            int group = 99;
            ck_assert_int_eq(t.ops->answer_group(&t, tok, p + 1, &group), 1);
            ck_assert_int_eq(group, shift);
            seen[shift + 15] = 1;
            p += 2;
        }
        ck_assert_int_eq(answers, (int)t.opt[7]);  // queries
    }
}

// Golden: the queries=3 sequence of test_queries has shifts +2, +0 and -2 at its answers
// (positions 14, 21 and 28). Generated: one query and four, every shift from -15 to +15
// (two digits, negative and zero among them). Positions that are not answers have none.
// The no-lookup baseline by enumeration: L uniform in [lo, hi], then (source, shift) uniform
// over the pairs that stay in the string (sampling=pairs); shift 0 scores 1, any other 1 / L.
static double no_lookup_expected(int lo, int hi, int S, int zero) {
    double sum = 0;
    for (int L = lo; L <= hi; L++) {
        double right = 0;
        int pairs = 0;
        for (int i = 0; i < L; i++)
            for (int s = -S; s <= S; s++)
                if (i + s >= 0 && i + s < L && (s || zero)) pairs++, right += s ? 1.0 / L : 1;
        sum += right / pairs;
    }
    return sum / (hi - lo + 1);
}

// The hook's mean over generated answers converges on that expectation: the paper's instance
// (7.8%, the README's no-lookup baseline) and a short one without shift 0 (12.9%). 4,000
// strings of 4 questions: the standard error is at most 0.25 points.
START_TEST(test_no_lookup_baseline) {
    static const struct {
        const char *options;
        int lo, hi, S, zero;
        double pct;
    } cases[] = {{"queries=4", 20, 40, 15, 1, 7.8},
                 {"alphabet=26,len_min=6,len_max=10,shift_max=1,allow_zero=0,queries=4", 6, 10,
                  1, 0, 12.9}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        const double want = no_lookup_expected(cases[c].lo, cases[c].hi, cases[c].S,
                                               cases[c].zero);
        ck_assert_double_eq_tol(100 * want, cases[c].pct, 0.05);
        task t = configure(II, cases[c].options);
        uint16_t tok[600];
        uint8_t mask[600];
        rng r;
        rng_seed(&r, 7 + c);
        double sum = 0;
        long n = 0;
        for (int s = 0; s < 4000; s++) {
            const int len = t.ops->next(&t, &r, tok, mask);
            for (int i = 1; i < len; i++)
                if (mask[i - 1]) sum += t.ops->no_lookup_chance(&t, tok, i), n++;
        }
        ck_assert_int_eq(n, 4000 * 4);
        ck_assert_msg(fabs(sum / n - want) < 0.01, "case %zu: mean %.4f, expected %.4f", c,
                      sum / n, want);
    }
}
END_TEST

START_TEST(test_answer_groups) {
    task t = configure(II, "alphabet=12,len_min=6,len_max=8,shift_max=2,queries=3");
    ck_assert_str_eq(t.ops->group_name, "shift");
    static const char golden[] = "GHFJCEIL,C,+2,I,E,+0,E,L,-2,E";
    uint16_t tok[64];
    for (int i = 0; golden[i]; i++)
        for (int id = 0; id < 65; id++)
            if (t.ops->token_name(&t, id)[0] == golden[i]) tok[i] = (uint16_t)id;
    static const int at[3] = {14, 21, 28}, want[3] = {2, 0, -2};
    int group;
    for (int q = 0; q < 3; q++) {
        ck_assert_int_eq(t.ops->answer_group(&t, tok, at[q], &group), 1);
        ck_assert_int_eq(group, want[q]);
    }
    // No lookup: shift 0 is copied from the question, +2 and -2 are one of 8 letters.
    static const double no_lookup[3] = {1.0 / 8, 1, 1.0 / 8};
    for (int q = 0; q < 3; q++)
        ck_assert_double_eq(t.ops->no_lookup_chance(&t, tok, at[q]), no_lookup[q]);
    static const int not_answers[] = {0, 3, 9, 11, 13, 15, 20, 22};
    for (size_t i = 0; i < sizeof not_answers / sizeof *not_answers; i++)
        ck_assert_int_eq(t.ops->answer_group(&t, tok, not_answers[i], &group), 0);
    int seen[31] = {0}, seen4[31] = {0};
    check_shift_groups(NULL, 21, 2000, seen);
    check_shift_groups("queries=4", 22, 1000, seen4);
    for (int s = 0; s < 31; s++) ck_assert_msg(seen[s] && seen4[s], "shift %d not seen", s - 15);
}
END_TEST

// One sequence becomes one batch row with exactly one scored position, whose input is the
// ',' before the answer and whose target is the answer.
START_TEST(test_sequence_to_batch) {
    task t = configure(II, NULL);
    uint16_t tok[64];
    uint8_t mask[64];
    rng r;
    rng_seed(&r, 9);
    const int len = t.ops->next(&t, &r, tok, mask);
    batch *b = batch_create(2, 47);
    ck_assert_ptr_nonnull(b);
    memset(b->mask, 1, 2 * 47);
    ck_assert_int_eq(task_sequence_to_batch_row(b, 1, tok, mask, len), 1);
    int scored = -1;
    for (int i = 0; i < 47; i++) {
        const size_t o = 47 + (size_t)i;
        if (i < len - 1) {
            ck_assert_int_eq(b->tokens[o], tok[i]);
            ck_assert_int_eq(b->targets[o], tok[i + 1]);
        }
        ck_assert_float_eq(b->pos[o], (float)i);
        if (b->mask[o]) {
            ck_assert_int_eq(scored, -1);
            scored = i;
        }
    }
    ck_assert_int_eq(scored, len - 2);
    ck_assert_int_eq(b->targets[47 + scored], tok[len - 1]);
    ck_assert_str_eq(t.ops->token_name(&t, b->tokens[47 + scored]), ",");
    ck_assert_int_eq(task_sequence_to_batch_row(b, 0, tok, mask, 49), -1);  // 48 > T
    ck_assert_int_eq(task_sequence_to_batch_row(b, 0, tok, mask, 1), -1);
    batch_free(b);
}
END_TEST

// The bidirectional reading: "x0 x1 x2 x3 | y0 y1 y2" scored at '|' and y0 (a padded answer
// scores its prefix) becomes inputs x0..x3 and three placeholders, targets y0 y1 y2 at the
// placeholders, the first two scored, length 7 in a batch of 9; a sequence with input after
// its first answer (indirect indexing with several questions) is refused.
START_TEST(test_sequence_bidirectional_row) {
    enum { P = 9 };  // the placeholder id
    const uint16_t tok[8] = {1, 2, 3, 4, 8, 5, 6, 7};
    const uint8_t mask[8] = {0, 0, 0, 0, 1, 1, 0, 0};
    batch *b = batch_create(2, 9);
    const row_reading both = {1, P, 0, 0};
    ck_assert_int_eq(task_sequence_to_row(b, 1, tok, mask, 8, &both, NULL), 2);
    static const int32_t want_tokens[9] = {1, 2, 3, 4, P, P, P, 0, 0};
    static const int32_t want_targets[9] = {0, 0, 0, 0, 5, 6, 7, 0, 0};
    static const uint8_t want_mask[9] = {0, 0, 0, 0, 1, 1, 0, 0, 0};
    for (int t = 0; t < 9; t++) {
        ck_assert_int_eq(b->tokens[9 + t], want_tokens[t]);
        ck_assert_int_eq(b->targets[9 + t], want_targets[t]);
        ck_assert_int_eq(b->mask[9 + t], want_mask[t]);
        ck_assert_float_eq(b->pos[9 + t], (float)t);
    }
    ck_assert_int_eq(b->len[1], 7);
    ck_assert_int_eq(b->len[0], 9);  // untouched
    // Causal reading of the same sequence: the next tokens, length 7 too.
    ck_assert_int_eq(task_sequence_to_row(b, 0, tok, mask, 8, NULL, NULL), 2);
    ck_assert_int_eq(b->tokens[4], 8);
    ck_assert_int_eq(b->targets[4], 5);
    // Input after an answer.
    const uint8_t two_answers[8] = {0, 1, 0, 0, 1, 0, 0, 0};
    ck_assert_int_eq(task_sequence_to_row(b, 0, tok, two_answers, 8, &both, NULL), -2);
    task q8 = configure(II, "alphabet=26,len_min=6,len_max=10,shift_max=1,queries=8");
    char err[512];
    ck_assert_int_eq(task_reading_check(&q8, 16, 1, err, sizeof err), -1);
    ck_assert_str_eq(err, "task 'indirect_indexing' has input after its first answer (e.g. "
                          "several questions per sequence): a bidirectional model reads the "
                          "answers at placeholders after the whole input");
    task q1 = configure(II, "alphabet=26,len_min=6,len_max=10,shift_max=1,queries=1");
    ck_assert_int_eq(task_reading_check(&q1, 64, 1, err, sizeof err), 0);
    batch_free(b);
}
END_TEST

// Randomized positions: a sorted subset of [0, range), every subset equally likely (2 of 5:
// the 10 pairs, chi-square over 20,000 draws against 27.9, the 0.001 quantile at df 9),
// the same for the same rng; a row takes len - 1 of them, and a row longer than max_position
// is refused.
START_TEST(test_random_positions) {
    rng r, again;
    rng_seed(&r, 4);
    long count[5][5] = {{0}};
    for (int i = 0; i < 20000; i++) {
        float p[2];
        random_positions(p, 2, 5, &r);
        ck_assert(p[0] < p[1] && p[0] >= 0 && p[1] <= 4);
        count[(int)p[0]][(int)p[1]]++;
    }
    double chi2 = 0;
    for (int a = 0; a < 5; a++)
        for (int b = a + 1; b < 5; b++) chi2 += pow(count[a][b] - 2000.0, 2) / 2000.0;
    ck_assert_msg(chi2 < 27.9, "chi2 %g", chi2);
    rng_seed(&r, 7), rng_seed(&again, 7);
    float a[40], b[40];
    random_positions(a, 40, 2048, &r);
    random_positions(b, 40, 2048, &again);
    ck_assert(!memcmp(a, b, sizeof a));
    for (int i = 1; i < 40; i++) ck_assert(a[i] > a[i - 1] && a[i] == floorf(a[i]));
    ck_assert(a[39] < 2048);
    random_positions(a, 5, 5, &r);  // every value: 0 .. 4
    for (int i = 0; i < 5; i++) ck_assert_float_eq(a[i], (float)i);
    // In a row: the row's 7 positions drawn, the padding left at its index.
    const uint16_t tok[8] = {1, 2, 3, 4, 8, 5, 6, 7};
    const uint8_t mask[8] = {0, 0, 0, 0, 1, 1, 0, 0};
    batch *bt = batch_create(1, 9);
    const row_reading random = {1, 9, 1, 100};
    ck_assert_int_eq(task_sequence_to_row(bt, 0, tok, mask, 8, &random, &r), 2);
    for (int t = 1; t < 7; t++) ck_assert(bt->pos[t] > bt->pos[t - 1]);
    ck_assert(bt->pos[6] < 100);
    ck_assert_float_eq(bt->pos[7], 7.0f);
    const row_reading too_few = {0, 0, 1, 6};
    ck_assert_int_eq(task_sequence_to_row(bt, 0, tok, mask, 8, &too_few, &r), -1);
    batch_free(bt);
}
END_TEST

// ---- the dataset format ------------------------------------------------------------------

START_TEST(test_dataset_round_trip) {
    const char *path = temp_path("rt.pbd");
    const char *vocab[5] = {"<pad>", "a", "bb", "\\n", "\xc3\xa9"};
    const uint16_t s0[4] = {1, 2, 3, 4}, s1[1] = {0}, s2[3] = {4, 4, 0};
    const uint8_t m0[4] = {1, 0, 1, 0}, m1[1] = {0}, m2[3] = {0, 1, 0};
    const uint64_t seed = 0xFEDCBA9876543210ull;
    char err[256];
    dataset_writer *w =
        dataset_writer_open(path, "toy", "x=1,y=two", seed, 5, vocab, err, sizeof err);
    ck_assert_msg(w != NULL, "%s", err);
    ck_assert_int_eq(dataset_writer_append(w, s0, m0, 4, err, sizeof err), 0);
    ck_assert_int_eq(dataset_writer_append(w, s1, m1, 1, err, sizeof err), 0);
    ck_assert_int_eq(dataset_writer_append(w, s2, m2, 3, err, sizeof err), 0);
    ck_assert_int_eq(dataset_writer_count(w), 3);
    ck_assert(access(path, F_OK) != 0);  // nothing at PATH until close
    ck_assert_msg(dataset_writer_close(w, err, sizeof err) == 0, "%s", err);
    dataset *d = dataset_load(path, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    ck_assert_str_eq(d->task, "toy");
    ck_assert_str_eq(d->options, "x=1,y=two");
    ck_assert_uint_eq(d->seed, seed);
    ck_assert_int_eq(d->vocab_size, 5);
    for (int i = 0; i < 5; i++) ck_assert_str_eq(d->vocab[i], vocab[i]);
    ck_assert_int_eq(d->n_seqs, 3);
    ck_assert_int_eq(d->n_tokens, 8);
    const size_t offsets[4] = {0, 4, 5, 8};
    for (int i = 0; i < 4; i++) ck_assert_uint_eq(d->offsets[i], offsets[i]);
    ck_assert(memcmp(d->tokens, s0, 8) == 0 && memcmp(d->tokens + 4, s1, 2) == 0 &&
              memcmp(d->tokens + 5, s2, 6) == 0);
    ck_assert(memcmp(d->mask, m0, 4) == 0 && memcmp(d->mask + 4, m1, 1) == 0 &&
              memcmp(d->mask + 5, m2, 3) == 0);
    dataset_free(d);
    // An empty dataset is valid too.
    w = dataset_writer_open(path, "toy", "", 0, 1, vocab, err, sizeof err);
    ck_assert_int_eq(dataset_writer_close(w, err, sizeof err), 0);
    d = dataset_load(path, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    ck_assert_int_eq(d->n_seqs, 0);
    ck_assert_str_eq(d->options, "");
    dataset_free(d);
    unlink(path);
}
END_TEST

START_TEST(test_writer_rejects) {
    const char *path = temp_path("wr.pbd");
    char err[256], expect[512];
    static const char *names[65536];
    for (int i = 0; i < 65536; i++) names[i] = "t";
    ck_assert_ptr_null(dataset_writer_open(path, "toy", "", 0, 65536, names, err, sizeof err));
    snprintf(expect, sizeof expect, "%s: vocabulary of 65536 tokens (a dataset holds 1 to 65535)",
             path);
    ck_assert_str_eq(err, expect);
    dataset_writer *w = dataset_writer_open(path, "toy", "", 0, 65535, names, err, sizeof err);
    ck_assert_msg(w != NULL, "%s", err);
    dataset_writer_abort(w);
    w = dataset_writer_open(path, "toy", "", 0, 3, names, err, sizeof err);
    const uint16_t bad_tok[2] = {1, 3}, ok_tok[2] = {1, 2};
    const uint8_t ok_mask[2] = {1, 0}, last_mask[2] = {0, 1};
    ck_assert_int_eq(dataset_writer_append(w, bad_tok, ok_mask, 2, err, sizeof err), -1);
    snprintf(expect, sizeof expect, "%s: sequence 0: token id 3 outside the vocabulary of 3",
             path);
    ck_assert_str_eq(err, expect);
    ck_assert_int_eq(dataset_writer_append(w, ok_tok, last_mask, 2, err, sizeof err), -1);
    ck_assert(strstr(err, "the last token is marked as scored") != NULL);
    ck_assert_int_eq(dataset_writer_append(w, ok_tok, ok_mask, 0, err, sizeof err), -1);
    dataset_writer_abort(w);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ck_assert(access(tmp, F_OK) != 0 && access(path, F_OK) != 0);
}
END_TEST

static void expect_refused(const char *path, const char *what) {
    char err[512], expect[512];
    ck_assert_ptr_null(dataset_load(path, err, sizeof err));
    snprintf(expect, sizeof expect, "%s: %s", path, what);
    ck_assert_str_eq(err, expect);
}

static void rewrite(const char *path, const unsigned char *buf, long n) {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(buf, 1, (size_t)n, f), n);
    fclose(f);
}

START_TEST(test_reader_refuses_damage) {
    const char *path = temp_path("bad.pbd");
    dataset *d = write_and_load(NULL, 3, 50, path);
    // Where the first sequence's length field is (dataset.h), and its value.
    const long first =
        8 + 4 + 2 + (long)strlen(II) + 2 + (long)strlen(d->options) + 8 + 4 + 65 * 2;
    const long first_len = (long)(d->offsets[1] - d->offsets[0]);
    dataset_free(d);
    long n;
    unsigned char *good = slurp(path, &n), *buf = malloc((size_t)n + 1);
    // The trailer is 20 bytes (end mark, count, checksum); before it, the last sequence's
    // mask and tokens. Flip a bit in a mask, a token, the count and the checksum.
    const long flips[] = {n - 21, n - 60, n - 12, n - 1};
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
        memcpy(buf, good, (size_t)n);
        buf[flips[i]] ^= 0x01;
        rewrite(path, buf, n);
        expect_refused(path, "checksum mismatch (file is corrupt)");
    }
    // A damaged length field (of the first sequence) is corruption too, not truncation.
    ck_assert_int_eq(good[first] | good[first + 1] << 8, first_len);
    for (int k = 0; k < 4; k++) {
        memcpy(buf, good, (size_t)n);
        buf[first + k] ^= k == 0 ? 0x01 : 0x80;
        rewrite(path, buf, n);
        expect_refused(path, "checksum mismatch (file is corrupt)");
    }
    // Truncated anywhere: inside the header, a sequence, the trailer, the checksum.
    const long cuts[] = {0, 5, 10, 40, n / 2, n - 21, n - 20, n - 8, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        rewrite(path, good, cuts[i]);
        expect_refused(path, "truncated dataset");
    }
    memcpy(buf, good, (size_t)n);
    buf[8] = 9;
    rewrite(path, buf, n);
    expect_refused(path, "dataset version 9, this posbench reads version 1");
    buf[8] = 1;
    buf[0] = 'X';
    rewrite(path, buf, n);
    expect_refused(path, "not a posbench dataset (bad magic)");
    rewrite(path, (const unsigned char *)"hello", 5);
    expect_refused(path, "not a posbench dataset (bad magic)");
    memcpy(buf, good, (size_t)n);
    buf[n] = 0;
    rewrite(path, buf, n + 1);
    expect_refused(path, "trailing bytes after the checksum");
    unlink(path);
    char err[512];
    ck_assert_ptr_null(dataset_load(path, err, sizeof err));
    ck_assert(strstr(err, "cannot open") != NULL);
    free(good);
    free(buf);
}
END_TEST

// ---- the commands ------------------------------------------------------------------------

START_TEST(test_cli_gen_show_list) {
    const char *path = temp_path("cli.pbd"), *ref = temp_path("cli_ref.pbd");
    char *out;
    const char *gen[] = {"gen", II, "--options", "len_max=30", "--seed", "4", "-n", "20",
                         "-o", path, NULL};
    ck_assert_int_eq(run_captured(cmd_gen, gen, &out), 0);
    free(out);
    // The command writes exactly what the library writes for the same task and seed.
    task t = configure(II, "len_max=30");
    ck_assert(task_write_dataset(&t, 4, 20, ref, NULL, NULL, NULL, 0) == 0);
    long na, nb;
    unsigned char *a = slurp(path, &na), *b = slurp(ref, &nb);
    ck_assert(na == nb && memcmp(a, b, (size_t)na) == 0);
    free(a);
    free(b);
    const char *show[] = {"show", path, "-n", "2", NULL};
    ck_assert_int_eq(run_captured(cmd_show, show, &out), 0);
    ck_assert_msg(strstr(out, "task       indirect_indexing\n") &&
                      strstr(out, "len_max=30") && strstr(out, "seed       4\n") &&
                      strstr(out, "vocabulary 65 tokens\n") && strstr(out, "sequences  20 (") &&
                      strstr(out, "#1 (") && !strstr(out, "#2 (") && strstr(out, ",[") &&
                      out[strlen(out) - 2] == ']',
                  "%s", out);
    free(out);
    FILE *f = tmpfile();
    ck_assert_int_eq(list_tasks(f), 0);
    char listing[4096] = {0};
    rewind(f);
    ck_assert(fread(listing, 1, sizeof listing - 1, f) > 0);
    fclose(f);
    ck_assert(strstr(listing, "indirect_indexing") && strstr(listing, "shift_max = 15") &&
              strstr(listing, "allow_zero: 0|1 (default 1)"));
    unlink(path);
    unlink(ref);
}
END_TEST

START_TEST(test_cli_errors) {
    static const struct {
        const char *args[12];
        const char *message;
    } cases[] = {
        {{"gen", II, "-n", "5", "-o", "x", NULL}, "posbench: gen: --seed S is required"},
        {{"gen", II, "--seed", "1", "-o", "x", NULL}, "posbench: gen: -n N is required"},
        {{"gen", II, "--seed", "1", "-n", "5", NULL}, "posbench: gen: -o FILE is required"},
        {{"gen", "--seed", "1", "-n", "5", "-o", "x", NULL}, "posbench: gen: no task named"},
        {{"gen", II, "more", "--seed", "1", "-n", "5", "-o", "x", NULL},
         "posbench: gen: unexpected argument 'more'"},
        {{"gen", II, "--seed", "1x", "-n", "5", "-o", "x", NULL},
         "posbench: gen: --seed expects an integer"},
        {{"gen", II, "--seed", "1", "-n", "0", "-o", "x", NULL},
         "posbench: gen: -n expects an integer"},
        {{"gen", II, "--sed", "1", NULL}, "posbench: gen: unknown or incomplete option '--sed'"},
        {{"gen", "indirect_indexng", "--seed", "1", "-n", "5", "-o", "x", NULL},
         "posbench: unknown task 'indirect_indexng' (did you mean 'indirect_indexing'?)"},
        {{"gen", II, "--options", "len_min=50", "--seed", "1", "-n", "5", "-o", "x", NULL},
         "posbench: task 'indirect_indexing': len_min = 50 > len_max = 40"},
        {{"show", NULL}, "posbench: show: no dataset file named"},
        {{"show", "a", "b", NULL}, "posbench: show: unexpected argument 'b'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out;
        const int rc = run_captured(cases[i].args[0][0] == 'g' ? cmd_gen : cmd_show, cases[i].args, &out);
        ck_assert_int_eq(rc, 2);
        ck_assert_msg(strncmp(out, cases[i].message, strlen(cases[i].message)) == 0,
                      "expected '%s', got '%s'", cases[i].message, out);
        free(out);
    }
    ck_assert(access("x", F_OK) != 0 && access("x.tmp", F_OK) != 0);
}
END_TEST

// FNV-1a 64 over buf[0..n) written little-endian at buf + n: re-seals a patched file.
static void reseal(unsigned char *buf, long n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (long i = 0; i < n; i++) h = (h ^ buf[i]) * 0x100000001b3ull;
    for (int i = 0; i < 8; i++) buf[n + i] = (unsigned char)(h >> (8 * i));
}

// Values a correct writer never produces are refused even when the checksum matches.
START_TEST(test_reader_checks_values) {
    const char *path = temp_path("values.pbd");
    dataset *d = write_and_load(NULL, 3, 50, path);
    const long last_len = (long)(d->offsets[50] - d->offsets[49]);
    dataset_free(d);
    long n;
    unsigned char *good = slurp(path, &n), *buf = malloc((size_t)n);
    const long tok = n - 20 - 3 * last_len, mask = n - 20 - last_len;
    memcpy(buf, good, (size_t)n);
    buf[tok] = 65;  // id 65 in a vocabulary of 65
    reseal(buf, n - 8);
    rewrite(path, buf, n);
    expect_refused(path, "sequence 49: token id 65 outside the vocabulary of 65");
    memcpy(buf, good, (size_t)n);
    buf[mask + last_len - 1] = 1;  // the last token scored
    reseal(buf, n - 8);
    rewrite(path, buf, n);
    char what[64];
    snprintf(what, sizeof what, "sequence 49: invalid mask at token %ld", last_len - 1);
    expect_refused(path, what);
    memcpy(buf, good, (size_t)n);
    buf[n - 16] = 51;  // the trailer's count
    reseal(buf, n - 8);
    rewrite(path, buf, n);
    expect_refused(path, "trailer counts 51 sequences, the file holds 50");
    free(good);
    free(buf);
    unlink(path);
}
END_TEST

Suite *suite_tasks(void) {
    Suite *s = suite_create("tasks");
    TCase *tc = tcase_create("registry");
    tcase_add_loop_test(tc, test_task_contract, 0, n_tasks());
    tcase_add_test(tc, test_unknown_task);
    suite_add_tcase(s, tc);
    tc = tcase_create("indirect_indexing");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_golden);
    tcase_add_test(tc, test_max_len_is_tight);
    tcase_add_test(tc, test_queries);
    tcase_add_test(tc, test_solver_reads_file);
    tcase_add_test(tc, test_distribution_pairs);
    tcase_add_test(tc, test_distribution_shift);
    tcase_add_test(tc, test_allow_zero);
    tcase_add_test(tc, test_determinism);
    tcase_add_test(tc, test_bad_options);
    tcase_add_test(tc, test_edge_options);
    tcase_add_test(tc, test_sequence_to_batch);
    tcase_add_test(tc, test_sequence_bidirectional_row);
    tcase_add_test(tc, test_random_positions);
    tcase_add_test(tc, test_answer_groups);
    tcase_add_test(tc, test_no_lookup_baseline);
    suite_add_tcase(s, tc);
    tc = tcase_create("dataset");
    tcase_add_test(tc, test_dataset_round_trip);
    tcase_add_test(tc, test_writer_rejects);
    tcase_add_test(tc, test_reader_refuses_damage);
    tcase_add_test(tc, test_reader_checks_values);
    suite_add_tcase(s, tc);
    tc = tcase_create("commands");
    tcase_add_test(tc, test_cli_gen_show_list);
    tcase_add_test(tc, test_cli_errors);
    suite_add_tcase(s, tc);
    return s;
}
