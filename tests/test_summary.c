// Tests of the experiment summary (harness/analysis/summary.c, harness/cli/cli_summary.c): Student's t
// against table values and closed forms, summary.csv row by row against statistics computed
// by hand from run folders written here, the grouping, skipping and last-step rules, malformed
// input messages, and the printed table.
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "files.h"
#include "harness/analysis/binomial.h"
#include "harness/analysis/student_t.h"
#include "harness/analysis/summary.h"
#include "harness/cli/cli_summary.h"
#include "harness/plot/plot_summary.h"
#include "suites.h"

// ---- Student's t ----------------------------------------------------------------------------

// Two-sided 95% critical values as printed in t tables (3 decimals), and the closed forms for
// df 1 (Cauchy: tan(pi (p - 1/2))) and df 2 ((2p - 1) / sqrt(2 p (1 - p))).
START_TEST(test_t_quantile_table) {
    const struct { double df, t; } table[] = {
        {1, 12.706}, {2, 4.303}, {4, 2.776}, {9, 2.262}, {29, 2.045}, {1000, 1.962}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const double t = student_t_quantile(0.975, table[i].df);
        ck_assert_msg(fabs(t - table[i].t) < 5e-4, "df %g: %.6f, table %.3f", table[i].df, t,
                      table[i].t);
    }
    const double pi = acos(-1.0);
    const double ps[] = {0.6, 0.9, 0.975, 0.995, 0.9999};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        const double p = ps[i];
        const double t1 = tan(pi * (p - 0.5)), t2 = (2 * p - 1) / sqrt(2 * p * (1 - p));
        ck_assert_double_eq_tol(student_t_quantile(p, 1), t1, 1e-9 * t1);
        ck_assert_double_eq_tol(student_t_quantile(p, 2), t2, 1e-9 * t2);
        ck_assert_double_eq_tol(student_t_quantile(1 - p, 2), -t2, 1e-9 * t2);  // symmetry
    }
    ck_assert_double_eq_tol(student_t_quantile(0.975, 2), 4.302653, 1e-6);
    ck_assert_double_eq_tol(student_t_quantile(0.5, 7), 0.0, 1e-12);
    // Large df tends to the normal quantile 1.959964.
    ck_assert_double_eq_tol(student_t_quantile(0.975, 1e7), 1.959964, 1e-5);
    ck_assert(isnan(student_t_quantile(1.0, 3)) && isnan(student_t_quantile(0.0, 3)));
    ck_assert(isnan(student_t_quantile(0.9, 0)));
}
END_TEST

// The exact binomial interval against sums of binomial terms bisected in Python (an
// independent route: no incomplete beta), closed forms at the ends ((0.025)^(1/n) for k = n),
// and its refusals.
START_TEST(test_binomial_interval) {
    static const struct {
        int k, n;
        double lo, hi;
    } table[] = {{3, 4, 0.19412, 0.993691},   {0, 4, 0, 0.602365},      {1, 3, 0.00840376, 0.905701},
                 {10, 10, 0.691503, 1},       {9, 10, 0.554984, 0.997471}, {0, 10, 0, 0.308497},
                 {4, 6, 0.222778, 0.956728},  {17, 20, 0.621073, 0.967929}, {0, 1, 0, 0.975}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        double lo, hi;
        binomial_interval(table[i].k, table[i].n, &lo, &hi);
        ck_assert_msg(fabs(lo - table[i].lo) < 2e-6 && fabs(hi - table[i].hi) < 2e-6,
                      "%d/%d: [%.7g, %.7g], expected [%.7g, %.7g]", table[i].k, table[i].n, lo, hi,
                      table[i].lo, table[i].hi);
    }
    for (int n = 1; n <= 30; n++) {
        double lo, hi;
        binomial_interval(n, n, &lo, &hi);
        ck_assert_double_eq_tol(lo, pow(0.025, 1.0 / n), 1e-12);
        ck_assert_double_eq(hi, 1.0);
    }
    double lo, hi;
    binomial_interval(3, 2, &lo, &hi);
    ck_assert(isnan(lo) && isnan(hi));
    binomial_interval(0, 0, &lo, &hi);
    ck_assert(isnan(lo) && isnan(hi));
}
END_TEST

// The CDF inverts the quantile, including fractional df, and I_x(a, b) matches closed forms:
// I_x(1,1) = x, I_x(a,1) = x^a, I_x(1,b) = 1 - (1-x)^b, I_x(1/2,1/2) = (2/pi) asin(sqrt x).
START_TEST(test_t_cdf_and_beta) {
    const double dfs[] = {1, 2.5, 3.7, 10, 200};
    const double ps[] = {0.01, 0.3, 0.5, 0.8, 0.975};
    double worst = 0;
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 5; j++) {
            const double d = fabs(student_t_cdf(student_t_quantile(ps[j], dfs[i]), dfs[i]) - ps[j]);
            if (d > worst) worst = d;
        }
    ck_assert_msg(worst < 1e-12, "worst |cdf(quantile(p)) - p| = %g", worst);
    ck_assert_double_eq_tol(student_t_cdf(0, 4), 0.5, 1e-15);
    const double pi = acos(-1.0);
    const double xs[] = {0.001, 0.2, 0.5, 0.7, 0.999};
    worst = 0;
    for (size_t i = 0; i < 5; i++) {
        const double x = xs[i];
        const double d[] = {incomplete_beta(x, 1, 1) - x, incomplete_beta(x, 3.5, 1) - pow(x, 3.5),
                            incomplete_beta(x, 1, 6) - (1 - pow(1 - x, 6)),
                            incomplete_beta(x, 0.5, 0.5) - 2 / pi * asin(sqrt(x))};
        for (int k = 0; k < 4; k++)
            if (fabs(d[k]) > worst) worst = fabs(d[k]);
    }
    ck_assert_msg(worst < 1e-13, "worst incomplete beta error %g", worst);
    ck_assert(incomplete_beta(0, 2, 3) == 0 && incomplete_beta(1, 2, 3) == 1);
}
END_TEST

// Welch's test against closed forms: with equal variances and sizes 2, df = 2 exactly, and
// Student's t with 2 degrees of freedom has the CDF 1/2 + t / (2 sqrt(2 + t^2)). a = {1, 3},
// b = {5, 7}: diff -4, se sqrt(2), t = -2.828427, p = 2 (1/2 - 2.828427 / (2 sqrt 10))
// = 0.1055728; the interval -4 -+ 4.3026527 sqrt 2 = [-10.084870, 2.084870]. Unequal
// variances: a = {1, 2, 3, 4, 5}, b = {2, 4, 6, 8, 10}: se^2 = 2.5/5 + 10/5 = 2.5,
// df = 2.5^2 / (0.5^2/4 + 2^2/4) = 5.882353. No spread at all: the difference is exact.
START_TEST(test_welch) {
    const double a[] = {1, 3}, b[] = {5, 7};
    welch_result r;
    welch_test(a, 2, b, 2, &r);
    ck_assert_double_eq_tol(r.diff, -4, 1e-12);
    ck_assert_double_eq_tol(r.df, 2, 1e-12);
    ck_assert_double_eq_tol(r.t, -2.8284271, 1e-6);
    ck_assert_double_eq_tol(r.p, 1 - 2.8284271 / sqrt(10.0), 1e-6);
    ck_assert_double_eq_tol(r.low, -10.084870, 1e-5);
    ck_assert_double_eq_tol(r.high, 2.084870, 1e-5);
    const double c[] = {1, 2, 3, 4, 5}, d[] = {2, 4, 6, 8, 10};
    welch_test(c, 5, d, 5, &r);
    ck_assert_double_eq_tol(r.df, 5.882353, 1e-6);
    ck_assert_double_eq_tol(r.t, -3 / sqrt(2.5), 1e-9);
    ck_assert(r.p > 0.05 && r.p < 0.2);  // two-sided, between df 5 and df 6's values
    const double same[] = {0.5, 0.5}, other[] = {0.75, 0.75};
    welch_test(same, 2, other, 2, &r);
    ck_assert_double_eq(r.diff, -0.25);
    ck_assert_double_eq(r.low, -0.25);
    ck_assert_double_eq(r.p, 0.0);
    welch_test(same, 2, same, 2, &r);
    ck_assert_double_eq(r.p, 1.0);
    // Values whose sum rounds ((3x)/3 != x): still no spread, so the exact answer.
    const double x3[] = {0.505208, 0.505208, 0.505208}, y3[] = {0.494792, 0.494792, 0.494792};
    welch_test(x3, 3, y3, 3, &r);
    ck_assert_double_eq(r.diff, 0.505208 - 0.494792);
    ck_assert_double_eq(r.low, r.diff);
    ck_assert_double_eq(r.p, 0.0);
    welch_test(same, 1, other, 2, &r);
    ck_assert(isnan(r.diff) && isnan(r.p));
}
END_TEST

