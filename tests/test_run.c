// Experiments end to end: posbench run on a tiny sweep (files, CSV schemas, summary),
// resuming after SIGKILL with identical numbers, divergence recorded, and posbench jobs.
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "files.h"
#include "harness/analysis/inspect.h"
#include "harness/base/dirs.h"
#include "harness/cli/cli_run.h"
#include "harness/cli/cli_summary.h"
#include "harness/experiment/config.h"
#include "harness/experiment/run.h"
#include "harness/experiment/run_source.h"
#include "harness/experiment/sweep.h"
#include "suites.h"
#include "tasks/books.h"

static const char TINY[] =
    "experiment: tiny\n"
    "task:\n"
    "  name: indirect_indexing\n"
    "  options: {alphabet: 12, len_min: 6, len_max: 10, shift_max: 3}\n"
    "model: {d_model: 16, layers: 1, heads: 2}\n"
    "training: {steps: %d, batch: 8, lr: %s, warmup: 2, clip: %s, checkpoint_every: %d}\n"
    "evaluation:\n"
    "  examples: 30\n"
    "  every: 4\n"
    "  sets:\n"
    "    - {name: short, options: {}}\n"
    "    - {name: long, options: {len_min: 11, len_max: 12}}\n"
    "sweep:\n"
    "  model.encoding: [rope, pope]\n"
    "  seed: [1, 2, 3]\n";

// TINY with resume points every `every` steps (0: none; never part of the run ids).
static void write_experiment_resumable(const char *path, int steps, const char *lr,
                                       const char *clip, int every) {
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, TINY, steps, lr, clip, every);
    fclose(f);
}

static void write_experiment(const char *path, int steps, const char *lr, const char *clip) {
    write_experiment_resumable(path, steps, lr, clip, 0);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int count_lines(const char *text) {
    int n = 0;
    for (; *text; text++) n += *text == '\n';
    return n;
}

// Every run folder under DIR/tiny/runs, in name order, into names (at most 16).
static int list_run_folders(const char *results, char names[][256]) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tiny/runs", results);
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 16)
        if (e->d_name[0] != '.') snprintf(names[n++], 256, "%s", e->d_name);
    if (d) closedir(d);
    for (int i = 1; i < n; i++)  // insertion sort: stable order for comparisons
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char t[256];
            memcpy(t, names[j], 256), memcpy(names[j], names[j - 1], 256), memcpy(names[j - 1], t, 256);
        }
    return n;
}

static void temp_dir(char *buf, size_t len, const char *tag) {
    snprintf(buf, len, "/tmp/posbench_run_%d_%s", (int)getpid(), tag);
    remove_tree(buf);
    ck_assert_int_eq(mkdir(buf, 0700), 0);
}

static void remove_dir(const char *dir) { remove_tree(dir); }

START_TEST(test_run_end_to_end) {
    char dir[256], yaml[300], results[300], path[5000], *out;
    temp_dir(dir, sizeof dir, "e2e");
    snprintf(yaml, sizeof yaml, "%s/tiny.yaml", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    write_experiment(yaml, 8, "3.0e-3", "1.0");
    const char *args[] = {"run", yaml, "--results", results, "-j", "2", NULL};
    ck_assert_int_eq(run_captured(cmd_run, args, &out), 0);
    ck_assert_msg(strstr(out, "6 runs, 0 done, 6 to run, 2 at a time") != NULL, "%s", out);
    free(out);
    char names[16][256];
    ck_assert_int_eq(list_run_folders(results, names), 6);
    for (int i = 0; i < 6; i++) {
        const char *files[] = {"config.yaml", "point.csv", "build.txt", "final.ckpt", "log.txt",
                               "done"};
        for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
            snprintf(path, sizeof path, "%s/tiny/runs/%s/%s", results, names[i], files[k]);
            ck_assert_msg(access(path, F_OK) == 0, "missing %s", path);
        }
        snprintf(path, sizeof path, "%s/tiny/runs/%s/status", results, names[i]);
        ck_assert_str_eq(slurp(path), "done\n");
        snprintf(path, sizeof path, "%s/tiny/runs/%s/train.csv", results, names[i]);
        char *train = slurp(path);
        ck_assert(strncmp(train, "step,loss,lr,grad_norm,tokens_per_s\n", 36) == 0);
        ck_assert_int_eq(count_lines(train), 1 + 8);
        snprintf(path, sizeof path, "%s/tiny/runs/%s/eval.csv", results, names[i]);
        char *eval = slurp(path);
        ck_assert(strncmp(eval, "step,set,metric,value\n4,short,loss,", 35) == 0);
        ck_assert_int_eq(count_lines(eval), 1 + 2 /*steps 4, 8*/ * 2 /*sets*/ * 2 /*metrics*/);
        snprintf(path, sizeof path, "%s/tiny/runs/%s/train.csv.tmp", results, names[i]);
        ck_assert_int_ne(access(path, F_OK), 0);
    }
    snprintf(path, sizeof path, "%s/tiny/summary.csv", results);
    char *summary = slurp(path);
    ck_assert_ptr_nonnull(summary);
    const char *header = "model.encoding,set,metric,n,n_diverged,mean,sd,ci95_low,ci95_high,min,"
                         "max,n_success,success_low,success_high,solved_at_min,solved_at_median,"
                         "solved_at_max,median\n";
    ck_assert(strncmp(summary, header, strlen(header)) == 0);
    ck_assert_ptr_nonnull(strstr(summary, "\nrope,short,loss,3,0,"));
    ck_assert_ptr_nonnull(strstr(summary, "\npope,long,accuracy,3,0,"));
    ck_assert_int_eq(count_lines(summary), 1 + 2 * 2 * 2);
    // What produced each run's numbers.
    snprintf(path, sizeof path, "%s/tiny/runs/%s/build.txt", results, names[0]);
    char *build = slurp(path);
    ck_assert_msg(!strncmp(build, "version: ", 9) && strstr(build, "\nflags: ") &&
                      strstr(build, "-ffp-contract=fast") && strstr(build, "\ncpu: "),
                  "%s", build);
    // The manifest: the file's six runs in its order (rope seeds 1-3, then pope).
    snprintf(path, sizeof path, "%s/tiny/runs.csv", results);
    char *manifest = slurp(path);
    ck_assert_int_eq(count_lines(manifest), 1 + 6);
    ck_assert(!strncmp(manifest, "id\n", 3));
    // Again: nothing left to run, the same summary.
    ck_assert_int_eq(run_captured(cmd_run, args, &out), 0);
    ck_assert_msg(strstr(out, "6 runs, 6 done, 0 to run") != NULL, "%s", out);
    free(out);
    // The file edited (8 -> 12 steps) and run again: six new runs, and a summary of those
    // alone (n = 3 per group, not 6), which says that it left the six old ones out.
    write_experiment(yaml, 12, "3.0e-3", "1.0");
    ck_assert_int_eq(run_captured(cmd_run, args, &out), 0);
    ck_assert_msg(strstr(out, "6 runs, 0 done, 6 to run") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "6 stale runs left out") != NULL, "%s", out);
    free(out);
    snprintf(path, sizeof path, "%s/tiny/summary.csv", results);
    summary = slurp(path);
    ck_assert_msg(strstr(summary, "\nrope,short,loss,3,0,") != NULL, "%s", summary);
    ck_assert_int_eq(count_lines(summary), 1 + 2 * 2 * 2);
    // posbench summary takes the experiment file as well as its folder.
    const char *by_file[] = {"summary", "--results", results, yaml, NULL};
    ck_assert_int_eq(run_captured(cmd_summary, by_file, &out), 0);
    ck_assert_msg(strstr(out, "6 finished runs (0 diverged) in 2 groups; 6 stale runs left out"),
                  "%s", out);
    free(out);
    remove_dir(dir);
}
END_TEST

