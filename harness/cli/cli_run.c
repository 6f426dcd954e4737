#include "harness/cli/cli_run.h"

#include <getopt.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "encodings/encoding.h"
#include "harness/analysis/summary.h"
#include "harness/base/dirs.h"
#include "harness/experiment/config.h"
#include "harness/experiment/run.h"
#include "harness/experiment/run_data.h"

static const char RUN_USAGE[] =
    "usage: posbench run EXPERIMENT.yaml [-j N] [--results DIR] [--only ID]\n"
    "                    [--encoding-plugin F.so]...\n"
    "Runs every point of the experiment's sweep that is not done yet, N at a time as separate\n"
    "processes (default: cores / training.threads), each in DIR/<experiment>/runs/<id>/\n"
    "(DIR defaults to results), then writes and prints the summary over seeds. Interrupted\n"
    "sweeps continue where they stopped. --only runs one run in the foreground.\n"
    "--encoding-plugin loads an encoding from a shared object first (repeatable), so that\n"
    "model.encoding may name it (posbench check-encoding --help).\n";

static const char JOBS_USAGE[] =
    "usage: posbench jobs EXPERIMENT.yaml [--results DIR] [--encoding-plugin F.so]...\n"
    "Prints one shell command per pending run, e.g. for GNU parallel or a Slurm job array on\n"
    "machines that share the results folder.\n";

// Set by SIGINT/SIGTERM: the sweep stops its runs and says how to continue.
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig) { interrupted = sig; }

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#define MAX_PLUGINS 8

typedef struct run_args {
    const char *file, *results, *only;
    const char *plugins[MAX_PLUGINS];
    int jobs, n_plugins;
} run_args;

// 0 to go on, 1 after --help, 2 on a usage error.
static int parse(int argc, char **argv, run_args *a, int allow_jobs, const char *usage) {
    *a = (run_args){.results = "results"};
    static const struct option opts[] = {{"results", 1, 0, 'r'}, {"only", 1, 0, 'o'},
                                         {"jobs", 1, 0, 'j'},    {"help", 0, 0, 'h'},
                                         {"encoding-plugin", 1, 0, 'p'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, allow_jobs ? "j:h" : "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': a->results = optarg; break;
        case 'o':
            if (!allow_jobs) goto bad;
            a->only = optarg;
            break;
        case 'j': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (!allow_jobs || end == optarg || *end || v < 1 || v > 1024) {
                fprintf(stderr, "posbench: %s: -j expects an integer in [1, 1024], got '%s'\n",
                        argv[0], optarg);
                return 2;
            }
            a->jobs = (int)v;
            break;
        }
        case 'p': {
            char err[512];
            if (a->n_plugins == MAX_PLUGINS || !pe_load_plugin(optarg, err, sizeof err)) {
                if (a->n_plugins == MAX_PLUGINS) snprintf(err, sizeof err, "too many plugins");
                fprintf(stderr, "posbench: %s: %s\n", argv[0], err);
                return 2;
            }
            a->plugins[a->n_plugins++] = optarg;
            break;
        }
        case 'h': fputs(usage, stdout); return 1;
        default:
        bad:
            fprintf(stderr, "posbench: %s: unknown or incomplete option '%s' (see --help)\n",
                    argv[0], argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "posbench: %s: expects one experiment file (see --help)\n", argv[0]);
        return 2;
    }
    a->file = argv[optind];
    return 0;
}

static int load(const char *file, experiment *e, run_config **runs, size_t *n) {
    char err[1024];
    if (experiment_load(file, e, err, sizeof err) != 0 ||
        (experiment_expand(e, runs, n, err, sizeof err) != 0 && (experiment_free(e), 1))) {
        fprintf(stderr, "posbench: %s\n", err);
        return -1;
    }
    return 0;
}

// What would fail only after training (an evaluation length the encoding cannot serve, a
// batch too big for memory, a missing corpus) is checked for every run to start, before any
// starts: 1 when all can, else 0 after naming each that cannot.
static int runs_can_start(const run_config *runs, const size_t *which, size_t n) {
    int ok = 1;
    for (size_t k = 0; k < n; k++) {
        char err[1024], id[17], point[512];
        if (run_data_check(&runs[which[k]], err, sizeof err) == 0) continue;
        run_config_id(&runs[which[k]], id);
        run_config_sweep_text(&runs[which[k]], point, sizeof point);
        fprintf(stderr, "posbench: run: %s%s%s: %s\n", id, point[0] ? " " : "", point, err);
        ok = 0;
    }
    if (!ok) fprintf(stderr, "posbench: run: nothing was started\n");
    return ok;
}

// The child's side: one run, its progress in the run folder's log.txt.
static int child_run(const run_config *r, const char *results) {
    char dir[2048], log[2100], err[1024];
    if (run_make_dir(r, results, dir, sizeof dir, err, sizeof err) != 0) {
        fprintf(stderr, "posbench: %s\n", err);
        return 1;
    }
    snprintf(log, sizeof log, "%s/log.txt", dir);
    FILE *f = fopen(log, "w");
    int rc = run_execute(r, results, f, err, sizeof err);
    if (rc != 0) {
        if (f) fprintf(f, "posbench: %s\n", err);
        fprintf(stderr, "posbench: %s\n", err);
    }
    if (f) fclose(f);
    return rc == 0 ? 0 : 1;
}

