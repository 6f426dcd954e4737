// The selection stage (harness/experiment/selection.c and posbench run/jobs with a
// `selection` block): the rule on selection runs whose results are written by hand (mean, not
// max; the final evaluation, not an earlier one; the selection set, not another; divergence;
// ties; lowest for losses), selection.csv exactly, and end to end on a grid whose best value
// is known: every group picks it, the final runs are the runs a file with that value trains,
// and the summary shows the value each group used.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "files.h"
#include "harness/base/dirs.h"
#include "harness/cli/cli_config.h"
#include "harness/cli/cli_run.h"
#include "harness/experiment/config.h"
#include "harness/experiment/run.h"
#include "harness/experiment/selection.h"
#include "suites.h"

static const char GRID[] =
    "experiment: grid\n"
    "task: {name: indirect_indexing, options: {alphabet: 12, len_min: 6, len_max: 10, shift_max: 3}}\n"
    "model: {d_model: 16, layers: 1, heads: 2}\n"
    "training: {steps: 20, batch: 4, lr: 1.0e-3, lr_min: 0}\n"
    "evaluation:\n"
    "  examples: 30\n"
    "  every: 10\n"
    "  sets:\n"
    "    - {name: test, options: {}}\n"
    "    - {name: valid, options: {}}\n"
    "selection:\n"
    "  key: training.lr\n"
    "  values: [1.0e-3, 2.0e-3, 4.0e-3]\n"
    "  seeds: [7, 8]\n"
    "  set: valid\n"
    "  metric: %s\n"
    "sweep:\n"
    "  model.encoding: [rope, pope]\n"
    "  seed: [1, 2]\n";

static void temp_dir(char *buf, size_t len, const char *tag) {
    snprintf(buf, len, "/tmp/posbench_selection_%d_%s", (int)getpid(), tag);
    remove_tree(buf);
    ck_assert_int_eq(make_dirs(buf, (char[256]){0}, 256), 0);
}

static experiment load_grid(const char *dir, const char *metric) {
    char path[400], err[1024];
    snprintf(path, sizeof path, "%s/grid.yaml", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, GRID, metric);
    fclose(f);
    experiment e;
    ck_assert_msg(experiment_load(path, &e, err, sizeof err) == 0, "%s", err);
    return e;
}

static const char *swept(const run_config *r, const char *key) {
    for (int k = 0; k < r->n_swept; k++)
        if (!strcmp(r->swept[k].key, key)) return r->swept[k].value;
    ck_abort_msg("no swept %s", key);
    return NULL;
}

// The valid set's final accuracy of each selection run, by encoding, lr and seed (7, 8);
// negative: the run diverged. rope: 2e-3 has the best mean though 4e-3 has the best run.
// pope: 2e-3 has the best run and mean but a diverged run; 1e-3 and 4e-3 tie (first wins).
static double planted(const char *encoding, const char *lr, const char *seed) {
    static const struct {
        const char *enc, *lr;
        double acc[2];
    } table[] = {
        {"rope", "1.0e-3", {0.50, 0.50}}, {"rope", "2.0e-3", {0.70, 0.60}},
        {"rope", "4.0e-3", {0.99, 0.20}}, {"pope", "1.0e-3", {0.80, 0.80}},
        {"pope", "2.0e-3", {1.00, -1}},   {"pope", "4.0e-3", {0.80, 0.80}},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(table[i].enc, encoding) && !strcmp(table[i].lr, lr))
            return table[i].acc[strcmp(seed, "7") != 0];
    ck_abort_msg("no planted value for %s %s", encoding, lr);
    return 0;
}

// Writes each selection run's folder as a finished run would leave it: eval.csv with an
// early evaluation (step 10) that would choose otherwise, the final one (step 20), and the
// test set's rows (the opposite order of merit); loss = 1 - accuracy.
static void plant_results(const run_config *sel, size_t n, const char *results) {
    for (size_t i = 0; i < n; i++) {
        const double acc = planted(swept(&sel[i], "model.encoding"), swept(&sel[i], "training.lr"),
                                   swept(&sel[i], "seed"));
        char dir[2048], eval[8192];
        run_dir(&sel[i], results, dir, sizeof dir);
        ck_assert_int_eq(make_dirs(dir, eval, sizeof eval), 0);
        if (acc < 0) {
            put_file(dir, "status", "diverged\n");
        } else {
            snprintf(eval, sizeof eval,
                     "step,set,metric,value\n"
                     "10,valid,loss,%g\n10,valid,accuracy,%g\n10,test,accuracy,%g\n"
                     "20,test,loss,%g\n20,test,accuracy,%g\n"
                     "20,valid,loss,%g\n20,valid,accuracy,%g\n",
                     acc, 1 - acc, 1 - acc, acc, 1 - acc, 1 - acc, acc);
            put_file(dir, "eval.csv", eval);
            put_file(dir, "status", "done\n");
        }
        put_file(dir, "done", "");
    }
}

