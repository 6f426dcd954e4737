#include "harness/experiment/run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/base/atomic_file.h"
#include "harness/base/build_info.h"
#include "harness/base/csv.h"
#include "harness/base/dirs.h"
#include "harness/base/errors.h"
#include "harness/base/read_file.h"
#include "harness/experiment/run_data.h"
#include "harness/experiment/run_lengths.h"
#include "harness/experiment/run_resume.h"
#include "harness/model/checkpoint.h"
#include "harness/model/model.h"
#include "harness/train/train.h"

// Evaluation sets are drawn with seeds that do not depend on the run's seed, so every run of
// an experiment is scored on the same sequences; training data comes from the run's seed.
uint64_t run_eval_seed(int set) { return 0x5eed0000ull + (uint64_t)set; }

void run_dir(const run_config *r, const char *results, char *buf, size_t len) {
    char id[17];
    run_config_id(r, id);
    snprintf(buf, len, "%s/%s/runs/%s", results, r->experiment, id);
}

static int path_in(char *buf, size_t len, const char *dir, const char *name) {
    return snprintf(buf, len, "%s/%s", dir, name) < (int)len ? 0 : -1;
}

void run_clear_partial(const run_config *r, const char *results) {
    char dir[2048], path[2400];
    run_dir(r, results, dir, sizeof dir);
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        const size_t n = strlen(e->d_name);
        if (n > 4 && !strcmp(e->d_name + n - 4, ".tmp")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            remove(path);
        }
    }
    closedir(d);
}

int run_is_done(const run_config *r, const char *results) {
    char dir[2048], done[2100];
    run_dir(r, results, dir, sizeof dir);
    path_in(done, sizeof done, dir, "done");
    struct stat st;
    return stat(done, &st) == 0;
}

static int is_run_id(const char *s) {
    return strlen(s) == 16 && strspn(s, "0123456789abcdef") == 16;
}

void run_init_from_path(const run_config *r, const char *results, char *buf, size_t len) {
    if (is_run_id(r->init_from))
        snprintf(buf, len, "%s/%s/runs/%s/final.ckpt", results, r->experiment, r->init_from);
    else
        snprintf(buf, len, "%s", r->init_from);
}

int run_init_from_check(const run_config *r, const char *results, char *err, size_t errlen) {
    if (!r->init_from[0]) return 0;
    char path[2400], done[2400];
    run_init_from_path(r, results, path, sizeof path);
    if (is_run_id(r->init_from)) {
        snprintf(done, sizeof done, "%s/%s/runs/%s/done", results, r->experiment, r->init_from);
        if (access(done, F_OK) != 0 || access(path, R_OK) != 0)
            return set_error(err, errlen,
                             "training.init_from: run %s has no finished model (%s); train it "
                             "first (runs of one sweep do not wait for each other)",
                             r->init_from, path);
        return 0;
    }
    if (access(path, R_OK) != 0)
        return set_error(err, errlen, "training.init_from: %s: cannot read: %s", path,
                         strerror(errno));
    return 0;
}

// Replaces m's weights by those of the checkpoint training.init_from names. The shape and the
// encoding must be the source's; the encoding's options may differ.
static int load_init_from(model *m, const run_config *c, const char *results, char *err,
                          size_t errlen) {
    char path[2400], why[512];
    run_init_from_path(c, results, path, sizeof path);
    model *src = checkpoint_load(path, why, sizeof why);
    if (!src) return set_error(err, errlen, "training.init_from: %s", why);
    const model_config *a = &src->cfg, *b = &m->cfg;
    int rc = 0;
    if (a->vocab != b->vocab || a->d_model != b->d_model || a->n_layers != b->n_layers ||
        a->n_heads != b->n_heads || a->norm != b->norm)
        rc = set_error(err, errlen,
                       "training.init_from: %s is a model of vocabulary %d, d_model %d, %d "
                       "layers, %d heads; this run's has %d, %d, %d, %d", path, a->vocab,
                       a->d_model, a->n_layers, a->n_heads, b->vocab, b->d_model, b->n_layers,
                       b->n_heads);
    else if (strcmp(src->pe.ops->name, m->pe.ops->name) || src->n_params != m->n_params)
        rc = set_error(err, errlen,
                       "training.init_from: %s uses encoding %s (%zu parameters); this run "
                       "uses %s (%zu)", path, src->pe.ops->name, src->n_params,
                       m->pe.ops->name, m->n_params);
    else
        memcpy(m->params, src->params, m->n_params * sizeof *m->params);
    model_free(src);
    return rc;
}