static void describe(const run_config *r, char *buf, size_t len) {
    char id[17];
    run_config_id(r, id);
    char point[512];
    run_config_sweep_text(r, point, sizeof point);
    snprintf(buf, len, "%s %s", id, point);
}

// The step a running run has reached and its recent loss, from the last progress line
// ("step N/M  loss X ...") of its log.txt. 0 when found, -1 before the first line.
static int run_progress(const run_config *r, const char *results, int *step, double *loss) {
    char dir[2048], path[2100], tail[1024];
    run_dir(r, results, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/log.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, size > (long)sizeof tail - 1 ? size - (long)sizeof tail + 1 : 0, SEEK_SET);
    size_t n = fread(tail, 1, sizeof tail - 1, f);
    fclose(f);
    tail[n] = '\0';
    int found = -1, total;
    for (char *p = strstr(tail, "step "); p; p = strstr(p + 1, "step "))
        if (sscanf(p, "step %d/%d loss %lf", step, &total, loss) == 3) found = 0;
    return found;
}

// One status line for the whole sweep: runs done, the running runs' steps and an ETA from
// the steps trained so far. On a terminal it is rewritten in place every second; otherwise
// it is printed every 30 s.
typedef struct sweep_view {
    const run_config *runs;
    const char *results;
    const pid_t *pid_of;
    size_t n, n_pending, finished;
    long steps_total, steps_finished;
    double t0, last_print;
    int live;
} sweep_view;

static void show_status(sweep_view *v, double t) {
    if (v->live ? t - v->last_print < 1.0 : t - v->last_print < 30.0) return;
    v->last_print = t;
    char line[1024];
    int used = snprintf(line, sizeof line, "[%zu/%zu done]", v->finished, v->n_pending);
    long steps_done = v->steps_finished;
    for (size_t i = 0; i < v->n; i++) {
        if (!v->pid_of[i]) continue;
        int step = 0;
        double loss = 0;
        if (run_progress(&v->runs[i], v->results, &step, &loss) != 0) continue;
        steps_done += step;
        char point[256];
        run_config_sweep_text(&v->runs[i], point, sizeof point);
        if (used < (int)sizeof line)
            used += snprintf(line + used, sizeof line - used, " | %s: %d/%d loss %.3f", point,
                             step, v->runs[i].steps, loss);
    }
    const double elapsed = t - v->t0;
    if (steps_done > 0 && used < (int)sizeof line)
        snprintf(line + used, sizeof line - used, " | ETA %.0fs",
                 elapsed / steps_done * (v->steps_total - steps_done));
    printf(v->live ? "\r%s\033[K" : "%s\n", line);
    fflush(stdout);
}

void cli_write_summary(const char *results, const char *name) {
    char dir[2048], path[2100], err[1024];
    snprintf(dir, sizeof dir, "%s/%s", results, name);
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    summary *s = summary_compute(dir, SUMMARY_SUCCESS_AT, err, sizeof err);
    if (!s || summary_write_csv(s, path, err, sizeof err) != 0) {
        fprintf(stderr, "posbench: summary: %s\n", err);
    } else {
        printf("wrote %s (posbench summary %s prints it as a table)\n", path, dir);
    }
    summary_free(s);
}

