// Looking inside runs: frequency usage against hand-computed values on known weights, and
// posbench attn / freq end to end on a tiny finished sweep (rows of probabilities sum to one,
// nothing above the diagonal, exact errors).
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "files.h"
#include "harness/analysis/inspect.h"
#include "harness/cli/cli_inspect.h"
#include "harness/cli/cli_run.h"
#include "harness/model/model.h"
#include "suites.h"

static double softplus(double x) { return log1p(exp(x)); }

// Two rows of qkv for C = 4, one head: RoPE's bands are the pairs' norms, PoPE's the
// components' softplus; queries and keys both count.
START_TEST(test_frequency_mass_by_hand) {
    const float qkv[2 * 12] = {
        3, 4, 0, 1, /* k */ 0, 0, 1, 0, /* v */ 9, 9, 9, 9,
        0, 2, 0, 0, /* k */ 6, 8, 0, -3, /* v */ 9, 9, 9, 9,
    };
    pe_shape shape = {1, 1, 4, 4, 0};
    pe rope, pope;
    char err[256];
    ck_assert_int_eq(pe_configure(&rope, "rope", NULL, &shape, err, sizeof err), 0);
    ck_assert_int_eq(pe_configure(&pope, "pope", NULL, &shape, err, sizeof err), 0);
    double mass[4] = {0};
    frequency_mass_add(&rope, qkv, 2, 4, 1, mass);
    ck_assert_int_eq(rope.ops->n_frequencies(&rope), 2);
    ck_assert_double_eq_tol(mass[0], 5 + 0 + 2 + 10, 1e-5);
    ck_assert_double_eq_tol(mass[1], 1 + 1 + 0 + 3, 1e-5);
    // xPos rotates and scales pairs: its bands are RoPE's pairs too.
    pe xpos;
    ck_assert_int_eq(pe_configure(&xpos, "xpos", NULL, &shape, err, sizeof err), 0);
    double xmass[2] = {0};
    frequency_mass_add(&xpos, qkv, 2, 4, 1, xmass);
    ck_assert_double_eq_tol(xmass[0], mass[0], 1e-9);
    ck_assert_double_eq_tol(xmass[1], mass[1], 1e-9);
    double pmass[4] = {0}, want[4] = {0};
    frequency_mass_add(&pope, qkv, 2, 4, 1, pmass);
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 4; c++) want[c] += softplus(qkv[r * 12 + c]) + softplus(qkv[r * 12 + 4 + c]);
    for (int c = 0; c < 4; c++) ck_assert_double_eq_tol(pmass[c], want[c], 1e-5);
}
END_TEST