int run_make_dir(const run_config *r, const char *results, char *dir, size_t len, char *err,
                 size_t errlen) {
    run_dir(r, results, dir, len);
    return make_dirs(dir, err, errlen);
}

static int start_file(atomic_file *o, const char *dir, const char *name, char *err, size_t errlen) {
    char path[2100];
    path_in(path, sizeof path, dir, name);
    return atomic_file_open(o, path, err, errlen);
}

static int write_small(const char *dir, const char *name, const char *text, char *err,
                       size_t errlen) {
    atomic_file o;
    if (start_file(&o, dir, name, err, errlen) != 0) return -1;
    fputs(text, o.f);
    return atomic_file_commit(&o, err, errlen);
}

// build.txt: what produced the run's numbers (the version, the flags, the CPU), since its
// last bits depend on all three.
static int write_build_txt(const char *dir, char *err, size_t errlen) {
    char cpu[256] = "unknown", line[512];
    FILE *info = fopen("/proc/cpuinfo", "r");
    while (info && fgets(line, sizeof line, info))
        if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
            snprintf(cpu, sizeof cpu, "%s", strchr(line, ':') + 2);
            cpu[strcspn(cpu, "\n")] = '\0';
            break;
        }
    if (info) fclose(info);
    atomic_file o;
    if (start_file(&o, dir, "build.txt", err, errlen) != 0) return -1;
    fprintf(o.f, "version: %s\nflags: %s\ncpu: %s\n", posbench_version(), posbench_build_flags(),
            cpu);
    return atomic_file_commit(&o, err, errlen);
}

// Everything a run holds while it trains.
typedef struct run_state {
    const run_config *cfg;
    model *m;
    run_data data;
    atomic_file train_csv, eval_csv;
    int solved_streak;  // periodic evaluations in a row that met training.stop_accuracy
    int eval_failed;
    char eval_err[256];
    const char *dir;    // the run folder, for resume points
    char id[17];
    char resume_err[512];  // why the last resume point could not be written
} run_state;

// Evaluates every set at this step (run_data_evaluate).
static int evaluate_sets(run_state *s, int step, FILE *positions, double *first) {
    return run_data_evaluate(&s->data, s->m, s->cfg->threads, step, s->eval_csv.f,
                             positions, first, s->eval_err, sizeof s->eval_err);
}

// The trainer's step callback: a train.csv row, and the evaluation sets every eval_every.
// Asks the trainer to stop once the early-stop rule (training.stop_accuracy) is met: the
// evaluation that met it is then the run's last.
static int on_step(void *ctx, int step, double loss, float lr, double gnorm, double tps) {
    run_state *s = ctx;
    const run_config *c = s->cfg;
    fprintf(s->train_csv.f, "%d,%.9g,%.9g,%.9g,%.6g\n", step + 1, loss, lr, gnorm, tps);
    const int every = c->eval_every;
    // The last step's evaluation is the final one, after training (run_execute).
    if (every <= 0 || (step + 1) % every != 0 || step + 1 >= c->steps || s->eval_failed) return 0;
    double first;
    if ((s->eval_failed = evaluate_sets(s, step + 1, NULL, &first) != 0)) return 1;
    if (c->stop_accuracy <= 0) return 0;
    s->solved_streak = first >= c->stop_accuracy ? s->solved_streak + 1 : 0;
    return s->solved_streak >= c->stop_patience;
}

// The text an atomic file holds so far (its temporary file, flushed first): malloc'd, NULL
// with a message when it cannot be read.
static char *text_so_far(atomic_file *o, size_t *len, char *err, size_t errlen) {
    if (fflush(o->f) != 0) {
        set_error(err, errlen, "%s: write failed", o->tmp);
        return NULL;
    }
    return read_file(o->tmp, len, err, errlen);
}

// The trainer's checkpoint callback: a resume point with the CSVs so far
// (training.checkpoint_every; run_resume.h).
static int on_checkpoint(void *ctx, int steps_done, const rng *data) {
    run_state *s = ctx;
    run_resume r = {.steps_done = steps_done, .solved_streak = s->solved_streak, .data = *data};
    char *err = s->resume_err;
    const size_t errlen = sizeof s->resume_err;
    int rc = -1;
    if ((r.train_csv = text_so_far(&s->train_csv, &r.train_len, err, errlen)) &&
        (r.eval_csv = text_so_far(&s->eval_csv, &r.eval_len, err, errlen)))
        rc = run_resume_save(s->dir, s->id, s->m, &r, err, errlen);
    run_resume_free(&r);
    return rc;
}

