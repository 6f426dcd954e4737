// Tests of accuracy against length and its heatmap (harness/plot/plot_lengths.c,
// plots/learning.gp with x_axis length, plots/heatmap.gp): the data files from run folders
// and a summary made here, against means and Student-t intervals by hand; one panel per task
// with a line per encoding; the training lengths from lengths.csv's within column; a
// malformed file named with its line; and `posbench plot` drawing both figures.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "harness/plot/plot_lengths.h"
#include "suites.h"

static char tmpdir[64];

static void setup(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/posbench_lengths_plot_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) { remove_tree(tmpdir); }

// Task x encoding x seed runs, each with lengths 2 and 4 (trained up to 2, or 4 for
// reverse_string) and 6; accuracy = base + seed offset, in [0, 1].
static void put_runs(void) {
    static const char *const tasks[] = {"parity_check", "reverse_string"};
    static const char *const encodings[] = {"rope", "pope"};
    for (int t = 0; t < 2; t++)
        for (int e = 0; e < 2; e++)
            for (int seed = 1; seed <= 2; seed++) {
                char id[32], point[256], csv[512];
                snprintf(id, sizeof id, "%c%c%d", "ab"[t], "ab"[e], seed);  // folder order
                snprintf(point, sizeof point, "task.name,%s\nmodel.encoding,%s\nseed,%d\n",
                         tasks[t], encodings[e], seed);
                const double base = 0.5 + 0.2 * e - 0.1 * t, off = seed == 1 ? 0 : 0.02;
                snprintf(csv, sizeof csv,
                         "length,n,loss,accuracy,sequence_accuracy,within\n"
                         "2,10,0.5,%.2f,0.5,1\n4,10,0.5,%.2f,0.5,%d\n6,10,0.5,%.2f,0.5,0\n",
                         base + off, base - 0.1 + off, t == 1, base - 0.2 + 2 * off);
                put_finished_run(tmpdir, id, point, "lengths.csv", csv, "done\n");
            }
}

static int write_lengths(plot_blocks *b, plot_panels *p, char *shades, char *err,
                         size_t errlen) {
    char dir[128], data[160];
    snprintf(dir, sizeof dir, "%s/exp", tmpdir);
    snprintf(data, sizeof data, "%s/exp/lengths.dat", tmpdir);
    plot_runs runs;
    ck_assert_msg(plot_runs_read(dir, &runs, err, errlen) == 0, "%s", err);
    const int rc = plot_write_lengths(&runs, data, b, p, shades, 64, err, errlen);
    plot_runs_free(&runs);
    return rc;
}

// Two seeds 2 points apart: mean -+ t(0.975, 1) * 1 = 12.7062; 4 apart: 25.4124.
START_TEST(test_lengths_panels) {
    put_runs();
    plot_blocks b;
    plot_panels p;
    char err[512], shades[64];
    ck_assert_msg(write_lengths(&b, &p, shades, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(b.n, 4);
    ck_assert_str_eq(b.encodings, "rope pope rope pope");
    ck_assert_str_eq(p.sets, "parity_check reverse_string");
    ck_assert_str_eq(p.counts, "2 2");
    ck_assert_str_eq(shades, "2 4");
    char *dat = slurp_file(tmpdir, "exp/lengths.dat");
    ck_assert_msg(!strncmp(dat, "\"rope\"  # length mean lo hi n\n"
                                "2 51 38.2938 63.7062 2\n"
                                "4 41 28.2938 53.7062 2\n"
                                "6 32 6.58759 57.4124 2\n"
                                "\n\n\"pope\"  # length mean lo hi n\n"
                                "2 71 58.2938 83.7062 2\n",
                           strlen("\"rope\"  # length mean lo hi n\n2 51 38.2938 63.7062 2\n"
                                  "4 41 28.2938 53.7062 2\n6 32 6.58759 57.4124 2\n\n\n"
                                  "\"pope\"  # length mean lo hi n\n2 71 58.2938 83.7062 2\n")),
                  "%s", dat);
    // reverse_string's panel: the legend entries are the first panel's only.
    ck_assert_msg(strstr(dat, "\n\n\n\"\"  # length mean lo hi n\n2 41 28.2938 53.7062 2\n"),
                  "%s", dat);
    free(dat);
}
END_TEST

START_TEST(test_lengths_malformed) {
    put_finished_run(tmpdir, "a", "model.encoding,rope\nseed,1\n", "lengths.csv",
                     "length,n,loss,accuracy,sequence_accuracy,within\n2,10,0.5,high,0.5,1\n",
                     "done\n");
    plot_blocks b;
    plot_panels p;
    char err[512], shades[64], want[256];
    ck_assert_int_eq(write_lengths(&b, &p, shades, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s/exp/runs/a/lengths.csv:2: malformed length, accuracy or "
             "within", tmpdir);
    ck_assert_str_eq(err, want);
}
END_TEST

static const char SUMMARY[] =
    "task.name,model.encoding,set,metric,n,n_diverged,mean,sd,ci95_low,ci95_high,min,max\n"
    "parity_check,rope,lengths,accuracy_beyond,2,0,0.25,0,0,0,0,0\n"
    "parity_check,rope,lengths,accuracy_within,2,0,0.9,0,0,0,0,0\n"
    "parity_check,pope,lengths,accuracy_beyond,2,0,0.5,0,0,0,0,0\n"
    "reverse_string,rope,lengths,accuracy_beyond,2,0,1,0,0,0,0,0\n"
    "reverse_string,pope,lengths,accuracy_beyond,1,1,0.125,0,0,0,0,0\n"
    "reverse_string,pope,test,accuracy,2,0,0.7,0,0,0,0,0\n";

// Cells: (encoding column, task row, percent, n), accuracy_beyond rows only.
START_TEST(test_heatmap_cells) {
    put_file(tmpdir, "exp/summary.csv", SUMMARY);
    char path[160], data[160], err[512], columns[256], rows[256];
    snprintf(path, sizeof path, "%s/exp/summary.csv", tmpdir);
    snprintf(data, sizeof data, "%s/exp/heat.dat", tmpdir);
    plot_summary s;
    ck_assert_msg(plot_summary_read(path, "rope", &s, err, sizeof err) == 0, "%s", err);
    int cells;
    ck_assert_int_eq(plot_write_heatmap(&s, "accuracy_beyond", data, columns, sizeof columns,
                                        rows, sizeof rows, &cells, err, sizeof err),
                     0);
    ck_assert_int_eq(cells, 4);
    ck_assert_str_eq(columns, "rope pope");
    ck_assert_str_eq(rows, "parity_check reverse_string");
    char *dat = slurp_file(tmpdir, "exp/heat.dat");
    ck_assert_str_eq(dat, "0 0 25 2\n1 0 50 2\n0 1 100 2\n1 1 12.5 1\n");
    free(dat);
    plot_summary_free(&s);
}
END_TEST

START_TEST(test_lengths_render) {
    put_runs();
    put_file(tmpdir, "exp/summary.csv", SUMMARY);
    assert_plot_renders(tmpdir, "lengths");
    assert_plot_renders(tmpdir, "lengths_heatmap");
}
END_TEST

Suite *suite_plot_lengths(void) {
    Suite *s = suite_create("plot_lengths");
    TCase *tc = tcase_create("plot_lengths");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_lengths_panels);
    tcase_add_test(tc, test_lengths_malformed);
    tcase_add_test(tc, test_heatmap_cells);
    tcase_add_test(tc, test_lengths_render);
    suite_add_tcase(s, tc);
    return s;
}
