// The whole command line (cli_main): --encoding-plugin before a command, or among its options,
// lets every command open what a plugin encoding made. A run trained with the 40-character
// plugin of tests/fixtures/long_name_pe.c is read by attn, groups, eval, config, summary, plot
// and score; train names the plugin by default; jobs repeats it; and mistakes in the global
// options are usage errors (exit 2).
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "files.h"
#include "harness/cli/cli_main.h"
#include "suites.h"

#ifndef PB_FIXTURE_DIR
#define PB_FIXTURE_DIR "build/fixtures"
#endif
#define PLUGIN PB_FIXTURE_DIR "/long_name_pe.so"
#define PLUGIN_NAME "a_plugin_whose_name_has_forty_characters"

static const char EXPERIMENT[] =
    "experiment: plug\n"
    "task: {name: indirect_indexing, options: {alphabet: 12, len_min: 6, len_max: 10, "
    "shift_max: 3}}\n"
    "model: {d_model: 16, layers: 1, heads: 2, encoding: " PLUGIN_NAME "}\n"
    "training: {steps: 2, batch: 4, warmup: 1}\n"
    "evaluation: {examples: 4, every: 0}\n";

// The fixture: an experiment file, its one finished run (trained with the plugin) and a
// dataset file of the same task.
static char root[] = "/tmp/posbench_cli_main_XXXXXX";
static char yaml[256], results[256], run_dir[1024], data[256];

static int posbench(const char *const *args, char **out) {
    return run_captured(cli_main, args, out);
}

// Trains the run in a child process, so that this process (and every test forked from it)
// has not loaded the plugin: each test loads it, or not, itself.
static void train_in_child(void) {
    fflush(NULL);
    const pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        const char *args[] = {"posbench", "--encoding-plugin", PLUGIN, "run", yaml,
                              "--results", results, "-j", "1", NULL};
        char *out;
        const int rc = posbench(args, &out);
        if (rc) fprintf(stderr, "%s", out);
        _exit(rc);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the plugin run failed");
}

static void make_fixture(void) {
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(yaml, sizeof yaml, "%s/plug.yaml", root);
    snprintf(results, sizeof results, "%s/results", root);
    snprintf(data, sizeof data, "%s/data.pbds", root);
    put_file(root, "plug.yaml", EXPERIMENT);
    train_in_child();
    char runs[512];
    snprintf(runs, sizeof runs, "%s/plug/runs", results);
    DIR *d = opendir(runs);
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') snprintf(run_dir, sizeof run_dir, "%s/%s", runs, e->d_name);
    closedir(d);
    const char *gen[] = {"posbench", "gen", "indirect_indexing", "--options",
                         "alphabet=12,len_min=6,len_max=10,shift_max=3", "--seed", "5", "-n",
                         "6", "-o", data, NULL};
    char *out;
    ck_assert_int_eq(posbench(gen, &out), 0);
    free(out);
}

static void remove_fixture(void) { remove_tree(root); }

// Without the plugin a run that uses it cannot be opened, and the message says which
// encoding is missing.
// Runs a command line, expects its exit status and a piece of its output.
static void expect(const char *const *args, int status, const char *needle) {
    char *out;
    ck_assert_int_eq(posbench(args, &out), status);
    ck_assert_msg(strstr(out, needle), "%s", out);
    free(out);
}

START_TEST(test_without_the_plugin) {
    const char *args[] = {"posbench", "attn", run_dir, NULL};
    expect(args, 1, "unknown encoding '" PLUGIN_NAME "'");
}
END_TEST

START_TEST(test_attn_with_the_plugin_first) {
    const char *args[] = {"posbench", "--encoding-plugin", PLUGIN, "attn", run_dir, NULL};
    char *out, want[1200];
    ck_assert_int_eq(posbench(args, &out), 0);
    snprintf(want, sizeof want, "%s/attention.csv (" PLUGIN_NAME ", set train_length)\n",
             run_dir);
    ck_assert_str_eq(out, want);
    free(out);
}
END_TEST

// After the command, as run and train have always taken it.
START_TEST(test_groups_with_the_plugin_after) {
    const char *args[] = {"posbench", "groups", run_dir, "--encoding-plugin", PLUGIN, NULL};
    expect(args, 0, "groups.csv (" PLUGIN_NAME ", every set)");
}
END_TEST

// The checkpoint keeps the whole name (a version 1 checkpoint cut it to 31 characters).
START_TEST(test_eval_with_the_plugin) {
    char ckpt[1100];
    snprintf(ckpt, sizeof ckpt, "%s/final.ckpt", run_dir);
    const char *args[] = {"posbench", "--encoding-plugin=" PLUGIN, "eval", ckpt, data, NULL};
    char *out;
    ck_assert_int_eq(posbench(args, &out), 0);
    ck_assert_msg(!strncmp(out, "mean loss ", 10), "%s", out);
    ck_assert_msg(strstr(out, "over 6 scored tokens of 6 sequences\n"), "%s", out);
    free(out);
}
END_TEST