// Continues from the run's resume point, if it has a valid one: the model's weights and
// moments, the CSVs so far (written into the new temporary files), the early-stop streak,
// and where training starts (tc). Otherwise the CSVs get their headers and training starts
// at step 0; a damaged resume point is reported on progress and ignored.
static void start_or_resume(run_state *s, train_config *tc, run_resume *r, FILE *progress) {
    char why[600];
    const int found = run_resume_load(s->dir, s->id, s->m, r, why, sizeof why);
    if (found == 1) {
        fwrite(r->train_csv, 1, r->train_len, s->train_csv.f);
        fwrite(r->eval_csv, 1, r->eval_len, s->eval_csv.f);
        s->solved_streak = r->solved_streak;
        tc->first_step = r->steps_done;
        tc->resume_data = &r->data;
        if (progress) fprintf(progress, "resumed after step %d\n", r->steps_done);
        return;
    }
    if (found < 0 && progress) fprintf(progress, "starting over: %s\n", why);
    fputs(RUN_TRAIN_CSV_HEADER "\n", s->train_csv.f);
    fputs(RUN_EVAL_CSV_HEADER "\n", s->eval_csv.f);
}

static void point_csv(const run_config *r, char *buf, size_t len) {
    size_t used = (size_t)snprintf(buf, len, RUN_POINT_CSV_HEADER "\n");
    for (int i = 0; i < r->n_swept && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s,%s\n", r->swept[i].key,
                                 r->swept[i].value);
}

// Data and model for the run; -1 with err on a configuration a run cannot use.
static int prepare(run_state *s, const char *results, char *err, size_t errlen) {
    const run_config *c = s->cfg;
    if (run_data_prepare(&s->data, c, results, err, errlen) != 0) return -1;
    model_config mc = {s->data.vocab, c->d_model, c->layers, c->heads, c->norm, c->bidirectional};
    if (!(s->m = model_create(&mc, c->encoding, c->encoding_options, err, errlen))) return -1;
    model_init(s->m, run_init_seed(c), (float)c->init_std);
    if (c->init_from[0] && load_init_from(s->m, c, results, err, errlen) != 0) return -1;
    return 0;
}

static void release(run_state *s) {
    model_free(s->m);
    run_data_free(&s->data);
    atomic_file_abandon(&s->train_csv);
    atomic_file_abandon(&s->eval_csv);
}

// Takes the run folder's lock without waiting: its descriptor (closing it releases the lock),
// -2 when another process holds it, or -1 with a message.
static int lock_run(const char *dir, char *err, size_t errlen) {
    char path[2100];
    path_in(path, sizeof path, dir, "lock");
    const int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
    const int e = errno;
    close(fd);
    if (e == EWOULDBLOCK) return -2;
    return set_error(err, errlen, "%s: cannot lock: %s", path, strerror(e));
}

static int train_run(const run_config *c, const char *results, const char *dir, FILE *progress,
                     const volatile sig_atomic_t *stop, char *err, size_t errlen);

int run_execute(const run_config *c, const char *results, FILE *progress,
                const volatile sig_atomic_t *stop, char *err, size_t errlen) {
    if (run_is_done(c, results)) return RUN_FINISHED;
    char dir[2048];
    if (run_make_dir(c, results, dir, sizeof dir, err, errlen) != 0) return RUN_FAILED;
    const int lock = lock_run(dir, err, errlen);
    if (lock == -2) return RUN_BUSY;
    if (lock < 0) return RUN_FAILED;
    // Another process may have finished it between the first look and the lock.
    const int rc = run_is_done(c, results) ? RUN_FINISHED
                                            : train_run(c, results, dir, progress, stop, err,
                                                        errlen);
    close(lock);
    return rc;
}

