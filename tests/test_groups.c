// posbench groups (harness/analysis/inspect_groups.c): groups.csv of a tiny finished run against a
// count made here by other means (shifts parsed from the token ids, each answer scored by its
// own forward pass of a one-row batch), its totals against the run's eval.csv, an experiment
// folder with a task that has no groups, and the command's own errors with their exact
// messages.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "files.h"
#include "harness/cli/cli_inspect.h"
#include "harness/cli/cli_run.h"
#include "harness/experiment/run.h"
#include "harness/model/checkpoint.h"
#include "harness/model/model.h"
#include "harness/train/task_feed.h"
#include "suites.h"
#include "tasks/letters.h"
#include "tasks/task.h"

static char tmpdir[64];

static void setup(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/posbench_groups_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) { remove_tree(tmpdir); }

// Three questions per string, so every sequence has answers in several groups; two sets.
static const char SHIFTS[] =
    "experiment: shifts\n"
    "task:\n"
    "  name: indirect_indexing\n"
    "  options: {alphabet: 12, len_min: 6, len_max: 10, shift_max: 3, queries: 3}\n"
    "model: {d_model: 16, layers: 2, heads: 2, encoding: rope}\n"
    "training: {steps: 40, batch: 8, warmup: 2, lr: 0.01}\n"
    "evaluation:\n"
    "  examples: 30\n"
    "  every: 0\n"
    "  sets:\n"
    "    - {name: test}\n"
    "    - {name: longer, options: {len_min: 11, len_max: 12}}\n";

static const char WHAT[] =
    "experiment: what\n"
    "task:\n"
    "  name: probe_what\n"
    "  options: {alphabet: 12, pairs_min: 3, pairs_max: 5}\n"
    "model: {d_model: 16, layers: 1, heads: 2}\n"
    "training: {steps: 5, batch: 4, warmup: 1}\n"
    "evaluation: {examples: 10, every: 0}\n";

