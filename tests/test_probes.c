// The what/where probes: golden sequences, an independent solver over a generated file for
// each rule, the offset and query distributions, and bad options.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "tasks/dataset.h"
#include "tasks/task.h"

static dataset *generate(const char *name, const char *options, uint64_t seed, uint64_t n) {
    char err[256], path[128];
    task t;
    ck_assert_msg(task_configure(&t, name, options, err, sizeof err) == 0, "%s", err);
    snprintf(path, sizeof path, "/tmp/posbench_probe_%d_%s.pbds", (int)getpid(), name);
    ck_assert_msg(task_write_dataset(&t, seed, n, path, NULL, NULL, err, sizeof err) == 0, "%s",
                  err);
    dataset *d = dataset_load(path, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    unlink(path);
    return d;
}

// Sequence s as text, from the vocabulary names only.
static int text(const dataset *d, size_t s, char *buf) {
    int n = 0;
    for (size_t i = d->offsets[s]; i < d->offsets[s + 1]; i++) buf[n++] = d->vocab[d->tokens[i]][0];
    buf[n] = '\0';
    return n;
}

// The only scored position must be the one before the last token.
static void check_answer_mask(const dataset *d, size_t s) {
    const size_t lo = d->offsets[s], hi = d->offsets[s + 1];
    for (size_t i = lo; i < hi; i++) ck_assert_int_eq(d->mask[i], i == hi - 2);
}

START_TEST(test_where_golden_and_solver) {
    dataset *d = generate("probe_where", NULL, 3, 3000);
    char buf[256];
    text(d, 0, buf);
    ck_assert_str_eq(buf, "hLbWUKlwKwjhnjFGFukfaaCvyevJYAsmLy,-14,a");
    long count[16] = {0};
    for (size_t s = 0; s < d->n_seqs; s++) {
        int n = text(d, s, buf);
        check_answer_mask(d, s);
        // Solve by the rule: "<letters>,-<k>,<answer>".
        char *comma = strchr(buf, ',');
        ck_assert_ptr_nonnull(comma);
        int L = (int)(comma - buf), k = 0;
        ck_assert_int_eq(comma[1], '-');
        ck_assert_int_eq(sscanf(comma + 2, "%d", &k), 1);
        ck_assert(L >= 20 && L <= 40 && k >= 1 && k <= 15);
        ck_assert_int_eq(buf[n - 1], buf[L - k]);
        count[k]++;
    }
    // k is uniform on 1..15 (every length here is >= 15): chi-square, 14 degrees of freedom,
    // bound 45 (far beyond the 0.999 quantile, 36.1).
    double chi2 = 0, e = d->n_seqs / 15.0;
    for (int k = 1; k <= 15; k++) chi2 += (count[k] - e) * (count[k] - e) / e;
    ck_assert_msg(chi2 < 45, "probe_where offsets chi2 %g", chi2);
    dataset_free(d);
}
END_TEST

// probe_where's answer group is k, read here from the text "<letters>,-<k>,<answer>" and
// confirmed by the answer; probe_what's answers have no groups.
START_TEST(test_where_groups) {
    dataset *d = generate("probe_where", NULL, 5, 1000);
    task t;
    char err[256], buf[256];
    ck_assert_int_eq(task_configure(&t, "probe_where", NULL, err, sizeof err), 0);
    ck_assert_str_eq(t.ops->group_name, "k");
    int seen[16] = {0};
    for (size_t s = 0; s < d->n_seqs; s++) {
        const int n = text(d, s, buf);
        const int L = (int)(strchr(buf, ',') - buf);
        int k, group = 0;
        ck_assert_int_eq(sscanf(buf + L + 2, "%d", &k), 1);
        ck_assert_int_eq(buf[n - 1], buf[L - k]);
        ck_assert_int_eq(t.ops->answer_group(&t, d->tokens + d->offsets[s], n - 1, &group), 1);
        ck_assert_int_eq(group, k);
        seen[k] = 1;
        // No lookup: a letter of the string at random, right as often as the answer's letter
        // occurs in it (drawn with replacement, so sometimes more than once).
        int same = 0;
        for (int i = 0; i < L; i++) same += buf[i] == buf[n - 1];
        ck_assert_double_eq(t.ops->no_lookup_chance(&t, d->tokens + d->offsets[s], n - 1),
                            (double)same / L);
        // The letters before the query are no answer of the form.
        ck_assert_int_eq(t.ops->answer_group(&t, d->tokens + d->offsets[s], L - 1, &group), 0);
    }
    for (int k = 1; k <= 15; k++) ck_assert_msg(seen[k], "k = %d not seen", k);
    dataset_free(d);
    ck_assert_int_eq(task_configure(&t, "probe_what", NULL, err, sizeof err), 0);
    ck_assert_ptr_null(t.ops->answer_group);
    ck_assert_ptr_null(t.ops->group_name);
    ck_assert_ptr_null(t.ops->no_lookup_chance);
}
END_TEST

// Longer than the alphabet and the default range: the rule holds at 1000 letters.
START_TEST(test_where_long) {
    dataset *d = generate("probe_where", "len_min=1000,len_max=1000", 4, 50);
    static char buf[1200];
    for (size_t s = 0; s < d->n_seqs; s++) {
        int n = text(d, s, buf);
        int k;
        ck_assert_int_eq(buf[1001], '-');
        ck_assert_int_eq(sscanf(buf + 1002, "%d", &k), 1);
        ck_assert_int_eq(buf[n - 1], buf[1000 - k]);
    }
    dataset_free(d);
}
END_TEST

START_TEST(test_what_golden_and_solver) {
    dataset *d = generate("probe_what", NULL, 3, 3000);
    char buf[256];
    text(d, 0, buf);
    ck_assert_str_eq(buf, "huMkcfXaDaOCmvxyQewvGJlYqAnsSmTLUy,S,m");
    long slot[20] = {0};
    for (size_t s = 0; s < d->n_seqs; s++) {
        int n = text(d, s, buf);
        check_answer_mask(d, s);
        // Solve by the rule: "k1v1...knvn,<q>,<answer>"; keys distinct.
        const int pairs = (n - 4) / 2;
        ck_assert(pairs >= 10 && pairs <= 20);
        const char q = buf[n - 3];
        int found = -1;
        for (int i = 0; i < pairs; i++) {
            for (int j = 0; j < i; j++) ck_assert_int_ne(buf[2 * i], buf[2 * j]);
            if (buf[2 * i] == q) found = i;
        }
        ck_assert_int_ge(found, 0);
        ck_assert_int_eq(buf[n - 1], buf[2 * found + 1]);
        if (pairs == 20) slot[found]++;
    }
    // Among 20-pair sequences the queried pair is uniform over the 20 slots: position carries
    // no information. Chi-square, 19 degrees of freedom, bound 55 (0.999 quantile: 43.8).
    long total = 0;
    for (int i = 0; i < 20; i++) total += slot[i];
    double chi2 = 0, e = total / 20.0;
    for (int i = 0; i < 20; i++) chi2 += (slot[i] - e) * (slot[i] - e) / e;
    ck_assert_msg(chi2 < 55, "probe_what query slot chi2 %g (n %ld)", chi2, total);
    dataset_free(d);
}
END_TEST

// indirect_indexing with distinct=0: strings longer than the alphabet, the source letter
// unique (so the rule has one answer), the answer at source + shift.
START_TEST(test_indirect_not_distinct) {
    dataset *d = generate("indirect_indexing", "distinct=0,len_min=100,len_max=120", 5, 500);
    static char buf[256];
    for (size_t s = 0; s < d->n_seqs; s++) {
        int n = text(d, s, buf);
        check_answer_mask(d, s);
        char *comma = strchr(buf, ',');
        const int L = (int)(comma - buf);
        ck_assert(L >= 100 && L <= 120);
        const char source = comma[1];
        int where = -1, count = 0, shift;
        for (int i = 0; i < L; i++)
            if (buf[i] == source) where = i, count++;
        ck_assert_int_eq(count, 1);
        ck_assert_int_eq(sscanf(comma + 3, "%d", &shift), 1);
        ck_assert_int_eq(buf[n - 1], buf[where + shift]);
    }
    dataset_free(d);
}
END_TEST

START_TEST(test_probe_bad_options) {
    char err[256];
    task t;
    ck_assert_int_eq(task_configure(&t, "probe_what", "pairs_max=30,alphabet=26", err, sizeof err), -1);
    ck_assert_str_eq(err, "task 'probe_what': pairs_max = 30 > alphabet = 26 (keys are distinct)");
    ck_assert_int_eq(task_configure(&t, "probe_what", "pairs_min=12,pairs_max=11", err, sizeof err), -1);
    ck_assert_str_eq(err, "task 'probe_what': pairs_min = 12 > pairs_max = 11");
    ck_assert_int_eq(task_configure(&t, "probe_where", "len_min=50", err, sizeof err), -1);
    ck_assert_str_eq(err, "task 'probe_where': len_min = 50 > len_max = 40");
    ck_assert_int_eq(task_configure(&t, "probe_where", "shift_max=2.5", err, sizeof err), -1);
    ck_assert_str_eq(err, "task 'probe_where': option 'shift_max' = 2.5 must be an integer");
    ck_assert_int_eq(task_configure(&t, "probe_where", "shift_max=100", err, sizeof err), -1);
    ck_assert_str_eq(err, "task 'probe_where': option 'shift_max' = 100 out of range [1, 99]");
}
END_TEST

Suite *suite_probes(void) {
    Suite *s = suite_create("probes");
    TCase *tc = tcase_create("probes");
    tcase_add_test(tc, test_where_golden_and_solver);
    tcase_add_test(tc, test_where_long);
    tcase_add_test(tc, test_where_groups);
    tcase_add_test(tc, test_what_golden_and_solver);
    tcase_add_test(tc, test_indirect_not_distinct);
    tcase_add_test(tc, test_probe_bad_options);
    suite_add_tcase(s, tc);
    return s;
}
