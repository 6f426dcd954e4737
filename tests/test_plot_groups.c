// Tests of the answer-groups plot (harness/plot/plot_groups.c, plots/groups.gp): the data file
// written from run folders made here, against means and Student-t intervals computed by hand;
// single seeds without a band; diverged runs and runs without groups.csv left out; group
// names of different tasks joined; the no-lookup baseline line, drawn only when the runs share
// it; malformed groups.csv named with its line; and `posbench plot` and plots/groups.gp run by
// hand drawing the figure with nothing on gnuplot's stderr (gnuplot is required, as in
// test_plot.c).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "files.h"
#include "harness/cli/cli_plot.h"
#include "harness/plot/plot_exec.h"
#include "harness/plot/plot_groups.h"
#include "suites.h"

static char tmpdir[64];

static void setup(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/posbench_plot_groups_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) { remove_tree(tmpdir); }

// A finished run with its groups.csv: rows "set,group,correct" out of 100 answers each; the
// no-lookup baseline of group g is (g + 5)%.
static void put_run(const char *id, const char *point, const char *const *rows, int n,
                    const char *status) {
    char csv[2048];
    size_t used =
        (size_t)snprintf(csv, sizeof csv, "set,group_name,group,n,correct,accuracy,no_lookup\n");
    for (int i = 0; i < n; i++) {
        char set[32];
        int group, correct;
        ck_assert_int_eq(sscanf(rows[i], "%31[^,],%d,%d", set, &group, &correct), 3);
        used += (size_t)snprintf(csv + used, sizeof csv - used, "%s,shift,%d,100,%d,%g,%g\n",
                                 set, group, correct, correct / 100.0, (group + 5) / 100.0);
    }
    put_finished_run(tmpdir, id, point, "groups.csv", csv, status);
}

// Two encodings x two seeds; set test has shifts -1, 0, 1, set longer 0 and 1. Correct
// answers out of 100 per (run, set, shift).
static void put_two_by_two(void) {
    static const char *const p1[] = {"test,-1,50", "test,0,90", "test,1,40", "longer,0,70",
                                     "longer,1,30"};
    static const char *const p2[] = {"test,-1,52", "test,0,90", "test,1,44", "longer,0,72",
                                     "longer,1,30"};
    static const char *const r1[] = {"test,-1,10", "test,0,80", "test,1,5", "longer,0,60",
                                     "longer,1,2"};
    static const char *const r2[] = {"test,-1,12", "test,0,84", "test,1,5", "longer,0,62",
                                     "longer,1,4"};
    put_run("p1", "model.encoding,pope\nseed,1\n", p1, 5, "done\n");
    put_run("p2", "model.encoding,pope\nseed,2\n", p2, 5, NULL);
    put_run("r1", "model.encoding,rope\nseed,1\n", r1, 5, "done\n");
    put_run("r2", "model.encoding,rope\nseed,2\n", r2, 5, "done\n");
}

// Runs plot_write_groups on tmpdir/exp into exp/groups.dat and exp/baseline.dat; last_baseline
// says whether it wrote the baseline.
static int last_baseline;
static int write_groups(plot_blocks *b, plot_panels *p, char *names, char *err, size_t errlen) {
    char dir[128], data[160], baseline[160];
    snprintf(dir, sizeof dir, "%s/exp", tmpdir);
    snprintf(data, sizeof data, "%s/exp/groups.dat", tmpdir);
    snprintf(baseline, sizeof baseline, "%s/exp/baseline.dat", tmpdir);
    plot_runs runs;
    ck_assert_msg(plot_runs_read(dir, &runs, err, errlen) == 0, "%s", err);
    const int rc =
        plot_write_groups(&runs, data, baseline, b, p, &last_baseline, names, 256, err, errlen);
    plot_runs_free(&runs);
    return rc;
}