// SIGKILL the sweep at random moments, then let it finish: one complete result per run,
// no leftovers, and numbers identical to an uninterrupted sweep's.
// A copy of a CSV text without each line's last column (train.csv's tokens_per_s, a timing).
static char *without_last_column(const char *text) {
    char *out = malloc(strlen(text) + 1), *o = out;
    ck_assert_ptr_nonnull(out);
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        if (!end) end = line + strlen(line);
        const char *cut = end;
        while (cut > line && *cut != ',') cut--;
        memcpy(o, line, (size_t)(cut - line));
        o += cut - line;
        *o++ = '\n';
        line = *end ? end + 1 : end;
    }
    *o = '\0';
    return out;
}

enum { KILLS = 20 };  // SIGKILLs at random moments before the sweep may finish

START_TEST(test_run_resume_after_kill) {
    char dir[256], yaml[300], killed[300], clean[300], a[5000], b[5000], *out;
    temp_dir(dir, sizeof dir, "kill");
    snprintf(yaml, sizeof yaml, "%s/tiny.yaml", dir);
    snprintf(killed, sizeof killed, "%s/killed", dir);
    snprintf(clean, sizeof clean, "%s/clean", dir);
    // Resume points every 50 steps: a kill after one resumes from it, the others start over;
    // either way the numbers must be the uninterrupted sweep's.
    write_experiment_resumable(yaml, 400, "3.0e-3", "1.0", 50);
    const char *run_killed[] = {"run", yaml, "--results", killed, "-j", "2", NULL};
    srand(7);
    int interrupted = 0;
    for (int k = 0; k < KILLS; k++) {
        pid_t pid = fork();
        if (pid == 0) {
            setpgid(0, 0);  // its own group, so the kill reaches the runs it forked
            fclose(stdout);
            _exit(cmd_run(6, (char **)run_killed));
        }
        setpgid(pid, pid);
        usleep(20000 + rand() % 380000);
        kill(-pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        interrupted += WIFSIGNALED(status);
    }
    ck_assert_int_gt(interrupted, 0);  // at least one kill landed mid-sweep
    printf("run: %d of %d SIGKILLs landed mid-sweep\n", interrupted, KILLS);
    // A killed run's process can still hold its run's lock a moment after its sweep was
    // reaped (the parent's waitpid does not wait for it; an ASan build is slow to exit); the
    // sweep then skips the run as busy, as it should. Run again until no run is skipped.
    for (int tries = 0;; tries++) {
        ck_assert_int_eq(run_captured(cmd_run, run_killed, &out), 0);
        const int skipped = strstr(out, "skipped (another process is training it)") != NULL;
        free(out);
        if (!skipped) break;
        ck_assert_int_lt(tries, 100);
        usleep(100000);
    }
    const char *run_clean[] = {"run", yaml, "--results", clean, "-j", "2", NULL};
    ck_assert_int_eq(run_captured(cmd_run, run_clean, &out), 0);
    free(out);
    char names[16][256], names2[16][256];
    ck_assert_int_eq(list_run_folders(killed, names), 6);
    ck_assert_int_eq(list_run_folders(clean, names2), 6);
    for (int i = 0; i < 6; i++) {
        ck_assert_str_eq(names[i], names2[i]);  // the same run ids
        snprintf(a, sizeof a, "%s/tiny/runs/%s/eval.csv", killed, names[i]);
        snprintf(b, sizeof b, "%s/tiny/runs/%s/eval.csv", clean, names[i]);
        char *ea = strdup(slurp(a));
        ck_assert_str_eq(ea, slurp(b));
        free(ea);
        snprintf(a, sizeof a, "%s/tiny/runs/%s/train.csv", killed, names[i]);
        snprintf(b, sizeof b, "%s/tiny/runs/%s/train.csv", clean, names[i]);
        ea = without_last_column(slurp(a));
        char *eb = without_last_column(slurp(b));
        ck_assert_msg(!strcmp(ea, eb), "%s: train.csv differs after the kills", names[i]);
        free(ea);
        free(eb);
        snprintf(a, sizeof a, "%s/tiny/runs/%s/eval.csv.tmp", killed, names[i]);
        ck_assert_int_ne(access(a, F_OK), 0);
    }
    remove_dir(dir);
}
END_TEST

// Files named *.tmp anywhere below dir (partial results).
static int count_tmp(const char *dir) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "find %s -name '*.tmp' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    int n = -1;
    ck_assert_int_eq(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

// SIGINT (loop 0) or SIGTERM (loop 1) to the sweep: its runs stop, no partial file remains,
// it says how to continue (exit 130), and the same command then finishes every run.
START_TEST(test_run_interrupt) {
    char dir[256], yaml[300], results[300], log[400], *out;
    temp_dir(dir, sizeof dir, "int");
    snprintf(yaml, sizeof yaml, "%s/tiny.yaml", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    snprintf(log, sizeof log, "%s/sweep.log", dir);
    write_experiment(yaml, 3000, "3.0e-3", "1.0");
    const char *args[] = {"run", yaml, "--results", results, "-j", "2", NULL};
    pid_t pid = fork();
    if (pid == 0) {
        ck_assert_ptr_nonnull(freopen(log, "w", stderr));
        ck_assert_ptr_nonnull(freopen("/dev/null", "w", stdout));
        int rc = cmd_run(6, (char **)args);
        fflush(NULL);  // _exit does not flush stdio
        _exit(rc);
    }
    usleep(300000);
    kill(pid, _i ? SIGTERM : SIGINT);
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 130);
    ck_assert_msg(strstr(slurp(log), "interrupted; ") != NULL, "%s", slurp(log));
    ck_assert_msg(strstr(slurp(log), "run the same command to continue") != NULL, "%s", slurp(log));
    ck_assert_int_eq(count_tmp(results), 0);  // no partial file left behind
    write_experiment(yaml, 20, "3.0e-3", "1.0");  // shorter, so the test stays quick
    ck_assert_int_eq(run_captured(cmd_run, args, &out), 0);
    free(out);
    remove_dir(dir);
}
END_TEST

// posbench run YAML --results RESULTS, which must succeed; its output is not looked at.
static void run_ok(const char *yaml, const char *results) {
    char *out;
    const char *args[] = {"run", yaml, "--results", results, NULL};
    ck_assert_int_eq(run_captured(cmd_run, args, &out), 0);
    free(out);
}

// One run of the tiny task, every 4 steps evaluated, with the early-stop keys given.
static const char ONE_RUN[] =
    "experiment: tiny\n"
    "task:\n"
    "  name: indirect_indexing\n"
    "  options: {alphabet: 12, len_min: 6, len_max: 10, shift_max: 3}\n"
    "model: {d_model: 16, layers: 1, heads: 2, encoding: pope}\n"
    "training: {steps: 40, batch: 8, lr: 1.0e-2, warmup: 2, stop_accuracy: %s, "
    "stop_patience: %d}\n"
    "evaluation:\n"
    "  examples: 30\n"
    "  every: 4\n"
    "  sets:\n"
    "    - {name: short, options: {}}\n"
    "    - {name: long, options: {len_min: 11, len_max: 12}}\n";

// Runs ONE_RUN with (accuracy, patience) into results; returns the run's folder in dir.
static void run_one(const char *base, const char *results, const char *accuracy, int patience,
                    char *dir, size_t len) {
    char yaml[400];
    snprintf(yaml, sizeof yaml, "%s/one.yaml", base);
    FILE *f = fopen(yaml, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, ONE_RUN, accuracy, patience);
    fclose(f);
    run_ok(yaml, results);
    char names[16][256];
    ck_assert_int_eq(list_run_folders(results, names), 1);
    snprintf(dir, len, "%s/tiny/runs/%s", results, names[0]);
}

// The first set's (short's) accuracy at each evaluation step of an eval.csv (steps 4, 8,
// ..., 40 at index step / 4 - 1).
static void first_set_by_step(const char *eval, double acc[10]) {
    for (int i = 0; i < 10; i++) acc[i] = -1.0;
    for (const char *line = strchr(eval, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        int step;
        double v;
        if (sscanf(line + 1, "%d,short,accuracy,%lf", &step, &v) == 2) acc[step / 4 - 1] = v;
    }
}

// Early stop: a run without it gives each evaluation's accuracies; with a threshold, the run
// ends at the first evaluation (before the last step) that makes `patience` in a row with the
// first set (short) at or above it, as computed here from the first run's numbers, with the same numbers up to there
// (stopping changes nothing before it), `stopped at step N` in its status, its final
// checkpoint, and that last evaluation as its summary value. Patience that is never met runs
// every step.
START_TEST(test_run_early_stop) {
    char dir[256], results[300], run[600], path[700];
    temp_dir(dir, sizeof dir, "stop");
    snprintf(results, sizeof results, "%s/full", dir);
    run_one(dir, results, "0", 2, run, sizeof run);
    snprintf(path, sizeof path, "%s/eval.csv", run);
    char *full = strdup(slurp(path));
    double acc[10];
    first_set_by_step(full, acc);
    double best = 0;  // short's highest accuracy before the last step: met at least once
    for (int i = 0; i < 9; i++) best = acc[i] > best ? acc[i] : best;
    ck_assert_msg(best > 0, "the tiny run never got an answer right:\n%s", full);
    char threshold[32];
    snprintf(threshold, sizeof threshold, "%.9g", best);
    for (int patience = 1; patience <= 3; patience++) {
        int expected = 0, streak = 0;  // step of the stop, 0: none
        for (int i = 0; i < 9 && !expected; i++) {
            streak = acc[i] >= best ? streak + 1 : 0;
            if (streak >= patience) expected = 4 * (i + 1);
        }
        snprintf(results, sizeof results, "%s/p%d", dir, patience);
        run_one(dir, results, threshold, patience, run, sizeof run);
        snprintf(path, sizeof path, "%s/status", run);
        char want[64];
        snprintf(want, sizeof want, expected ? "done\nstopped at step %d\n" : "done\n", expected);
        ck_assert_str_eq(slurp(path), want);
        snprintf(path, sizeof path, "%s/final.ckpt", run);
        ck_assert_int_eq(access(path, F_OK), 0);
        snprintf(path, sizeof path, "%s/train.csv", run);
        ck_assert_int_eq(count_lines(slurp(path)), 1 + (expected ? expected : 40));
        snprintf(path, sizeof path, "%s/eval.csv", run);
        const char *eval = slurp(path);
        if (!expected) {
            ck_assert_str_eq(eval, full);
            continue;
        }
        // The stopped run's eval.csv is the full one up to its stop step.
        char cut[40];
        snprintf(cut, sizeof cut, "\n%d,", expected + 4);
        const char *end = strstr(full, cut);
        ck_assert_ptr_nonnull(end);
        ck_assert_int_eq(strlen(eval), (size_t)(end - full) + 1);
        ck_assert(!strncmp(eval, full, strlen(eval)));
        // The summary counts the stopped run with its last evaluation.
        snprintf(path, sizeof path, "%s/tiny/summary.csv", results);
        const char *summary = slurp(path);
        char row[64];
        snprintf(row, sizeof row, "\nshort,accuracy,1,0,");
        const char *at = strstr(summary, row);
        ck_assert_msg(at != NULL, "%s", summary);
        double mean = strtod(at + strlen(row), NULL);
        snprintf(cut, sizeof cut, "\n%d,short,accuracy,", expected);
        const char *last = strstr(full, cut);
        ck_assert_ptr_nonnull(last);
        ck_assert_double_eq_tol(mean, strtod(last + strlen(cut), NULL), 1e-6);
    }
    free(full);
    remove_dir(dir);
}
END_TEST

// A learning rate of 1e3 without clipping: every run stops as diverged, the sweep finishes.
START_TEST(test_run_divergence_recorded) {
    char dir[256], yaml[300], results[300], path[5000], *out;
    temp_dir(dir, sizeof dir, "div");
    snprintf(yaml, sizeof yaml, "%s/tiny.yaml", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    write_experiment(yaml, 60, "1.0e3", "0");
    const char *args[] = {"run", yaml, "--results", results, NULL};
    ck_assert_int_eq(run_captured(cmd_run, args, &out), 0);
    free(out);
    char names[16][256];
    ck_assert_int_eq(list_run_folders(results, names), 6);
    for (int i = 0; i < 6; i++) {
        snprintf(path, sizeof path, "%s/tiny/runs/%s/status", results, names[i]);
        ck_assert_msg(strncmp(slurp(path), "diverged\nat step ", 17) == 0, "%s", slurp(path));
    }
    remove_dir(dir);
}
END_TEST

START_TEST(test_jobs_lists_pending) {
    char dir[256], yaml[300], results[300], *out;
    temp_dir(dir, sizeof dir, "jobs");
    snprintf(yaml, sizeof yaml, "%s/tiny.yaml", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    write_experiment(yaml, 4, "3.0e-3", "1.0");
    const char *jobs[] = {"jobs", yaml, "--results", results, NULL};
    ck_assert_int_eq(run_captured(cmd_jobs, jobs, &out), 0);
    ck_assert_int_eq(count_lines(out), 6);
    // Run the first listed command's run alone, as a cluster node would.
    char id[17];
    ck_assert_int_eq(sscanf(strstr(out, "--only ") + 7, "%16s", id), 1);
    free(out);
    const char *one[] = {"run", yaml, "--results", results, "--only", id, NULL};
    ck_assert_int_eq(run_captured(cmd_run, one, &out), 0);
    free(out);
    ck_assert_int_eq(run_captured(cmd_jobs, jobs, &out), 0);
    ck_assert_int_eq(count_lines(out), 5);
    ck_assert_ptr_null(strstr(out, id));
    free(out);
    const char *bad[] = {"run", yaml, "--results", results, "--only", "0123456789abcdef", NULL};
    ck_assert_int_eq(run_captured(cmd_run, bad, &out), 2);
    ck_assert_msg(strstr(out, "has no run with id '0123456789abcdef'") != NULL, "%s", out);
    free(out);
    remove_dir(dir);
}
END_TEST

// The first id `posbench jobs` lists for yaml into id.
static void first_job(const char *yaml, const char *results, char id[17]) {
    char *out;
    const char *jobs[] = {"jobs", yaml, "--results", results, NULL};
    ck_assert_int_eq(run_captured(cmd_jobs, jobs, &out), 0);
    ck_assert_int_eq(sscanf(strstr(out, "--only ") + 7, "%16s", id), 1);
    free(out);
}

// Whether two files have the same bytes.
static int same_file(const char *a, const char *b) {
    char cmd[2000];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", a, b);
    return system(cmd) == 0;
}

// Runs `posbench run` with args (NULL-terminated) in a child, stderr to log, stdout
// dropped; once path exists (waiting up to 5 s) sends it sig, and returns the child's exit
// status (-1 if it did not exit).
static int run_then_signal(const char *const *args, const char *log, const char *path, int sig) {
    int argc = 0;
    while (args[argc]) argc++;
    const pid_t pid = fork();
    if (pid == 0) {
        ck_assert_ptr_nonnull(freopen(log, "w", stderr));
        ck_assert_ptr_nonnull(freopen("/dev/null", "w", stdout));
        const int rc = cmd_run(argc, (char **)args);
        fflush(NULL);
        _exit(rc);
    }
    for (int i = 0; i < 1000 && access(path, F_OK) != 0; i++) usleep(5000);
    ck_assert_int_eq(access(path, F_OK), 0);
    kill(pid, sig);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A run whose folder's lock another process holds (here: this test, through its own open
// file) is not trained twice: `run --only` says so and exits 0, the sweep skips it without
// counting a failure; once the lock is free the run trains.
START_TEST(test_run_lock_held_elsewhere) {
    char dir[256], yaml[300], results[300], lock[700], *out;
    temp_dir(dir, sizeof dir, "lock");
    snprintf(yaml, sizeof yaml, "%s/tiny.yaml", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    write_experiment(yaml, 4, "3.0e-3", "1.0");
    char id[17];
    first_job(yaml, results, id);
    char run[600];
    snprintf(run, sizeof run, "%s/tiny/runs/%s", results, id);
    char err[256];
    ck_assert_int_eq(make_dirs(run, err, sizeof err), 0);
    snprintf(lock, sizeof lock, "%s/lock", run);
    const int fd = open(lock, O_RDWR | O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
    const char *one[] = {"run", yaml, "--results", results, "--only", id, NULL};
    ck_assert_int_eq(run_captured(cmd_run, one, &out), 0);
    ck_assert_msg(strstr(out, "is being trained by another process"), "%s", out);
    free(out);
    snprintf(lock, sizeof lock, "%s/done", run);
    ck_assert_int_ne(access(lock, F_OK), 0);
    const char *sweep[] = {"run", yaml, "--results", results, "-j", "2", NULL};
    ck_assert_int_eq(run_captured(cmd_run, sweep, &out), 0);
    ck_assert_msg(strstr(out, "skipped (another process is training it) "), "%s", out);
    ck_assert_msg(strstr(out, "1 run skipped: another process is training it"), "%s", out);
    ck_assert_msg(!strstr(out, "FAILED"), "%s", out);
    free(out);
    ck_assert_int_ne(access(lock, F_OK), 0);  // still not done: the holder trains it
    close(fd);
    ck_assert_int_eq(run_captured(cmd_run, one, &out), 0);
    free(out);
    ck_assert_int_eq(access(lock, F_OK), 0);
    remove_dir(dir);
}
END_TEST

// `run --only` (what jobs and Slurm arrays run) stopped by SIGINT (loop 0) or SIGTERM (1):
// it ends after the current step with exit 130 and a line saying how to go on, and leaves
// no partial file (the run then starts over, as after an interrupted sweep).
START_TEST(test_run_only_interrupted) {
    char dir[256], yaml[300], results[300], log[400], run[700];
    temp_dir(dir, sizeof dir, "onlyint");
    snprintf(yaml, sizeof yaml, "%s/tiny.yaml", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    snprintf(log, sizeof log, "%s/only.log", dir);
    write_experiment(yaml, 100000, "3.0e-3", "1.0");
    char id[17];
    first_job(yaml, results, id);
    snprintf(run, sizeof run, "%s/tiny/runs/%s/train.csv.tmp", results, id);
    const char *one[] = {"run", yaml, "--results", results, "--only", id, NULL};
    // Signalled once training has started (its train.csv.tmp exists).
    ck_assert_int_eq(run_then_signal(one, log, run, _i ? SIGTERM : SIGINT), 130);
    ck_assert_msg(strstr(slurp(log), "interrupted; run the same command to go on"), "%s",
                  slurp(log));
    ck_assert_int_eq(count_tmp(results), 0);
    remove_dir(dir);
}
END_TEST

// A run with resume points (training.checkpoint_every), stopped by SIGINT once it has one,
// goes on from it when run again ("resumed after step N", N a multiple of 100) and ends with
// the files of an uninterrupted run without resume points (the same run id): eval.csv,
// final.ckpt and train.csv but its timing column, byte for byte. A damaged resume point is
// reported and the run starts over, with the same numbers. A finished run keeps none.
START_TEST(test_run_resume_point) {
    char dir[256], yaml[300], plain[300], stopped[300], clean[300], log[400], *out;
    temp_dir(dir, sizeof dir, "resume");
    snprintf(yaml, sizeof yaml, "%s/resumable.yaml", dir);
    snprintf(plain, sizeof plain, "%s/plain.yaml", dir);
    snprintf(stopped, sizeof stopped, "%s/stopped", dir);
    snprintf(clean, sizeof clean, "%s/clean", dir);
    snprintf(log, sizeof log, "%s/only.log", dir);
    write_experiment_resumable(yaml, 1200, "3.0e-3", "1.0", 100);
    write_experiment(plain, 1200, "3.0e-3", "1.0");
    char id[17], id_plain[17];
    first_job(yaml, stopped, id);
    first_job(plain, clean, id_plain);
    ck_assert_str_eq(id, id_plain);  // resume points are not part of the run id
    char point[700], a[800], b[800];
    snprintf(point, sizeof point, "%s/tiny/runs/%s/resume.ckpt", stopped, id);
    const char *one[] = {"run", yaml, "--results", stopped, "--only", id, NULL};
    for (int damaged = 0; damaged < 2; damaged++) {
        ck_assert_int_eq(run_then_signal(one, log, point, SIGINT), 130);
        if (damaged) {  // one flipped byte in the middle
            FILE *f = fopen(point, "r+b");
            ck_assert_ptr_nonnull(f);
            fseek(f, 100, SEEK_SET);
            const int c = fgetc(f);
            fseek(f, 100, SEEK_SET);
            fputc(c ^ 0x40, f);
            fclose(f);
        }
        ck_assert_int_eq(run_captured(cmd_run, one, &out), 0);
        if (damaged) {
            ck_assert_msg(strstr(out, "starting over: ") && strstr(out, "damaged"), "%s", out);
        } else {
            int after = 0;
            ck_assert_msg(strstr(out, "resumed after step "), "%s", out);
            ck_assert_int_eq(sscanf(strstr(out, "resumed after step ") + 19, "%d", &after), 1);
            ck_assert_int_eq(after % 100, 0);
        }
        free(out);
        ck_assert_int_ne(access(point, F_OK), 0);  // finished: no resume point left
        if (damaged == 0) {
            const char *run_clean[] = {"run", plain, "--results", clean, "--only", id, NULL};
            ck_assert_int_eq(run_captured(cmd_run, run_clean, &out), 0);
            free(out);
        }
        const char *files[] = {"eval.csv", "final.ckpt"};
        for (int k = 0; k < 2; k++) {
            snprintf(a, sizeof a, "%s/tiny/runs/%s/%s", stopped, id, files[k]);
            snprintf(b, sizeof b, "%s/tiny/runs/%s/%s", clean, id, files[k]);
            ck_assert_msg(same_file(a, b), "%s differs from the uninterrupted run's", files[k]);
        }
        snprintf(a, sizeof a, "%s/tiny/runs/%s/train.csv", stopped, id);
        snprintf(b, sizeof b, "%s/tiny/runs/%s/train.csv", clean, id);
        char *ta = without_last_column(slurp(a)), *tb = without_last_column(slurp(b));
        ck_assert_msg(!strcmp(ta, tb), "train.csv differs from the uninterrupted run's");
        free(ta);
        free(tb);
        // Run it again from the start for the damaged case.
        snprintf(a, sizeof a, "%s/tiny/runs/%s", stopped, id);
        remove_tree(a);
    }
    remove_dir(dir);
}
END_TEST

// Separate seeds: init_seed and data_seed stand in for seed in the model's initialisation and
// in the data stream. A run with seed 2 and one with seed 1 but init_seed 2 and data_seed 2
// are two runs (two ids) with the same numbers; init_seed swept with data_seed fixed gives
// one group in the summary, its spread the init variance alone.
START_TEST(test_run_separate_seeds) {
    char dir[256], yaml[300], results[300], a[900], b[900], *out;
    temp_dir(dir, sizeof dir, "seeds");
    snprintf(yaml, sizeof yaml, "%s/seeds.yaml", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    FILE *f = fopen(yaml, "w");
    ck_assert_ptr_nonnull(f);
    fputs("experiment: seeds\n"
          "task:\n  name: indirect_indexing\n"
          "  options: {alphabet: 12, len_min: 6, len_max: 10, shift_max: 3}\n"
          "model: {d_model: 16, layers: 1, heads: 2, encoding: rope}\n"
          "training: {steps: 12, batch: 8, lr: 3.0e-3, warmup: 2}\n"
          "evaluation: {examples: 30, every: 6}\n"
          "seed: 1\n"
          "sweep:\n  init_seed: [2, 3]\n  data_seed: [2, 5]\n", f);
    fclose(f);
    const char *args[] = {"run", yaml, "--results", results, NULL};
    ck_assert_int_eq(run_captured(cmd_run, args, &out), 0);
    free(out);
    // The same file with seed 2 and no separate seeds: the (2, 2) run's numbers.
    char plain[300];
    snprintf(plain, sizeof plain, "%s/plain.yaml", dir);
    f = fopen(plain, "w");
    ck_assert_ptr_nonnull(f);
    fputs("experiment: plain\n"
          "task:\n  name: indirect_indexing\n"
          "  options: {alphabet: 12, len_min: 6, len_max: 10, shift_max: 3}\n"
          "model: {d_model: 16, layers: 1, heads: 2, encoding: rope}\n"
          "training: {steps: 12, batch: 8, lr: 3.0e-3, warmup: 2}\n"
          "evaluation: {examples: 30, every: 6}\n"
          "seed: 2\n", f);
    fclose(f);
    const char *plain_args[] = {"run", plain, "--results", results, NULL};
    ck_assert_int_eq(run_captured(cmd_run, plain_args, &out), 0);
    free(out);
    char cmd[1200], id22[64] = "", idp[64] = "";
    snprintf(cmd, sizeof cmd, "grep -l '^init_seed: 2$' $(grep -l '^data_seed: 2$' %s/seeds/runs/*/config.yaml) | head -1 | xargs dirname | xargs basename", results);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(fgets(id22, sizeof id22, p));
    pclose(p);
    id22[strcspn(id22, "\n")] = '\0';
    snprintf(cmd, sizeof cmd, "ls %s/plain/runs", results);
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(fgets(idp, sizeof idp, p));
    pclose(p);
    idp[strcspn(idp, "\n")] = '\0';
    ck_assert_str_ne(id22, idp);  // two runs
    const char *files[] = {"eval.csv", "final.ckpt"};
    for (int k = 0; k < 2; k++) {
        snprintf(a, sizeof a, "%s/seeds/runs/%s/%s", results, id22, files[k]);
        snprintf(b, sizeof b, "%s/plain/runs/%s/%s", results, idp, files[k]);
        ck_assert_msg(same_file(a, b), "%s differs", files[k]);
    }
    // One group in the summary: data_seed and init_seed are seeds, not group keys.
    snprintf(a, sizeof a, "%s/seeds/summary.csv", results);
    char *csv = slurp(a);
    ck_assert_msg(!strncmp(csv, "set,metric,n,", 13), "%s", csv);
    ck_assert_msg(strstr(csv, "\ntrain_length,accuracy,4,0,"), "%s", csv);
    remove_dir(dir);
}
END_TEST

// An experiment file of one rope run, with `extra` added to its training mapping.
static void write_one_rope(const char *path, const char *name, int steps,
                           const char *lr, const char *extra, const char *options) {
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "experiment: %s\n"
            "task:\n  name: indirect_indexing\n"
            "  options: {alphabet: 12, len_min: 6, len_max: 10, shift_max: 3}\n"
            "model: {d_model: 16, layers: 1, heads: 2, encoding: rope, encoding_options: {%s}}\n"
            "training: {steps: %d, batch: 8, lr: %s, lr_min: %s, warmup: 0%s}\n"
            "evaluation: {examples: 30, every: 0}\n",
            name, options, steps, lr, lr, extra);
    fclose(f);
}

// The final evaluation loss of set train_length in a run folder's eval.csv.
static double final_loss(const char *run_dir) {
    char path[1000];
    snprintf(path, sizeof path, "%s/eval.csv", run_dir);
    const char *text = slurp(path), *at = strstr(text, ",train_length,loss,");
    ck_assert_ptr_nonnull(at);
    return strtod(at + strlen(",train_length,loss,"), NULL);
}

// Fine-tuning (training.init_from): a run started from a finished run's weights, with a
// learning rate too small to move them (1e-12), ends where the source ended: its final loss
// is the source's; started afresh it is not. The source may be named by its run id or by a
// checkpoint path, the encoding's options may differ (RoPE's base here, with the same
// weights: another loss), and the run id includes the source. An unfinished source, or a
// model of another shape, is refused before the sweep starts.
START_TEST(test_run_init_from) {
    char dir[256], src_yaml[300], ft_yaml[300], results[300], extra[900], *out;
    temp_dir(dir, sizeof dir, "initfrom");
    snprintf(src_yaml, sizeof src_yaml, "%s/src.yaml", dir);
    snprintf(ft_yaml, sizeof ft_yaml, "%s/ft.yaml", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    write_one_rope(src_yaml, "ft", 60, "1.0e-2", "", "");
    char id[17];
    first_job(src_yaml, results, id);
    // Before the source has run: refused up front.
    snprintf(extra, sizeof extra, ", init_from: %s", id);
    write_one_rope(ft_yaml, "ft", 1, "1.0e-12", extra, "");
    const char *ft[] = {"run", ft_yaml, "--results", results, NULL};
    ck_assert_int_eq(run_captured(cmd_run, ft, &out), 2);
    ck_assert_msg(strstr(out, "training.init_from: run ") && strstr(out, "has no finished model"),
                  "%s", out);
    free(out);
    const char *src[] = {"run", src_yaml, "--results", results, NULL};
    ck_assert_int_eq(run_captured(cmd_run, src, &out), 0);
    free(out);
    char src_dir[700], ft_dir[700], ft_id[17];
    snprintf(src_dir, sizeof src_dir, "%s/ft/runs/%s", results, id);
    const double source = final_loss(src_dir);
    ck_assert_int_eq(run_captured(cmd_run, ft, &out), 0);
    free(out);
    first_job(ft_yaml, dir, ft_id);  // its id, listed against an empty results folder
    ck_assert_str_ne(ft_id, id);
    snprintf(ft_dir, sizeof ft_dir, "%s/ft/runs/%s", results, ft_id);
    ck_assert_double_eq_tol(final_loss(ft_dir), source, 1e-6 * source);
    // The same by path, and with RoPE's base changed (the weights carried, the loss not).
    snprintf(extra, sizeof extra, ", init_from: %s/final.ckpt", src_dir);
    write_one_rope(ft_yaml, "ft_path", 1, "1.0e-12", extra, "");
    ck_assert_int_eq(run_captured(cmd_run, ft, &out), 0);
    free(out);
    first_job(ft_yaml, dir, ft_id);
    snprintf(ft_dir, sizeof ft_dir, "%s/ft_path/runs/%s", results, ft_id);
    ck_assert_double_eq_tol(final_loss(ft_dir), source, 1e-6 * source);
    write_one_rope(ft_yaml, "ft_base", 1, "1.0e-12", extra, "base: 100");
    ck_assert_int_eq(run_captured(cmd_run, ft, &out), 0);
    free(out);
    first_job(ft_yaml, dir, ft_id);
    snprintf(ft_dir, sizeof ft_dir, "%s/ft_base/runs/%s", results, ft_id);
    // (This small model uses positions little: the change is about 1e-4 nats, far above
    // the float noise of a deterministic evaluation.)
    ck_assert(fabs(final_loss(ft_dir) - source) > 1e-5);
    // Afresh (no init_from), the one tiny step leaves the initial loss, far from the source's.
    write_one_rope(ft_yaml, "fresh", 1, "1.0e-12", "", "");
    ck_assert_int_eq(run_captured(cmd_run, ft, &out), 0);
    free(out);
    first_job(ft_yaml, dir, ft_id);
    snprintf(ft_dir, sizeof ft_dir, "%s/fresh/runs/%s", results, ft_id);
    ck_assert(final_loss(ft_dir) > source + 0.1);
    // Another shape: refused when the run starts, naming both shapes.
    FILE *f = fopen(ft_yaml, "w");
    fprintf(f, "experiment: wide\ntask:\n  name: indirect_indexing\n"
               "  options: {alphabet: 12, len_min: 6, len_max: 10, shift_max: 3}\n"
               "model: {d_model: 32, layers: 1, heads: 2, encoding: rope}\n"
               "training: {steps: 1, batch: 8, init_from: %s/final.ckpt}\n"
               "evaluation: {examples: 30}\n", src_dir);
    fclose(f);
    ck_assert_int_eq(run_captured(cmd_run, ft, &out), 1);
    free(out);
    first_job(ft_yaml, dir, ft_id);
    snprintf(ft_dir, sizeof ft_dir, "%s/wide/runs/%s/log.txt", results, ft_id);
    ck_assert_msg(strstr(slurp(ft_dir), "d_model 16, 1 layers, 2 heads; this run's has 65, 32, 1, 2"),
                  "%s", slurp(ft_dir));
    remove_dir(dir);
}
END_TEST

// A books experiment on a synthetic corpus: datasets built once under data/, every length
// evaluated with loss, accuracy and perplexity.
// A finished run's data as its source plans it and as it opens agree (names, widths), and
// posbench attn's opener serves each set: every one of its sequences with its scored length.
static void check_plan_and_inspect(const char *results, const char *id) {
    char run_dir[600], err[1024];
    snprintf(run_dir, sizeof run_dir, "%s/tiny/runs/%s", results, id);
    inspected x;
    ck_assert_msg(inspect_open(&x, run_dir, NULL, err, sizeof err) == 0, "%s", err);
    run_plan plan;
    ck_assert_int_eq(run_source_of(x.cfg.task)->plan(&x.cfg, &plan, err, sizeof err), 0);
    ck_assert_int_eq(plan.n_sets, x.data.n_evals);
    ck_assert_int_eq(plan.vocab, x.data.vocab);
    for (int i = 0; i < plan.n_sets; i++) {
        ck_assert_str_eq(plan.names[i], x.data.evals[i].name);
        ck_assert_int_eq(plan.widths[i], x.data.evals[i].width);
        ck_assert_int_eq(inspect_select_set(&x, plan.names[i], err, sizeof err), 0);
        ck_assert_str_eq(x.set, plan.names[i]);
        ck_assert_uint_eq(x.n, (size_t)x.cfg.eval_examples);
        batch *b = batch_create(4, x.width);
        int valid[4];
        inspect_fill_batch(&x, b, x.n - 2, valid);  // two sequences, then padding rows
        ck_assert_int_eq(valid[0], x.width);
        ck_assert_int_eq(valid[1], x.width);
        ck_assert_int_eq(valid[2], 0);
        batch_free(b);
    }
    ck_assert_int_ne(inspect_select_set(&x, "len_17", err, sizeof err), 0);
    ck_assert_str_eq(err, "the run has no evaluation set 'len_17'");
    inspect_close(&x);
}

// Sliding-window rows (evaluation.sliding_stride) for the books sets longer than the
// training windows only, consistent among themselves; the key refused for a task run and for
// a stride longer than the training windows.
START_TEST(test_run_books_sliding) {
    char dir[256], corpus[300], yaml[300], results[300], path[800], err[256], *out;
    temp_dir(dir, sizeof dir, "slide");
    snprintf(corpus, sizeof corpus, "%s/corpus", dir);
    snprintf(yaml, sizeof yaml, "%s/books.yaml", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    ck_assert_msg(books_synth_corpus(corpus, 3, 6000, 1, err, sizeof err) == 0, "%s", err);
    for (int stride = 8; stride <= 32; stride += 24) {
        FILE *f = fopen(yaml, "w");
        fprintf(f,
                "experiment: tiny\n"
                "task: {name: books, options: {corpus: %s, seq_len: 16, eval_mult: [1, 3]}}\n"
                "model: {d_model: 16, layers: 1, heads: 2, encoding: rope}\n"
                "training: {steps: 4, batch: 4, warmup: 1}\n"
                "evaluation: {examples: 10, sliding_stride: %d}\n",
                corpus, stride);
        fclose(f);
        const char *args[] = {"run", yaml, "--results", results, NULL};
        const int rc = run_captured(cmd_run, args, &out);
        if (stride == 32) {  // longer than the training windows of 16: refused up front
            ck_assert_int_eq(rc, 2);
            ck_assert_msg(strstr(out, "evaluation.sliding_stride: 32 is longer than the "
                                      "training windows (16)"), "%s", out);
            free(out);
            break;
        }
        ck_assert_msg(rc == 0, "%s", out);
        free(out);
    }
    char names[16][256] = {{0}};
    ck_assert_int_ge(list_run_folders(results, names), 1);
    char id[17];
    first_job(yaml, dir, id);  // the stride-32 file's id: not this run
    for (int i = 0; i < 2 && names[i][0]; i++) {
        if (!strcmp(names[i], id)) continue;
        snprintf(path, sizeof path, "%s/tiny/runs/%.64s/eval.csv", results, names[i]);
        const char *eval = slurp(path);
        ck_assert_ptr_null(strstr(eval, "len_16,loss_sliding"));
        const char *at = strstr(eval, ",len_48,loss_sliding,");
        ck_assert_msg(at, "%s", eval);
        const double loss = strtod(at + strlen(",len_48,loss_sliding,"), NULL);
        at = strstr(eval, ",len_48,perplexity_sliding,");
        ck_assert_ptr_nonnull(at);
        ck_assert_double_eq_tol(strtod(at + strlen(",len_48,perplexity_sliding,"), NULL),
                                exp(loss), 1e-6 * exp(loss));
        at = strstr(eval, ",len_48,bits_per_byte_sliding,");
        ck_assert_ptr_nonnull(at);
        ck_assert_double_eq_tol(strtod(at + strlen(",len_48,bits_per_byte_sliding,"), NULL),
                                loss / log(2.0), 1e-6);
    }
    // Not for a task run.
    FILE *f = fopen(yaml, "w");
    fputs("experiment: x\ntask: {name: indirect_indexing}\nevaluation: {sliding_stride: 4}\n", f);
    fclose(f);
    const char *bad[] = {"run", yaml, "--results", results, NULL};
    ck_assert_int_eq(run_captured(cmd_run, bad, &out), 2);
    ck_assert_msg(strstr(out, "evaluation.sliding_stride: sliding windows are for books runs"),
                  "%s", out);
    free(out);
    remove_dir(dir);
}
END_TEST

START_TEST(test_run_books) {
    char dir[256], corpus[300], yaml[300], results[300], path[5000];
    temp_dir(dir, sizeof dir, "books");
    snprintf(corpus, sizeof corpus, "%s/corpus", dir);
    snprintf(yaml, sizeof yaml, "%s/books.yaml", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    char err[256];
    ck_assert_msg(books_synth_corpus(corpus, 3, 6000, 1, err, sizeof err) == 0, "%s", err);
    FILE *f = fopen(yaml, "w");
    fprintf(f,
            "experiment: tiny\n"
            "task: {name: books, options: {corpus: %s, seq_len: 16, eval_mult: [1, 3]}}\n"
            "model: {d_model: 16, layers: 1, heads: 2}\n"
            "training: {steps: 6, batch: 4, warmup: 1}\n"
            "evaluation: {examples: 10, every: 3}\n"
            "sweep: {model.encoding: [rope, tapa]}\n",
            corpus);
    fclose(f);
    run_ok(yaml, results);
    char names[16][256];
    ck_assert_int_eq(list_run_folders(results, names), 2);
    snprintf(path, sizeof path, "%s/tiny/runs/%s/eval.csv", results, names[0]);
    char *eval = strdup(slurp(path));  // slurp reuses its buffer: positions.csv comes next
    ck_assert_ptr_nonnull(strstr(eval, "\n3,len_16,loss,"));
    ck_assert_ptr_nonnull(strstr(eval, "\n6,len_48,accuracy,"));
    ck_assert_ptr_nonnull(strstr(eval, "\n6,len_48,perplexity,"));
    // Per evaluation: len_16 loss, accuracy, perplexity, bits_per_byte; len_48 also the three
    // *_beyond rows (positions past the training length 16).
    ck_assert_int_eq(count_lines(eval), 1 + 2 * (4 + 7));
    ck_assert_ptr_null(strstr(eval, "len_16,loss_beyond"));
    // Loss per position: every position of both lengths, and weighted by their counts they
    // give back the set's loss in eval.csv.
    double final_loss;
    ck_assert_int_eq(sscanf(strstr(eval, "\n6,len_48,loss,") + 15, "%lf", &final_loss), 1);
    snprintf(path, sizeof path, "%s/tiny/runs/%s/positions.csv", results, names[0]);
    char *pos = slurp(path);
    ck_assert(strncmp(pos, "set,position,loss,count\n", 24) == 0);
    ck_assert_int_eq(count_lines(pos), 1 + 16 + 48);
    double sum = 0, sum_beyond = 0, final_beyond, bpb;
    long total = 0, total_beyond = 0;
    for (char *line = strstr(pos, "\nlen_48,"); line; line = strstr(line + 1, "\nlen_48,")) {
        int t;
        double loss;
        long count;
        ck_assert_int_eq(sscanf(line + 8, "%d,%lf,%ld", &t, &loss, &count), 3);
        sum += loss * count;
        total += count;
        if (t >= 16) sum_beyond += loss * count, total_beyond += count;
    }
    ck_assert_int_eq(total, 48 * 10);  // 10 windows of 48 scored bytes
    ck_assert_double_eq_tol(sum / total, final_loss, 1e-5);
    ck_assert_int_eq(total_beyond, 32 * 10);
    ck_assert_int_eq(sscanf(strstr(eval, "\n6,len_48,loss_beyond,") + 22, "%lf", &final_beyond), 1);
    ck_assert_double_eq_tol(sum_beyond / total_beyond, final_beyond, 1e-5);
    ck_assert_int_eq(sscanf(strstr(eval, "\n6,len_48,bits_per_byte,") + 24, "%lf", &bpb), 1);
    ck_assert_double_eq_tol(bpb, final_loss / log(2.0), 1e-6);
    free(eval);
    check_plan_and_inspect(results, names[0]);
    remove_dir(dir);
}
END_TEST

// make_dirs is mkdir -p: missing parents are created, existing folders are fine, a file in
// the way is an error naming the path.
// The scheduler without a command line: six runs two at a time, then a sweep in which one
// run cannot make its folder (a file is in the way) reports exactly that one as failed.
START_TEST(test_sweep_execute_direct) {
    char dir[256], yaml[300], results[300], err[1024], path[2200];
    temp_dir(dir, sizeof dir, "sweep");
    snprintf(yaml, sizeof yaml, "%s/tiny.yaml", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    write_experiment(yaml, 8, "1.0e-3", "1.0");
    experiment e;
    run_config *runs;
    size_t n, *pending, n_pending;
    ck_assert_int_eq(experiment_load(yaml, &e, err, sizeof err), 0);
    ck_assert_int_eq(experiment_expand(&e, &runs, &n, err, sizeof err), 0);
    ck_assert_int_eq(sweep_pending(runs, n, results, &pending, &n_pending, err, sizeof err), 0);
    ck_assert_uint_eq(n_pending, 6);
    ck_assert_int_eq(sweep_can_start(runs, pending, n_pending, results, stderr), 1);
    FILE *out = tmpfile();
    sweep_outcome o;
    ck_assert_int_eq(sweep_execute(runs, n, pending, n_pending, results, 2, out, &o, err,
                                   sizeof err), 0);
    ck_assert_uint_eq(o.finished, 6);
    ck_assert_uint_eq(o.failed, 0);
    ck_assert_int_eq(o.interrupted, 0);
    fclose(out);
    free(pending);
    ck_assert_int_eq(sweep_pending(runs, n, results, &pending, &n_pending, err, sizeof err), 0);
    ck_assert_uint_eq(n_pending, 0);
    free(pending);

    char other[300];
    snprintf(other, sizeof other, "%s/other", dir);
    run_dir(&runs[3], other, path, sizeof path);
    char parent[2200];
    snprintf(parent, sizeof parent, "%s", path);
    *strrchr(parent, '/') = '\0';
    ck_assert_int_eq(make_dirs(parent, err, sizeof err), 0);
    FILE *blocker = fopen(path, "w");
    ck_assert_ptr_nonnull(blocker);
    fclose(blocker);
    ck_assert_int_eq(sweep_pending(runs, n, other, &pending, &n_pending, err, sizeof err), 0);
    out = tmpfile();
    // The failing child says why on stderr; keep the test's output clean.
    fflush(stderr);
    const int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    const int rc = sweep_execute(runs, n, pending, n_pending, other, 2, out, &o, err, sizeof err);
    dup2(saved, 2);
    close(saved);
    close(devnull);
    ck_assert_int_eq(rc, 1);
    ck_assert_uint_eq(o.finished, 6);
    ck_assert_uint_eq(o.failed, 1);
    ck_assert_str_eq(err, "1 run(s) failed; see their log.txt");
    fclose(out);
    free(pending);
    free(runs);
    experiment_free(&e);
    remove_dir(dir);
}
END_TEST

START_TEST(test_make_dirs) {
    char root[] = "/tmp/posbench_dirs_XXXXXX", path[128], err[256];
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(path, sizeof path, "%s/a/b/c/", root);
    ck_assert_int_eq(make_dirs(path, err, sizeof err), 0);
    ck_assert_int_eq(make_dirs(path, err, sizeof err), 0);
    struct stat st;
    ck_assert(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    snprintf(path, sizeof path, "%s/a/file", root);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    char below[160], msg[400];
    snprintf(below, sizeof below, "%s/x", path);
    ck_assert_int_eq(make_dirs(below, err, sizeof err), -1);
    snprintf(msg, sizeof msg, "%s: cannot create folder: Not a directory", below);
    ck_assert_str_eq(err, msg);
    remove_tree(root);
}
END_TEST

Suite *suite_run(void) {
    Suite *s = suite_create("run");
    TCase *tc = tcase_create("run");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_run_end_to_end);
    tcase_add_test(tc, test_run_resume_after_kill);
    tcase_add_test(tc, test_run_divergence_recorded);
    tcase_add_test(tc, test_run_early_stop);
    tcase_add_test(tc, test_jobs_lists_pending);
    tcase_add_test(tc, test_run_books);
    tcase_add_test(tc, test_run_books_sliding);
    tcase_add_loop_test(tc, test_run_interrupt, 0, 2);  // SIGINT, then SIGTERM
    tcase_add_test(tc, test_sweep_execute_direct);
    tcase_add_test(tc, test_run_lock_held_elsewhere);
    tcase_add_test(tc, test_run_resume_point);
    tcase_add_test(tc, test_run_separate_seeds);
    tcase_add_test(tc, test_run_init_from);
    tcase_add_loop_test(tc, test_run_only_interrupted, 0, 2);
    tcase_add_test(tc, test_make_dirs);
    suite_add_tcase(s, tc);
    return s;
}
