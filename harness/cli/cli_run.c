#include "harness/cli/cli_run.h"

#include <getopt.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encodings/encoding.h"
#include "harness/analysis/summary.h"
#include "harness/base/dirs.h"
#include "harness/base/errors.h"
#include "harness/cli/cli_args.h"
#include "harness/experiment/config.h"
#include "harness/experiment/run.h"
#include "harness/experiment/selection.h"
#include "harness/experiment/sweep.h"

static const char RUN_USAGE[] =
    "usage: posbench run EXPERIMENT.yaml [-j N] [--results DIR] [--only ID]\n"
    "                    [--encoding-plugin F.so]...\n"
    "Runs every point of the experiment's sweep that is not done yet, N at a time as separate\n"
    "processes (default: cores / training.threads), each in DIR/<experiment>/runs/<id>/\n"
    "(DIR defaults to results), then writes the summary over seeds. Interrupted sweeps\n"
    "continue where they stopped. --only runs one run in the foreground.\n"
    "With a selection block, the selection runs come first (in DIR/<experiment>.selection),\n"
    "then each group's chosen value goes to DIR/<experiment>/selection.csv and the sweep runs\n"
    "at it.\n"
    "It prints: a first line with the runs, how many are done and how many run at a time;\n"
    "while they train, a status line with each running run's step and loss and the sweep's\n"
    "ETA (rewritten in place on a terminal); a line per finished run with its id, swept\n"
    "values and time; then where summary.csv went (posbench summary prints it as a table)\n"
    "and how many stale runs it left out. Each run's own progress goes to its log.txt.\n"
    "Exit status: 0 when every run is done or is being trained by another process (the\n"
    "closing line counts those), 1 when a run failed (its log.txt says why), 2 for an\n"
    "experiment file that cannot run, 130 when stopped by a signal.\n"
    "--encoding-plugin loads an encoding from a shared object first (repeatable), so that\n"
    "model.encoding may name it (posbench check-encoding --help).\n";

static const char JOBS_USAGE[] =
    "usage: posbench jobs EXPERIMENT.yaml [--results DIR] [--encoding-plugin F.so]...\n"
    "Prints one shell command per pending run, e.g. for GNU parallel or a Slurm job array on\n"
    "machines that share the results folder. With a selection block: the selection runs'\n"
    "while any is pending, then (run jobs again) the sweep's at the chosen values.\n";

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
                if (a->n_plugins == MAX_PLUGINS) set_error(err, sizeof err, "too many plugins");
                fprintf(stderr, "posbench: %s: %s\n", argv[0], err);
                return 2;
            }
            a->plugins[a->n_plugins++] = optarg;
            break;
        }
        case 'h': fputs(usage, stdout); return 1;
        default:
        bad:
            return cli_bad_option(argv[0], argv[optind - 1]);
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

void cli_write_summary(const char *results, const char *name) {
    char dir[2048], path[2100], comparisons[2100], err[1024];
    snprintf(dir, sizeof dir, "%s/%s", results, name);
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    snprintf(comparisons, sizeof comparisons, "%s/comparisons.csv", dir);
    summary *s = summary_compute(dir, SUMMARY_SUCCESS_AT, err, sizeof err);
    if (!s || summary_write_csv(s, path, err, sizeof err) != 0 ||
        summary_write_comparisons_csv(s, comparisons, err, sizeof err) != 0) {
        fprintf(stderr, "posbench: summary: %s\n", err);
    } else {
        printf("wrote %s (posbench summary %s prints it as a table)", path, dir);
        if (s->n_stale)
            printf("; %d stale run%s left out (folders of runs the experiment file no longer "
                   "has)", s->n_stale, s->n_stale == 1 ? "" : "s");
        putchar('\n');
    }
    summary_free(s);
}

// Set by SIGINT/SIGTERM during `run --only`: the run stops after its current step.
static volatile sig_atomic_t only_stop;

static void on_only_signal(int sig) { only_stop = sig; }

// `run --only ID` in the foreground: 0 done (or trained by another process), 1 failed, 130
// stopped by a signal, with no partial file left behind (the path jobs and Slurm use).
static int run_only(const run_config *r, const char *results, const char *id) {
    struct sigaction sa = {.sa_handler = on_only_signal}, old_int, old_term;
    only_stop = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    char err[1024];
    const int rc = run_execute(r, results, stdout, &only_stop, err, sizeof err);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    switch (rc) {
    case RUN_FINISHED: return 0;
    case RUN_BUSY:
        printf("posbench: run: %s is being trained by another process (it holds the run's "
               "lock); nothing to do here\n", id);
        return 0;
    case RUN_INTERRUPTED:
        fprintf(stderr, "posbench: run: %s interrupted; run the same command to go on (from "
                        "its last resume point, training.checkpoint_every, or from the start)\n",
                id);
        return 130;
    default: fprintf(stderr, "posbench: %s\n", err); return 1;
    }
}