// With two seeds a and b (percent) the interval is mean -+ t(0.975, 1) |a - b| / 2, where
// t(0.975, 1) = tan(0.475 pi) = 12.7062047: a 2-point gap gives +-12.7062, 4 points
// +-25.4124; equal seeds an interval of width 0. Panels in the sets' order, series sorted by
// encoding, the legend entry on the first panel only.
START_TEST(test_means_and_intervals) {
    put_two_by_two();
    plot_blocks b;
    plot_panels p;
    char err[512], names[256];
    ck_assert_msg(write_groups(&b, &p, names, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(b.n, 4);
    ck_assert_str_eq(b.encodings, "pope rope pope rope");
    ck_assert_str_eq(b.dashes, "1 1 1 1");
    ck_assert_int_eq(p.n, 2);
    ck_assert_str_eq(p.sets, "test longer");
    ck_assert_str_eq(p.counts, "2 2");
    ck_assert_str_eq(p.metric, "accuracy");
    ck_assert_str_eq(names, "shift");
    char *dat = slurp_file(tmpdir, "exp/groups.dat");
    ck_assert_str_eq(dat, "\"pope\"  # group mean lo hi n\n"
                          "-1 51 38.2938 63.7062 2\n"
                          "0 90 90 90 2\n"
                          "1 42 16.5876 67.4124 2\n"
                          "\n\n\"rope\"  # group mean lo hi n\n"
                          "-1 11 0 23.7062 2\n"
                          "0 82 56.5876 100 2\n"
                          "1 5 5 5 2\n"
                          "\n\n\"\"  # group mean lo hi n\n"
                          "0 71 58.2938 83.7062 2\n"
                          "1 30 30 30 2\n"
                          "\n\n\"\"  # group mean lo hi n\n"
                          "0 61 48.2938 73.7062 2\n"
                          "1 3 0 15.7062 2\n");
    free(dat);
    // Every run has the same no_lookup per group: one baseline line per panel.
    ck_assert_int_eq(last_baseline, 1);
    dat = slurp_file(tmpdir, "exp/baseline.dat");
    ck_assert_str_eq(dat, "\"no-lookup baseline\"  # group no_lookup\n"
                          "-1 4\n0 5\n1 6\n"
                          "\n\n\"no-lookup baseline\"  # group no_lookup\n"
                          "0 5\n1 6\n");
    free(dat);
}
END_TEST

// Runs whose no-lookup baselines differ at one group (evaluated on different data) share no
// baseline line: none is written, and the accuracy plot is drawn as before.
START_TEST(test_baseline_not_shared) {
    put_finished_run(tmpdir, "p1", "model.encoding,pope\nseed,1\n", "groups.csv",
                     "set,group_name,group,n,correct,accuracy,no_lookup\n"
                     "test,shift,1,10,5,0.5,0.1\ntest,shift,2,10,5,0.5,0.2\n",
                     "done\n");
    put_finished_run(tmpdir, "p2", "model.encoding,pope\nseed,2\n", "groups.csv",
                     "set,group_name,group,n,correct,accuracy,no_lookup\n"
                     "test,shift,1,10,5,0.5,0.1\ntest,shift,2,10,5,0.5,0.25\n",
                     "done\n");
    plot_blocks b;
    plot_panels p;
    char err[512], names[256], path[160];
    ck_assert_msg(write_groups(&b, &p, names, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(b.n, 1);
    ck_assert_int_eq(last_baseline, 0);
    snprintf(path, sizeof path, "%s/exp/baseline.dat", tmpdir);
    ck_assert_int_ne(access(path, F_OK), 0);
    assert_plot_renders(tmpdir, "groups");
}
END_TEST

// One seed per series draws a line without a band (lo = hi = mean, n = 1); the diverged run
// and the run without groups.csv are not counted; two tasks give two dash types and both
// group names.
START_TEST(test_single_seed_variants) {
    static const char *const shifts[] = {"test,0,90", "test,2,10"};
    static const char *const bad[] = {"test,0,0", "test,2,0"};
    put_run("a1", "model.encoding,rope\ntask.name,indirect_indexing\nseed,1\n", shifts, 2, NULL);
    put_run("a2", "model.encoding,rope\ntask.name,indirect_indexing\nseed,2\n", bad, 2,
            "diverged\nat step 15\n");
    put_finished_run(tmpdir, "b1", "model.encoding,rope\ntask.name,probe_where\nseed,1\n",
                     "groups.csv",
                     "set,group_name,group,n,correct,accuracy,no_lookup\n"
                     "test,k,3,20,5,0.25,0.03\ntest,k,1,20,19,0.95,0.03\n",
                     "done\n");
    put_finished_run(tmpdir, "c1", "model.encoding,nope\ntask.name,probe_what\nseed,1\n",
                     "eval.csv", "step,set,metric,value\n10,test,accuracy,0.5\n", "done\n");
    plot_blocks b;
    plot_panels p;
    char err[512], names[256];
    ck_assert_msg(write_groups(&b, &p, names, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(names, "shift / k");
    ck_assert_str_eq(b.encodings, "rope rope");
    ck_assert_str_eq(b.dashes, "1 2");
    ck_assert_str_eq(p.counts, "2");
    char *dat = slurp_file(tmpdir, "exp/groups.dat");
    ck_assert_str_eq(dat, "\"rope, indirect_indexing\"  # group mean lo hi n\n"
                          "0 90 90 90 1\n"
                          "2 10 10 10 1\n"
                          "\n\n\"rope, probe_where\"  # group mean lo hi n\n"
                          "1 95 95 95 1\n"
                          "3 25 25 25 1\n");
    free(dat);
}
END_TEST

// No run has groups.csv: no data file, and `posbench plot` draws the rest without it.
START_TEST(test_no_groups) {
    put_finished_run(tmpdir, "r1", "model.encoding,rope\nseed,1\n", "train.csv",
                     "step,loss,lr,grad_norm,tokens_per_s\n1,4,0,1,1\n2,3,0,1,1\n", "done\n");
    plot_blocks b;
    plot_panels p;
    char err[512], names[256], dir[128], path[160], *out;
    ck_assert_msg(write_groups(&b, &p, names, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(b.n, 0);
    ck_assert_int_eq(p.n, 0);
    snprintf(path, sizeof path, "%s/exp/groups.dat", tmpdir);
    ck_assert_int_ne(access(path, F_OK), 0);
    snprintf(dir, sizeof dir, "%s/exp", tmpdir);
    const char *args[] = {"plot", dir, NULL};
    const int rc = run_captured(cmd_plot, args, &out);
    ck_assert_msg(rc == 0 && strstr(out, "training.png") && !strstr(out, "groups.png"),
                  "%d: %s", rc, out);
    free(out);
}
END_TEST

START_TEST(test_bad_groups) {
    plot_blocks b;
    plot_panels p;
    char err[512], names[256];
    static const struct {
        const char *csv, *message;
    } cases[] = {
        {"set,group,n\n",
         "groups.csv:1: expected header 'set,group_name,group,n,correct,accuracy,no_lookup'"},
        {"set,group_name,group,n,correct,accuracy,no_lookup\ntest,shift,1.5,10,5,0.5,0.1\n",
         "groups.csv:2: malformed group, accuracy or no_lookup"},
        {"set,group_name,group,n,correct,accuracy,no_lookup\ntest,shift,2,10,5,half,0.1\n",
         "groups.csv:2: malformed group, accuracy or no_lookup"},
        {"set,group_name,group,n,correct,accuracy,no_lookup\ntest,shift,2,10,5,0.5,\n",
         "groups.csv:2: malformed group, accuracy or no_lookup"},
        {"set,group_name,group,n,correct,accuracy,no_lookup\n"
         "test,shift,2,10,5,0.5,0.1\ntest,shift,2,10,6,0.6,0.1\n",
         "/exp/runs/p1/groups.csv: two rows for group 2, set test"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        put_finished_run(tmpdir, "p1", "model.encoding,pope\nseed,1\n", "groups.csv",
                         cases[i].csv, "done\n");
        ck_assert_int_eq(write_groups(&b, &p, names, err, sizeof err), -1);
        ck_assert_msg(strstr(err, cases[i].message), "case %zu: %s", i, err);
        ck_assert_int_eq(b.n, 0);
    }
}
END_TEST

// `posbench plot` renders the figure: two panels with bands, then one run with one group
// (a single point: the x range must still open up). Any gnuplot warning on stderr would
// fail the render, and the command with it.
START_TEST(test_cli_renders) {
    put_two_by_two();
    assert_plot_renders(tmpdir, "groups");
    char *svg = slurp_file(tmpdir, "exp/groups.svg");
    ck_assert_msg(strstr(svg, ">shift<"), "the x axis is not labelled 'shift'");
    ck_assert_msg(strstr(svg, "no-lookup baseline"), "the baseline is not in the legend");
    free(svg);
    char dir[128];
    snprintf(dir, sizeof dir, "%s/exp", tmpdir);
    remove_tree(dir);
    static const char *const one[] = {"test,0,50"};
    put_run("r1", "model.encoding,rope\nseed,1\n", one, 1, "done\n");
    assert_plot_renders(tmpdir, "groups");
}
END_TEST

// plots/groups.gp run by hand with the variables its header lists (no title: its default),
// and its own one-line error when one is missing.
START_TEST(test_script_by_hand) {
    char gnuplot[4096], scripts[4096], err[4096], script[4200], data[200], out[200];
    ck_assert_msg(plot_find_gnuplot(gnuplot, sizeof gnuplot) == 0,
                  "gnuplot is not installed (make deps installs gnuplot-nox)");
    ck_assert_msg(plot_find_scripts(NULL, scripts, sizeof scripts, err, sizeof err) == 0, "%s",
                  err);
    snprintf(script, sizeof script, "%s/groups.gp", scripts);
    put_file(tmpdir, "g.dat", "\"pope\"  # group mean lo hi n\n-2 10 5 15 3\n0 90 80 99 3\n"
                              "2 60 50 70 3\n\n\n\"rope\"  # group mean lo hi n\n-2 5 5 5 1\n"
                              "0 95 95 95 1\n2 3 3 3 1\n");
    snprintf(data, sizeof data, "%s/g.dat", tmpdir);
    snprintf(out, sizeof out, "%s/out", tmpdir);
    const plot_var v[] = {{"data", data, 0},      {"out", out, 0},     {"sets", "test", 0},
                          {"counts", "2", 0},     {"dashes", "1 1", 0}, {"group_name", "shift", 0},
                          {"encodings", "pope rope", 0}};
    ck_assert_msg(plot_run_script(gnuplot, script, v, 7, err, sizeof err) == 0,
                  "gnuplot said: %s", err);
    assert_file_min(tmpdir, "out.png", "\x89PNG", 500);
    assert_file_min(tmpdir, "out.svg", "<?xml", 500);
    char *svg = slurp_file(tmpdir, "out.svg");
    ck_assert_msg(strstr(svg, "answer accuracy per shift"), "no default title");
    ck_assert_msg(!strstr(svg, "baseline"), "a baseline without one given");
    free(svg);
    // With a baseline file: its line in the panel and its legend entry, still no warning.
    put_file(tmpdir, "b.dat", "\"no-lookup baseline\"  # group no_lookup\n-2 8\n0 99.5\n2 8\n");
    char baseline[200];
    snprintf(baseline, sizeof baseline, "%s/b.dat", tmpdir);
    const plot_var vb[] = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], {"baseline", baseline, 0}};
    ck_assert_msg(plot_run_script(gnuplot, script, vb, 8, err, sizeof err) == 0,
                  "gnuplot said: %s", err);
    svg = slurp_file(tmpdir, "out.svg");
    ck_assert_msg(strstr(svg, "no-lookup baseline"), "no baseline in the legend");
    free(svg);
    ck_assert_int_eq(plot_run_script(gnuplot, script, v, 3, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "groups.gp: set data, encodings, sets, counts and out"), "%s", err);
}
END_TEST

// The baseline of a whole set, for the accuracy bars: the n-weighted mean of no_lookup over
// the set's groups, test (4 + 5 + 6) / 3 = 5%, longer (5 + 6) / 2 = 5.5%, when every run
// agrees; none at all once a finished run has no groups.csv to vouch for it.
START_TEST(test_set_baselines) {
    put_two_by_two();
    char dir[128], err[512];
    snprintf(dir, sizeof dir, "%s/exp", tmpdir);
    plot_runs runs;
    plot_set_baseline base[8];
    int n;
    ck_assert_msg(plot_runs_read(dir, &runs, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(plot_set_baselines(&runs, base, 8, &n, err, sizeof err) == 0, "%s", err);
    plot_runs_free(&runs);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(base[0].set, "test");
    ck_assert_double_eq_tol(base[0].value, 0.05, 1e-12);
    ck_assert_str_eq(base[1].set, "longer");
    ck_assert_double_eq_tol(base[1].value, 0.055, 1e-12);
    put_finished_run(tmpdir, "z9", "model.encoding,nope\nseed,1\n", "eval.csv",
                     "step,set,metric,value\n", "done\n");
    ck_assert_msg(plot_runs_read(dir, &runs, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(plot_set_baselines(&runs, base, 8, &n, err, sizeof err) == 0, "%s", err);
    plot_runs_free(&runs);
    ck_assert_int_eq(n, 0);
}
END_TEST

Suite *suite_plot_groups(void) {
    Suite *s = suite_create("plot_groups");
    TCase *data = tcase_create("data");
    tcase_add_checked_fixture(data, setup, teardown);
    tcase_add_test(data, test_means_and_intervals);
    tcase_add_test(data, test_set_baselines);
    tcase_add_test(data, test_single_seed_variants);
    tcase_add_test(data, test_baseline_not_shared);
    tcase_add_test(data, test_no_groups);
    tcase_add_test(data, test_bad_groups);
    suite_add_tcase(s, data);
    TCase *cli = tcase_create("cli");
    tcase_add_checked_fixture(cli, setup, teardown);
    tcase_add_test(cli, test_cli_renders);
    tcase_add_test(cli, test_script_by_hand);
    suite_add_tcase(s, cli);
    return s;
}
