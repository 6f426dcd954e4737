#include "harness/experiment/sweep.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/base/errors.h"
#include "harness/experiment/run.h"
#include "harness/experiment/run_data.h"

// Set by SIGINT/SIGTERM: the sweep stops its runs and says how to continue.
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig) { interrupted = sig; }

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int sweep_pending(const run_config *runs, size_t n, const char *results, size_t **pending,
                  size_t *n_pending, char *err, size_t errlen) {
    *n_pending = 0;
    *pending = malloc((n + 1) * sizeof **pending);
    if (!*pending) return set_error(err, errlen, "out of memory listing %zu runs", n);
    for (size_t i = 0; i < n; i++)
        if (!run_is_done(&runs[i], results)) (*pending)[(*n_pending)++] = i;
    return 0;
}

int sweep_can_start(const run_config *runs, const size_t *which, size_t n, const char *results,
                    FILE *errs) {
    int ok = 1;
    for (size_t k = 0; k < n; k++) {
        char err[3000], id[17], point[512];
        if (run_data_check(&runs[which[k]], err, sizeof err) == 0 &&
            run_init_from_check(&runs[which[k]], results, err, sizeof err) == 0)
            continue;
        run_config_id(&runs[which[k]], id);
        run_config_sweep_text(&runs[which[k]], point, sizeof point);
        fprintf(errs, "posbench: run: %s%s%s: %s\n", id, point[0] ? " " : "", point, err);
        ok = 0;
    }
    if (!ok) fprintf(errs, "posbench: run: nothing was started\n");
    return ok;
}

// A child's exit status when another process holds the run's lock (run_execute's RUN_BUSY).
enum { EXIT_BUSY = 3 };

// The child's side: one run, its progress appended to the run folder's log.txt (appended:
// when another process holds the run, that process's lines stay as they are, and a run
// started again keeps the lines of its earlier attempts).
static int child_run(const run_config *r, const char *results) {
    char dir[2048], log[2100], err[1024];
    if (run_make_dir(r, results, dir, sizeof dir, err, sizeof err) != 0) {
        fprintf(stderr, "posbench: %s\n", err);
        return 1;
    }
    snprintf(log, sizeof log, "%s/log.txt", dir);
    FILE *f = fopen(log, "a");
    int rc = run_execute(r, results, f, NULL, err, sizeof err);
    if (rc == RUN_FAILED) {
        if (f) fprintf(f, "posbench: %s\n", err);
        fprintf(stderr, "posbench: %s\n", err);
    }
    if (f) fclose(f);
    return rc == RUN_FINISHED ? 0 : rc == RUN_BUSY ? EXIT_BUSY : 1;
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
    FILE *out;
    size_t n, n_pending, finished, busy;
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
    fprintf(v->out, v->live ? "\r%s\033[K" : "%s\n", line);
    fflush(v->out);
}

// Stops every running child, waits for them and removes their temporary files: unfinished
// runs start over on the next invocation.
static void stop_children(const run_config *runs, size_t n, const pid_t *pid_of,
                          const char *results) {
    for (size_t i = 0; i < n; i++)
        if (pid_of[i]) kill(pid_of[i], SIGTERM);
    while (wait(NULL) > 0) {
    }
    for (size_t i = 0; i < n; i++)
        if (pid_of[i]) run_clear_partial(&runs[i], results);
}

// Starts runs[i] in a child process: its pid, or -1.
static pid_t start_child(const run_config *runs, size_t i, const char *results, FILE *out) {
    fflush(out);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);  // a run stops at once; only the sweep reports
        signal(SIGTERM, SIG_DFL);
        _exit(child_run(&runs[i], results));
    }
    return pid;
}

// Reports the run that ended with wait status ws and updates the view. A run that another
// process is training counts as neither finished here nor failed.
static int report_end(sweep_view *v, size_t i, int ws, double started) {
    const int busy = WIFEXITED(ws) && WEXITSTATUS(ws) == EXIT_BUSY;
    const int ok = busy || (WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    v->busy += busy;
    v->finished++;
    v->steps_finished += v->runs[i].steps;
    if (v->live) fprintf(v->out, "\r\033[K");
    char what[600];
    describe(&v->runs[i], what, sizeof what);
    const double t = now(), elapsed = t - v->t0;
    const double eta = elapsed / v->finished * (v->n_pending - v->finished);
    fprintf(v->out, "[%zu/%zu] %s %s in %.0fs; elapsed %.0fs, ETA %.0fs\n", v->finished,
            v->n_pending,
            busy ? "skipped (another process is training it)" : ok ? "finished" : "FAILED", what,
            t - started, elapsed, v->finished < v->n_pending ? eta : 0.0);
    fflush(v->out);
    return ok;
}

int sweep_execute(const run_config *runs, size_t n, const size_t *pending, size_t n_pending,
                  const char *results, int jobs, FILE *out, sweep_outcome *outcome, char *err,
                  size_t errlen) {
    *outcome = (sweep_outcome){0};
    pid_t *pid_of = calloc(n + 1, sizeof *pid_of);
    double *started = calloc(n + 1, sizeof *started);
    if (!pid_of || !started) {
        free(pid_of);
        free(started);
        set_error(err, errlen, "out of memory scheduling %zu runs", n);
        return 1;
    }
    if (jobs < 1) jobs = 1;
    const double t0 = now();
    sweep_view view = {.runs = runs, .results = results, .pid_of = pid_of, .out = out, .n = n,
                       .n_pending = n_pending, .t0 = t0, .last_print = t0,
                       .live = isatty(fileno(out))};
    for (size_t k = 0; k < n_pending; k++) view.steps_total += runs[pending[k]].steps;
    interrupted = 0;
    struct sigaction sa = {.sa_handler = on_interrupt}, old_int, old_term;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    size_t next = 0, running = 0;
    int status = 0;
    while (next < n_pending || running > 0) {
        while (running < (size_t)jobs && next < n_pending && !interrupted) {
            const size_t i = pending[next];
            const pid_t pid = start_child(runs, i, results, out);
            if (pid < 0) {
                set_error(err, errlen, "cannot start a run: fork: %s", strerror(errno));
                status = 1;
                next = n_pending;
                break;
            }
            next++;
            pid_of[i] = pid;
            started[i] = now();
            running++;
        }
        if (running == 0) break;
        if (interrupted) {
            stop_children(runs, n, pid_of, results);
            if (view.live) fprintf(out, "\r\033[K");
            outcome->interrupted = interrupted;
            status = 130;
            break;
        }
        int ws;
        const pid_t pid = waitpid(-1, &ws, WNOHANG);
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
            outcome->failed += !report_end(&view, i, ws, started[i]);
        }
    }
    outcome->finished = view.finished;
    outcome->busy = view.busy;
    if (status == 0 && outcome->failed) {
        set_error(err, errlen, "%zu run(s) failed; see their log.txt", outcome->failed);
        status = 1;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    free(pid_of);
    free(started);
    return status;
}