// The index of the run with id among runs[0..n), or n.
static size_t find_run(const run_config *runs, size_t n, const char *id) {
    char each[17];
    for (size_t i = 0; i < n; i++) {
        run_config_id(&runs[i], each);
        if (!strcmp(each, id)) return i;
    }
    return n;
}

// Runs what is pending of runs[0..n) in a sweep (-j jobs); 0, or the sweep's status (after
// saying why). what names the stage in the first line.
static int run_stage(const run_config *runs, size_t n, const run_args *a, int jobs,
                     const char *what, sweep_outcome *out) {
    size_t *pending, n_pending;
    char err[1024];
    *out = (sweep_outcome){0};
    if (sweep_pending(runs, n, a->results, &pending, &n_pending, err, sizeof err) != 0) {
        fprintf(stderr, "posbench: run: %s\n", err);
        return 1;
    }
    if (!sweep_can_start(runs, pending, n_pending, a->results, stderr)) {
        free(pending);
        return 2;
    }
    printf("%s: %zu runs, %zu done, %zu to run, %d at a time; logs in %s/%s/runs/<id>/log.txt\n",
           what, n, n - n_pending, n_pending, jobs, a->results, runs[0].experiment);
    fflush(stdout);
    const int status = sweep_execute(runs, n, pending, n_pending, a->results, jobs, stdout, out,
                                     err, sizeof err);
    if (out->interrupted)
        fprintf(stderr, "posbench: run: interrupted; %zu of %zu runs done, run the same command "
                        "to continue\n", out->finished - out->failed - out->busy, n_pending);
    else if (status != 0)
        fprintf(stderr, "posbench: run: %s\n", err);
    free(pending);
    return status;
}

// An experiment with a selection block: its selection runs first (in the experiment
// "<name>.selection"), then each group's chosen value (selection.csv), and *runs becomes the
// sweep at those values. With --only, a selection run's id runs that run alone (*done set).
// 0 to go on with *runs, else the exit status.
static int select_first(const run_args *a, const experiment *e, int jobs, run_config **runs,
                        size_t *n, int *done) {
    run_config *sel;
    size_t n_sel;
    char err[3000];
    *done = 0;
    if (experiment_expand_selection(e, &sel, &n_sel, err, sizeof err) != 0) {
        fprintf(stderr, "posbench: %s\n", err);
        return 2;
    }
    char dir[2200];
    snprintf(dir, sizeof dir, "%s/%s", a->results, sel[0].experiment);
    int status = make_dirs(dir, err, sizeof err) ||
                         run_write_manifest(sel, n_sel, a->results, err, sizeof err)
                     ? (fprintf(stderr, "posbench: run: %s\n", err), 1)
                     : 0;
    const size_t i = status == 0 && a->only ? find_run(sel, n_sel, a->only) : n_sel;
    if (status == 0 && i < n_sel) {
        *done = 1;
        status = sweep_can_start(sel, &i, 1, a->results, stderr) ? run_only(&sel[i], a->results,
                                                                            a->only)
                                                                  : 2;
    } else if (status == 0 && !a->only) {
        sweep_outcome out;
        status = run_stage(sel, n_sel, a, jobs, "selection", &out);
        if (status == 0 && out.busy) status = 1;  // trained elsewhere: not chosen from yet
    }
    char (*chosen)[CONFIG_VALUE_LEN] = status || *done ? NULL : calloc(*n, sizeof *chosen);
    if (status == 0 && !*done && !chosen) status = (fprintf(stderr, "posbench: out of memory\n"), 1);
    if (chosen && selection_choose(e, *runs, *n, sel, n_sel, a->results, chosen, err,
                                   sizeof err) != 0) {
        fprintf(stderr, "posbench: run: %s (posbench run %s trains the selection runs first)\n",
                err, a->file);
        status = 1;
    }
    if (chosen && status == 0) {
        run_config *selected;
        size_t n_selected;
        if (experiment_expand_selected(e, chosen, &selected, &n_selected, err, sizeof err)) {
            fprintf(stderr, "posbench: %s\n", err);
            status = 2;
        } else {
            printf("selection: each group's %s in %s/%s/selection.csv\n",
                   e->selection.grid.path, a->results, e->base.experiment);
            free(*runs);
            *runs = selected;
            *n = n_selected;
        }
    }
    free(chosen);
    free(sel);
    return status;
}

