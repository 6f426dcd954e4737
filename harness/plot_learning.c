// Learning curves for `posbench plot` (plot_learning.h).
#include "plot_learning.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "plot_io.h"
#include "summary.h"

enum { MAX_SETS = 32, SET_NAME = 128 };

// One eval.csv row of the metrics drawn.
typedef struct {
    int set, series, run, accuracy;  // accuracy: 1, loss: 0
    long long step;
    double value;
} point;

typedef struct {
    int n, cap;
    point *p;
    int n_sets;
    char sets[MAX_SETS][SET_NAME];  // in order of first appearance
    int has_accuracy;
    int multi_step;  // some run has rows at two steps or more
} points;

static int set_index(points *ps, const char *set) {
    for (int i = 0; i < ps->n_sets; i++)
        if (!strcmp(ps->sets[i], set)) return i;
    if (ps->n_sets == MAX_SETS) return -1;
    snprintf(ps->sets[ps->n_sets], SET_NAME, "%s", set);
    return ps->n_sets++;
}

static int add_point(points *ps, const point *p) {
    if (ps->n == ps->cap) {
        const int cap = ps->cap ? 2 * ps->cap : 256;
        void *q = realloc(ps->p, (size_t)cap * sizeof *ps->p);
        if (!q) return -1;
        ps->p = q;
        ps->cap = cap;
    }
    ps->p[ps->n++] = *p;
    return 0;
}

// Adds run i's accuracy and loss rows (no eval.csv: none).
static int read_eval(const plot_runs *r, int i, points *ps, char *err, size_t errlen) {
    char path[4600], *f[4];
    plot_run_path(r, i, "eval.csv", path, sizeof path);
    if (access(path, F_OK) != 0) return 0;
    plot_csv c;
    int got, rc = -1;
    long long first = -1;
    if (plot_csv_open(&c, path, "step,set,metric,value", err, errlen)) goto done;
    while ((got = plot_csv_next(&c, f, 4, err, errlen)) == 1) {
        double step, value;
        if (plot_number(f[0], &step) || !(step >= 0 && step <= 1e15) || step != floor(step) ||
            plot_number(f[3], &value)) {
            set_error(err, errlen, "%s:%d: malformed step or value", path, c.lineno);
            goto done;
        }
        const int accuracy = !strcmp(f[2], "accuracy");
        if (!accuracy && strcmp(f[2], "loss")) continue;  // perplexity: exp of the loss
        const point p = {set_index(ps, f[1]), r->runs[i].series, i, accuracy, (long long)step,
                         value};
        if (p.set < 0) {
            set_error(err, errlen, "learning plot: more than %d evaluation sets", MAX_SETS);
            goto done;
        }
        if (add_point(ps, &p)) {
            set_error(err, errlen, "out of memory");
            goto done;
        }
        ps->has_accuracy |= accuracy;
        if (first < 0) first = p.step;
        ps->multi_step |= p.step != first;
    }
    rc = got < 0 ? -1 : 0;
done:
    plot_csv_close(&c);
    return rc;
}

// Panel (set), then block (series), then step, then run: one step's values of one series
// lie together, and a run's two rows for one step lie side by side.
static int by_place(const void *a, const void *b) {
    const point *x = a, *y = b;
    if (x->set != y->set) return x->set - y->set;
    if (x->series != y->series) return x->series - y->series;
    if (x->step != y->step) return (x->step > y->step) - (x->step < y->step);
    return x->run - y->run;
}

// Writes the block of series g in one panel from pts[0..n-1] (its rows, sorted by step);
// nothing when no step has a finite mean, as an empty block makes gnuplot warn. v: scratch
// for n values. Returns 1 when a block was written, else 0.
static int write_block(FILE *f, const plot_runs *r, const point *pts, int n, double scale,
                       int block, int labelled, double *v) {
    int wrote = 0;
    for (int i = 0; i < n;) {
        int k = 0;
        for (; i + k < n && pts[i + k].step == pts[i].step; k++) v[k] = scale * pts[i + k].value;
        summary_row s;
        summary_describe(v, k, &s);
        if (isfinite(s.mean)) {
            if (!wrote) {
                char label[PLOT_NAME + PLOT_VARIANT + 8] = "";
                if (!labelled) plot_series_label(&r->series, pts[i].series, label, sizeof label);
                plot_block_header(f, block, label, "step mean lo hi n");
            }
            // A single seed has no interval: lo = hi = mean draws no band.
            const int has = k > 1 && isfinite(s.ci_low) && isfinite(s.ci_high);
            fprintf(f, "%lld %.6g %.6g %.6g %d\n", pts[i].step, s.mean,
                    has ? s.ci_low : s.mean, has ? s.ci_high : s.mean, k);
            wrote = 1;
        }
        i += k;
    }
    return wrote;
}

