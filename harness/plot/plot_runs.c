// The runs of an experiment for `posbench plot` (plot_runs.h).
#include "harness/plot/plot_runs.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/analysis/summary.h"
#include "harness/base/dirs.h"
#include "harness/base/errors.h"
#include "harness/experiment/config.h"
#include "harness/experiment/run.h"
#include "harness/experiment/run_source.h"
#include "harness/plot/plot_io.h"
#include "harness/plot/plot_summary.h"


void plot_run_path(const plot_runs *r, int i, const char *file, char *buf, size_t len) {
    snprintf(buf, len, "%s/%s/%s", r->dir, r->runs[i].id, file);
}

int plot_run_has(const plot_runs *r, int i, const char *file) {
    char path[4600];
    plot_run_path(r, i, file, path, sizeof path);
    return access(path, F_OK) == 0;
}

// The run's encoding and books training length from its config.yaml (absent: "", 0).
static int read_config(const char *path, char *encoding, size_t len, long *seq_len, char *err,
                       size_t errlen) {
    encoding[0] = '\0';
    *seq_len = 0;
    if (access(path, F_OK) != 0) return 0;
    experiment *e = malloc(sizeof *e);
    if (!e) return set_error(err, errlen, "out of memory");
    if (experiment_load(path, e, err, errlen)) {
        free(e);
        return -1;
    }
    snprintf(encoding, len, "%.*s", (int)len - 1, e->base.encoding);
    run_plan plan;
    const int rc = run_source_of(e->base.task)->plan(&e->base, &plan, err, errlen);
    if (rc == 0) *seq_len = plan.length_unit;
    experiment_free(e);
    free(e);
    return rc;
}

// Reads one run folder into r->runs (grown by one).
static int read_run(plot_runs *r, const char *id, char *err, size_t errlen) {
    char path[4600], encoding[PLOT_NAME];
    long seq_len;
    snprintf(path, sizeof path, "%s/%s/config.yaml", r->dir, id);
    if (read_config(path, encoding, sizeof encoding, &seq_len, err, errlen)) return -1;
    snprintf(path, sizeof path, "%s/%s/status", r->dir, id);
    const int diverged = access(path, F_OK) == 0 ? run_read_status(path, err, errlen) : 0;
    if (diverged < 0) return -1;
    snprintf(path, sizeof path, "%s/%s/point.csv", r->dir, id);
    run_point p;
    int rc = -1, enc = -1, n_kept = 0;
    if (run_read_point(path, &p, err, errlen) != 0) goto done;
    // The variant: the swept values but the encoding's and the seeds'.
    char *kept[64];
    for (int k = 0; k < p.n; k++) {
        if (!strcmp(p.keys[k], "model.encoding")) enc = k;
        else if (!run_key_is_seed(p.keys[k]) && n_kept < 64) kept[n_kept++] = p.values[k];
    }
    char variant[PLOT_VARIANT];
    plot_variant_join(variant, sizeof variant, kept, n_kept, -1, -1);
    if (r->n == r->cap) {
        const int cap = r->cap ? 2 * r->cap : 16;
        plot_run *grown = realloc(r->runs, (size_t)cap * sizeof *r->runs);
        if (!grown) {
            set_error(err, errlen, "out of memory");
            goto done;
        }
        r->runs = grown;
        r->cap = cap;
    }
    plot_run *run = &r->runs[r->n];
    snprintf(run->id, sizeof run->id, "%s", id);
    run->seq_len = seq_len;
    run->diverged = diverged;
    run->series = plot_series_index(&r->series, enc >= 0 ? p.values[enc] : encoding[0] ? encoding
                                                                                      : "unknown",
                                    variant);
    if (run->series < 0) {
        set_error(err, errlen, "out of memory");
        goto done;
    }
    r->n++;
    rc = 0;
done:
    run_point_free(&p);
    return rc;
}

int plot_runs_read(const char *dir, plot_runs *r, char *err, size_t errlen) {
    *r = (plot_runs){0};
    snprintf(r->dir, sizeof r->dir, "%s/runs", dir);
    if (!is_dir(r->dir)) return 0;
    run_folders folders;
    int rc = run_list_folders(dir, &folders, err, errlen);
    // Unfinished and stale runs are left out, as the summary does.
    for (int i = 0; i < folders.n && !rc; i++)
        if (run_folder_is_done(dir, folders.ids[i])) rc = read_run(r, folders.ids[i], err, errlen);
    run_folders_free(&folders);
    if (rc) plot_runs_free(r);
    return rc;
}