int cmd_run(int argc, char **argv) {
    run_args a;
    int rc = parse(argc, argv, &a, 1, RUN_USAGE);
    if (rc) return rc == 1 ? 0 : rc;
    experiment e;
    run_config *runs;
    size_t n;
    if (load(a.file, &e, &runs, &n) != 0) return 2;
    const int threads = e.base.threads > 0 ? e.base.threads : 1;
    int jobs = a.jobs ? a.jobs : omp_get_num_procs() / threads;
    if (jobs < 1) jobs = 1;
    // Every run writes below results/<experiment>: when that folder cannot be made (a file in
    // the way, a read-only mount), say so once (an output that cannot be written: exit 1)
    // rather than fail every run.
    char exp_dir[2048], dir_err[2200];
    snprintf(exp_dir, sizeof exp_dir, "%s/%s", a.results, e.base.experiment);
    if (make_dirs(exp_dir, dir_err, sizeof dir_err) != 0) {
        fprintf(stderr, "posbench: run: %s\n", dir_err);
        free(runs);
        experiment_free(&e);
        return 1;
    }
    if (e.selection.on) {
        int only_done;
        const int st = select_first(&a, &e, jobs, &runs, &n, &only_done);
        if (st != 0 || only_done) {
            free(runs);
            experiment_free(&e);
            return st;
        }
    }
    // The experiment's current runs, so that folders of runs an edited file no longer has
    // are told apart from its own (the summary leaves them out).
    char manifest_err[2300];
    if (run_write_manifest(runs, n, a.results, manifest_err, sizeof manifest_err) != 0) {
        fprintf(stderr, "posbench: run: %s\n", manifest_err);
        free(runs);
        experiment_free(&e);
        return 1;
    }
    int status = 0;
    if (a.only) {
        size_t i = find_run(runs, n, a.only);
        if (i == n) {
            fprintf(stderr, "posbench: run: %s has no run with id '%s' (posbench jobs lists them)\n",
                    a.file, a.only);
            status = 2;
        } else if (!sweep_can_start(runs, &i, 1, a.results, stderr)) {
            status = 2;
        } else {
            status = run_only(&runs[i], a.results, a.only);
        }
        free(runs);
        experiment_free(&e);
        return status;
    }
    sweep_outcome out;
    status = run_stage(runs, n, &a, jobs, a.file, &out);
    if (out.busy)
        printf("%zu run%s skipped: another process is training %s (it holds the run's lock)\n",
               out.busy, out.busy == 1 ? "" : "s", out.busy == 1 ? "it" : "them");
    // A summary once something is there to summarise (not after an interruption).
    if ((status == 0 || status == 1) && !out.interrupted &&
        (out.finished == 0 || out.finished > out.failed))
        cli_write_summary(a.results, e.base.experiment);
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
    // With a selection block: its pending selection runs while there are any, then the
    // sweep's at the chosen values.
    if (e.selection.on) {
        run_config *sel;
        size_t n_sel, pending = 0;
        char err[3000];
        if (experiment_expand_selection(&e, &sel, &n_sel, err, sizeof err) != 0) {
            fprintf(stderr, "posbench: %s\n", err);
            free(runs);
            experiment_free(&e);
            return 2;
        }
        for (size_t i = 0; i < n_sel; i++) pending += !run_is_done(&sel[i], a.results);
        char (*chosen)[CONFIG_VALUE_LEN] = pending ? NULL : calloc(n, sizeof *chosen);
        run_config *selected = NULL;
        size_t n_selected = 0;
        if (pending) {
            free(runs);
            runs = sel, n = n_sel, sel = NULL;
        } else if (!chosen ||
                   selection_choose(&e, runs, n, sel, n_sel, a.results, chosen, err,
                                    sizeof err) != 0 ||
                   experiment_expand_selected(&e, chosen, &selected, &n_selected, err,
                                              sizeof err) != 0) {
            fprintf(stderr, "posbench: jobs: %s\n", chosen ? err : "out of memory");
            free(chosen), free(sel), free(runs);
            experiment_free(&e);
            return 1;
        } else {
            free(runs);
            runs = selected, n = n_selected;
        }
        free(chosen);
        free(sel);
    }
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