// Runs the experiment `yaml` (named `name`) into tmpdir/results and writes its only run's
// folder into run.
static void run_experiment(const char *name, const char *yaml, char *run, size_t len) {
    char file[160], results[160], rel[64];
    snprintf(rel, sizeof rel, "%s.yaml", name);
    put_file(tmpdir, rel, yaml);
    snprintf(file, sizeof file, "%s/%s", tmpdir, rel);
    snprintf(results, sizeof results, "%s/results", tmpdir);
    const char *args[] = {"run", file, "-j", "1", "--results", results, NULL};
    char *out = NULL;
    ck_assert_int_eq(run_captured(cmd_run, args, &out), 0);
    free(out);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -d %s/%s/runs/*/", results, name);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(run, (int)len, p));
    pclose(p);
    run[strcspn(run, "\n")] = '\0';
    run[strlen(run) - 1] = '\0';  // the trailing '/'
}

typedef struct {
    long n[7], correct[7];  // shifts -3..3
    double no_lookup[7];    // summed: 1 for shift 0 (copied from the question), else 1 / L
} counts;

// Scores every answer of the set's n sequences alone: a one-row batch whose mask holds only
// that answer, model_forward's own count of correct argmaxes. The shift of each query is
// read forwards from the string's end: ",source,sign,digit," then the answer. A model that
// looks nothing up gets shift 0 from the question and any other answer with chance 1 / L
// (the string's L letters are distinct).
static void count_by_hand(model *m, const char *options, int set, int n, counts *c) {
    task t;
    char err[256];
    ck_assert_msg(task_configure(&t, "indirect_indexing", options, err, sizeof err) == 0, "%s",
                  err);
    const int max_len = t.ops->max_len(&t);
    uint16_t tok[128];
    uint8_t mask[128], one[128];
    batch *b = batch_create(1, max_len - 1);
    acts *a = acts_create(m, 1, max_len - 1, 0, 1);
    ck_assert_ptr_nonnull(a);
    rng r;
    rng_seed(&r, run_eval_seed(set));
    memset(c, 0, sizeof *c);
    for (int s = 0; s < n; s++) {
        const int len = t.ops->next(&t, &r, tok, mask);
        int p = 0;
        while (tok[p] < LETTERS_N) p++;
        const int L = p;
        for (; p < len; p += 7) {
            ck_assert(tok[p] == LETTERS_COMMA && tok[p + 2] == LETTERS_COMMA &&
                      tok[p + 5] == LETTERS_COMMA);  // shifts here have one digit
            const int sign = tok[p + 3] == LETTERS_MINUS ? -1 : 1;
            const int shift = sign * (tok[p + 4] - LETTERS_DIGIT0);
            memset(one, 0, sizeof one);
            one[p + 5] = 1;
            ck_assert_int_eq(mask[p + 5], 1);
            ck_assert_int_eq(task_sequence_to_batch_row(b, 0, tok, one, len), 1);
            long correct;
            model_forward(m, a, b, &correct, NULL);
            c->n[shift + 3]++;
            c->correct[shift + 3] += correct;
            c->no_lookup[shift + 3] += shift == 0 ? 1.0 : 1.0 / L;
        }
    }
    acts_free(a);
    batch_free(b);
}

// The final accuracy of set `set` in the run's eval.csv.
static double eval_accuracy(const char *run, const char *set) {
    char path[600], line[256], want[96];
    snprintf(path, sizeof path, "%s/eval.csv", run);
    snprintf(want, sizeof want, ",%s,accuracy,", set);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    double acc = -1;
    while (fgets(line, sizeof line, f)) {
        char *at = strstr(line, want);
        if (at) acc = strtod(at + strlen(want), NULL);
    }
    fclose(f);
    return acc;
}

// groups.csv equals the count made by hand, row for row, in both sets, and each set's
// correct / n is the accuracy the run recorded.
START_TEST(test_groups_by_hand) {
    char run[512], path[600], err[256];
    run_experiment("shifts", SHIFTS, run, sizeof run);
    const char *args[] = {"groups", run, NULL};
    char *out = NULL;
    ck_assert_int_eq(run_captured(cmd_groups, args, &out), 0);
    snprintf(path, sizeof path, "%s/groups.csv (rope, every set)\n", run);
    ck_assert_str_eq(out, path);
    free(out);
    snprintf(path, sizeof path, "%s/final.ckpt", run);
    model *m = checkpoint_load(path, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    static const char *const sets[2] = {"test", "longer"};
    static const char *const options[2] = {
        "alphabet=12,len_min=6,len_max=10,shift_max=3,queries=3",
        "alphabet=12,len_min=11,len_max=12,shift_max=3,queries=3"};
    char want[4096] = "set,group_name,group,n,correct,accuracy,no_lookup\n";
    size_t used = strlen(want);
    for (int s = 0; s < 2; s++) {
        counts c;
        count_by_hand(m, options[s], s, 30, &c);
        long n = 0, correct = 0;
        for (int g = 0; g < 7; g++) {
            if (!c.n[g]) continue;
            used += (size_t)snprintf(want + used, sizeof want - used,
                                     "%s,shift,%d,%ld,%ld,%.6g,%.6g\n", sets[s], g - 3, c.n[g],
                                     c.correct[g], (double)c.correct[g] / c.n[g],
                                     c.no_lookup[g] / c.n[g]);
            n += c.n[g];
            correct += c.correct[g];
        }
        ck_assert_int_eq(n, 30 * 3);
        ck_assert_double_eq_tol((double)correct / n, eval_accuracy(run, sets[s]), 1e-9);
    }
    model_free(m);
    char *got = slurp_file(run, "groups.csv");
    ck_assert_str_eq(got, want);
    free(got);
}
END_TEST

// An experiment folder: the task without groups is skipped with a note; --set and
// --examples narrow the file to one set and the first N sequences (3 answers each).
START_TEST(test_groups_experiment) {
    char run[512], what[512], dir[160], line[800];
    run_experiment("shifts", SHIFTS, run, sizeof run);
    run_experiment("what", WHAT, what, sizeof what);
    snprintf(dir, sizeof dir, "%s/results/shifts", tmpdir);
    const char *args[] = {"groups", dir, "--set", "longer", "--examples", "7", NULL};
    char *out = NULL;
    ck_assert_int_eq(run_captured(cmd_groups, args, &out), 0);
    snprintf(line, sizeof line, "%s/groups.csv (rope, set longer)\n", run);
    ck_assert_str_eq(out, line);
    free(out);
    char *csv = slurp_file(run, "groups.csv"), *p = csv;
    ck_assert_str_eq(strtok(p, "\n"), "set,group_name,group,n,correct,accuracy,no_lookup");
    long n_total = 0, last = -99;
    for (char *row; (row = strtok(NULL, "\n"));) {
        int group;
        long n, correct;
        ck_assert_int_eq(sscanf(row, "longer,shift,%d,%ld,%ld,", &group, &n, &correct), 3);
        ck_assert(group > last && group >= -3 && group <= 3 && n >= 1 && correct <= n);
        last = group;
        n_total += n;
    }
    ck_assert_int_eq(n_total, 7 * 3);
    free(csv);
    snprintf(dir, sizeof dir, "%s/results/what", tmpdir);
    const char *skip[] = {"groups", dir, NULL};
    ck_assert_int_eq(run_captured(cmd_groups, skip, &out), 0);
    snprintf(line, sizeof line, "%s: skipped: task 'probe_what' has no answer groups\n", what);
    ck_assert_str_eq(out, line);
    free(out);
    snprintf(line, sizeof line, "%s/groups.csv", what);
    ck_assert_int_ne(access(line, F_OK), 0);
}
END_TEST

// The errors of its own (the ones shared with attn and freq are in test_bad_input.c): a run
// whose task has no groups, a zero count, attn's --example, no folder at all; and --help.
START_TEST(test_groups_errors) {
    char what[512], msg[1024];
    run_experiment("what", WHAT, what, sizeof what);
    static const struct {
        const char *args[5];
        int status;
        const char *message;  // %s: the run's folder
    } cases[] = {
        {{"groups", "%s", NULL}, 1, "posbench: %s: task 'probe_what' has no answer groups\n"},
        {{"groups", "%s", "--examples", "0", NULL}, 2,
         "posbench: groups: --examples expects an integer >= 1, not '0'\n"},
        {{"groups", "%s", "--example", "2", NULL}, 2,
         "posbench: groups: unknown option '--example' (see --help)\n"},
        {{"groups", NULL}, 2,
         "posbench: groups: expects one run or experiment folder (see --help)\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[5] = {0};
        for (int k = 0; cases[i].args[k]; k++)
            args[k] = strcmp(cases[i].args[k], "%s") ? cases[i].args[k] : what;
        char *out = NULL;
        ck_assert_int_eq(run_captured(cmd_groups, args, &out), cases[i].status);
        snprintf(msg, sizeof msg, cases[i].message, what);
        ck_assert_str_eq(out, msg);
        free(out);
    }
    const char *help[] = {"groups", "--help", NULL}, *usage =
        "usage: posbench groups RUN|EXPERIMENT [--set NAME] [--examples N]\n";
    char *out = NULL;
    ck_assert_int_eq(run_captured(cmd_groups, help, &out), 0);
    ck_assert_msg(!strncmp(out, usage, strlen(usage)), "%s", out);
    free(out);
}
END_TEST

Suite *suite_groups(void) {
    Suite *s = suite_create("groups");
    TCase *tc = tcase_create("cli");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_groups_by_hand);
    tcase_add_test(tc, test_groups_experiment);
    tcase_add_test(tc, test_groups_errors);
    suite_add_tcase(s, tc);
    return s;
}