// A constructed model: RMSNorm of embeddings with rms 1 is the embedding itself (weight 1),
// and q = k = that row when qkv_w is [I; I; I]. Token 0 = (2, 0, 0, 0) puts all its mass in
// band 0; token 1 = (1, 1, 1, 1) sqrt(2) in each band.
START_TEST(test_frequency_on_known_weights) {
    model_config mc = {.vocab = 2, .d_model = 4, .n_layers = 1, .n_heads = 1, .norm = NORM_RMS};
    char err[256];
    model *m = model_create(&mc, "rope", NULL, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    memset(m->params, 0, m->n_params * sizeof(float));
    float *wte = m->params + m->off_wte, *qkv_w = m->params + m->off_qkv;
    wte[0] = 2;
    for (int c = 0; c < 4; c++) wte[4 + c] = 1;
    for (int part = 0; part < 3; part++)
        for (int c = 0; c < 4; c++) qkv_w[(part * 4 + c) * 4 + c] = 1;
    for (int c = 0; c < 4; c++) m->params[m->off_ln1w + c] = 1;
    batch *b = batch_create(1, 3);
    acts *a = acts_create(m, 1, 3, 1, 1);
    ck_assert_ptr_nonnull(a);
    batch_default_positions(b);
    const int32_t toks[3] = {0, 1, 1};
    for (int t = 0; t < 3; t++) b->tokens[t] = toks[t], b->targets[t] = 0, b->mask[t] = t == 2;
    model_forward(m, a, b, NULL, NULL);
    double mass[2] = {0};
    frequency_mass_add(&m->pe, acts_qkv(a, 0), 3, 4, 1, mass);
    // q and k each: token 0 gives (2, 0), each token 1 gives (sqrt 2, sqrt 2); RMSNorm's
    // epsilon moves the values by about 1e-5.
    ck_assert_double_eq_tol(mass[0], 2 * (2 + 2 * sqrt(2.0)), 1e-3);
    ck_assert_double_eq_tol(mass[1], 2 * (2 * sqrt(2.0)), 1e-3);
    acts_free(a);
    batch_free(b);
    model_free(m);
}
END_TEST

static const char TINY[] =
    "experiment: peek\n"
    "task:\n"
    "  name: indirect_indexing\n"
    "  options: {alphabet: 12, len_min: 6, len_max: 10, shift_max: 3}\n"
    "model: {d_model: 16, layers: 2, heads: 2}\n"
    "training: {steps: 10, batch: 8, warmup: 2}\n"
    "evaluation: {examples: 20, every: 0}\n"
    "sweep:\n"
    "  model.encoding: [rope, nope]\n";

// The suite's reading: reverse_string with every position attending to every other.
static const char TINY_BIDIRECTIONAL[] =
    "experiment: peek\n"
    "task: {name: reverse_string, options: {len_min: 3, len_max: 6}}\n"
    "model: {d_model: 16, layers: 2, heads: 2, attention: bidirectional}\n"
    "training: {steps: 10, batch: 8, warmup: 2}\n"
    "evaluation: {examples: 20, every: 0}\n"
    "sweep:\n"
    "  model.encoding: [rope, nope]\n";

// A finished two-run sweep of yaml in a fresh folder; writes the rope run's folder into run.
static void tiny_sweep(const char *yaml, char *dir, char *run, size_t len) {
    char file[256];
    strcpy(dir, "/tmp/posbench_inspect_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(file, sizeof file, "%s/peek.yaml", dir);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    fputs(yaml, f);
    fclose(f);
    char results[256];
    snprintf(results, sizeof results, "%s/results", dir);
    const char *args[] = {"run", file, "-j", "1", "--results", results, NULL};
    char *out = NULL;
    ck_assert_int_eq(run_captured(cmd_run, args, &out), 0);
    free(out);
    // The rope run is the sweep's first point; its id is in the run's log line of `jobs`,
    // but finding the folder whose config names rope is simpler.
    char cmd[512];
    snprintf(cmd, sizeof cmd, "grep -l 'encoding: rope' %s/peek/runs/*/config.yaml", results);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(run, (int)len, p));
    pclose(p);
    run[strcspn(run, "\n")] = '\0';
    *strrchr(run, '/') = '\0';
}

// Reads run/attention.csv (2 layers x 2 heads) and checks that each (layer, head, query)
// row is a distribution over the keys the query sees: those at or before it (causal) or
// all n of the example's (bidirectional). Returns n, the example's length.
static int check_attention_rows(const char *run, int bidirectional) {
    char path[600], line[256];
    snprintf(path, sizeof path, "%s/attention.csv", run);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "layer,head,query,key,prob,query_token,key_token\n");
    double sum[2][2][64] = {{{0}}};
    int rows = 0, max_query = -1, later_keys = 0;
    while (fgets(line, sizeof line, f)) {
        int l, h, i, j;
        double p;
        ck_assert_int_eq(sscanf(line, "%d,%d,%d,%d,%lf", &l, &h, &i, &j, &p), 5);
        ck_assert(l >= 0 && l < 2 && h >= 0 && h < 2 && i >= 0 && i < 64 && j >= 0 && j < 64);
        if (!bidirectional) ck_assert_int_le(j, i);
        later_keys += j > i;
        ck_assert(p >= 0 && p <= 1);
        ck_assert_ptr_nonnull(strchr(line, '"'));
        sum[l][h][i] += p;
        if (i > max_query) max_query = i;
        rows++;
    }
    fclose(f);
    const int n = max_query + 1;
    ck_assert_int_eq(rows, 2 * 2 * (bidirectional ? n * n : n * (n + 1) / 2));
    ck_assert_int_eq(later_keys, bidirectional ? 2 * 2 * n * (n - 1) / 2 : 0);
    for (int l = 0; l < 2; l++)
        for (int h = 0; h < 2; h++)
            for (int i = 0; i < n; i++) ck_assert_double_eq_tol(sum[l][h][i], 1.0, 1e-4);
    return n;
}

START_TEST(test_attn_rows_are_distributions) {
    char dir[64], run[512];
    tiny_sweep(TINY, dir, run, sizeof run);
    const char *args[] = {"attn", run, "--example", "3", NULL};
    char *out = NULL;
    ck_assert_int_eq(run_captured(cmd_attn, args, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "attention.csv (rope, set train_length)"));
    free(out);
    // At least the 6 letters and ",x,+d,".
    ck_assert_int_ge(check_attention_rows(run, 0), 6 + 5);
    remove_tree(dir);
}
END_TEST

