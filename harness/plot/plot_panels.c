// Curves in panels for `posbench plot` (plot_panels.h).
#include "harness/plot/plot_panels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/analysis/summary.h"
#include "harness/base/errors.h"
#include "harness/plot/plot_io.h"

int plot_points_set(plot_points *ps, const char *set) {
    for (int i = 0; i < ps->n_sets; i++)
        if (!strcmp(ps->sets[i], set)) return i;
    if (ps->n_sets == PLOT_MAX_SETS) return -1;
    snprintf(ps->sets[ps->n_sets], PLOT_SET_NAME, "%s", set);
    return ps->n_sets++;
}

int plot_points_add(plot_points *ps, const plot_point *p) {
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

void plot_points_free(plot_points *ps) {
    free(ps->p);
    ps->p = NULL;
    ps->n = ps->cap = 0;
}

// Panel (set), then block (series), then x, then run.
static int by_place(const void *a, const void *b) {
    const plot_point *x = a, *y = b;
    if (x->set != y->set) return x->set - y->set;
    if (x->series != y->series) return x->series - y->series;
    if (x->x != y->x) return (x->x > y->x) - (x->x < y->x);
    return x->run - y->run;
}

int plot_points_sort(plot_points *ps, int n) {
    qsort(ps->p, (size_t)n, sizeof *ps->p, by_place);
    for (int i = 1; i < n; i++)
        if (!by_place(&ps->p[i - 1], &ps->p[i])) return i;
    return -1;
}

// Writes the block of series g in one panel from pts[0..n-1] (its rows, sorted by x);
// nothing when no x has a finite mean, as an empty block makes gnuplot warn. v: scratch
// for n values. Returns 1 when a block was written, else 0.
static int write_block(FILE *f, const plot_runs *r, const plot_point *pts, int n, double scale,
                       const char *metric, const char *columns, int block, int labelled,
                       double *v) {
    int wrote = 0;
    for (int i = 0; i < n;) {
        int k = 0;
        for (; i + k < n && pts[i + k].x == pts[i].x; k++) v[k] = pts[i + k].value;
        summary_row s;
        summary_describe_metric(metric, v, k, &s);
        s.mean *= scale, s.ci_low *= scale, s.ci_high *= scale;
        if (isfinite(s.mean)) {
            if (!wrote) {
                char label[PLOT_NAME + PLOT_VARIANT + 8] = "";
                if (!labelled) plot_series_label(&r->series, pts[i].series, label, sizeof label);
                plot_block_header(f, block, label, columns);
            }
            // A single seed has no interval: lo = hi = mean draws no band.
            const int has = k > 1 && isfinite(s.ci_low) && isfinite(s.ci_high);
            fprintf(f, "%lld %.6g %.6g %.6g %d\n", pts[i].x, s.mean, has ? s.ci_low : s.mean,
                    has ? s.ci_high : s.mean, k);
            wrote = 1;
        }
        i += k;
    }
    return wrote;
}

int plot_write_panels(const plot_runs *r, const plot_points *ps, int n, double scale,
                      const char *x_name, const char *what, const char *data, plot_blocks *b,
                      plot_panels *p, char *err, size_t errlen) {
    char columns[96];
    snprintf(columns, sizeof columns, "%s mean lo hi n", x_name);
    const plot_point *pts = ps->p;
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
            if (write_block(o.f, r, pts + i, k, scale, p->metric, columns, b->n, labelled[g],
                            v)) {
                labelled[g] = 1;
                if (plot_blocks_add(b, r->series.items[g].encoding,
                                    plot_series_dash(&r->series, g))) {
                    set_error(err, errlen, "%s plot: too many series", what);
                    goto done;
                }
            }
            i += k;
        }
        char count[16];
        snprintf(count, sizeof count, "%d", b->n - before);
        if (b->n > before && (plot_words_add(p->sets, sizeof p->sets, ps->sets[set]) ||
                              plot_words_add(p->counts, sizeof p->counts, count))) {
            set_error(err, errlen, "%s plot: too many evaluation sets", what);
            goto done;
        }
        if (b->n > before) p->set_of[p->n++] = set;
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