void plot_runs_free(plot_runs *r) {
    free(r->runs);
    plot_series_free(&r->series);
    r->runs = NULL;
    r->n = r->cap = 0;
}

long plot_runs_train_len(const plot_runs *r) {
    for (int i = 1; i < r->n; i++)
        if (r->runs[i].seq_len != r->runs[0].seq_len) return 0;
    return r->n ? r->runs[0].seq_len : 0;
}

// ---- training curves -----------------------------------------------------------------------

enum { MAX_POINTS = 200 };

// Reads run i's train.csv into (step, loss) arrays, finite losses only. *n = 0: no file.
static int read_train(const plot_runs *r, int i, double **step, double **loss, int *n,
                      char *err, size_t errlen) {
    char path[4600], *f[5];
    plot_run_path(r, i, "train.csv", path, sizeof path);
    *n = 0;
    *step = *loss = NULL;
    if (access(path, F_OK) != 0) return 0;
    csv_reader c;
    int cap = 0, got, rc = -1;
    if (csv_open(&c, path, RUN_TRAIN_CSV_HEADER, CSV_QUOTED, err, errlen)) goto done;
    while ((got = csv_next(&c, f, 5, err, errlen)) == 1) {
        double s, l;
        if (plot_number(f[0], &s) || plot_number(f[1], &l)) {
            set_error(err, errlen, "%s:%d: malformed number", path, c.lineno);
            goto done;
        }
        if (!isfinite(l)) continue;  // a diverged run's last step: its curve just stops
        if (*n == cap) {
            cap = cap ? 2 * cap : 1024;
            double *a = realloc(*step, (size_t)cap * sizeof *a);
            if (a) *step = a;
            double *b = a ? realloc(*loss, (size_t)cap * sizeof *b) : NULL;
            if (!b) {
                set_error(err, errlen, "out of memory");
                goto done;
            }
            *loss = b;
        }
        (*step)[*n] = s;
        (*loss)[*n] = l;
        (*n)++;
    }
    rc = got < 0 ? -1 : 0;
done:
    csv_close(&c);
    if (rc) free(*step), free(*loss), *step = *loss = NULL, *n = 0;
    return rc;
}

int plot_write_training(const plot_runs *r, const char *data, plot_blocks *b, int *window,
                        char *err, size_t errlen) {
    *b = (plot_blocks){0};
    *window = 1;
    int any = 0;
    for (int i = 0; i < r->n && !any; i++) any = plot_run_has(r, i, "train.csv");
    if (!any) return 0;
    atomic_file o = {0};
    if (atomic_file_open(&o, data, err, errlen)) return -1;
    for (int g = 0; g < r->series.n; g++) {
        int first = 1;
        for (int i = 0; i < r->n; i++) {
            if (r->runs[i].series != g) continue;
            double *step, *loss;
            int n;
            if (read_train(r, i, &step, &loss, &n, err, errlen)) {
                plot_out_close(&o, 0, NULL, 0);
                return -1;
            }
            if (n == 0) continue;
            // Windows of k steps keep a long run's curve readable and its SVG small.
            const int k = (n + MAX_POINTS - 1) / MAX_POINTS;
            if (k > *window) *window = k;
            char label[PLOT_NAME + PLOT_VARIANT + 8];
            plot_series_label(&r->series, g, label, sizeof label);
            plot_block_header(o.f, b->n, first ? label : "", "step loss");
            for (int s = 0; s < n; s += k) {
                double sum = 0;
                int m = 0;
                for (; m < k && s + m < n; m++) sum += loss[s + m];
                fprintf(o.f, "%.10g %.6g\n", step[s + m - 1], sum / m);
            }
            free(step);
            free(loss);
            first = 0;
            if (plot_blocks_add(b, r->series.items[g].encoding, plot_series_dash(&r->series, g))) {
                plot_out_close(&o, 0, NULL, 0);
                return set_error(err, errlen, "training plot: too many runs");
            }
        }
    }
    return plot_out_close(&o, b->n > 0, err, errlen);
}

// ---- loss per position ---------------------------------------------------------------------

enum { MAX_BINS = 64 };

// Sums of loss per position for one series, grown as positions appear.
typedef struct {
    double *sum;
    int *count;
    long n;
} position_sums;

static int add_position(position_sums *p, long pos, double loss) {
    if (pos >= p->n) {
        const long n = pos + 1 > 2 * p->n ? pos + 1 : 2 * p->n;
        double *s = realloc(p->sum, (size_t)n * sizeof *s);
        if (s) p->sum = s;
        int *c = s ? realloc(p->count, (size_t)n * sizeof *c) : NULL;
        if (!c) return -1;
        p->count = c;
        for (long k = p->n; k < n; k++) p->sum[k] = 0, p->count[k] = 0;
        p->n = n;
    }
    p->sum[pos] += loss;
    p->count[pos]++;
    return 0;
}

