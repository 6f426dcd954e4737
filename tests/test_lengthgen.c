// The length-generalisation suite's tasks (tasks/lengthgen/): the layout they share, and for
// each task golden sequences checked by hand and an independent solver over many draws
// (tests/lengthgen_check.h). The tasks of each class of the suite have their own file:
// test_lengthgen_regular.c, test_lengthgen_cf.c, test_lengthgen_cs.c.
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>

#include "capture.h"
#include "files.h"
#include "harness/cli/cli_run.h"
#include "lengthgen_check.h"
#include "suites.h"

// parity_check: the parity of the number of 1s, counted independently of the generator.
static int parity_solve(const task *t, const uint16_t *in, int m, uint16_t *out, int *scored) {
    (void)t;
    int odd = 0;
    for (int i = 0; i < m; i++) odd ^= !strcmp(t->ops->token_name(t, in[i]), "1");
    out[0] = (uint16_t)odd;
    *scored = 1;
    return 1;
}

static int input_tokens(const task *t, const uint16_t *in, int m) {
    (void)t, (void)in;
    return m;
}

START_TEST(test_parity_check) {
    task t = lengthgen_configure("parity_check", "len_min=3,len_max=6");
    // By hand: 11010 has three 1s (odd), 011 two (even), 111110 five (odd).
    static const char *const golden[] = {"11010|[1]", "011|[0]", "111110|[1]"};
    lengthgen_check_golden(&t, 1, golden, 3);
    t = lengthgen_configure("parity_check", NULL);
    ck_assert_int_eq(t.ops->max_len(&t), 42);
    ck_assert_int_eq(lengthgen_check_solver(&t, 2, 5000, parity_solve, input_tokens), 42);
}
END_TEST

START_TEST(test_lengthgen_options) {
    task t;
    char err[256];
    ck_assert_int_eq(task_configure(&t, "parity_check", "len_min=9,len_max=4", err, sizeof err),
                     -1);
    ck_assert_str_eq(err, "task 'parity_check': len_min = 9 > len_max = 4");
    ck_assert_int_eq(task_configure(&t, "parity_check", "len_max=4.5", err, sizeof err), -1);
    ck_assert_str_eq(err, "task 'parity_check': option 'len_max' = 4.5 must be an integer");
}
END_TEST

// A bidirectional run of a suite task end to end: it trains, scores its sets and saves a
// version 3 checkpoint (the attention recorded); with randomized positions too; a position
// range shorter than a sequence, or a task with input after its first answer, is refused
// before anything runs.
START_TEST(test_bidirectional_run) {
    char dir[128], yaml[256], results[256], *out;
    snprintf(dir, sizeof dir, "/tmp/posbench_lengthgen_%d", (int)getpid());
    remove_tree(dir);
    snprintf(results, sizeof results, "%s/results", dir);
    static const char *const text =
        "experiment: bi\n"
        "task: {name: %s, options: {%s}}\n"
        "model: {d_model: 16, layers: 1, heads: 2, attention: bidirectional}\n"
        "training: {steps: 6, batch: 4}\n"
        "evaluation: {examples: 20, every: 3}\n";
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    snprintf(yaml, sizeof yaml, "%s/bi.yaml", dir);
    FILE *f = fopen(yaml, "w");
    fprintf(f, text, "parity_check", "len_min: 2, len_max: 6");
    fclose(f);
    const char *run[] = {"run", yaml, "--results", results, NULL};
    ck_assert_int_eq(run_captured(cmd_run, run, &out), 0);
    free(out);
    char *summary = slurp_file(results, "bi/summary.csv");
    ck_assert_msg(strstr(summary, "\ntrain_length,accuracy,1,0,") != NULL, "%s", summary);
    free(summary);
    char *ids = slurp_file(results, "bi/runs.csv"), ckpt[512];
    ck_assert_int_eq(sscanf(strchr(ids, '\n') + 1, "%16s", ckpt + 256), 1);
    snprintf(ckpt, 256, "bi/runs/%.16s/final.ckpt", ckpt + 256);
    char *bytes = slurp_file(results, ckpt);
    uint32_t version;
    memcpy(&version, bytes + 8, 4);
    ck_assert_uint_eq(version, 3);
    free(bytes), free(ids);
    // Randomized positions run too; a range smaller than a sequence is refused.
    static const char *const random =
        "experiment: rnd\n"
        "task: {name: parity_check, options: {len_min: 2, len_max: 6}}\n"
        "model: {d_model: 16, layers: 1, heads: 2, attention: bidirectional, "
        "positions: randomized, max_position: %d}\n"
        "training: {steps: 6, batch: 4}\n"
        "evaluation: {examples: 20, every: 3}\n";
    f = fopen(yaml, "w");
    fprintf(f, random, 64);
    fclose(f);
    ck_assert_int_eq(run_captured(cmd_run, run, &out), 0);
    free(out);
    f = fopen(yaml, "w");
    fprintf(f, random, 5);
    fclose(f);
    ck_assert_int_eq(run_captured(cmd_run, run, &out), 2);
    ck_assert_msg(strstr(out, "training (7 positions): model.max_position is 5; randomized "
                              "positions need at least one per token") != NULL, "%s", out);
    free(out);
    f = fopen(yaml, "w");
    fprintf(f, text, "indirect_indexing", "alphabet: 26, len_min: 6, len_max: 10, shift_max: 1, "
            "queries: 2");
    fclose(f);
    ck_assert_int_eq(run_captured(cmd_run, run, &out), 2);
    ck_assert_msg(strstr(out, "model.attention: bidirectional: task 'indirect_indexing' has "
                              "input after its first answer") != NULL, "%s", out);
    free(out);
    remove_tree(dir);
}
END_TEST

Suite *suite_lengthgen(void) {
    Suite *s = suite_create("lengthgen");
    TCase *tc = tcase_create("lengthgen");
    tcase_add_test(tc, test_parity_check);
    tcase_add_test(tc, test_lengthgen_options);
    tcase_add_test(tc, test_bidirectional_run);
    suite_add_tcase(s, tc);
    return s;
}