// The commands that read an experiment or its results folder: config and summary, plot
// (which reads the runs' configs) and score (which reloads their checkpoints).
START_TEST(test_results_commands_with_the_plugin) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/plug", results);
    // First, while this process has not loaded the plugin.
    const char *plot_without[] = {"posbench", "plot", dir, NULL};
    expect(plot_without, 1, "unknown encoding '" PLUGIN_NAME "'");
    const char *config[] = {"posbench", "--encoding-plugin", PLUGIN, "config", yaml, NULL};
    expect(config, 0, "encoding: " PLUGIN_NAME "\n");
    const char *summary[] = {"posbench", "--encoding-plugin", PLUGIN, "summary", dir, NULL};
    expect(summary, 0, "1 finished run (0 diverged)");
    const char *plot[] = {"posbench", "--encoding-plugin", PLUGIN, "plot", dir, NULL};
    expect(plot, 0, "/plug/training.png");
    const char *score[] = {"posbench", "--encoding-plugin", PLUGIN, "score", yaml, "--results",
                           results, "--set", "longer:len_min=10,len_max=12", NULL};
    expect(score, 0, "  longer: accuracy ");
}
END_TEST

// train's encoding defaults to the plugin's name, given before the command as after it.
START_TEST(test_train_names_the_global_plugin) {
    const char *args[] = {"posbench", "--encoding-plugin", PLUGIN, "train", "--steps", "1",
                          "--d-model", "16", "--heads", "2", "--layers", "1", "--batch", "2",
                          "--threads", "1", NULL};
    expect(args, 0, "model: " PLUGIN_NAME "(), d_model 16");
}
END_TEST

// jobs prints commands for other machines: a plugin given before `jobs` is in each of them.
START_TEST(test_jobs_repeats_the_global_plugin) {
    char elsewhere[512];
    snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", root);
    const char *args[] = {"posbench", "--encoding-plugin", PLUGIN, "jobs", yaml, "--results",
                          elsewhere, NULL};
    expect(args, 0, " --encoding-plugin " PLUGIN "\n");
}
END_TEST

START_TEST(test_list_shows_the_plugin) {
    const char *args[] = {"posbench", "--encoding-plugin", PLUGIN, "list", "encodings", NULL};
    char *out;
    ck_assert_int_eq(posbench(args, &out), 0);
    ck_assert_msg(strstr(out, "\n" PLUGIN_NAME " test plugin with a 40-character name"), "%s",
                  out);
    free(out);
}
END_TEST

// Mistakes in the global part of the command line: exit 2, one line (then the usage, for a
// missing or unknown command).
START_TEST(test_global_errors) {
    static const struct {
        const char *args[6];
        int status;
        const char *start;  // what the output starts with
    } cases[] = {
        {{"posbench", "--bogus", "attn", NULL}, 2,
         "posbench: unknown option '--bogus' before the command (see posbench --help)\n"},
        {{"posbench", "--encoding-plugin", NULL}, 2,
         "posbench: --encoding-plugin needs a shared object (see posbench --help)\n"},
        {{"posbench", "attn", "x", "--encoding-plugin", NULL}, 2,
         "posbench: --encoding-plugin needs a shared object (see posbench --help)\n"},
        {{"posbench", "--encoding-plugin", PB_FIXTURE_DIR "/missing.so", "attn", "x", NULL}, 2,
         "posbench: cannot load encoding plugin: "},
        {{"posbench", "eval", "--encoding-plugin", PB_FIXTURE_DIR "/missing.so", NULL}, 2,
         "posbench: cannot load encoding plugin: "},
        {{"posbench", "nosuch", NULL}, 2, "posbench: unknown command 'nosuch'\nusage: posbench"},
        {{"posbench", "sumary", "x", NULL}, 2,
         "posbench: unknown command 'sumary' (did you mean 'summary'?)\n"},
        {{"posbench", "--version", NULL}, 0, "posbench "},
        {{"posbench", NULL}, 2, "usage: posbench [--encoding-plugin F.so]... COMMAND"},
        {{"posbench", "--help", NULL}, 0, "usage: posbench [--encoding-plugin F.so]... COMMAND"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out;
        ck_assert_int_eq(posbench(cases[i].args, &out), cases[i].status);
        ck_assert_msg(!strncmp(out, cases[i].start, strlen(cases[i].start)),
                      "case %zu: expected '%s...', got '%s'", i, cases[i].start, out);
        free(out);
    }
}
END_TEST

Suite *suite_cli_main(void) {
    Suite *s = suite_create("cli_main");
    TCase *tc = tcase_create("plugins");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, make_fixture, remove_fixture);
    tcase_add_test(tc, test_without_the_plugin);
    tcase_add_test(tc, test_attn_with_the_plugin_first);
    tcase_add_test(tc, test_groups_with_the_plugin_after);
    tcase_add_test(tc, test_eval_with_the_plugin);
    tcase_add_test(tc, test_results_commands_with_the_plugin);
    tcase_add_test(tc, test_train_names_the_global_plugin);
    tcase_add_test(tc, test_jobs_repeats_the_global_plugin);
    tcase_add_test(tc, test_list_shows_the_plugin);
    suite_add_tcase(s, tc);
    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, test_global_errors);
    suite_add_tcase(s, errors);
    return s;
}