// One pass over run i's positions.csv: with set == NULL, updates the longest set seen so
// far (best, best_len, best_rows); otherwise adds that set's rows to sums.
static int scan_positions(const plot_runs *r, int i, const char *set, position_sums *sums,
                          char *best, size_t bestlen, long *best_len, long *best_rows,
                          char *err, size_t errlen) {
    char path[4600], *f[4];
    plot_run_path(r, i, "positions.csv", path, sizeof path);
    if (access(path, F_OK) != 0) return 0;
    csv_reader c;
    int got, rc = -1;
    char cur[128] = "";
    long rows = 0;
    if (csv_open(&c, path, RUN_POSITIONS_CSV_HEADER, CSV_QUOTED, err, errlen)) goto done;
    while ((got = csv_next(&c, f, 4, err, errlen)) == 1) {
        double pos, loss;
        if (plot_number(f[1], &pos) || plot_number(f[2], &loss) || pos < 0 || pos > 1e8) {
            set_error(err, errlen, "%s:%d: malformed position or loss", path, c.lineno);
            goto done;
        }
        if (set) {
            if (!strcmp(f[0], set) && isfinite(loss) && add_position(sums, (long)pos, loss)) {
                set_error(err, errlen, "out of memory");
                goto done;
            }
            continue;
        }
        // Sets come in blocks; rank each by (len_N, rows) when its block ends.
        if (strcmp(f[0], cur)) snprintf(cur, sizeof cur, "%s", f[0]), rows = 0;
        rows++;
        const long len = plot_set_length(cur);
        if (len > *best_len || (len == *best_len && rows > *best_rows) ||
            (!strcmp(cur, best) && rows > *best_rows)) {
            snprintf(best, bestlen, "%s", cur);
            *best_len = len;
            *best_rows = rows;
        }
    }
    rc = got < 0 ? -1 : 0;
done:
    csv_close(&c);
    return rc;
}

int plot_write_positions(const plot_runs *r, const char *data, char *set, size_t setlen,
                         plot_blocks *b, int *bin, char *err, size_t errlen) {
    *b = (plot_blocks){0};
    *bin = 1;
    set[0] = '\0';
    long best_len = -1, best_rows = 0;
    for (int i = 0; i < r->n; i++)
        if (scan_positions(r, i, NULL, NULL, set, setlen, &best_len, &best_rows, err, errlen))
            return -1;
    if (!set[0]) return 0;
    atomic_file o = {0};
    if (atomic_file_open(&o, data, err, errlen)) return -1;
    for (int g = 0; g < r->series.n; g++) {
        position_sums sums = {0};
        int runs = 0;  // runs of g with that set, each one weight in the mean
        for (int i = 0; i < r->n; i++) {
            if (r->runs[i].series != g) continue;
            // Each run's loss at a position counts once: the mean over seeds.
            if (scan_positions(r, i, set, &sums, NULL, 0, NULL, NULL, err, errlen)) {
                free(sums.sum);
                free(sums.count);
                plot_out_close(&o, 0, NULL, 0);
                return -1;
            }
            runs++;
        }
        long written = 0;
        for (long p = 0; p < sums.n; p++) written += sums.count[p] > 0;
        if (runs && written) {
            char label[PLOT_NAME + PLOT_VARIANT + 8];
            plot_series_label(&r->series, g, label, sizeof label);
            plot_block_header(o.f, b->n, label, "position loss (bin centre, mean over the bin)");
            // A power-of-two bin keeps a power-of-two training length on a bin edge.
            while (*bin * MAX_BINS < sums.n) *bin *= 2;
            for (long p0 = 0; p0 < sums.n; p0 += *bin) {
                double sum = 0;
                int m = 0;
                for (long p = p0; p < p0 + *bin && p < sums.n; p++)
                    if (sums.count[p]) sum += sums.sum[p] / sums.count[p], m++;
                if (m) fprintf(o.f, "%.6g %.6g\n", p0 + (*bin - 1) / 2.0, sum / m);
            }
        }
        free(sums.sum);
        free(sums.count);
        if (runs && written &&
            plot_blocks_add(b, r->series.items[g].encoding, plot_series_dash(&r->series, g))) {
            plot_out_close(&o, 0, NULL, 0);
            return set_error(err, errlen, "positions plot: too many series");
        }
    }
    return plot_out_close(&o, b->n > 0, err, errlen);
}
