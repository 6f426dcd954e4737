// Accuracy against length (harness/experiment/run_lengths.c): a trained run's lengths.csv
// against an independent scoring of the same sequences (each sequence alone through
// evaluate, the per-sequence verdict from its own accuracy), the summary rows as the means
// of its lines, and the configurations refused before anything runs.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "files.h"
#include "harness/cli/cli_run.h"
#include "harness/experiment/config.h"
#include "harness/experiment/run.h"
#include "harness/experiment/run_lengths.h"
#include "harness/experiment/run_source.h"
#include "harness/model/checkpoint.h"
#include "harness/train/task_feed.h"
#include "harness/train/train.h"
#include "suites.h"

static const char EXPERIMENT[] =
    "experiment: lg\n"
    "task: {name: reverse_string, options: {len_min: 1, len_max: 4, alphabet: 3}}\n"
    "model: {d_model: 16, layers: 1, heads: 2, attention: %s, encoding: %s}\n"
    "training: {steps: 60, batch: 16, lr: 1.0e-2}\n"
    "evaluation: {examples: 20, every: 30, length_max: 6, length_stride: 1, "
    "length_examples: 9}\n";

static void temp_dir(char *dir, size_t len) {
    snprintf(dir, len, "/tmp/posbench_lengths_%d", (int)getpid());
    remove_tree(dir);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
}