// Fisher's exact test against hypergeometric sums done by hand: 3/4 vs 0/4 has the tables
// x = 0..3 solved in a with probabilities 4, 24, 24, 4 (/56), so p = 8/56; 5/5 vs 0/5 is
// 2 / C(10, 5) = 2/252; 9/10 vs 0/10 is 2 * 10 / C(20, 9) = 20/167960; equal rates give 1.
START_TEST(test_fisher) {
    ck_assert_double_eq_tol(fisher_exact(3, 4, 0, 4), 8.0 / 56, 1e-12);
    ck_assert_double_eq_tol(fisher_exact(0, 4, 3, 4), 8.0 / 56, 1e-12);
    ck_assert_double_eq_tol(fisher_exact(5, 5, 0, 5), 2.0 / 252, 1e-12);
    ck_assert_double_eq_tol(fisher_exact(9, 10, 0, 10), 20.0 / 167960, 1e-15);
    ck_assert_double_eq_tol(fisher_exact(2, 4, 2, 4), 1.0, 1e-12);
    ck_assert_double_eq_tol(fisher_exact(0, 5, 0, 5), 1.0, 1e-12);
    ck_assert(isnan(fisher_exact(3, 2, 0, 4)) && isnan(fisher_exact(0, 0, 1, 2)));
}
END_TEST

// ---- run folders ------------------------------------------------------------------------------

static char tmpdir[64];

// Writes tmpdir/rel (creating its folders); NULL content deletes the file instead.
static void put(const char *rel, const char *content) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    for (char *s = path + strlen(tmpdir) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(path, 0777);
        *s = '/';
    }
    if (!content) {
        ck_assert_int_eq(unlink(path), 0);
        return;
    }
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(content, f);
    ck_assert_int_eq(fclose(f), 0);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char *buf = calloc(1 << 16, 1);
    ck_assert_ptr_nonnull(buf);
    fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    return buf;
}

typedef struct {
    const char *id, *point, *status, *eval;
    int done;
} run_files;

// 3 seeds x {rope, pope}, all done, plus: a diverged rope run (seed 4, its partial eval.csv
// must not count), an unfinished pope run (seed 4, no status, no done, a broken eval.csv that
// must not be read), and a nope run that diverged before evaluating (its group keeps rows
// with n = 0). Values at the last step:
//   rope (03b1, 2c0f, 5e77)  train_length accuracy 0.90 0.94 0.98, loss 0.5 0.7 0.6;
//                            long accuracy 0.10 0.20 0.30, loss 2.0 2.5 3.5 (5e77 evaluated
//                            long loss only at step 1000: that is its last step for the pair)
//   pope (17aa, 4d12, 6a01)  train_length accuracy 1.00 0.99 0.97, loss 0.1 0.2 0.3;
//                            long accuracy 0.80 0.85 0.90, loss 0.4 0.6 (6a01 has none),
//                            perplexity 1.5 (17aa only)
// 6a01 lists step 2000 before step 900: the largest step counts, neither the last row nor the
// string order ("900" > "2000"). 2c0f lists its point keys in another order; 4d12 uses CRLF.
// First steps at or above 0.9 (solved_at): train_length accuracy rope 2000, 2000, 1500 (5e77
// drops back to 0.5 at 1700: the first crossing counts), pope 2000, 2000, 1200 (after its 900).
static const run_files FIXTURE[] = {
    {"03b1", "key,value\nmodel.encoding,rope\nseed,1\ntraining.lr,0.001\n", "done\n",
     "step,set,metric,value\n"
     "1000,train_length,accuracy,0.5\n1000,train_length,loss,1.5\n"
     "1000,long,accuracy,0.05\n1000,long,loss,4\n"
     "2000,train_length,accuracy,0.90\n2000,train_length,loss,0.5\n"
     "2000,long,accuracy,0.10\n2000,long,loss,2.0\n",
     1},
    {"17aa", "key,value\nmodel.encoding,pope\nseed,1\ntraining.lr,0.001\n", "done\n",
     "step,set,metric,value\n"
     "1000,train_length,accuracy,0.6\n"
     "2000,train_length,accuracy,1.00\n2000,train_length,loss,0.1\n"
     "2000,long,accuracy,0.80\n2000,long,loss,0.4\n2000,long,perplexity,1.5\n",
     1},
    {"2c0f", "key,value\nseed,2\ntraining.lr,0.001\nmodel.encoding,rope\n", "done\n",
     "step,set,metric,value\n"
     "1000,train_length,accuracy,0.7\n1000,long,loss,9\n"
     "2000,train_length,accuracy,0.94\n2000,train_length,loss,0.7\n"
     "2000,long,accuracy,0.20\n2000,long,loss,2.5\n",
     1},
    {"4d12", "key,value\r\nmodel.encoding,pope\r\nseed,2\r\ntraining.lr,0.001\r\n", "done\n",
     "step,set,metric,value\r\n"
     "2000,train_length,accuracy,0.99\r\n2000,train_length,loss,0.2\r\n"
     "2000,long,accuracy,0.85\r\n2000,long,loss,0.6\r\n",
     1},
    {"5e77", "key,value\nmodel.encoding,rope\nseed,3\ntraining.lr,0.001\n", "done\n",
     "step,set,metric,value\n"
     "1000,train_length,accuracy,0.3\n1000,long,loss,3.5\n"
     "1500,train_length,accuracy,0.91\n1700,train_length,accuracy,0.5\n"
     "2000,train_length,accuracy,0.98\n2000,train_length,loss,0.6\n"
     "2000,long,accuracy,0.30\n",
     1},
    {"6a01", "key,value\nmodel.encoding,pope\nseed,3\ntraining.lr,0.001\n", "done\n",
     "step,set,metric,value\n"
     "2000,train_length,accuracy,0.97\n2000,train_length,loss,0.3\n2000,long,accuracy,0.90\n"
     "\n"
     "900,train_length,accuracy,0.2\n900,train_length,loss,2\n900,long,accuracy,0.1\n"
     "1200,train_length,accuracy,0.93\n",
     1},
    {"8b3c", "key,value\nmodel.encoding,rope\nseed,4\ntraining.lr,0.001\n", "diverged\n",
     "step,set,metric,value\n500,train_length,accuracy,0.01\n500,train_length,loss,nan\n", 1},
    {"9f00", "key,value\nmodel.encoding,pope\nseed,4\ntraining.lr,0.001\n", NULL,
     "step,set,metric,value\n3000,broken\n", 0},
    {"a0c9", "key,value\nmodel.encoding,nope\nseed,1\ntraining.lr,0.001\n", "diverged\n", NULL,
     1},
};