// selection_choose over the planted results with metric; chosen per point into chosen.
static char *choose(const char *dir, const char *metric, char chosen[4][CONFIG_VALUE_LEN]) {
    experiment e = load_grid(dir, metric);
    run_config *points, *sel;
    size_t n, n_sel;
    char err[1024], results[400];
    snprintf(results, sizeof results, "%s/results", dir);
    ck_assert_int_eq(experiment_expand(&e, &points, &n, err, sizeof err), 0);
    ck_assert_int_eq(experiment_expand_selection(&e, &sel, &n_sel, err, sizeof err), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(n_sel, 12);  // 2 encodings x 3 values x 2 seeds
    for (size_t i = 0; i < n_sel; i++) ck_assert_str_eq(sel[i].experiment, "grid.selection");
    plant_results(sel, n_sel, results);
    ck_assert_msg(selection_choose(&e, points, n, sel, n_sel, results, chosen, err, sizeof err) ==
                      0,
                  "%s", err);
    free(points);
    free(sel);
    experiment_free(&e);
    return slurp_file(results, "grid/selection.csv");
}

START_TEST(test_selection_rule) {
    char dir[256], chosen[4][CONFIG_VALUE_LEN];
    temp_dir(dir, sizeof dir, "rule");
    char *csv = choose(dir, "accuracy", chosen);
    // Points: rope seed 1, rope seed 2, pope seed 1, pope seed 2.
    ck_assert_str_eq(chosen[0], "2.0e-3");
    ck_assert_str_eq(chosen[1], "2.0e-3");
    ck_assert_str_eq(chosen[2], "1.0e-3");
    ck_assert_str_eq(chosen[3], "1.0e-3");
    ck_assert_str_eq(csv,
                     "group,training.lr,n,n_diverged,mean,chosen\n"
                     "model.encoding=rope,1.0e-3,2,0,0.5,0\n"
                     "model.encoding=rope,2.0e-3,2,0,0.65,1\n"
                     "model.encoding=rope,4.0e-3,2,0,0.595,0\n"
                     "model.encoding=pope,1.0e-3,2,0,0.8,1\n"
                     "model.encoding=pope,2.0e-3,2,1,1,0\n"
                     "model.encoding=pope,4.0e-3,2,0,0.8,0\n");
    free(csv);
    // A loss is chosen lowest: the same runs, the same order of merit.
    csv = choose(dir, "loss", chosen);
    ck_assert_str_eq(chosen[0], "2.0e-3");
    ck_assert_str_eq(chosen[3], "1.0e-3");
    ck_assert_msg(strstr(csv, "model.encoding=rope,2.0e-3,2,0,0.35,1\n") != NULL, "%s", csv);
    free(csv);
    remove_tree(dir);
}
END_TEST

START_TEST(test_selection_unfinished) {
    char dir[256], err[1024], results[400];
    temp_dir(dir, sizeof dir, "unfinished");
    snprintf(results, sizeof results, "%s/results", dir);
    experiment e = load_grid(dir, "accuracy");
    run_config *points, *sel;
    size_t n, n_sel;
    ck_assert_int_eq(experiment_expand(&e, &points, &n, err, sizeof err), 0);
    ck_assert_int_eq(experiment_expand_selection(&e, &sel, &n_sel, err, sizeof err), 0);
    plant_results(sel, n_sel - 1, results);  // the last (pope, 4e-3, seed 8) not run
    char chosen[4][CONFIG_VALUE_LEN], last[2048], expected[2200];
    ck_assert_int_eq(selection_choose(&e, points, n, sel, n_sel, results, chosen, err,
                                      sizeof err),
                     -1);
    run_dir(&sel[n_sel - 1], results, last, sizeof last);
    snprintf(expected, sizeof expected, "selection: run %s has not finished", last);
    ck_assert_str_eq(err, expected);
    snprintf(last, sizeof last, "%s/grid/selection.csv", results);
    ck_assert_int_ne(access(last, F_OK), 0);  // nothing half-written
    free(points);
    free(sel);
    experiment_free(&e);
    remove_tree(dir);
}
END_TEST

static int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

// Learning rates 1e-9 (no step moves the weights) and 1e-2 on the loss: every group picks
// 1e-2, and its runs are the runs of the same file with lr: 1.0e-2 and no selection.
START_TEST(test_selection_end_to_end) {
    char dir[256], yaml[400], plain[400], results[400], *out;
    temp_dir(dir, sizeof dir, "e2e");
    snprintf(yaml, sizeof yaml, "%s/grid.yaml", dir);
    snprintf(plain, sizeof plain, "%s/plain.yaml", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    static const char *const text =
        "experiment: %s\n"
        "task: {name: indirect_indexing, options: {alphabet: 12, len_min: 6, len_max: 10, shift_max: 3}}\n"
        "model: {d_model: 16, layers: 1, heads: 2}\n"
        "training: {steps: 12, batch: 4, lr: %s, lr_min: 0}\n"
        "evaluation: {examples: 20, every: 6}\n"
        "%s"
        "sweep:\n"
        "  model.encoding: [rope, pope]\n"
        "  seed: [1, 2]\n";
    FILE *f = fopen(yaml, "w");
    fprintf(f, text, "grid", "1.0e-3",
            "selection: {key: training.lr, values: [1.0e-9, 1.0e-2], seeds: [5], metric: loss}\n");
    fclose(f);
    f = fopen(plain, "w");
    fprintf(f, text, "plain", "1.0e-2", "");
    fclose(f);
    // posbench config shows both stages.
    const char *config[] = {"config", yaml, NULL};
    ck_assert_int_eq(run_captured(cmd_config, config, &out), 0);
    ck_assert_msg(strstr(out, "# selection: 4 runs (experiment grid.selection), by the final "
                              "loss on set train_length\n# ") != NULL,
                  "%s", out);
    ck_assert_msg(strstr(out, "# then 4 runs, each at its group's chosen training.lr (ids known "
                              "once chosen)\n# model.encoding=rope seed=1\n") != NULL,
                  "%s", out);
    free(out);
    // Before anything ran, jobs lists the 4 selection runs.
    const char *jobs[] = {"jobs", yaml, "--results", results, NULL};
    ck_assert_int_eq(run_captured(cmd_jobs, jobs, &out), 0);
    ck_assert_int_eq(count_lines(out), 4);
    char first[17];
    ck_assert_int_eq(sscanf(strstr(out, "--only ") + 7, "%16s", first), 1);
    free(out);
    // A selection run alone by its id, as a cluster node would run it.
    const char *one[] = {"run", yaml, "--results", results, "--only", first, NULL};
    ck_assert_int_eq(run_captured(cmd_run, one, &out), 0);
    free(out);
    ck_assert_int_eq(run_captured(cmd_jobs, jobs, &out), 0);
    ck_assert_int_eq(count_lines(out), 3);
    free(out);
    const char *run[] = {"run", yaml, "--results", results, NULL};
    ck_assert_int_eq(run_captured(cmd_run, run, &out), 0);
    ck_assert_msg(strstr(out, "selection: 4 runs, 1 done, 3 to run") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "4 runs, 0 done, 4 to run") != NULL, "%s", out);
    free(out);
    char *csv = slurp_file(results, "grid/selection.csv");
    ck_assert_msg(strstr(csv, "model.encoding=rope,1.0e-2,1,0,") && strstr(csv, "model.encoding="
                                                                              "pope,1.0e-2,1,0,"),
                  "%s", csv);
    ck_assert_int_eq(count_lines(csv), 5);
    free(csv);
    // Everything done: jobs lists nothing.
    ck_assert_int_eq(run_captured(cmd_jobs, jobs, &out), 0);
    ck_assert_str_eq(out, "");
    free(out);
    // The final runs are the plain file's runs: the same numbers, run for run.
    const char *run_plain[] = {"run", plain, "--results", results, NULL};
    ck_assert_int_eq(run_captured(cmd_run, run_plain, &out), 0);
    free(out);
    experiment e, p;
    run_config *runs, *plain_runs;
    size_t n, n_plain;
    char err[1024];
    ck_assert_int_eq(experiment_load(yaml, &e, err, sizeof err), 0);
    ck_assert_int_eq(experiment_load(plain, &p, err, sizeof err), 0);
    char (*chosen)[CONFIG_VALUE_LEN] = calloc(4, sizeof *chosen);
    for (int i = 0; i < 4; i++) snprintf(chosen[i], sizeof chosen[i], "1.0e-2");
    ck_assert_int_eq(experiment_expand_selected(&e, chosen, &runs, &n, err, sizeof err), 0);
    ck_assert_int_eq(experiment_expand(&p, &plain_runs, &n_plain, err, sizeof err), 0);
    ck_assert_uint_eq(n, n_plain);
    for (size_t i = 0; i < n; i++) {
        char a[2048], b[2048];
        run_dir(&runs[i], results, a, sizeof a);
        run_dir(&plain_runs[i], results, b, sizeof b);
        char *ea = slurp_file(a, "eval.csv"), *eb = slurp_file(b, "eval.csv");
        ck_assert_str_eq(ea, eb);
        free(ea), free(eb);
        char *point = slurp_file(a, "point.csv");
        ck_assert_msg(strstr(point, "training.lr,1.0e-2\n") != NULL, "%s", point);
        free(point);
    }
    // The summary has the chosen value in each group's row.
    char *summary = slurp_file(results, "grid/summary.csv");
    ck_assert_msg(!strncmp(summary, "model.encoding,training.lr,set,", 31), "%s", summary);
    ck_assert_msg(strstr(summary, "\nrope,1.0e-2,") && strstr(summary, "\npope,1.0e-2,"), "%s",
                  summary);
    free(summary);
    free(chosen), free(runs), free(plain_runs);
    experiment_free(&e);
    experiment_free(&p);
    remove_tree(dir);
}
END_TEST

Suite *suite_selection(void) {
    Suite *s = suite_create("selection");
    TCase *tc = tcase_create("selection");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_selection_rule);
    tcase_add_test(tc, test_selection_unfinished);
    tcase_add_test(tc, test_selection_end_to_end);
    suite_add_tcase(s, tc);
    return s;
}
