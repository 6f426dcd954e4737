// Tests of the learning-curve plot (harness/plot/plot_learning.c, plots/learning.gp): the data file
// written from run folders made here, against means and Student-t intervals computed by hand;
// accuracy preferred to loss; diverged runs left out; no plot when every run was evaluated at
// one step only; malformed eval.csv named with its line; and `posbench plot` drawing the
// figure with nothing on gnuplot's stderr (gnuplot is required, as in test_plot.c).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "files.h"
#include "harness/cli/cli_plot.h"
#include "harness/plot/plot_learning.h"
#include "suites.h"

static char tmpdir[64];

static void setup(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/posbench_learning_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) { remove_tree(tmpdir); }

// A finished run exp/runs/<id> with its eval.csv; status when given.
static void put_run(const char *id, const char *encoding, int seed, const char *eval,
                    const char *status) {
    char point[128];
    snprintf(point, sizeof point, "model.encoding,%s\nseed,%d\n", encoding, seed);
    put_finished_run(tmpdir, id, point, "eval.csv", eval, status);
}

// Two encodings x two seeds, evaluated at steps 100 and 200 on sets test and longer, rows in
// the order a run writes them. acc[run][set][step] in percent; loss = 1 - accuracy, which
// must not be drawn since accuracy is there.
static void put_two_by_two(void) {
    static const char *const ids[] = {"p1", "p2", "r1", "r2"}, *const sets[] = {"test", "longer"};
    static const int acc[4][2][2] = {{{50, 80}, {20, 30}},
                                     {{52, 82}, {20, 34}},
                                     {{40, 60}, {10, 15}},
                                     {{42, 62}, {12, 17}}};
    for (int r = 0; r < 4; r++) {
        char eval[1024];
        size_t used = (size_t)snprintf(eval, sizeof eval, "step,set,metric,value\n");
        for (int step = 0; step < 2; step++)
            for (int s = 0; s < 2; s++)
                used += (size_t)snprintf(eval + used, sizeof eval - used,
                                         "%d,%s,loss,%.2f\n%d,%s,accuracy,%.2f\n",
                                         100 * (step + 1), sets[s], 1 - acc[r][s][step] / 100.0,
                                         100 * (step + 1), sets[s], acc[r][s][step] / 100.0);
        put_run(ids[r], r < 2 ? "pope" : "rope", 1 + r % 2, eval, "done\n");
    }
}

// Runs plot_write_learning on tmpdir/exp into exp/plots/learning.dat.
static int write_learning(plot_blocks *b, plot_panels *p, char *err, size_t errlen) {
    char dir[128], data[160];
    snprintf(dir, sizeof dir, "%s/exp", tmpdir);
    snprintf(data, sizeof data, "%s/exp/learning.dat", tmpdir);
    plot_runs runs;
    ck_assert_msg(plot_runs_read(dir, &runs, err, errlen) == 0, "%s", err);
    const int rc = plot_write_learning(&runs, data, b, p, err, errlen);
    plot_runs_free(&runs);
    return rc;
}