// The one run of the experiment in dir (trained): its folder into run.
static void train_one(const char *dir, const char *attention, const char *encoding, char *run,
                      size_t len) {
    char yaml[300], results[300], *out;
    snprintf(yaml, sizeof yaml, "%s/lg.yaml", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    FILE *f = fopen(yaml, "w");
    fprintf(f, EXPERIMENT, attention, encoding);
    fclose(f);
    const char *args[] = {"run", yaml, "--results", results, NULL};
    ck_assert_int_eq(run_captured(cmd_run, args, &out), 0);
    free(out);
    experiment e;
    run_config *runs;
    size_t n;
    char err[1024];
    ck_assert_msg(experiment_load(yaml, &e, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(experiment_expand(&e, &runs, &n, err, sizeof err), 0);
    run_dir(&runs[0], results, run, len);
    free(runs);
    experiment_free(&e);
}

// Sequence i of pool alone, as the run reads it: its accuracy.
static double alone(model *m, task_pool *pool, size_t i, uint64_t seed) {
    task_pool one = *pool;
    one.n = 1;
    one.tokens = pool->tokens + i * (size_t)pool->max_len;
    one.mask = pool->mask + i * (size_t)pool->max_len;
    one.len = pool->len + i;
    one.cursor = 0;
    eval_result r;
    char err[256];
    ck_assert_msg(evaluate(m, 1, pool->len[i] - 1, 1, task_pool_sequential, &one, seed, 1, &r,
                           err, sizeof err) == 0,
                  "%s", err);
    return r.accuracy;
}

static void check_lengths(const char *attention, const char *encoding) {
    char dir[128], run[2048], path[2200], err[1024];
    temp_dir(dir, sizeof dir);
    train_one(dir, attention, encoding, run, sizeof run);
    snprintf(path, sizeof path, "%s/final.ckpt", run);
    model *m = checkpoint_load(path, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    char *csv = slurp_file(run, "lengths.csv");
    ck_assert(!strncmp(csv, RUN_LENGTHS_CSV_HEADER "\n", strlen(RUN_LENGTHS_CSV_HEADER) + 1));
    const char *line = strchr(csv, '\n') + 1;
    double within[2] = {0}, beyond[2] = {0};
    for (int n = 1; n <= 6; n++) {
        int length, count, trained;
        double loss, acc, seq;
        ck_assert_int_eq(sscanf(line, "%d,%d,%lf,%lf,%lf,%d", &length, &count, &loss, &acc, &seq,
                                &trained),
                         6);
        ck_assert_int_eq(length, n);
        ck_assert_int_eq(count, 9);
        ck_assert_int_eq(trained, n <= 4);
        // The same 9 sequences scored one by one: tokens right, and sequences all right.
        run_config c = {0};
        snprintf(c.task, sizeof c.task, "reverse_string");
        char options[64];
        snprintf(options, sizeof options, "alphabet=3,len_min=%d,len_max=%d", n, n);
        task t;
        ck_assert(task_configure(&t, "reverse_string", options, err, sizeof err) == 0);
        task_pool pool;
        ck_assert(task_pool_create(&pool, &t, run_length_seed(n), 9, err, sizeof err) == 0);
        c.bidirectional = !strcmp(attention, "bidirectional");
        pool.reading = run_task_reading(&c, &t);
        double right = 0;
        int all_right = 0;
        for (size_t i = 0; i < 9; i++) {
            const double a = alone(m, &pool, i, run_length_seed(n));
            right += a * n;  // reverse_string scores n tokens per sequence
            all_right += a == 1.0;
        }
        ck_assert_msg(fabs(acc - right / (9.0 * n)) < 1e-6, "length %d: %g vs %g", n, acc,
                      right / (9.0 * n));
        ck_assert_msg(fabs(seq - all_right / 9.0) < 1e-6, "length %d: sequences %g vs %g", n,
                      seq, all_right / 9.0);
        double *to = n <= 4 ? within : beyond;
        to[0] += acc / (n <= 4 ? 4 : 2), to[1] += seq / (n <= 4 ? 4 : 2);
        task_pool_free(&pool);
        line = strchr(line, '\n') + 1;
    }
    ck_assert_str_eq(line, "");
    char *eval = slurp_file(run, "eval.csv");
    char want[256];
    snprintf(want, sizeof want, "60,lengths,accuracy_within,");
    const char *at = strstr(eval, want);
    ck_assert_msg(at != NULL, "%s", eval);
    ck_assert_double_eq_tol(strtod(at + strlen(want), NULL), within[0], 1e-6);
    at = strstr(eval, "60,lengths,sequence_accuracy_beyond,");
    ck_assert_ptr_nonnull(at);
    ck_assert_double_eq_tol(strtod(at + strlen("60,lengths,sequence_accuracy_beyond,"), NULL),
                            beyond[1], 1e-6);
    free(eval);
    free(csv);
    model_free(m);
    remove_tree(dir);
}

START_TEST(test_lengths_bidirectional) { check_lengths("bidirectional", "rope"); }
END_TEST

START_TEST(test_lengths_causal) { check_lengths("causal", "alibi"); }
END_TEST

// Refused before the run: books, a task without len_min/len_max, a length the task refuses,
// a stride past the maximum.
START_TEST(test_lengths_refused) {
    static const struct {
        const char *task, *evaluation, *message;
    } cases[] = {
        {"{name: probe_what}", "length_max: 10",
         "evaluation.length_max: task 'probe_what' has no len_min and len_max options to set a "
         "length with"},
        {"{name: indirect_indexing, options: {alphabet: 12, len_min: 4, len_max: 6, "
         "shift_max: 2}}",
         "length_max: 16, length_stride: 4",
         "evaluation.length_max: at length 16: task 'indirect_indexing': len_max = 16 > "
         "alphabet = 12 (the letters of a string are distinct)"},
        {"{name: parity_check}", "length_max: 4, length_stride: 5",
         "evaluation.length_stride: 5 is more than evaluation.length_max 4 (no length to "
         "evaluate)"},
    };
    char dir[128], yaml[300], results[300], *out;
    temp_dir(dir, sizeof dir);
    snprintf(yaml, sizeof yaml, "%s/bad.yaml", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *f = fopen(yaml, "w");
        fprintf(f, "experiment: bad\ntask: %s\nmodel: {d_model: 16, layers: 1, heads: 2}\n"
                   "evaluation: {%s}\n", cases[i].task, cases[i].evaluation);
        fclose(f);
        const char *args[] = {"run", yaml, "--results", results, NULL};
        ck_assert_int_eq(run_captured(cmd_run, args, &out), 2);
        ck_assert_msg(strstr(out, cases[i].message) != NULL, "%s", out);
        free(out);
    }
    remove_tree(dir);
}
END_TEST

Suite *suite_lengths(void) {
    Suite *s = suite_create("lengths");
    TCase *tc = tcase_create("lengths");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_lengths_bidirectional);
    tcase_add_test(tc, test_lengths_causal);
    tcase_add_test(tc, test_lengths_refused);
    suite_add_tcase(s, tc);
    return s;
}