// Writes the blocks of pts[0..n-1] (the drawn metric, sorted by_place) and fills b and p.
static int write_panels(const plot_runs *r, const points *ps, const point *pts, int n,
                        const char *data, plot_blocks *b, plot_panels *p, char *err,
                        size_t errlen) {
    const double scale = ps->has_accuracy ? 100 : 1;
    double *v = malloc((size_t)(r->n ? r->n : 1) * sizeof *v);
    int *labelled = calloc((size_t)(r->series.n ? r->series.n : 1), sizeof *labelled);
    atomic_file o = {0};
    int rc = -1;
    if (!v || !labelled) {
        set_error(err, errlen, "out of memory");
        goto done;
    }
    if (atomic_file_open(&o, data, err, errlen)) goto done;
    for (int i = 0; i < n;) {
        const int set = pts[i].set, before = b->n;
        while (i < n && pts[i].set == set) {
            const int g = pts[i].series;
            int k = 0;
            for (; i + k < n && pts[i + k].set == set && pts[i + k].series == g; k++) {}
            if (write_block(o.f, r, pts + i, k, scale, b->n, labelled[g], v)) {
                labelled[g] = 1;
                if (plot_blocks_add(b, r->series.items[g].encoding,
                                    plot_series_dash(&r->series, g))) {
                    set_error(err, errlen, "learning plot: too many series");
                    goto done;
                }
            }
            i += k;
        }
        char count[16];
        snprintf(count, sizeof count, "%d", b->n - before);
        if (b->n > before && (plot_words_add(p->sets, sizeof p->sets, ps->sets[set]) ||
                              plot_words_add(p->counts, sizeof p->counts, count))) {
            set_error(err, errlen, "learning plot: too many evaluation sets");
            goto done;
        }
        p->n += b->n > before;
    }
    rc = 0;
done:
    free(v);
    free(labelled);
    if (rc) {
        plot_out_close(&o, 0, NULL, 0);
        return -1;
    }
    return plot_out_close(&o, b->n > 0, err, errlen);
}

int plot_write_learning(const plot_runs *r, const char *data, plot_blocks *b, plot_panels *p,
                        char *err, size_t errlen) {
    *b = (plot_blocks){0};
    *p = (plot_panels){0};
    points *ps = calloc(1, sizeof *ps);
    if (!ps) return set_error(err, errlen, "out of memory");
    int rc = 0;
    // A diverged run's eval.csv stops early; the summary does not count it, nor do we.
    for (int i = 0; i < r->n && !rc; i++)
        if (!r->runs[i].diverged) rc = read_eval(r, i, ps, err, errlen);
    if (rc || !ps->multi_step) goto done;
    // Keep the drawn metric only, then bring each step's values together.
    int n = 0;
    for (int i = 0; i < ps->n; i++)
        if (ps->p[i].accuracy == ps->has_accuracy) ps->p[n++] = ps->p[i];
    qsort(ps->p, (size_t)n, sizeof *ps->p, by_place);
    for (int i = 1; i < n; i++)
        if (!by_place(&ps->p[i - 1], &ps->p[i])) {
            char path[4600];
            plot_run_path(r, ps->p[i].run, "eval.csv", path, sizeof path);
            rc = set_error(err, errlen, "%s: two rows for step %lld, set %s, metric %s", path,
                           ps->p[i].step, ps->sets[ps->p[i].set],
                           ps->has_accuracy ? "accuracy" : "loss");
            goto done;
        }
    snprintf(p->metric, sizeof p->metric, "%s", ps->has_accuracy ? "accuracy" : "loss");
    rc = write_panels(r, ps, ps->p, n, data, b, p, err, errlen);
done:
    free(ps->p);
    free(ps);
    if (rc) *b = (plot_blocks){0};
    return rc;
}