// The run itself, its lock held: files, training, evaluation, checkpoint, status, done.
static int train_run(const run_config *c, const char *results, const char *dir, FILE *progress,
                     const volatile sig_atomic_t *stop, char *err, size_t errlen) {
    char text[CONFIG_MAX_SWEEP * (CONFIG_NAME_LEN + CONFIG_VALUE_LEN + 2) + 16];
    atomic_file config;
    if (start_file(&config, dir, "config.yaml", err, errlen) != 0) return -1;
    run_config_format(c, config.f);
    if (atomic_file_commit(&config, err, errlen) != 0) return -1;
    point_csv(c, text, sizeof text);  // sized for the most swept keys a config can hold
    if (write_small(dir, "point.csv", text, err, errlen) != 0) return -1;
    if (write_build_txt(dir, err, errlen) != 0) return -1;

    run_state s = {.cfg = c, .dir = dir};
    run_config_id(c, s.id);
    run_resume resume = {0};
    int rc = -1;
    if (prepare(&s, results, err, errlen) != 0) goto done;
    if (start_file(&s.train_csv, dir, "train.csv", err, errlen) != 0 ||
        start_file(&s.eval_csv, dir, "eval.csv", err, errlen) != 0)
        goto done;
    train_config tc = {.steps = c->steps, .batch_size = c->batch,
                       .seq_len = s.data.train.width, .clip = (float)c->clip,
                       .dropout = (float)c->dropout,
                       .opt = {.beta1 = (float)c->beta1, .beta2 = (float)c->beta2,
                               .eps = 1e-8f, .weight_decay = (float)c->weight_decay},
                       .data_seed = train_data_seed(run_data_seed(c)), .log_every = 100,
                       .n_threads = c->threads, .stop = stop,
                       .checkpoint_every = c->checkpoint_every, .checkpoint = on_checkpoint};
    tc.schedule = (lr_schedule){(float)c->lr, (float)c->lr_min, c->warmup, c->steps};
    start_or_resume(&s, &tc, &resume, progress);
    train_result tr;
    if (train(s.m, &tc, s.data.train.next, s.data.train.ctx, on_step, &s, progress, &tr, err,
              errlen) != 0) {
        if (s.resume_err[0]) set_error(err, errlen, "%s", s.resume_err);
        goto done;
    }
    if (s.eval_failed) {
        set_error(err, errlen, "%s", s.eval_err);
        goto done;
    }
    if (tr.interrupted) {  // release() removes the partial files
        rc = RUN_INTERRUPTED;
        goto done;
    }
    const int diverged = tr.diverged_at >= 0, stopped = tr.stopped_at >= 0;
    if (stopped && progress)
        fprintf(progress, "stopped early after step %d: %s at >= %g%% accuracy in %d "
                "evaluations in a row\n", tr.stopped_at + 1, c->sets[0].name,
                100 * c->stop_accuracy, c->stop_patience);
    // The final evaluation; books runs also record loss per position (positions.csv).
    atomic_file positions = {0};
    if (!diverged && s.data.source->per_byte_metrics) {
        if (start_file(&positions, dir, "positions.csv", err, errlen) != 0) goto done;
        fputs(RUN_POSITIONS_CSV_HEADER "\n", positions.f);
    }
    // An early stop's last periodic evaluation is its final one (the config refuses early
    // stops for books, whose final evaluation also writes positions.csv).
    if (!diverged && !stopped && evaluate_sets(&s, c->steps, positions.f, NULL) != 0) {
        set_error(err, errlen, "%s", s.eval_err);
        atomic_file_abandon(&positions);
        goto done;
    }
    if (positions.f && atomic_file_commit(&positions, err, errlen) != 0) goto done;
    // Accuracy against length, on the final model (run_lengths.h).
    if (!diverged && c->length_max > 0) {
        atomic_file lengths;
        if (start_file(&lengths, dir, "lengths.csv", err, errlen) != 0) goto done;
        if (progress) fprintf(progress, "scoring lengths up to %d\n", c->length_max);
        if (run_lengths_evaluate(c, s.m, stopped ? tr.stopped_at + 1 : c->steps, lengths.f,
                                 s.eval_csv.f, err, errlen) != 0) {
            atomic_file_abandon(&lengths);
            goto done;
        }
        if (atomic_file_commit(&lengths, err, errlen) != 0) goto done;
    }
    char ckpt[2100];
    path_in(ckpt, sizeof ckpt, dir, "final.ckpt");
    if (!diverged && checkpoint_save(s.m, ckpt, err, errlen) != 0) goto done;
    if (atomic_file_commit(&s.train_csv, err, errlen) != 0 || atomic_file_commit(&s.eval_csv, err, errlen) != 0)
        goto done;
    if (diverged) snprintf(text, sizeof text, "diverged\nat step %d\n", tr.diverged_at + 1);
    else if (stopped) snprintf(text, sizeof text, "done\nstopped at step %d\n", tr.stopped_at + 1);
    else snprintf(text, sizeof text, "done\n");
    if (write_small(dir, "status", text, err, errlen) != 0) goto done;
    rc = write_small(dir, "done", "", err, errlen);
    if (rc == 0) run_resume_remove(dir);  // a finished run resumes from nothing
done:
    run_resume_free(&resume);
    release(&s);
    return rc;
}

