// Learning curves for `posbench plot` (plot_learning.h).
#include "harness/plot/plot_learning.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/base/errors.h"
#include "harness/experiment/run.h"
#include "harness/plot/plot_io.h"

// What eval.csv holds beyond the points: whether some row is accuracy, whether some is
// perplexity (language modelling, where the loss is drawn: next-byte accuracy says little),
// and whether some run was evaluated at two steps or more.
typedef struct {
    plot_points pts;
    int has_accuracy, has_perplexity;
    int multi_step;
} points;

// Adds run i's accuracy and loss rows (no eval.csv: none).
static int read_eval(const plot_runs *r, int i, points *ps, char *err, size_t errlen) {
    char path[4600], *f[4];
    plot_run_path(r, i, "eval.csv", path, sizeof path);
    if (access(path, F_OK) != 0) return 0;
    csv_reader c;
    int got, rc = -1;
    long long first = -1;
    if (csv_open(&c, path, RUN_EVAL_CSV_HEADER, CSV_QUOTED, err, errlen)) goto done;
    while ((got = csv_next(&c, f, 4, err, errlen)) == 1) {
        double step, value;
        if (plot_number(f[0], &step) || !(step >= 0 && step <= 1e15) || step != floor(step) ||
            plot_number(f[3], &value)) {
            set_error(err, errlen, "%s:%d: malformed step or value", path, c.lineno);
            goto done;
        }
        const int accuracy = !strcmp(f[2], "accuracy");
        ps->has_perplexity |= !strcmp(f[2], "perplexity");
        if (!accuracy && strcmp(f[2], "loss")) continue;  // perplexity: exp of the loss
        if (strchr(f[1], '@')) continue;  // scored after training (posbench score): no curve
        const plot_point p = {plot_points_set(&ps->pts, f[1]), r->runs[i].series, i, accuracy,
                              (long long)step, value};
        if (p.set < 0) {
            set_error(err, errlen, "learning plot: more than %d evaluation sets",
                      PLOT_MAX_SETS);
            goto done;
        }
        if (plot_points_add(&ps->pts, &p)) {
            set_error(err, errlen, "out of memory");
            goto done;
        }
        ps->has_accuracy |= accuracy;
        if (first < 0) first = p.x;
        ps->multi_step |= p.x != first;
    }
    rc = got < 0 ? -1 : 0;
done:
    csv_close(&c);
    return rc;
}

// The step after which run i stopped early (its status's second line, `stopped at step N`),
// or -1 when it ran its whole budget.
static long long stopped_at(const plot_runs *r, int i) {
    char path[4600], line[2][64] = {"", ""};
    plot_run_path(r, i, "status", path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    for (int k = 0; k < 2 && fgets(line[k], sizeof line[k], f); k++) {}
    fclose(f);
    long long step;
    return sscanf(line[1], "stopped at step %lld", &step) == 1 ? step : -1;
}

// A run that stopped early because it had solved the task keeps its last evaluation: its
// values are carried forward at its own evaluation interval up to the last step any run of
// its series reached. Without that, the series' mean at later steps would be the mean of the
// runs that had not solved it yet. Returns 0 / -1 (out of memory).
static int carry_forward(const plot_runs *r, plot_points *pts) {
    const int n0 = pts->n;
    for (int i = 0; i < r->n; i++) {
        const long long stop = stopped_at(r, i);
        if (stop < 0) continue;
        long long prev = -1, end = -1;
        int series = -1;
        for (int k = 0; k < n0; k++)
            if (pts->p[k].run == i) {
                series = pts->p[k].series;
                if (pts->p[k].x < stop && pts->p[k].x > prev) prev = pts->p[k].x;
            }
        for (int k = 0; k < n0; k++)
            if (pts->p[k].series == series && pts->p[k].x > end) end = pts->p[k].x;
        if (prev < 0 || series < 0) continue;
        for (long long x = 2 * stop - prev; x <= end; x += stop - prev)
            for (int k = 0; k < n0; k++)
                if (pts->p[k].run == i && pts->p[k].x == stop) {
                    plot_point q = pts->p[k];
                    q.x = x;
                    if (plot_points_add(pts, &q)) return -1;
                }
    }
    return 0;
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
    plot_points *pts = &ps->pts;
    if (carry_forward(r, pts)) {
        rc = set_error(err, errlen, "out of memory");
        goto done;
    }
    // Keep the drawn metric only, then bring each step's values together.
    const int accuracy = ps->has_accuracy && !ps->has_perplexity;
    int n = 0;
    for (int i = 0; i < pts->n; i++)
        if (pts->p[i].tag == accuracy) pts->p[n++] = pts->p[i];
    const int twice = plot_points_sort(pts, n);
    if (twice >= 0) {
        char path[4600];
        plot_run_path(r, pts->p[twice].run, "eval.csv", path, sizeof path);
        rc = set_error(err, errlen, "%s: two rows for step %lld, set %s, metric %s", path,
                       pts->p[twice].x, pts->sets[pts->p[twice].set],
                       accuracy ? "accuracy" : "loss");
        goto done;
    }
    snprintf(p->metric, sizeof p->metric, "%s", accuracy ? "accuracy" : "loss");
    rc = plot_write_panels(r, pts, n, accuracy ? 100 : 1, "step", "learning", data, b, p, err,
                           errlen);
done:
    plot_points_free(&ps->pts);
    free(ps);
    if (rc) *b = (plot_blocks){0};
    return rc;
}
