// posbench score: finished runs evaluated again. Scoring as trained reproduces the final
// evaluation exactly; new sets and evaluation-time encoding options add rows (named, at the
// last step) and replace them when scored again; periodic rows stay; bad requests are
// refused with one clear message.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "files.h"
#include "harness/base/dirs.h"
#include "harness/cli/cli_data.h"
#include "harness/cli/cli_eval.h"
#include "harness/cli/cli_run.h"
#include "harness/cli/cli_score.h"
#include "harness/experiment/run.h"
#include "suites.h"
#include "tasks/books.h"

static const char TASK[] =
    "experiment: tiny\n"
    "task:\n"
    "  name: indirect_indexing\n"
    "  options: {alphabet: 12, len_min: 6, len_max: 10, shift_max: 3}\n"
    "model: {d_model: 16, layers: 1, heads: 2}\n"
    "training: {steps: 8, batch: 8, lr: 1.0e-2, warmup: 2}\n"
    "evaluation:\n"
    "  examples: 30\n"
    "  every: 4\n"
    "  sets:\n"
    "    - {name: short, options: {}}\n"
    "    - {name: long, options: {len_min: 11, len_max: 12}}\n"
    "sweep: {model.encoding: [rope, learned]}\n";

typedef struct fixture {
    char dir[256], yaml[300], results[300];
} fixture;

static void setup(fixture *x, const char *tag, const char *yaml_text, int run) {
    snprintf(x->dir, sizeof x->dir, "/tmp/posbench_score_%d_%s", (int)getpid(), tag);
    remove_tree(x->dir);
    char err[256];
    ck_assert_msg(make_dirs(x->dir, err, sizeof err) == 0, "%s", err);
    snprintf(x->yaml, sizeof x->yaml, "%s/x.yaml", x->dir);
    snprintf(x->results, sizeof x->results, "%s/results", x->dir);
    FILE *f = fopen(x->yaml, "w");
    ck_assert_ptr_nonnull(f);
    fputs(yaml_text, f);
    fclose(f);
    if (!run) return;
    char *out;
    const char *args[] = {"run", x->yaml, "--results", x->results, NULL};
    ck_assert_int_eq(run_captured(cmd_run, args, &out), 0);
    free(out);
}

// posbench score YAML --results R ARGS...; its exit status, its output into *out.
static int score(const fixture *x, const char *const *more, char **out) {
    const char *args[24] = {"score", x->yaml, "--results", x->results};
    int n = 4;
    for (; more && *more; more++) args[n++] = *more;
    args[n] = NULL;
    return run_captured(cmd_score, args, out);
}

static void score_ok(const fixture *x, const char *const *more) {
    char *out;
    int rc = score(x, more, &out);
    ck_assert_msg(rc == 0, "%s", out);
    free(out);
}

static void score_fails(const fixture *x, const char *const *more, int status, const char *msg) {
    char *out;
    ck_assert_int_eq(score(x, more, &out), status);
    ck_assert_msg(strstr(out, msg) != NULL, "expected '%s' in:\n%s", msg, out);
    free(out);
}

// The folder of the run of an encoding (its config.yaml names it) into dir.
static void run_folder(const fixture *x, const char *encoding, char *dir, size_t len) {
    char cmd[700];
    snprintf(cmd, sizeof cmd, "grep -l 'encoding: %s$' %s/tiny/runs/*/config.yaml", encoding,
             x->results);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(fgets(dir, (int)len, p));
    pclose(p);
    *strrchr(dir, '/') = '\0';
}

// A run's file as text; caller frees.
static char *run_file(const fixture *x, const char *encoding, const char *name) {
    char dir[600];
    run_folder(x, encoding, dir, sizeof dir);
    return slurp_file(dir, name);
}

static int count_prefix(const char *text, const char *prefix) {
    int n = 0;
    const size_t len = strlen(prefix);
    for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
        n += !strncmp(l, prefix, len);
    return n;
}