int run_read_status(const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) return set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    int rc;
    if (getline(&line, &cap, f) < 0) {
        rc = set_error(err, errlen, "%s: empty file (expected 'done' or 'diverged')", path);
    } else {
        line[strcspn(line, "\r\n")] = '\0';
        rc = !strcmp(line, "diverged") ? 1 : !strcmp(line, "done") ? 0 : -1;
        if (rc < 0) set_error(err, errlen, "%s:1: expected 'done' or 'diverged', got '%s'", path, line);
    }
    free(line);
    fclose(f);
    return rc;
}

static int by_id(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_ids_free(char **ids, int n) {
    for (int i = 0; i < n; i++) free(ids[i]);
    free(ids);
}

// Every folder under DIR/runs (dot-names and non-folders left out), sorted by id.
static int list_all_folders(const char *dir, char ***ids, int *n, char *err, size_t errlen) {
    *ids = NULL;
    *n = 0;
    char path[4096];
    if (snprintf(path, sizeof path, "%s/runs", dir) >= (int)sizeof path)
        return set_error(err, errlen, "%s: path too long", dir);
    DIR *d = opendir(path);
    if (!d) return set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    int cap = 0, rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        char sub[4400];
        if (e->d_name[0] == '.') continue;
        if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) >= (int)sizeof sub || !is_dir(sub))
            continue;
        if (*n == cap) {
            char **grown = realloc(*ids, (size_t)(cap = cap ? 2 * cap : 32) * sizeof *grown);
            if (!grown) {
                rc = set_error(err, errlen, "out of memory");
                break;
            }
            *ids = grown;
        }
        if (!((*ids)[*n] = strdup(e->d_name))) rc = set_error(err, errlen, "out of memory");
        else (*n)++;
    }
    closedir(d);
    if (*n > 1) qsort(*ids, (size_t)*n, sizeof **ids, by_id);
    if (rc) {
        run_ids_free(*ids, *n);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}

int run_write_manifest(const run_config *runs, size_t n, const char *results, char *err,
                       size_t errlen) {
    if (n == 0) return 0;
    char path[2200], tmp[2300];
    snprintf(path, sizeof path, "%s/%s/" RUN_MANIFEST, results, runs[0].experiment);
    // A name of this process's own: jobs of a Slurm array may write the same manifest at once.
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) return set_error(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
    fputs(RUN_MANIFEST_HEADER "\n", f);
    for (size_t i = 0; i < n; i++) {
        char id[17];
        run_config_id(&runs[i], id);
        fprintf(f, "%s\n", id);
    }
    const int bad = ferror(f);
    if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
        const int e = errno;
        unlink(tmp);
        return set_error(err, errlen, "%s: cannot write: %s", path, strerror(e));
    }
    return 0;
}

// The manifest's ids (DIR/runs.csv) in its order into *ids; *n = -1 when there is none.
static int read_manifest(const char *dir, char ***ids, int *n, char *err, size_t errlen) {
    char path[4200];
    *ids = NULL;
    *n = -1;
    if (snprintf(path, sizeof path, "%s/" RUN_MANIFEST, dir) >= (int)sizeof path)
        return set_error(err, errlen, "%s: path too long", dir);
    if (!path_exists(path)) return 0;
    csv_reader c;
    char *f[1];
    int cap = 0, rc = csv_open(&c, path, RUN_MANIFEST_HEADER, CSV_PLAIN, err, errlen);
    *n = 0;
    while (rc == 0 && (rc = csv_next(&c, f, 1, err, errlen)) == 1) {
        rc = 0;
        if (*n == cap) {
            char **grown = realloc(*ids, (size_t)(cap = cap ? 2 * cap : 32) * sizeof *grown);
            if (!grown) {
                rc = set_error(err, errlen, "out of memory");
                break;
            }
            *ids = grown;
        }
        if (!((*ids)[*n] = strdup(f[0]))) rc = set_error(err, errlen, "out of memory");
        else (*n)++;
    }
    csv_close(&c);
    if (rc) {
        run_ids_free(*ids, *n);
        *ids = NULL;
        *n = -1;
    }
    return rc;
}