static int by_text(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// rel's config.yaml from a point.csv text: its keys as `key: value` lines in key order, so
// that runs of one group (the same values but for the seed) have the same config but for
// the seed line, as run folders written by posbench run have.
static void put_config_of_point(const char *rel, const char *point) {
    char copy[1024], *lines[16], text[1024] = "";
    int n = 0;
    snprintf(copy, sizeof copy, "%s", point);
    for (char *l = strtok(copy, "\r\n"); l && n < 16; l = strtok(NULL, "\r\n"))
        if (strcmp(l, "key,value")) lines[n++] = l;
    qsort(lines, (size_t)n, sizeof *lines, by_text);
    for (int i = 0; i < n; i++) {
        char *comma = strchr(lines[i], ',');
        *comma = '\0';
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s: %s\n", lines[i], comma + 1);
    }
    put(rel, text);
}

// r's folder under tmpdir/runs: point.csv, a config.yaml of its point, and the files it has.
static void put_run(const run_files *r) {
    char rel[256];
    snprintf(rel, sizeof rel, "runs/%s/point.csv", r->id);
    put(rel, r->point);
    snprintf(rel, sizeof rel, "runs/%s/config.yaml", r->id);
    put_config_of_point(rel, r->point);
    snprintf(rel, sizeof rel, "runs/%s/status", r->id);
    if (r->status) put(rel, r->status);
    snprintf(rel, sizeof rel, "runs/%s/eval.csv", r->id);
    if (r->eval) put(rel, r->eval);
    snprintf(rel, sizeof rel, "runs/%s/done", r->id);
    if (r->done) put(rel, "");
}

// A fresh tmpdir holding the fixture, plus a stray file and a dot-folder that are not runs.
static void make_fixture(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/posbench_summary_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    for (size_t i = 0; i < sizeof FIXTURE / sizeof FIXTURE[0]; i++) put_run(&FIXTURE[i]);
    put("runs/notes.txt", "not a run\n");
    put("runs/.staging/point.csv", "garbage\n");
}

// Hand computations (t_{0.975,2} = 4.302653, t_{0.975,1} = 12.706205; half = t sd / sqrt(n);
// intervals then cut to [0, 1] for accuracies and to [0, inf) for losses, in summary.csv):
// rope train_length accuracy: mean 2.82/3 = 0.94; deviations -0.04, 0, 0.04; SS 0.0032,
//   var 0.0016, sd 0.04; half 4.302653 * 0.04 / 1.732051 = 0.0993655 -> [0.840634, 1.03937]
// rope train_length loss: mean 0.6; deviations -0.1, 0.1, 0; sd 0.1; half 0.248414
//   -> [0.351586, 0.848414]
// rope long accuracy: mean 0.2, sd 0.1, half 0.248414 -> [-0.0484138, 0.448414]
// rope long loss: mean 8/3 = 2.66667; deviations -0.666667, -0.166667, 0.833333; SS 1.166667,
//   var 0.583333, sd 0.763763; half 4.302653 * 0.763763 / 1.732051 = 1.897292
//   -> [0.769375, 4.56396]
// pope train_length accuracy: mean 2.96/3 = 0.986667; deviations 0.013333, 0.003333,
//   -0.016667; SS 0.000466667, var 0.000233333, sd 0.0152753; half 0.0379458
//   -> [0.948721, 1.02461]
// pope train_length loss: as rope long accuracy shifted: mean 0.2, sd 0.1 -> [-0.0484138, 0.448414]
// pope long accuracy: mean 0.85; deviations -0.05, 0, 0.05; sd 0.05; half 0.124207
//   -> [0.725793, 0.974207]
// pope long loss (n 2): mean 0.5; SS 0.02, sd 0.141421; half 12.706205 * 0.141421 / 1.414214
//   = 1.270620 -> [-0.77062, 1.77062]
// pope long perplexity (n 1): sd 0, no interval (empty fields)
// nope: one diverged run, no values: a row per pair of the experiment with n 0, n_diverged 1.
static const char EXPECTED_CSV[] =
    "model.encoding,training.lr,set,metric,n,n_diverged,mean,sd,ci95_low,ci95_high,min,max,"
    "n_success,success_low,success_high,solved_at_min,solved_at_median,solved_at_max,median\n"
    "rope,0.001,train_length,accuracy,3,1,0.94,0.04,0.840634,1,0.9,0.98,3,0.19412,0.993691,"
    "1500,2000,2000,0.94\n"
    "rope,0.001,train_length,loss,3,1,0.6,0.1,0.351586,0.848414,0.5,0.7,,,,,,,0.6\n"
    "rope,0.001,long,accuracy,3,1,0.2,0.1,0,0.448414,0.1,0.3,0,0,0.602365,,,,0.2\n"
    "rope,0.001,long,loss,3,1,2.66667,0.763763,0.769375,4.56396,2,3.5,,,,,,,2.5\n"
    "pope,0.001,train_length,accuracy,3,0,0.986667,0.0152753,0.948721,1,0.97,1,3,0.292402,1,"
    "1200,2000,2000,0.99\n"
    "pope,0.001,train_length,loss,3,0,0.2,0.1,0,0.448414,0.1,0.3,,,,,,,0.2\n"
    "pope,0.001,long,accuracy,3,0,0.85,0.05,0.725793,0.974207,0.8,0.9,1,0.00840376,0.905701,2000,"
    "2000,2000,0.85\n"
    "pope,0.001,long,loss,2,0,0.5,0.141421,0,1.77062,0.4,0.6,,,,,,,0.5\n"
    "pope,0.001,long,perplexity,1,0,1.5,0,,,1.5,1.5,,,,,,,1.5\n"
    "nope,0.001,train_length,accuracy,0,1,,,,,,,0,0,0.975,,,,\n"
    "nope,0.001,train_length,loss,0,1,,,,,,,,,,,,,\n"
    "nope,0.001,long,accuracy,0,1,,,,,,,0,0,0.975,,,,\n"
    "nope,0.001,long,loss,0,1,,,,,,,,,,,,,\n"
    "nope,0.001,long,perplexity,0,1,,,,,,,,,,,,,\n";

// summary.csv line by line against the hand computations above, and the run counts.
START_TEST(test_summary_csv) {
    make_fixture();
    char err[512], path[256];
    summary *s = summary_compute(tmpdir, SUMMARY_SUCCESS_AT, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_int_eq(s->n_finished, 8);  // 6 done + 2 diverged
    ck_assert_int_eq(s->n_diverged, 2);
    ck_assert_int_eq(s->n_unfinished, 1);
    ck_assert_int_eq(s->n_groups, 3);
    ck_assert_int_eq(s->n_keys, 2);  // seed is not a group key
    ck_assert_int_eq(s->n_rows, 14);
    // Comparisons: 3 pairs of groups x 5 (set, metric) pairs. rope vs pope on train_length
    // accuracy: diff 0.94 - 0.986667 = -0.0466667, se^2 = 0.0016/3 + 0.000233333/3, Welch
    // df 2.571186, t -1.887760; solved 3/4 vs 3/3, Fisher p 1 (both tables, 4/7 and 3/7, are
    // no more likely). rope vs nope: no value for nope, no Welch; solved 3/4 vs 0/1, Fisher
    // p = P(3 of 4) = 4/10 (the other table, 2 of 4, has 6/10).
    ck_assert_int_eq(s->n_comparisons, 15);
    const summary_comparison *c = &s->comparisons[0];
    ck_assert_str_eq(c->set, "train_length");
    ck_assert_str_eq(c->metric, "accuracy");
    ck_assert(c->a == 0 && c->b == 1);
    ck_assert_double_eq_tol(c->welch.diff, -0.0466667, 1e-6);
    ck_assert_double_eq_tol(c->welch.df, 2.571186, 1e-5);
    ck_assert_double_eq_tol(c->welch.t, -1.887760, 1e-5);
    ck_assert(c->welch.low < c->welch.diff && c->welch.high > 0);  // p > 0.05
    ck_assert(c->solved_a == 3 && c->total_a == 4 && c->solved_b == 3 && c->total_b == 3);
    ck_assert_double_eq_tol(c->fisher_p, 1.0, 1e-12);
    c = &s->comparisons[1];
    ck_assert(c->a == 0 && c->b == 2 && c->n_b == 0 && isnan(c->welch.p));
    ck_assert(c->solved_b == 0 && c->total_b == 1);
    ck_assert_double_eq_tol(c->fisher_p, 0.4, 1e-12);
    ck_assert_int_eq(s->comparisons[3].solved_a, -1);  // train_length loss: no success counts
    snprintf(path, sizeof path, "%s/comparisons.csv", tmpdir);
    ck_assert_msg(summary_write_comparisons_csv(s, path, err, sizeof err) == 0, "%s", err);
    char *cmp = slurp(path);
    const char *head = "a,b,set,metric,n_a,n_b,mean_a,mean_b,diff,diff_low,diff_high,"
                       "welch_df,welch_p,solved_a,total_a,solved_b,total_b,fisher_p\n"
                       "rope 0.001,pope 0.001,train_length,accuracy,3,3,0.94,0.986667,"
                       "-0.0466667,";
    ck_assert_msg(!strncmp(cmp, head, strlen(head)), "%s", cmp);
    ck_assert_msg(strstr(cmp, "\nrope 0.001,nope 0.001,train_length,accuracy,3,0,0.94,,,,,,,3,4,"
                              "0,1,0.4\n"),
                  "%s", cmp);
    free(cmp);
    unlink(path);
    snprintf(path, sizeof path, "%s/summary.csv", tmpdir);
    ck_assert_msg(summary_write_csv(s, path, err, sizeof err) == 0, "%s", err);
    summary_free(s);
    char *got = slurp(path);
    const char *g = got, *e = EXPECTED_CSV;
    for (int line = 1; *e; line++) {
        const size_t ng = strcspn(g, "\n"), ne = strcspn(e, "\n");
        ck_assert_msg(ng == ne && !strncmp(g, e, ne), "summary.csv line %d:\n got  %.*s\n want %.*s",
                      line, (int)ng, g, (int)ne, e);
        g += ng + (g[ng] != 0), e += ne + 1;
    }
    ck_assert_msg(*g == 0, "extra lines: %s", g);
    free(got);
    // Atomic write: nothing but runs/ and summary.csv in the folder.
    int entries = 0;
    DIR *d = opendir(tmpdir);
    for (struct dirent *x; (x = readdir(d));) entries += x->d_name[0] != '.';
    closedir(d);
    ck_assert_int_eq(entries, 2);
    remove_tree(tmpdir);
}
END_TEST

// The statistics of one row straight from the struct (not through %.6g).
// What summary.csv is written as is what posbench plot reads: every row, with its mean and
// interval (a header change on one side alone broke make main's plots once).
START_TEST(test_summary_csv_plots) {
    make_fixture();
    char err[512], path[256];
    summary *s = summary_compute(tmpdir, SUMMARY_SUCCESS_AT, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    snprintf(path, sizeof path, "%s/summary.csv", tmpdir);
    ck_assert_int_eq(summary_write_csv(s, path, err, sizeof err), 0);
    plot_summary p;
    ck_assert_msg(plot_summary_read(path, "rope", &p, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(p.n_rows, s->n_rows);
    for (int i = 0; i < s->n_rows; i++) {
        ck_assert_str_eq(p.rows[i].set, s->rows[i].set);
        ck_assert_str_eq(p.rows[i].metric, s->rows[i].metric);
        ck_assert_int_eq(p.rows[i].n, s->rows[i].n);
        if (!isnan(s->rows[i].mean)) ck_assert_double_eq_tol(p.rows[i].mean, s->rows[i].mean, 1e-5);
    }
    plot_summary_free(&p);
    summary_free(s);
    remove_tree(tmpdir);
}
END_TEST

// Rows posbench score added with evaluation-time options (len_N@yarn) are their encoding's
// variant: the same colour, their own dash and legend entry, the set without the suffix, so
// an extrapolation plot draws RoPE and RoPE with YaRN as two curves.
START_TEST(test_plot_reads_scored_variants) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/posbench_summary_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    put("summary.csv",
        "model.encoding,set,metric,n,n_diverged,mean,sd,ci95_low,ci95_high,min,max\n"
        "rope,len_128,perplexity,3,0,3,0,3,3,3,3\n"
        "rope,len_256,perplexity,3,0,9,0,9,9,9,9\n"
        "rope,len_128@yarn,perplexity,3,0,3,0,3,3,3,3\n"
        "rope,len_256@yarn,perplexity,3,0,5,0,5,5,5,5\n"
        "pope,len_128,perplexity,3,0,3,0,3,3,3,3\n"
        "pope,len_256,perplexity,3,0,4,0,4,4,4,4\n");
    char err[512], path[256], data[256];
    snprintf(path, sizeof path, "%s/summary.csv", tmpdir);
    snprintf(data, sizeof data, "%s/curves.dat", tmpdir);
    plot_summary p;
    ck_assert_msg(plot_summary_read(path, "rope", &p, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(p.series.n, 3);
    ck_assert_str_eq(p.rows[2].set, "len_128");
    const plot_series *yarn = &p.series.items[p.rows[2].series];
    ck_assert_str_eq(yarn->encoding, "rope");
    ck_assert_str_eq(yarn->variant, "yarn");
    char label[128];
    plot_series_label(&p.series, p.rows[2].series, label, sizeof label);
    ck_assert_str_eq(label, "rope, yarn");
    ck_assert_int_eq(plot_series_dash(&p.series, p.rows[2].series), 2);
    ck_assert_int_eq(plot_series_dash(&p.series, p.rows[0].series), 1);
    plot_blocks b = {0};
    // An encoding with options of its own (NAME(K=V;...)) is drawn in its encoding's colour.
    ck_assert_int_eq(plot_blocks_add(&b, "pope(delta_init=zero)", 1), 0);
    ck_assert_int_eq(plot_blocks_add(&b, "rope", 2), 0);
    ck_assert_str_eq(b.encodings, "pope rope");
    ck_assert_str_eq(b.dashes, "1 2");
    ck_assert_int_eq(plot_write_extrapolation(&p, "perplexity", data, &b, err, sizeof err), 0);
    ck_assert_int_eq(b.n, 3);
    char *text = slurp(data);
    ck_assert_ptr_nonnull(strstr(text, "rope, yarn"));
    ck_assert_ptr_nonnull(strstr(text, "256 5 5 5"));
    free(text);
    plot_summary_free(&p);
    remove_tree(tmpdir);
}
END_TEST

START_TEST(test_summary_row_values) {
    make_fixture();
    char err[512];
    summary *s = summary_compute(tmpdir, SUMMARY_SUCCESS_AT, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    const summary_row *r = &s->rows[3];  // rope long loss: 2.0, 2.5, 3.5
    ck_assert_str_eq(r->set, "long");
    ck_assert_str_eq(r->metric, "loss");
    ck_assert_str_eq(s->group_values[r->group][0], "rope");
    ck_assert_double_eq_tol(r->mean, 8.0 / 3.0, 1e-14);
    ck_assert_double_eq_tol(r->sd, sqrt(7.0 / 12.0), 1e-14);  // SS 7/6 over n - 1 = 2
    const double half = 4.302652729749464 * sqrt(7.0 / 12.0) / sqrt(3.0);
    ck_assert_double_eq_tol(r->ci_low, 8.0 / 3.0 - half, 1e-12);
    ck_assert_double_eq_tol(r->ci_high, 8.0 / 3.0 + half, 1e-12);
    r = &s->rows[8];  // pope long perplexity, n 1
    ck_assert_int_eq(r->n, 1);
    ck_assert(r->sd == 0 && isnan(r->ci_low) && isnan(r->ci_high));
    summary_free(s);
    remove_tree(tmpdir);
}
END_TEST

// Perplexities are averaged as their logs (the losses) and mapped back: e, e^2 and e^20 give
// the geometric mean e^(23/3) and an interval exp(23/3 -+ t sd / sqrt 3) that stays above 0,
// where a t-interval on the raw values would reach far below it; min and max stay raw.
START_TEST(test_summary_perplexity_log_scale) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/posbench_summary_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    const double loss[3] = {1, 2, 20};
    for (int i = 0; i < 3; i++) {
        char rel[64], text[256];
        snprintf(rel, sizeof rel, "runs/r%d/point.csv", i);
        snprintf(text, sizeof text, "key,value\nseed,%d\n", i + 1);
        put(rel, text);
        snprintf(rel, sizeof rel, "runs/r%d/config.yaml", i);
        put_config_of_point(rel, text);
        snprintf(rel, sizeof rel, "runs/r%d/eval.csv", i);
        snprintf(text, sizeof text, "step,set,metric,value\n9,len_64,loss,%.17g\n"
                 "9,len_64,perplexity,%.17g\n", loss[i], exp(loss[i]));
        put(rel, text);
        snprintf(rel, sizeof rel, "runs/r%d/status", i);
        put(rel, "done\n");
        snprintf(rel, sizeof rel, "runs/r%d/done", i);
        put(rel, "");
    }
    char err[512];
    summary *s = summary_compute(tmpdir, SUMMARY_SUCCESS_AT, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_int_eq(s->n_rows, 2);
    const summary_row *l = &s->rows[0], *p = &s->rows[1];
    ck_assert_str_eq(p->metric, "perplexity");
    ck_assert_double_eq_tol(p->mean, exp(l->mean), 1e-9 * exp(l->mean));
    // The loss's t-interval, 23/3 -+ 26.562, is cut at 0; the perplexity's is exp of the
    // uncut one, which stays above 0 by itself.
    const double half = l->ci_high - l->mean;
    ck_assert_double_eq_tol(half, 4.302653 * 10.692677 / sqrt(3.0), 1e-5);
    ck_assert_double_eq(l->ci_low, 0.0);
    ck_assert_double_eq_tol(p->ci_low, exp(l->mean - half), 1e-9 * exp(l->mean - half));
    ck_assert_double_eq_tol(p->ci_high, exp(l->ci_high), 1e-9 * exp(l->ci_high));
    ck_assert(p->ci_low > 0);
    ck_assert_double_eq_tol(p->min, exp(1), 1e-12);
    ck_assert_double_eq_tol(p->max, exp(20), 1e-12 * exp(20));
    summary_free(s);
    remove_tree(tmpdir);
}
END_TEST

// ---- malformed input --------------------------------------------------------------------------

typedef struct {
    const char *file;     // relative to the experiment folder; NULL: change nothing
    const char *content;  // NULL: delete the file
    const char *message;  // %s stands for the experiment folder
} bad_case;

static const bad_case BAD[] = {
    {"runs/03b1/eval.csv", "step,set,metric\n",
     "%s/runs/03b1/eval.csv:1: expected header 'step,set,metric,value', got 'step,set,metric'"},
    {"runs/03b1/eval.csv", "", "%s/runs/03b1/eval.csv: empty file (expected header "
                               "'step,set,metric,value')"},
    {"runs/03b1/eval.csv", NULL, "%s/runs/03b1/eval.csv: cannot open: No such file or directory"},
    {"runs/03b1/eval.csv", "step,set,metric,value\n2000,long,loss,1\n2000,long,loss\n",
     "%s/runs/03b1/eval.csv:3: expected 4 fields, got 3"},
    {"runs/03b1/eval.csv", "step,set,metric,value\n2000,long,loss,1,2\n",
     "%s/runs/03b1/eval.csv:2: expected 4 fields, got 5"},
    {"runs/03b1/eval.csv", "step,set,metric,value\n2000,long,accuracy,0.9x\n",
     "%s/runs/03b1/eval.csv:2: value '0.9x' is not a number"},
    {"runs/03b1/eval.csv", "step,set,metric,value\n-5,long,accuracy,0.9\n",
     "%s/runs/03b1/eval.csv:2: step '-5' is not a non-negative integer"},
    {"runs/03b1/eval.csv", "step,set,metric,value\n1e3,long,accuracy,0.9\n",
     "%s/runs/03b1/eval.csv:2: step '1e3' is not a non-negative integer"},
    {"runs/03b1/eval.csv", "step,set,metric,value\n2000,,accuracy,0.9\n",
     "%s/runs/03b1/eval.csv:2: field 2 is empty"},
    {"runs/03b1/eval.csv", "step,set,metric,value\n2000,\"a,b\",accuracy,0.9\n",
     "%s/runs/03b1/eval.csv:2: quoted fields are not supported"},
    {"runs/03b1/eval.csv",
     "step,set,metric,value\n2000,long,accuracy,0.9\n1000,long,loss,2\n2000,long,accuracy,0.8\n",
     "%s/runs/03b1/eval.csv:4: second row for step 2000, set long, metric accuracy (first on line "
     "2)"},
    {"runs/2c0f/point.csv", "key,value\nseed,2\nseed,3\n", "%s/runs/2c0f/point.csv:3: duplicate key 'seed'"},
    {"runs/2c0f/point.csv",
     "key,value\nseed,2\ntraining.lr,0.001\nmodel.layers,2\nmodel.encoding,rope\n",
     "%s/runs/2c0f/point.csv:4: key 'model.layers' is not in %s/runs/03b1/point.csv"},
    {"runs/2c0f/point.csv", "key,value\nseed,2\nmodel.encoding,rope\n",
     "%s/runs/2c0f/point.csv: no key 'training.lr' (%s/runs/03b1/point.csv has it)"},
    {"runs/2c0f/point.csv", "key;value\nseed;2\n",
     "%s/runs/2c0f/point.csv:1: expected header 'key,value', got 'key;value'"},
    {"runs/17aa/status", "ok\n", "%s/runs/17aa/status:1: expected 'done' or 'diverged', got 'ok'"},
    {"runs/4d12/config.yaml", NULL, "%s/runs/4d12/config.yaml: cannot open: No such file or directory"},
    {"runs.csv", "ids\n17aa\n", "%s/runs.csv:1: expected header 'id', got 'ids'"},
    {"runs/17aa/status", NULL, "%s/runs/17aa/status: cannot open: No such file or directory"},
    {"runs/a0c9/status", "", "%s/runs/a0c9/status: empty file (expected 'done' or 'diverged')"},
};

// Each malformed file, alone in an otherwise good fixture, gives its exact one-line message.
START_TEST(test_summary_malformed) {
    const bad_case *b = &BAD[_i];
    make_fixture();
    put(b->file, b->content);
    char err[512], want[512];
    snprintf(want, sizeof want, b->message, tmpdir, tmpdir);
    summary *s = summary_compute(tmpdir, SUMMARY_SUCCESS_AT, err, sizeof err);
    ck_assert_msg(s == NULL, "case %d accepted", _i);
    ck_assert_str_eq(err, want);
    remove_tree(tmpdir);
}
END_TEST

// No runs folder, and a runs folder with only an unfinished run.
START_TEST(test_summary_nothing_to_read) {
    char err[512], want[512];
    snprintf(tmpdir, sizeof tmpdir, "/tmp/posbench_summary_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    ck_assert_ptr_null(summary_compute(tmpdir, SUMMARY_SUCCESS_AT, err, sizeof err));
    snprintf(want, sizeof want, "%s/runs: cannot open: No such file or directory", tmpdir);
    ck_assert_str_eq(err, want);
    put("runs/9f00/point.csv", "key,value\nseed,1\n");
    ck_assert_ptr_null(summary_compute(tmpdir, SUMMARY_SUCCESS_AT, err, sizeof err));
    snprintf(want, sizeof want, "%s/runs: no finished run (1 unfinished)", tmpdir);
    ck_assert_str_eq(err, want);
    remove_tree(tmpdir);
}
END_TEST

// ---- posbench summary ---------------------------------------------------------------------

// Accuracies in percent (mean 94.00%, interval 84.06..100.00%: [0.840634, 1] above); other
// metrics to 4 significant digits; "-" where n < 2 leaves no interval or n = 0 leaves no value.
static const char EXPECTED_TABLE[] =
    "model.encoding  training.lr  set           metric      n  diverged    me"
    "an            ci95  median     min      max  solved  solved_ci95         solved_at\n"
    "rope            0.001        train_length  accuracy    3         1  94.0"
    "0%  84.06..100.00%  94.00%  90.00%   98.00%     3/4       19-99%  2000 (1500-2000)\n"
    "rope            0.001        train_length  loss        3         1     0"
    ".6  0.3516..0.8484     0.6     0.5      0.7       -            -                 -\n"
    "rope            0.001        long          accuracy    3         1  20.0"
    "0%    0.00..44.84%  20.00%  10.00%   30.00%     0/4        0-60%                 -\n"
    "rope            0.001        long          loss        3         1   2.6"
    "67   0.7694..4.564     2.5       2      3.5       -            -                 -\n"
    "pope            0.001        train_length  accuracy    3         0  98.6"
    "7%  94.87..100.00%  99.00%  97.00%  100.00%     3/3      29-100%  2000 (1200-2000)\n"
    "pope            0.001        train_length  loss        3         0     0"
    ".2       0..0.4484     0.2     0.1      0.3       -            -                 -\n"
    "pope            0.001        long          accuracy    3         0  85.0"
    "0%   72.58..97.42%  85.00%  80.00%   90.00%     1/3        1-91%              2000\n"
    "pope            0.001        long          loss        2         0     0"
    ".5        0..1.771     0.5     0.4      0.6       -            -                 -\n"
    "pope            0.001        long          perplexity  1         0     1"
    ".5               -     1.5     1.5      1.5       -            -                 -\n"
    "nope            0.001        train_length  accuracy    0         1      "
    " -               -       -       -        -     0/1        0-97%                 -\n"
    "nope            0.001        train_length  loss        0         1      "
    " -               -       -       -        -       -            -                 -\n"
    "nope            0.001        long          accuracy    0         1      "
    " -               -       -       -        -     0/1        0-97%                 -\n"
    "nope            0.001        long          loss        0         1      "
    " -               -       -       -        -       -            -                 -\n"
    "nope            0.001        long          perplexity  0         1      "
    " -               -       -       -        -       -            -                 -\n"
    "\n"
    "comparisons (a - b: Welch's t-test on the means; Fisher's exact test on "
    "the solved counts):\n"
    "set           metric      a           b             a - b             ci"
    "95  p (Welch)  solved a / b  p (Fisher)\n"
    "train_length  accuracy    rope 0.001  pope 0.001   -4.67%    -13.33..4.0"
    "0%       0.17    3/4 vs 3/3           1\n"
    "train_length  accuracy    rope 0.001  nope 0.001        -               "
    " -          -    3/4 vs 0/1         0.4\n"
    "train_length  accuracy    pope 0.001  nope 0.001        -               "
    " -          -    3/3 vs 0/1        0.25\n"
    "train_length  loss        rope 0.001  pope 0.001      0.4   0.1733..0.62"
    "67      0.008             -           -\n"
    "train_length  loss        rope 0.001  nope 0.001        -               "
    " -          -             -           -\n"
    "train_length  loss        pope 0.001  nope 0.001        -               "
    " -          -             -           -\n"
    "long          accuracy    rope 0.001  pope 0.001  -65.00%  -85.78..-44.2"
    "2%     0.0023    0/4 vs 1/3        0.43\n"
    "long          accuracy    rope 0.001  nope 0.001        -               "
    " -          -    0/4 vs 0/1           1\n"
    "long          accuracy    pope 0.001  nope 0.001        -               "
    " -          -    1/3 vs 0/1           1\n"
    "long          loss        rope 0.001  pope 0.001    2.167    0.3808..3.9"
    "53      0.034             -           -\n"
    "long          loss        rope 0.001  nope 0.001        -               "
    " -          -             -           -\n"
    "long          loss        pope 0.001  nope 0.001        -               "
    " -          -             -           -\n"
    "long          perplexity  rope 0.001  pope 0.001        -               "
    " -          -             -           -\n"
    "long          perplexity  rope 0.001  nope 0.001        -               "
    " -          -             -           -\n"
    "long          perplexity  pope 0.001  nope 0.001        -               "
    " -          -             -           -\n"
    "\n";

// One run of the two-version fixture below: pope at seed, training.steps steps, accuracy acc.
static void put_versioned_run(const char *id, const char *encoding, int seed, int steps,
                              double acc) {
    char rel[128], text[512];
    snprintf(rel, sizeof rel, "runs/%s/point.csv", id);
    snprintf(text, sizeof text, "key,value\nmodel.encoding,%s\nseed,%d\n", encoding, seed);
    put(rel, text);
    snprintf(rel, sizeof rel, "runs/%s/config.yaml", id);
    snprintf(text, sizeof text, "experiment: e\nmodel:\n  encoding: %s\nseed: %d\ntraining:\n"
             "  steps: %d\n", encoding, seed, steps);
    put(rel, text);
    snprintf(rel, sizeof rel, "runs/%s/eval.csv", id);
    snprintf(text, sizeof text, "step,set,metric,value\n%d,test,accuracy,%g\n", steps, acc);
    put(rel, text);
    snprintf(rel, sizeof rel, "runs/%s/status", id);
    put(rel, "done\n");
    snprintf(rel, sizeof rel, "runs/%s/done", id);
    put(rel, "");
}

// An experiment file edited from 30 to 60 steps and run again: the folder holds both
// versions' runs (a*: 30 steps, b*: 60). They are never pooled: without a manifest the
// summary refuses, naming the line where the configs differ; with one (posbench run writes
// runs.csv) only the current runs count and the others are reported as stale.
START_TEST(test_summary_never_pools_versions) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/posbench_summary_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    put_versioned_run("a1", "pope", 1, 30, 0.5);
    put_versioned_run("a2", "pope", 2, 30, 0.7);
    put_versioned_run("b1", "pope", 1, 60, 0.9);
    put_versioned_run("b2", "pope", 2, 60, 1.0);
    char err[1024];
    ck_assert_ptr_null(summary_compute(tmpdir, SUMMARY_SUCCESS_AT, err, sizeof err));
    char want[1024];
    snprintf(want, sizeof want,
             "runs a1 and b1 have the same swept values but different configs ('  steps: 30' "
             "vs '  steps: 60'): %s mixes versions of the experiment; run the experiment file "
             "again (it lists its current runs in runs.csv) or move the stale runs away",
             tmpdir);
    ck_assert_str_eq(err, want);

    put("runs.csv", "id\nb1\nb2\n");
    summary *s = summary_compute(tmpdir, SUMMARY_SUCCESS_AT, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_int_eq(s->n_groups, 1);
    ck_assert_int_eq(s->n_stale, 2);
    ck_assert_str_eq(s->first_stale, "a1");
    ck_assert_int_eq(s->rows[0].n, 2);
    ck_assert_double_eq_tol(s->rows[0].mean, 0.95, 1e-12);
    summary_free(s);
    char *out;
    const char *args[] = {"summary", tmpdir, NULL};
    ck_assert_int_eq(run_captured(cmd_summary, args, &out), 0);
    ck_assert_msg(strstr(out, "; 2 stale runs left out (not in the experiment file's current "
                              "runs, "),
                  "%s", out);
    free(out);
    remove_tree(tmpdir);
}
END_TEST

// A tasks x encodings sweep compares the encodings on each task and the tasks for each
// encoding, never two encodings on two tasks: of the 6 pairs of its 4 groups, 4 differ in
// one key.
START_TEST(test_summary_compares_one_key_at_a_time) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/posbench_summary_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    const char *tasks[] = {"even_pairs", "parity_check"}, *encodings[] = {"rope", "pope"};
    for (int t = 0; t < 2; t++)
        for (int e = 0; e < 2; e++) {
            char id[24], point[128], eval[96];
            snprintf(id, sizeof id, "%d%d", t, e);
            snprintf(point, sizeof point, "key,value\ntask.name,%s\nmodel.encoding,%s\nseed,1\n",
                     tasks[t], encodings[e]);
            snprintf(eval, sizeof eval, "step,set,metric,value\n10,test,accuracy,0.%d%d\n", t, e);
            put_run(&(run_files){id, point, "done\n", eval, 1});
        }
    char err[512];
    summary *s = summary_compute(tmpdir, SUMMARY_SUCCESS_AT, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_int_eq(s->n_groups, 4);
    ck_assert_int_eq(s->n_comparisons, 4);
    const int want[4][2] = {{0, 1}, {0, 2}, {1, 3}, {2, 3}};  // 00-01, 00-10, 01-11, 10-11
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(s->comparisons[i].a, want[i][0]);
        ck_assert_int_eq(s->comparisons[i].b, want[i][1]);
    }
    ck_assert_double_eq_tol(s->comparisons[1].mean_b, 0.10, 1e-12);
    summary_free(s);
    remove_tree(tmpdir);
}
END_TEST

// The length suite's rows: a run solves a task at its training lengths (accuracy_within) or
// beyond them (accuracy_beyond) or does not, so those rows count solved runs as accuracy
// rows do; sequence accuracy does not. Three seeds: within 1.0, 0.95, 0.6 (2 of 3 at 0.9),
// beyond 0.5, 0.92, 0.55 (1 of 3); the comparison with a second encoding tests the counts
// (2 of 3 against 0 of 3 within: Fisher p = 0.4).
START_TEST(test_summary_counts_solved_within_and_beyond) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/posbench_summary_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    const double within[2][3] = {{1.0, 0.95, 0.6}, {0.5, 0.5, 0.52}};
    const double beyond[2][3] = {{0.5, 0.92, 0.55}, {0.5, 0.5, 0.5}};
    const char *encodings[] = {"rope", "nope"};
    for (int e = 0; e < 2; e++)
        for (int seed = 1; seed <= 3; seed++) {
            char id[16], point[128], eval[320];
            snprintf(id, sizeof id, "%c%d", encodings[e][0], seed);
            snprintf(point, sizeof point, "key,value\nmodel.encoding,%s\nseed,%d\n",
                     encodings[e], seed);
            snprintf(eval, sizeof eval,
                     "step,set,metric,value\n3000,lengths,accuracy_within,%g\n"
                     "3000,lengths,sequence_accuracy_within,%g\n"
                     "3000,lengths,accuracy_beyond,%g\n",
                     within[e][seed - 1], within[e][seed - 1], beyond[e][seed - 1]);
            put_run(&(run_files){id, point, "done\n", eval, 1});
        }
    char err[512];
    summary *s = summary_compute(tmpdir, SUMMARY_SUCCESS_AT, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_int_eq(s->n_rows, 6);
    for (int i = 0; i < s->n_rows; i++) {
        const summary_row *r = &s->rows[i];
        const int rope = !strcmp(s->group_values[r->group][0], "rope");
        if (!strcmp(r->metric, "accuracy_within"))
            ck_assert_int_eq(r->n_success, (rope ? 2 : 0));
        else if (!strcmp(r->metric, "accuracy_beyond"))
            ck_assert_int_eq(r->n_success, (rope ? 1 : 0));
        else
            ck_assert_int_eq(r->n_success, -1);
        if (r->n_success > 0) ck_assert_double_eq(r->solved_at_median, 3000);
    }
    ck_assert_int_eq(s->n_comparisons, 3);
    for (int i = 0; i < s->n_comparisons; i++) {
        const summary_comparison *c = &s->comparisons[i];
        if (!strcmp(c->metric, "accuracy_within")) {
            const int a_rope = !strcmp(s->group_values[c->a][0], "rope");
            ck_assert_int_eq(c->solved_a, (a_rope ? 2 : 0));
            ck_assert_int_eq(c->solved_b, (a_rope ? 0 : 2));
            ck_assert(c->total_a == 3 && c->total_b == 3);
            ck_assert_double_eq_tol(c->fisher_p, 0.4, 1e-12);
        } else if (!strcmp(c->metric, "sequence_accuracy_within")) {
            ck_assert_int_eq(c->solved_a, -1);
        }
    }
    summary_free(s);
    remove_tree(tmpdir);
}
END_TEST

// Groups come in the order of the manifest (the experiment file's), not of the run ids: the
// file lists pope before rope, whose ids sort first.
START_TEST(test_summary_groups_in_file_order) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/posbench_summary_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    put_versioned_run("r1", "rope", 1, 30, 0.2);
    put_versioned_run("z1", "pope", 1, 30, 0.9);
    char err[512];
    summary *s = summary_compute(tmpdir, SUMMARY_SUCCESS_AT, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_str_eq(s->group_values[0][0], "rope");  // no manifest: by id
    summary_free(s);
    put("runs.csv", "id\nz1\nr1\nq9\n");  // q9: a run not started yet, no folder
    s = summary_compute(tmpdir, SUMMARY_SUCCESS_AT, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_str_eq(s->group_values[0][0], "pope");
    ck_assert_str_eq(s->group_values[1][0], "rope");
    ck_assert_int_eq(s->n_stale, 0);
    summary_free(s);
    put("runs.csv", "identifier\nz1\n");
    ck_assert_ptr_null(summary_compute(tmpdir, SUMMARY_SUCCESS_AT, err, sizeof err));
    ck_assert_msg(strstr(err, "runs.csv"), "%s", err);
    remove_tree(tmpdir);
}
END_TEST

// Intervals stay where the metric can be: three accuracies 0, 0, 0.3 give a t-interval of
// 0.1 -+ 4.302653 * 0.173205 / sqrt(3) = 0.1 -+ 0.430265, which is cut to [0, 0.530265]; a
// loss's is cut at 0 only; an unbounded metric's is not cut.
START_TEST(test_summary_intervals_in_range) {
    double acc[] = {0, 0, 0.3}, high[] = {1, 1, 0.7}, loss[] = {0, 0, 0.3}, other[] = {0, 0, 0.3};
    summary_row r;
    summary_describe_metric("accuracy", acc, 3, &r);
    ck_assert_double_eq(r.ci_low, 0.0);
    ck_assert_double_eq_tol(r.ci_high, 0.530265, 1e-6);
    ck_assert_double_eq_tol(r.mean, 0.1, 1e-12);
    summary_describe_metric("accuracy", high, 3, &r);
    ck_assert_double_eq_tol(r.ci_low, 0.469735, 1e-6);
    ck_assert_double_eq(r.ci_high, 1.0);
    summary_describe_metric("loss", loss, 3, &r);
    ck_assert_double_eq(r.ci_low, 0.0);
    ck_assert_double_eq_tol(r.ci_high, 0.530265, 1e-6);
    summary_describe_metric("gain", other, 3, &r);
    ck_assert_double_eq_tol(r.ci_low, -0.330265, 1e-6);
}
END_TEST

START_TEST(test_cli_summary_table) {
    make_fixture();
    char dir[128], want[16384], *out;
    snprintf(dir, sizeof dir, "%s/", tmpdir);  // a trailing slash is fine
    const char *args[] = {"summary", dir, NULL};
    int rc = run_captured(cmd_summary, args, &out);
    ck_assert_msg(rc == 0, "%s", out);
    snprintf(want, sizeof want,
             "%s8 finished runs (2 diverged) in 3 groups; 1 unfinished run skipped (no done "
             "marker); wrote %s/summary.csv and comparisons.csv\n",
             EXPECTED_TABLE, tmpdir);
    ck_assert_str_eq(out, want);
    free(out);
    char path[256];
    snprintf(path, sizeof path, "%s/summary.csv", tmpdir);
    char *csv = slurp(path);
    ck_assert_str_eq(csv, EXPECTED_CSV);
    free(csv);
    remove_tree(tmpdir);
}
END_TEST

START_TEST(test_cli_summary_metric_and_errors) {
    make_fixture();
    char want[1024], *out;
    const char *a1[] = {"summary", "--metric", "perplexity", tmpdir, NULL};
    ck_assert_int_eq(run_captured(cmd_summary, a1, &out), 0);
    const char *lines[] = {
        "model.encoding  training.lr  set   metric      n  diverged  mean  ci95  median  min  max\n",
        "pope            0.001        long  perplexity  1         0   1.5     -     1.5  1.5  1.5\n",
        "nope            0.001        long  perplexity  0         1     -     -       -    -    -\n"};
    // The table of that metric, then its comparisons (none computable: one run, or none).
    snprintf(want, sizeof want, "%s%s%s\ncomparisons (", lines[0], lines[1], lines[2]);
    ck_assert_msg(!strncmp(out, want, strlen(want)), "got:\n%s", out);
    ck_assert_msg(strstr(out, "long  perplexity  rope 0.001  pope 0.001      -     -          -"),
                  "got:\n%s", out);
    ck_assert_msg(strstr(out, "\n8 finished runs"), "got:\n%s", out);
    free(out);

    const char *a2[] = {"summary", "--metric", "acc", tmpdir, NULL};
    ck_assert_int_eq(run_captured(cmd_summary, a2, &out), 1);  // the data lacks it
    snprintf(want, sizeof want, "posbench: summary: no metric 'acc' in %s/summary.csv (metrics: "
             "accuracy, loss, perplexity)\n", tmpdir);
    ck_assert_str_eq(out, want);
    free(out);

    put("runs/03b1/eval.csv", "step,set,metric,value\n2000,long,accuracy,high\n");
    const char *a3[] = {"summary", tmpdir, NULL};
    ck_assert_int_eq(run_captured(cmd_summary, a3, &out), 1);
    snprintf(want, sizeof want, "posbench: %s/runs/03b1/eval.csv:2: value 'high' is not a number\n",
             tmpdir);
    ck_assert_str_eq(out, want);
    free(out);
    remove_tree(tmpdir);

    const char *a4[] = {"summary", "--help", NULL};
    ck_assert_int_eq(run_captured(cmd_summary, a4, &out), 0);
    const char *usage =
        "usage: posbench summary [--metric NAME,...] [--success-at A] results/<experiment>\n";
    ck_assert(!strncmp(out, usage, strlen(usage)));
    free(out);
    // Several metrics at once; every one must exist.
    make_fixture();
    const char *two[] = {"summary", "--metric", "perplexity,loss", tmpdir, NULL};
    ck_assert_int_eq(run_captured(cmd_summary, two, &out), 0);
    ck_assert_msg(strstr(out, " perplexity ") && strstr(out, " loss ") && !strstr(out, "accuracy"),
                  "%s", out);
    free(out);
    const char *typo[] = {"summary", "--metric", "perplexity,los", tmpdir, NULL};
    ck_assert_int_eq(run_captured(cmd_summary, typo, &out), 1);
    ck_assert_msg(strstr(out, "no metric 'los' in "), "%s", out);
    free(out);
    remove_tree(tmpdir);
    // A stricter threshold: rope train_length's 90%, 94% and 98% leave one of four solved.
    make_fixture();
    const char *a_strict[] = {"summary", "--success-at", "0.95", "--metric", "accuracy", tmpdir, NULL};
    ck_assert_int_eq(run_captured(cmd_summary, a_strict, &out), 0);
    ck_assert_msg(strstr(out, "90.00%   98.00%     1/4        1-81%       2000\n") != NULL, "got:\n%s", out);
    free(out);
    remove_tree(tmpdir);
    const char *bad[] = {"0", "1.5", "x", "0.9x"};
    for (size_t i = 0; i < 4; i++) {
        const char *a_bad[] = {"summary", "--success-at", bad[i], "results/x", NULL};
        ck_assert_int_eq(run_captured(cmd_summary, a_bad, &out), 2);
        snprintf(want, sizeof want, "posbench: summary: --success-at: expected a number in (0, 1], "
                 "got '%s'\n", bad[i]);
        ck_assert_str_eq(out, want);
        free(out);
    }
    const char *a5[] = {"summary", NULL};
    ck_assert_int_eq(run_captured(cmd_summary, a5, &out), 2);
    ck_assert_str_eq(out, "posbench: summary: no experiment folder named (see --help)\n");
    free(out);
    const char *a6[] = {"summary", "--bogus", "x", NULL};
    ck_assert_int_eq(run_captured(cmd_summary, a6, &out), 2);
    ck_assert_str_eq(out, "posbench: summary: unknown or incomplete option '--bogus' (see --help)\n");
    free(out);
    const char *a7[] = {"summary", "a", "b", NULL};
    ck_assert_int_eq(run_captured(cmd_summary, a7, &out), 2);
    ck_assert_str_eq(out, "posbench: summary: unexpected argument 'b' (see --help)\n");
    free(out);
    const char *a8[] = {"summary", "/nonexistent/experiment", NULL};
    ck_assert_int_eq(run_captured(cmd_summary, a8, &out), 1);
    ck_assert_str_eq(out, "posbench: /nonexistent/experiment/runs: cannot open: No such file or "
                          "directory\n");
    free(out);
}
END_TEST

Suite *suite_summary(void) {
    Suite *s = suite_create("summary");
    TCase *t = tcase_create("student_t");
    tcase_add_test(t, test_t_quantile_table);
    tcase_add_test(t, test_t_cdf_and_beta);
    tcase_add_test(t, test_binomial_interval);
    tcase_add_test(t, test_welch);
    tcase_add_test(t, test_fisher);
    suite_add_tcase(s, t);
    t = tcase_create("summary_csv");
    tcase_add_test(t, test_summary_csv);
    tcase_add_test(t, test_summary_csv_plots);
    tcase_add_test(t, test_summary_row_values);
    tcase_add_test(t, test_summary_perplexity_log_scale);
    tcase_add_test(t, test_plot_reads_scored_variants);
    tcase_add_test(t, test_summary_nothing_to_read);
    tcase_add_test(t, test_summary_never_pools_versions);
    tcase_add_test(t, test_summary_groups_in_file_order);
    tcase_add_test(t, test_summary_compares_one_key_at_a_time);
    tcase_add_test(t, test_summary_counts_solved_within_and_beyond);
    tcase_add_test(t, test_summary_intervals_in_range);
    suite_add_tcase(s, t);
    t = tcase_create("malformed");
    tcase_add_loop_test(t, test_summary_malformed, 0, (int)(sizeof BAD / sizeof BAD[0]));
    suite_add_tcase(s, t);
    t = tcase_create("cli");
    tcase_add_test(t, test_cli_summary_table);
    tcase_add_test(t, test_cli_summary_metric_and_errors);
    suite_add_tcase(s, t);
    return s;
}
