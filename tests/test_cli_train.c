// `posbench train` end to end on generated dataset files, and its argument errors.
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "harness/cli/cli_train.h"
#include "harness/experiment/config.h"
#include "harness/model/checkpoint.h"
#include "suites.h"
#include "tasks/dataset.h"
#include "tasks/task.h"

static void generate(const char *name, uint64_t seed, uint64_t n, char *path, size_t len) {
    snprintf(path, len, "/tmp/posbench_cli_train_%d_%s_%llu.pbds", (int)getpid(), name,
             (unsigned long long)seed);
    task t;
    char err[256];
    ck_assert(task_configure(&t, name, NULL, err, sizeof err) == 0);
    ck_assert_msg(task_write_dataset(&t, seed, n, path, NULL, NULL, err, sizeof err) == 0, "%s",
                  err);
}

// Every task trains through the same command and is scored on every held-out sequence.
START_TEST(test_train_on_each_task) {
    const task_ops *ops = task_registry[_i];
    char train_path[256], test_path[256], *out;
    generate(ops->name, 1, 200, train_path, sizeof train_path);
    generate(ops->name, 2, 50, test_path, sizeof test_path);
    const char *args[] = {"train", "--data", train_path, "--eval-data", test_path, "--steps", "3",
                          "--threads", "1", "--d-model", "16", "--heads", "2", NULL};
    int rc = run_captured(cmd_train, args, &out);
    ck_assert_msg(rc == 0, "%s", out);
    char expect[512];
    snprintf(expect, sizeof expect, "eval %s: loss", test_path);
    ck_assert_msg(strstr(out, expect) != NULL, "%s", out);
    // Every scored position of the file (one per sequence for single-answer tasks).
    char err[256];
    dataset *d = dataset_load(test_path, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    long scored = 0;
    for (size_t i = 0; i < d->n_tokens; i++) scored += d->mask[i];
    dataset_free(d);
    snprintf(expect, sizeof expect, "(%ld positions)", scored);
    ck_assert_msg(strstr(out, expect) != NULL, "expected '%s' in %s", expect, out);
    free(out);
    unlink(train_path);
    unlink(test_path);
}
END_TEST

static void expect_error(const char *const *args, int status, const char *message) {
    char *out;
    int rc = run_captured(cmd_train, args, &out);
    ck_assert_msg(rc == status, "exit %d, expected %d: %s", rc, status, out);
    ck_assert_msg(strstr(out, message) != NULL, "expected '%s' in '%s'", message, out);
    free(out);
}

// A command line that cannot work: exit 2, before any data is read or step trained.
START_TEST(test_train_argument_errors) {
    const char *a2[] = {"train", "--eval-data", "x.pbds", NULL};
    expect_error(a2, 2, "posbench: train: --eval-data needs --data\n");
    const char *a3[] = {"train", "--data", "x.pbds", "--symbols", "4", NULL};
    expect_error(a3, 2, "posbench: train: --symbols, --offset, --seq-len and --eval-len are for "
                        "the toy task; a dataset file fixes them\n");
    // Model and training values are checked as an experiment file's are, with its messages.
    const char *a4[] = {"train", "--steps", "0", NULL};
    expect_error(a4, 2, "posbench: train: --steps: training.steps: must be >= 1, got 0\n");
    const char *a5[] = {"train", "--lr", "fast", NULL};
    expect_error(a5, 2, "posbench: train: --lr: training.lr: expected a number, got 'fast'\n");
    const char *lr0[] = {"train", "--lr", "0", NULL};
    expect_error(lr0, 2, "posbench: train: --lr: training.lr: must be > 0, got 0\n");
    const char *lr_min[] = {"train", "--lr", "1e-5", NULL};  // below lr_min's default, 1e-4
    expect_error(lr_min, 2, "posbench: train: --lr-min 0.0001 is greater than --lr 1e-05\n");
    // A checkpoint path that cannot be written is refused before any training.
    const char *save[] = {"train", "--save", "/nonexistent/dir/model.ckpt", NULL};
    expect_error(save, 2, "posbench: train: --save /nonexistent/dir/model.ckpt cannot be "
                          "written (/nonexistent/dir/model.ckpt.tmp: cannot create: ");
    const char *a6[] = {"train", "--norm", "batch", NULL};
    expect_error(a6, 2, "posbench: train: --norm expects 'rms' or 'layer', got 'batch'\n");
    const char *a7[] = {"train", "--bogus", NULL};
    expect_error(a7, 2, "posbench: train: unknown or incomplete option '--bogus' (see --help)\n");
    const char *a8[] = {"train", "--offset", "40", NULL};
    expect_error(a8, 2, "posbench: train: --offset 40 leaves no target in a sequence of 32\n");
    const char *a9[] = {"train", "--encoding", "rpoe", "--steps", "1", NULL};
    expect_error(a9, 2, "posbench: unknown encoding 'rpoe' (did you mean 'rope'?)\n");
    const char *shape[] = {"train", "--d-model", "10", "--heads", "4", NULL};
    expect_error(shape, 2, "posbench: model: d_model 10 is not divisible by n_heads 4\n");
    // An evaluation length the encoding cannot serve fails before training, not after it.
    const char *long_eval[] = {"train", "--encoding", "learned", "--encoding-options",
                               "max_len=32,beyond=error", "--eval-len", "32,64", NULL};
    char *out;
    ck_assert_int_eq(run_captured(cmd_train, long_eval, &out), 2);
    ck_assert_str_eq(out, "posbench: encoding 'learned' (max_len=32,beyond=error): a sequence of "
                          "64 positions exceeds the 32 it supports\n");
    free(out);
    // The command line is checked before any file is read: with an unknown encoding and a
    // missing dataset, the usage error is the one reported.
    const char *both[] = {"train", "--data", "/nonexistent.pbds", "--encoding", "rpoe", NULL};
    expect_error(both, 2, "posbench: unknown encoding 'rpoe'");
}
END_TEST

// A well-formed command that its files or the disk fail: exit 1.
START_TEST(test_train_runtime_failures) {
    const char *a1[] = {"train", "--data", "/nonexistent.pbds", NULL};
    expect_error(a1, 1, "posbench: /nonexistent.pbds: cannot open");
    char train_path[256], other_path[256];
    generate("indirect_indexing", 1, 10, train_path, sizeof train_path);
    // A dataset of another vocabulary (three tokens) to evaluate on.
    snprintf(other_path, sizeof other_path, "/tmp/posbench_cli_train_%d_abc.pbds",
             (int)getpid());
    const char *names[] = {"a", "b", "c"};
    const uint16_t tokens[] = {0, 1, 2};
    const uint8_t mask[] = {0, 1, 0};
    char err[256];
    dataset_writer *w = dataset_writer_open(other_path, "abc", "", 0, 3, names, err, sizeof err);
    ck_assert_msg(w != NULL, "%s", err);
    ck_assert(dataset_writer_append(w, tokens, mask, 3, err, sizeof err) == 0);
    ck_assert_msg(dataset_writer_close(w, err, sizeof err) == 0, "%s", err);
    const char *a10[] = {"train", "--data", train_path, "--eval-data", "/nonexistent2.pbds", NULL};
    expect_error(a10, 1, "posbench: /nonexistent2.pbds: cannot open");  // before any training
    const char *vocab[] = {"train", "--data", train_path, "--eval-data", other_path, NULL};
    char want[700];
    snprintf(want, sizeof want, "posbench: %s: vocabulary of ", other_path);
    expect_error(vocab, 1, want);
    unlink(train_path);
    unlink(other_path);
}
END_TEST

// Ctrl-C during training: it stops after the current step, still writes --save (a
// checkpoint that loads) and exits 130.
START_TEST(test_train_interrupt_saves) {
    char path[128], log[128];
    snprintf(path, sizeof path, "/tmp/posbench_cli_train_%d_int.ckpt", (int)getpid());
    snprintf(log, sizeof log, "/tmp/posbench_cli_train_%d_int.log", (int)getpid());
    const char *args[] = {"train", "--steps", "1000000", "--d-model", "16", "--heads", "2",
                          "--layers", "1", "--batch", "4", "--save", path, NULL};
    const pid_t pid = fork();
    if (pid == 0) {
        ck_assert_ptr_nonnull(freopen(log, "w", stderr));
        ck_assert_ptr_nonnull(freopen("/dev/null", "w", stdout));
        const int rc = cmd_train(13, (char **)args);
        fflush(NULL);
        _exit(rc);
    }
    usleep(300000);
    kill(pid, SIGINT);
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 130);
    char err[256];
    model *m = checkpoint_load(path, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    model_free(m);
    FILE *f = fopen(log, "r");
    char line[256] = "";
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    fclose(f);
    ck_assert_msg(strstr(line, "posbench: train: interrupted after step ") &&
                      strstr(line, "saving the model as it is"),
                  "%s", line);
    unlink(path);
    unlink(log);
}
END_TEST

// The defaults are an experiment file's: --help states the schema's values, one thread.
START_TEST(test_train_defaults_are_the_experiment_defaults) {
    char *out, want[256];
    const char *help[] = {"train", "--help", NULL};
    ck_assert_int_eq(run_captured(cmd_train, help, &out), 0);
    snprintf(want, sizeof want, "(%g, %g, %g)\n", config_default_number("model.d_model"),
             config_default_number("model.layers"), config_default_number("model.heads"));
    ck_assert_msg(strstr(out, want), "%s", out);
    snprintf(want, sizeof want, "(%g, %g, %g, %g)\n", config_default_number("training.steps"),
             config_default_number("training.lr"), config_default_number("training.lr_min"),
             config_default_number("training.warmup"));
    ck_assert_msg(strstr(out, want), "%s", out);
    ck_assert_msg(strstr(out, "OpenMP threads                       (1)\n"), "%s", out);
    ck_assert_double_eq(config_default_number("training.threads"), 1);
    free(out);
}
END_TEST

Suite *suite_cli_train(void) {
    int n = 0;
    while (task_registry[n]) n++;
    Suite *s = suite_create("cli_train");
    TCase *tc = tcase_create("cli_train");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_train_on_each_task, 0, n);
    tcase_add_test(tc, test_train_argument_errors);
    tcase_add_test(tc, test_train_runtime_failures);
    tcase_add_test(tc, test_train_defaults_are_the_experiment_defaults);
    tcase_add_test(tc, test_train_interrupt_saves);
    suite_add_tcase(s, tc);
    return s;
}