// With two seeds a and b the interval is mean -+ t(0.975, 1) |a - b| / 2, where
// t(0.975, 1) = tan(0.475 pi) = 12.7062047: a 2-point gap gives +-12.7062, 4 points +-25.4124.
// Panels in the sets' order, series sorted by encoding, the legend entry on the first panel.
START_TEST(test_means_and_intervals) {
    put_two_by_two();
    plot_blocks b;
    plot_panels p;
    char err[512];
    ck_assert_msg(write_learning(&b, &p, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(b.n, 4);
    ck_assert_str_eq(b.encodings, "pope rope pope rope");
    ck_assert_str_eq(b.dashes, "1 1 1 1");
    ck_assert_int_eq(p.n, 2);
    ck_assert_str_eq(p.sets, "test longer");
    ck_assert_str_eq(p.counts, "2 2");
    ck_assert_str_eq(p.metric, "accuracy");
    char *dat = slurp_file(tmpdir, "exp/learning.dat");
    ck_assert_str_eq(dat, "\"pope\"  # step mean lo hi n\n"
                          "100 51 38.2938 63.7062 2\n"
                          "200 81 68.2938 93.7062 2\n"
                          "\n\n\"rope\"  # step mean lo hi n\n"
                          "100 41 28.2938 53.7062 2\n"
                          "200 61 48.2938 73.7062 2\n"
                          "\n\n\"\"  # step mean lo hi n\n"
                          "100 20 20 20 2\n"  // equal seeds: an interval of width 0
                          "200 32 6.58759 57.4124 2\n"
                          "\n\n\"\"  # step mean lo hi n\n"
                          "100 11 0 23.7062 2\n"
                          "200 16 3.2938 28.7062 2\n");
    free(dat);
}
END_TEST

// A run that stopped early (solved) keeps its last value at its own interval up to its
// series' last step: the mean at steps 300 and 400 is over both runs, not over the one still
// training. A run that ran its whole budget is not extended.
START_TEST(test_stopped_run_carried_forward) {
    put_run("p1", "pope", 1,
            "step,set,metric,value\n100,test,accuracy,0.2\n200,test,accuracy,0.4\n"
            "300,test,accuracy,0.6\n400,test,accuracy,0.8\n",
            "done\n");
    put_run("p2", "pope", 2, "step,set,metric,value\n100,test,accuracy,0.5\n200,test,accuracy,1\n",
            "done\nstopped at step 200\n");
    put_run("r1", "rope", 1, "step,set,metric,value\n100,test,accuracy,0.1\n200,test,accuracy,0.1\n",
            "done\n");
    put_run("r2", "rope", 2,
            "step,set,metric,value\n100,test,accuracy,0.1\n200,test,accuracy,0.1\n"
            "300,test,accuracy,0.3\n",
            "done\n");
    plot_blocks b;
    plot_panels p;
    char err[512];
    ck_assert_msg(write_learning(&b, &p, err, sizeof err) == 0, "%s", err);
    char *dat = slurp_file(tmpdir, "exp/learning.dat");
    // t(0.975, 1) |a - b| / 2: 60 vs 100 gives +-254.124, 80 vs 100 +-127.062, both cut to
    // [0, 100], where an accuracy lies.
    ck_assert_msg(strstr(dat, "\n300 80 0 100 2\n400 90 0 100 2\n"), "%s", dat);
    // rope: r1 ran its budget (no stop), so step 300 has r2 alone.
    ck_assert_msg(strstr(dat, "\n300 30 30 30 1\n"), "%s", dat);
    free(dat);
}
END_TEST

// Without accuracy rows the loss is drawn; a diverged run (its eval.csv stops early) is not
// counted, as in summary.csv; a single seed has no interval (lo = hi = mean, n = 1).
START_TEST(test_loss_diverged_single_seed) {
    put_run("p1", "pope", 1, "step,set,metric,value\n10,test,loss,2.0\n20,test,loss,1.5\n",
            NULL);  // no status file: done
    put_run("p2", "pope", 2, "step,set,metric,value\n10,test,loss,2.2\n20,test,loss,1.5\n"
                             "20,test,perplexity,4.48\n",
            "done\n");
    put_run("p3", "pope", 3, "step,set,metric,value\n10,test,loss,99\n", "diverged\nat step 15\n");
    put_run("r1", "rope", 1, "step,set,metric,value\n10,test,loss,2.5\n20,test,loss,1.8\n",
            "done\n");
    plot_blocks b;
    plot_panels p;
    char err[512];
    ck_assert_msg(write_learning(&b, &p, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(p.metric, "loss");
    ck_assert_str_eq(p.counts, "2");
    char *dat = slurp_file(tmpdir, "exp/learning.dat");
    ck_assert_str_eq(dat, "\"pope\"  # step mean lo hi n\n"
                          "10 2.1 0.82938 3.37062 2\n"
                          "20 1.5 1.5 1.5 2\n"
                          "\n\n\"rope\"  # step mean lo hi n\n"
                          "10 2.5 2.5 2.5 1\n"
                          "20 1.8 1.8 1.8 1\n");
    free(dat);
}
END_TEST

// Language modelling (books runs write perplexity beside loss and accuracy): the loss is drawn,
// next-byte accuracy is not; rows posbench score added at the last step (len_16@yarn) have
// no curve and no panel.
START_TEST(test_books_draw_loss) {
    put_run("b1", "rope", 1, "step,set,metric,value\n10,len_16,loss,2.0\n10,len_16,accuracy,0.3\n"
            "10,len_16,perplexity,7.39\n20,len_16,loss,1.5\n20,len_16,accuracy,0.4\n"
            "20,len_16,perplexity,4.48\n20,len_16@yarn,loss,1.4\n", "done\n");
    plot_blocks b;
    plot_panels p;
    char err[512];
    ck_assert_msg(write_learning(&b, &p, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(p.metric, "loss");
    char *dat = slurp_file(tmpdir, "exp/learning.dat");
    ck_assert_str_eq(dat, "\"rope\"  # step mean lo hi n\n10 2 2 2 1\n20 1.5 1.5 1.5 1\n");
    free(dat);
}
END_TEST

// Runs evaluated only at the end: no learning curve, no data file, and `posbench plot` draws
// the other plots without a word about it.
START_TEST(test_final_row_only) {
    static const char *const ids[] = {"p1", "p2", "r1", "r2"};
    for (int r = 0; r < 4; r++) {
        char rel[128];
        put_run(ids[r], r < 2 ? "pope" : "rope", 1 + r % 2,
                "step,set,metric,value\n400,test,loss,1.2\n400,test,accuracy,0.6\n"
                "400,longer,loss,2.5\n400,longer,accuracy,0.2\n",
                "done\n");
        snprintf(rel, sizeof rel, "exp/runs/%s/train.csv", ids[r]);
        put_file(tmpdir, rel, "step,loss,lr,grad_norm,tokens_per_s\n1,4,0,1,1\n2,3,0,1,1\n");
    }
    plot_blocks b;
    plot_panels p;
    char err[512], dir[128], path[160], *out;
    ck_assert_msg(write_learning(&b, &p, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(b.n, 0);
    ck_assert_int_eq(p.n, 0);
    snprintf(path, sizeof path, "%s/exp/learning.dat", tmpdir);
    ck_assert_int_ne(access(path, F_OK), 0);
    snprintf(dir, sizeof dir, "%s/exp", tmpdir);
    const char *args[] = {"plot", dir, NULL};
    const int rc = run_captured(cmd_plot, args, &out);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
    ck_assert_msg(strstr(out, "/exp/training.png") && !strstr(out, "learning."), "%s", out);
    free(out);
    snprintf(path, sizeof path, "%s/exp/learning.png", tmpdir);
    ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

// `posbench plot` renders the figure: accuracy in two panels, then loss in one. Any gnuplot
// warning on stderr would fail the render, and the command with it.
START_TEST(test_cli_renders) {
    put_two_by_two();
    assert_plot_renders(tmpdir, "learning");
    char dir[128];
    snprintf(dir, sizeof dir, "%s/exp", tmpdir);
    remove_tree(dir);
    put_run("r1", "rope", 1, "step,set,metric,value\n10,test,loss,2.5\n20,test,loss,2.5\n",
            "done\n");  // one seed, a flat line: the y range must still open up
    assert_plot_renders(tmpdir, "learning");
}
END_TEST

START_TEST(test_bad_eval) {
    plot_blocks b;
    plot_panels p;
    char err[512];
    put_run("p1", "pope", 1, "step,set,metric,value\n100,test,accuracy,0.5\n"
                             "200,test,accuracy,0.6\n200,test,accuracy,0.7\n", "done\n");
    ck_assert_int_eq(write_learning(&b, &p, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "/exp/runs/p1/eval.csv: two rows for step 200, set test, "
                              "metric accuracy"), "%s", err);
    put_run("p1", "pope", 1, "step,set,metric,value\n1.5,test,accuracy,0.5\n", "done\n");
    ck_assert_int_eq(write_learning(&b, &p, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "/exp/runs/p1/eval.csv:2: malformed step or value"), "%s", err);
    put_run("p1", "pope", 1, "step,set,metric\n", "done\n");
    ck_assert_int_eq(write_learning(&b, &p, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "eval.csv:1: expected header 'step,set,metric,value'"), "%s", err);
}
END_TEST

Suite *suite_plot_learning(void) {
    Suite *s = suite_create("plot_learning");
    TCase *data = tcase_create("data");
    tcase_add_checked_fixture(data, setup, teardown);
    tcase_add_test(data, test_means_and_intervals);
    tcase_add_test(data, test_stopped_run_carried_forward);
    tcase_add_test(data, test_loss_diverged_single_seed);
    tcase_add_test(data, test_books_draw_loss);
    tcase_add_test(data, test_final_row_only);
    tcase_add_test(data, test_bad_eval);
    suite_add_tcase(s, data);
    TCase *cli = tcase_create("cli");
    tcase_add_checked_fixture(cli, setup, teardown);
    tcase_add_test(cli, test_cli_renders);
    suite_add_tcase(s, cli);
    return s;
}