int run_list_folders(const char *dir, run_folders *out, char *err, size_t errlen) {
    *out = (run_folders){0};
    char **all, **listed;
    int n_all, n_listed;
    if (list_all_folders(dir, &all, &n_all, err, errlen) != 0) return -1;
    if (read_manifest(dir, &listed, &n_listed, err, errlen) != 0) {
        run_ids_free(all, n_all);
        return -1;
    }
    if (n_listed < 0) {  // no manifest: every folder is current
        out->ids = all;
        out->n = n_all;
        return 0;
    }
    out->has_manifest = 1;
    // Current: the manifest's ids that have a folder, in its order. Stale: the other folders.
    // The strings of all[] move to one of the two lists; listed[] is freed whole.
    out->ids = calloc((size_t)n_all + 1, sizeof *out->ids);
    out->stale = calloc((size_t)n_all + 1, sizeof *out->stale);
    char *taken = calloc((size_t)n_all + 1, 1);
    int rc = out->ids && out->stale && taken ? 0 : set_error(err, errlen, "out of memory");
    for (int i = 0; rc == 0 && i < n_listed; i++) {
        char **hit = bsearch(&listed[i], all, (size_t)n_all, sizeof *all, by_id);
        if (hit && !taken[hit - all]) taken[hit - all] = 1, out->ids[out->n++] = *hit;
    }
    for (int i = 0; rc == 0 && i < n_all; i++)
        if (!taken[i]) out->stale[out->n_stale++] = all[i];
    if (rc) {
        free(out->ids), free(out->stale);
        *out = (run_folders){0};
        run_ids_free(all, n_all);
    } else {
        free(all);
    }
    free(taken);
    run_ids_free(listed, n_listed);
    return rc;
}

void run_folders_free(run_folders *f) {
    run_ids_free(f->ids, f->n);
    run_ids_free(f->stale, f->n_stale);
    *f = (run_folders){0};
}

int run_folder_is_done(const char *dir, const char *id) {
    char path[4600];
    snprintf(path, sizeof path, "%s/runs/%s/done", dir, id);
    return access(path, F_OK) == 0;
}

int run_key_is_seed(const char *key) {
    return !strcmp(key, "seed") || !strcmp(key, "init_seed") || !strcmp(key, "data_seed");
}

int run_read_point(const char *path, run_point *p, char *err, size_t errlen) {
    *p = (run_point){0};
    csv_reader c;
    char *f[2];
    int cap = 0, rc = csv_open(&c, path, RUN_POINT_CSV_HEADER, CSV_PLAIN, err, errlen);
    while (rc == 0 && (rc = csv_next(&c, f, 2, err, errlen)) == 1) {
        rc = -1;
        for (int i = 0; i < p->n; i++)
            if (!strcmp(p->keys[i], f[0])) {
                set_error(err, errlen, "%s:%d: duplicate key '%s'", path, c.lineno, f[0]);
                goto done;
            }
        if (p->n == cap) {
            cap = cap ? 2 * cap : 16;
            char **k = realloc(p->keys, (size_t)cap * sizeof *k);
            if (k) p->keys = k;
            char **v = realloc(p->values, (size_t)cap * sizeof *v);
            if (v) p->values = v;
            int *l = realloc(p->lines, (size_t)cap * sizeof *l);
            if (l) p->lines = l;
            if (!k || !v || !l) {
                set_error(err, errlen, "out of memory");
                goto done;
            }
        }
        p->lines[p->n] = c.lineno;
        p->keys[p->n] = strdup(f[0]);
        p->values[p->n] = strdup(f[1]);
        if (!p->keys[p->n++] || !p->values[p->n - 1]) {
            set_error(err, errlen, "out of memory");
            goto done;
        }
        rc = 0;
    }
done:
    csv_close(&c);
    return rc;
}

void run_point_free(run_point *p) {
    for (int i = 0; i < p->n; i++) free(p->keys[i]), free(p->values[i]);
    free(p->keys);
    free(p->values);
    free(p->lines);
    *p = (run_point){0};
}