int cmd_run(int argc, char **argv) {
    run_args a;
    int rc = parse(argc, argv, &a, 1, RUN_USAGE);
    if (rc) return rc == 1 ? 0 : rc;
    experiment e;
    run_config *runs;
    size_t n;
    if (load(a.file, &e, &runs, &n) != 0) return 2;
    // Every run writes below results/<experiment>: when that folder cannot be made (a file in
    // the way, a read-only mount), say so once with exit 2 rather than fail every run.
    char exp_dir[2048], dir_err[2200];
    snprintf(exp_dir, sizeof exp_dir, "%s/%s", a.results, e.base.experiment);
    if (make_dirs(exp_dir, dir_err, sizeof dir_err) != 0) {
        fprintf(stderr, "posbench: run: %s\n", dir_err);
        free(runs);
        experiment_free(&e);
        return 2;
    }
    int status = 0;
    if (a.only) {
        size_t i;
        char id[17];
        for (i = 0; i < n; i++) {
            run_config_id(&runs[i], id);
            if (!strcmp(id, a.only)) break;
        }
        if (i == n) {
            fprintf(stderr, "posbench: run: %s has no run with id '%s' (posbench jobs lists them)\n",
                    a.file, a.only);
            status = 2;
        } else if (!runs_can_start(runs, &i, 1)) {
            status = 2;
        } else {
            char err[1024];
            if (run_execute(&runs[i], a.results, stdout, err, sizeof err) != 0) {
                fprintf(stderr, "posbench: %s\n", err);
                status = 1;
            }
        }
        free(runs);
        experiment_free(&e);
        return status;
    }
    size_t *pending = malloc((n + 1) * sizeof *pending), n_pending = 0;
    for (size_t i = 0; pending && i < n; i++)
        if (!run_is_done(&runs[i], a.results)) pending[n_pending++] = i;
    if (pending && !runs_can_start(runs, pending, n_pending)) {
        free(pending);
        free(runs);
        experiment_free(&e);
        return 2;
    }
    int threads = e.base.threads > 0 ? e.base.threads : 1;
    int jobs = a.jobs ? a.jobs : omp_get_num_procs() / threads;
    if (jobs < 1) jobs = 1;
    printf("%s: %zu runs, %zu done, %zu to run, %d at a time; logs in %s/%s/runs/<id>/log.txt\n",
           a.file, n, n - n_pending, n_pending, jobs, a.results, e.base.experiment);
    fflush(stdout);
    pid_t *pid_of = calloc(n + 1, sizeof *pid_of);
    double *started = calloc(n + 1, sizeof *started);
    const double t0 = now();
    size_t next = 0, running = 0, finished = 0, failed = 0;
    sweep_view view = {.runs = runs, .results = a.results, .pid_of = pid_of, .n = n,
                       .n_pending = n_pending, .t0 = t0, .last_print = t0,
                       .live = isatty(fileno(stdout))};
    for (size_t k = 0; k < n_pending; k++) view.steps_total += runs[pending[k]].steps;
    struct sigaction sa = {.sa_handler = on_interrupt};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    while (pending && pid_of && started && (next < n_pending || running > 0)) {
        while (running < (size_t)jobs && next < n_pending) {
            const size_t i = pending[next++];
            fflush(stdout);
            pid_t pid = fork();
            if (pid == 0) {
                signal(SIGINT, SIG_DFL);  // a run stops at once; only the sweep reports
                signal(SIGTERM, SIG_DFL);
                _exit(child_run(&runs[i], a.results));
            }
            if (pid < 0) {
                perror("posbench: run: fork");
                status = 1;
                next = n_pending;
                break;
            }
            pid_of[i] = pid;
            started[i] = now();
            running++;
        }
        if (running == 0) break;
        if (interrupted) {
            // Unfinished runs start over on the next invocation; their temporary files go now.
            for (size_t i = 0; i < n; i++)
                if (pid_of[i]) kill(pid_of[i], SIGTERM);
            while (wait(NULL) > 0) {
            }
            for (size_t i = 0; i < n; i++)
                if (pid_of[i]) run_clear_partial(&runs[i], a.results);
            fprintf(stderr, "%sposbench: run: interrupted; %zu of %zu runs done, run the same "
                            "command to continue\n",
                    view.live ? "\r\033[K" : "", finished - failed, n_pending);
            status = 130;
            break;
        }
        int ws;
        pid_t pid = waitpid(-1, &ws, WNOHANG);
        if (pid < 0) break;
        if (pid == 0) {  // nothing finished: show progress, look again shortly
            show_status(&view, now());
            usleep(200000);
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            if (pid_of[i] != pid) continue;
            pid_of[i] = 0;
            running--;
            finished++;
            view.finished = finished;
            view.steps_finished += runs[i].steps;
            if (view.live) printf("\r\033[K");
            const int ok = WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
            failed += !ok;
            char what[600];
            describe(&runs[i], what, sizeof what);
            const double elapsed = now() - t0;
            const double eta = elapsed / finished * (n_pending - finished);
            printf("[%zu/%zu] %s %s in %.0fs; elapsed %.0fs, ETA %.0fs\n", finished, n_pending,
                   ok ? "finished" : "FAILED", what, now() - started[i], elapsed,
                   finished < n_pending ? eta : 0.0);
            fflush(stdout);
        }
    }
    if (failed && !interrupted) {
        fprintf(stderr, "posbench: run: %zu run(s) failed; see their log.txt\n", failed);
        status = 1;
    }
    if (!interrupted && (n_pending == 0 || finished > failed))
        cli_write_summary(a.results, e.base.experiment);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    free(pending);
    free(pid_of);
    free(started);
    free(runs);
    experiment_free(&e);
    return status;
}

int cmd_jobs(int argc, char **argv) {
    run_args a;
    int rc = parse(argc, argv, &a, 0, JOBS_USAGE);
    if (rc) return rc == 1 ? 0 : rc;
    experiment e;
    run_config *runs;
    size_t n;
    if (load(a.file, &e, &runs, &n) != 0) return 2;
    for (size_t i = 0; i < n; i++) {
        if (run_is_done(&runs[i], a.results)) continue;
        char id[17];
        run_config_id(&runs[i], id);
        printf("posbench run %s --results %s --only %s", a.file, a.results, id);
        for (int k = 0; k < a.n_plugins; k++) printf(" --encoding-plugin %s", a.plugins[k]);
        putchar('\n');
    }
    free(runs);
    experiment_free(&e);
    return 0;
}