static int compare_lines(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// The text's lines sorted and joined again: the same rows in any order compare equal.
static char *sorted_lines(const char *text) {
    char *copy = strdup(text), *lines[512];
    int n = 0;
    for (char *l = strtok(copy, "\n"); l && n < 512; l = strtok(NULL, "\n")) lines[n++] = l;
    qsort(lines, (size_t)n, sizeof *lines, compare_lines);
    char *out = calloc(strlen(text) + 2, 1);
    for (int i = 0; i < n; i++) strcat(strcat(out, lines[i]), "\n");
    free(copy);
    return out;
}

// The value of the row "STEP,SET,METRIC," of an eval.csv.
static double value(const char *eval, const char *row) {
    const char *p = strstr(eval, row);
    ck_assert_msg(p != NULL, "no row '%s' in:\n%s", row, eval);
    return atof(p + strlen(row));
}

START_TEST(test_score_reproduces_final) {
    fixture x;
    setup(&x, "same", TASK, 1);
    char *before = run_file(&x, "rope", "eval.csv");
    score_ok(&x, NULL);  // every set, as trained
    char *after = run_file(&x, "rope", "eval.csv");
    char *a = sorted_lines(before), *b = sorted_lines(after);
    ck_assert_str_eq(a, b);
    free(a), free(b), free(before), free(after);
    remove_tree(x.dir);
}
END_TEST

START_TEST(test_score_new_set_and_options) {
    fixture x;
    setup(&x, "new", TASK, 1);
    const char *wide[] = {"--set", "wide:len_min=11,len_max=12", "--set", "short", NULL};
    score_ok(&x, wide);
    score_ok(&x, wide);  // again: replaced, not doubled
    char *eval = run_file(&x, "rope", "eval.csv");
    ck_assert_int_eq(count_prefix(eval, "8,wide,"), 2);
    ck_assert_int_eq(count_prefix(eval, "8,short,"), 2);
    ck_assert_int_eq(count_prefix(eval, "4,short,"), 2);  // the periodic rows stay
    ck_assert_int_eq(count_prefix(eval, "4,wide,"), 0);
    // The new set is drawn once for the experiment: every run sees the same strings, so the
    // learned run has it too, and the summary lists it.
    char *other = run_file(&x, "learned", "eval.csv");
    ck_assert_int_eq(count_prefix(other, "8,wide,"), 2);
    free(other);
    char *summary = slurp_file(x.results, "tiny/summary.csv");
    ck_assert_ptr_nonnull(strstr(summary, ",wide,accuracy,"));
    free(summary);

    // RoPE's position interpolation at factor 1 is RoPE: the same numbers under a new name;
    // at factor 4 the positions are squeezed and the loss changes.
    const char *pi1[] = {"--encoding", "rope", "--encoding-options", "scaling=pi,factor=1",
                         "--set", "long", NULL};
    const char *pi4[] = {"--encoding", "rope", "--encoding-options", "scaling=pi,factor=4",
                         "--set", "long", NULL};
    score_ok(&x, pi1);
    score_ok(&x, pi4);
    free(eval);
    eval = run_file(&x, "rope", "eval.csv");
    ck_assert_double_eq(value(eval, "8,long@scaling=pi;factor=1,loss,"),
                        value(eval, "8,long,loss,"));
    ck_assert_double_ne(value(eval, "8,long@scaling=pi;factor=4,loss,"),
                        value(eval, "8,long,loss,"));
    other = run_file(&x, "learned", "eval.csv");  // --encoding rope left it alone
    ck_assert_ptr_null(strstr(other, "@"));
    free(other);
    free(eval);
    remove_tree(x.dir);
}
END_TEST

START_TEST(test_score_bad_requests) {
    fixture x;
    setup(&x, "bad", TASK, 0);
    const char *none[] = {NULL};
    score_fails(&x, none, 1, "posbench: score: no finished run to score (posbench run ");
    setup(&x, "bad", TASK, 1);
    const char *nosuch[] = {"--set", "nosuch", NULL};
    score_fails(&x, nosuch, 1, "posbench: score: --set 'nosuch': no such set in the experiment "
                "(a new set needs options: --set nosuch:KEY=VALUE,...)\n");
    const char *taken[] = {"--set", "short:len_min=7", NULL};
    score_fails(&x, taken, 1, "--set 'short:len_min=7': the experiment already has a set "
                "'short' (score it as --set short, or give the new set another name)\n");
    const char *at[] = {"--set", "w@x:len_min=7", NULL};
    score_fails(&x, at, 1, "--set 'w@x:len_min=7': expected NAME or NAME:KEY=VALUE,... (a name "
                "without ',' or '@')\n");
    const char *bad_task_opt[] = {"--set", "w:len_mni=7", NULL};
    score_fails(&x, bad_task_opt, 1, "unknown option 'len_mni' (did you mean 'len_min'?)");
    const char *length[] = {"--length", "64", NULL};
    score_fails(&x, length, 1, "--length is for books experiments; task 'indirect_indexing' "
                "takes --set NAME:OPTIONS\n");
    const char *no_enc[] = {"--encoding-options", "scaling=pi", NULL};
    score_fails(&x, no_enc, 2, "--encoding-options and --factor-from-length need --encoding "
                "NAME (the runs they apply to)\n");
    const char *typo[] = {"--encoding", "rope", "--encoding-options", "scalling=pi", NULL};
    score_fails(&x, typo, 1, "encoding 'rope': unknown option 'scalling' (did you mean "
                "'scaling'?)\n");
    const char *grow[] = {"--encoding", "learned", "--encoding-options", "max_len=64", NULL};
    score_fails(&x, grow, 1, "--encoding-options 'max_len=64' change learned's parameters");
    const char *nobody[] = {"--encoding", "alibi", NULL};
    score_fails(&x, nobody, 1, "posbench: score: no run of ");
    const char *suffix[] = {"--suffix", "yarn", NULL};
    score_fails(&x, suffix, 2, "--suffix expects @TEXT (no ',' or quotes), got 'yarn'\n");
    const char *junk[] = {"--lenght", "3", NULL};
    score_fails(&x, junk, 2, "unknown or incomplete option '--lenght'");
    // Nothing was written by the failures: the rows are the training's.
    char *eval = run_file(&x, "rope", "eval.csv");
    ck_assert_int_eq(count_prefix(eval, "step,"), 1);
    ck_assert_int_eq(count_prefix(eval, "8,"), 4);
    free(eval);
    remove_tree(x.dir);
}
END_TEST

// Books: a new length is built and scored, with loss per position; RoPE scaled per length.
START_TEST(test_score_books_lengths) {
    fixture x;
    char corpus[300], yaml[800], err[256];
    snprintf(corpus, sizeof corpus, "/tmp/posbench_score_%d_corpus", (int)getpid());
    ck_assert_msg(books_synth_corpus(corpus, 3, 6000, 1, err, sizeof err) == 0, "%s", err);
    snprintf(yaml, sizeof yaml,
             "experiment: tiny\n"
             "task: {name: books, options: {corpus: %s, seq_len: 16, eval_mult: [1, 3]}}\n"
             "model: {d_model: 16, layers: 1, heads: 2, encoding: rope}\n"
             "training: {steps: 6, batch: 4, warmup: 1}\n"
             "evaluation: {examples: 10, every: 3}\n",
             corpus);
    setup(&x, "books", yaml, 1);
    const char *more[] = {"--length", "32", NULL};
    score_ok(&x, more);
    const char *yarn[] = {"--set", "len_48", "--encoding", "rope", "--encoding-options",
                          "scaling=yarn", "--factor-from-length", NULL};
    score_ok(&x, yarn);
    char *eval = run_file(&x, "rope", "eval.csv");
    // loss, accuracy, perplexity, bits_per_byte and the three *_beyond rows
    ck_assert_int_eq(count_prefix(eval, "6,len_32,"), 7);
    ck_assert_int_eq(count_prefix(eval, "6,len_48@scaling=yarn;factor=length,"), 7);
    char *pos = run_file(&x, "rope", "positions.csv");
    ck_assert_int_eq(count_prefix(pos, "len_32,"), 32);
    ck_assert_int_eq(count_prefix(pos, "len_48@scaling=yarn;factor=length,"), 48);
    ck_assert_int_eq(count_prefix(pos, "len_48,"), 48);
    free(pos);
    free(eval);
    const char *odd[] = {"--length", "40", NULL};
    score_fails(&x, odd, 1, "length 40 is not a multiple of the training length 16\n");
    const char *name[] = {"--set", "short", NULL};
    score_fails(&x, name, 1, "--set 'short': books sets are named len_N (N the window in bytes)");
    remove_tree(x.dir);
    remove_tree(corpus);
}
END_TEST

// posbench eval on a dataset file scores it as a run scores its sets: the run's `short` set
// written out with posbench gen (its options, its seed, its size) gives back its final loss.
START_TEST(test_eval_dataset_matches_run) {
    fixture x;
    setup(&x, "eval", TASK, 1);
    char *eval = run_file(&x, "rope", "eval.csv"), dir[600], ckpt[700], data[400], *out;
    const double loss = value(eval, "8,short,loss,");
    const double accuracy = value(eval, "8,short,accuracy,");
    free(eval);
    run_folder(&x, "rope", dir, sizeof dir);
    snprintf(ckpt, sizeof ckpt, "%s/final.ckpt", dir);
    snprintf(data, sizeof data, "%s/short.pbds", x.dir);
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)run_eval_seed(0));
    const char *gen[] = {"gen", "indirect_indexing", "--options",
                         "alphabet=12,len_min=6,len_max=10,shift_max=3", "--seed", seed, "-n",
                         "30", "-o", data, NULL};
    ck_assert_int_eq(run_captured(cmd_gen, gen, &out), 0);
    free(out);
    const char *args[] = {"eval", ckpt, data, NULL};
    ck_assert_int_eq(run_captured(cmd_eval, args, &out), 0);
    double got_loss, got_acc;
    ck_assert_msg(sscanf(out, "mean loss %lf, accuracy %lf over 30 scored tokens of 30 sequences",
                         &got_loss, &got_acc) == 2, "%s", out);
    ck_assert_double_eq_tol(got_loss, loss, 1e-6);
    ck_assert_double_eq_tol(got_acc, accuracy, 1e-6);
    free(out);
    const char *missing[] = {"eval", ckpt, "/nonexistent/x.pbds", NULL};
    ck_assert_int_eq(run_captured(cmd_eval, missing, &out), 1);
    ck_assert_str_eq(out, "posbench: eval: /nonexistent/x.pbds: cannot open: No such file or "
                     "directory\n");
    free(out);
    remove_tree(x.dir);
}
END_TEST

Suite *suite_score(void) {
    Suite *s = suite_create("score");
    TCase *tc = tcase_create("score");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_score_reproduces_final);
    tcase_add_test(tc, test_score_new_set_and_options);
    tcase_add_test(tc, test_score_bad_requests);
    tcase_add_test(tc, test_score_books_lengths);
    tcase_add_test(tc, test_eval_dataset_matches_run);
    suite_add_tcase(s, tc);
    return s;
}