// A bidirectional model's queries also see the keys after them: the dump must hold those
// too, or its rows would not sum to 1 (and the heatmap would show a causal picture).
START_TEST(test_attn_bidirectional_rows_see_every_key) {
    char dir[64], run[512];
    tiny_sweep(TINY_BIDIRECTIONAL, dir, run, sizeof run);
    const char *args[] = {"attn", run, NULL};
    char *out = NULL;
    ck_assert_int_eq(run_captured(cmd_attn, args, &out), 0);
    free(out);
    // The input (3-6 bits), then one placeholder per output bit.
    const int n = check_attention_rows(run, 1);
    ck_assert(n >= 2 * 3 && n <= 2 * 6 + 1);
    remove_tree(dir);
}
END_TEST

START_TEST(test_freq_over_experiment) {
    char dir[64], run[512], path[600];
    tiny_sweep(TINY, dir, run, sizeof run);
    char exp_dir[600];
    snprintf(exp_dir, sizeof exp_dir, "%s/results/peek", dir);
    const char *args[] = {"freq", exp_dir, "--examples", "7", NULL};
    char *out = NULL;
    ck_assert_int_eq(run_captured(cmd_freq, args, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "skipped: encoding 'nope' has no frequency bands"));
    free(out);
    snprintf(path, sizeof path, "%s/frequency.csv", run);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char line[128];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "layer,frequency,mass\n");
    double total[2] = {0};
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        int l, band;
        double mass;
        ck_assert_int_eq(sscanf(line, "%d,%d,%lf", &l, &band, &mass), 3);
        ck_assert(l >= 0 && l < 2 && band == rows % 4 && mass > 0);
        total[l] += mass;
        rows++;
    }
    fclose(f);
    ck_assert_int_eq(rows, 2 * 4);  // head_dim 8: four RoPE pairs per layer
    ck_assert_double_eq_tol(total[0], 1.0, 1e-5);
    ck_assert_double_eq_tol(total[1], 1.0, 1e-5);
    remove_tree(dir);
}
END_TEST

START_TEST(test_inspect_errors) {
    char dir[64], run[512], msg[1024];
    tiny_sweep(TINY, dir, run, sizeof run);
    char *out = NULL;
    const char *too_far[] = {"attn", run, "--example", "20", NULL};
    ck_assert_int_eq(run_captured(cmd_attn, too_far, &out), 1);
    snprintf(msg, sizeof msg,
             "posbench: %s: set 'train_length' has 20 examples; there is no example 20\n", run);
    ck_assert_str_eq(out, msg);
    free(out);
    const char *no_set[] = {"freq", run, "--set", "longer", NULL};
    ck_assert_int_eq(run_captured(cmd_freq, no_set, &out), 1);
    snprintf(msg, sizeof msg, "posbench: %s: the run has no evaluation set 'longer'\n", run);
    ck_assert_str_eq(out, msg);
    free(out);
    const char *missing[] = {"attn", "/nonexistent/run", NULL};
    ck_assert_int_eq(run_captured(cmd_attn, missing, &out), 1);
    ck_assert_str_eq(out, "posbench: /nonexistent/run: no such folder\n");
    free(out);
    const char *bad_count[] = {"freq", run, "--examples", "0", NULL};
    ck_assert_int_eq(run_captured(cmd_freq, bad_count, &out), 2);
    ck_assert_str_eq(out, "posbench: freq: --examples expects an integer >= 1, not '0'\n");
    free(out);
    const char *wrong_flag[] = {"freq", run, "--example", "2", NULL};
    ck_assert_int_eq(run_captured(cmd_freq, wrong_flag, &out), 2);
    ck_assert_str_eq(out, "posbench: freq: unknown option '--example' (see --help)\n");
    free(out);
    remove_tree(dir);
}
END_TEST

Suite *suite_inspect(void) {
    Suite *s = suite_create("inspect");
    TCase *tc = tcase_create("frequency");
    tcase_add_test(tc, test_frequency_mass_by_hand);
    tcase_add_test(tc, test_frequency_on_known_weights);
    suite_add_tcase(s, tc);
    tc = tcase_create("cli");
    tcase_add_test(tc, test_attn_rows_are_distributions);
    tcase_add_test(tc, test_attn_bidirectional_rows_see_every_key);
    tcase_add_test(tc, test_freq_over_experiment);
    tcase_add_test(tc, test_inspect_errors);
    suite_add_tcase(s, tc);
    return s;
}
