// Answer accuracy per group for `posbench plot` (plot_groups.h).
#include "harness/plot/plot_groups.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/base/errors.h"
#include "harness/plot/plot_io.h"

// Appends name to the " / "-separated list names unless it is there.
static void add_name(char *names, size_t len, const char *name) {
    const size_t n = strlen(name);
    for (const char *p = names; *p;) {
        const char *end = strstr(p, " / ");
        const size_t k = end ? (size_t)(end - p) : strlen(p);
        if (k == n && !strncmp(p, name, n)) return;
        p += end ? k + 3 : k;
    }
    const size_t used = strlen(names);
    snprintf(names + used, len - used, "%s%s", used ? " / " : "", name);
}

// Adds run i's groups.csv rows (no groups.csv: none): accuracy to ps, no_lookup to base
// (same set index, series 0).
static int read_groups(const plot_runs *r, int i, plot_points *ps, plot_points *base,
                       char *names, size_t len, char *err, size_t errlen) {
    char path[4600], *f[7];
    plot_run_path(r, i, "groups.csv", path, sizeof path);
    if (access(path, F_OK) != 0) return 0;
    csv_reader c;
    int got, rc = -1;
    if (csv_open(&c, path, "set,group_name,group,n,correct,accuracy,no_lookup", CSV_QUOTED, err,
                 errlen))
        goto done;
    while ((got = csv_next(&c, f, 7, err, errlen)) == 1) {
        double group, accuracy, no_lookup;
        if (plot_number(f[2], &group) || group != floor(group) || fabs(group) > 1e9 ||
            plot_number(f[5], &accuracy) || plot_number(f[6], &no_lookup)) {
            set_error(err, errlen, "%s:%d: malformed group, accuracy or no_lookup", path,
                      c.lineno);
            goto done;
        }
        const plot_point p = {plot_points_set(ps, f[0]), r->runs[i].series, i, 0,
                              (long long)group, accuracy};
        if (p.set < 0) {
            set_error(err, errlen, "groups plot: more than %d evaluation sets", PLOT_MAX_SETS);
            goto done;
        }
        const plot_point q = {p.set, 0, i, 0, p.x, no_lookup};
        if (plot_points_add(ps, &p) || plot_points_add(base, &q)) {
            set_error(err, errlen, "out of memory");
            goto done;
        }
        add_name(names, len, f[1]);
    }
    rc = got < 0 ? -1 : 0;
done:
    csv_close(&c);
    return rc;
}

// Whether every run has the same no_lookup at each group of each panel (base sorted), i.e.
// the runs share one evaluation data: then one baseline line is true of all of them.
static int baseline_shared(const plot_points *base) {
    for (int i = 1; i < base->n; i++) {
        const plot_point *a = &base->p[i - 1], *c = &base->p[i];
        if (a->set == c->set && a->x == c->x && a->value != c->value) return 0;
    }
    return 1;
}

// Writes the no-lookup baseline: one block per panel of p, rows `group no_lookup` (percent).
static int write_baseline(const plot_points *base, const plot_panels *p, const char *path,
                          char *err, size_t errlen) {
    atomic_file o = {0};
    if (atomic_file_open(&o, path, err, errlen)) return -1;
    for (int k = 0; k < p->n; k++) {
        plot_block_header(o.f, k, "no-lookup baseline", "group no_lookup");
        for (int i = 0; i < base->n; i++) {
            const plot_point *q = &base->p[i], *before = i > 0 ? q - 1 : NULL;
            if (q->set == p->set_of[k] && !(before && before->set == q->set && before->x == q->x))
                fprintf(o.f, "%lld %.6g\n", q->x, 100 * q->value);
        }
    }
    return plot_out_close(&o, 1, err, errlen);
}

int plot_write_groups(const plot_runs *r, const char *data, const char *baseline,
                      plot_blocks *b, plot_panels *p, int *has_baseline, char *names, size_t len,
                      char *err, size_t errlen) {
    *b = (plot_blocks){0};
    *p = (plot_panels){0};
    *has_baseline = 0;
    names[0] = '\0';
    plot_points ps = {0}, base = {0};
    int rc = 0;
    // A diverged run's model is the one that diverged; the summary does not count it.
    for (int i = 0; i < r->n && !rc; i++)
        if (!r->runs[i].diverged) rc = read_groups(r, i, &ps, &base, names, len, err, errlen);
    if (rc || ps.n == 0) goto done;
    const int twice = plot_points_sort(&ps, ps.n);
    if (twice >= 0) {
        char path[4600];
        plot_run_path(r, ps.p[twice].run, "groups.csv", path, sizeof path);
        rc = set_error(err, errlen, "%s: two rows for group %lld, set %s", path, ps.p[twice].x,
                       ps.sets[ps.p[twice].set]);
        goto done;
    }
    snprintf(p->metric, sizeof p->metric, "accuracy");
    rc = plot_write_panels(r, &ps, ps.n, 100, "group", "groups", data, b, p, err, errlen);
    plot_points_sort(&base, base.n);
    if (!rc && b->n > 0 && baseline_shared(&base)) {
        rc = write_baseline(&base, p, baseline, err, errlen);
        *has_baseline = !rc;
    }
done:
    plot_points_free(&ps);
    plot_points_free(&base);
    if (rc) *b = (plot_blocks){0};
    return rc;
}

// ---- the baseline of a whole set ------------------------------------------------------------

// Adds run i's baseline per set to sums: n-weighted no_lookup over the set's rows of its
// groups.csv. *has: whether the run has one.
static int add_run_baselines(const plot_runs *r, int i, plot_set_baseline *sums, double *weight,
                             int max, int *n, int *has, char *err, size_t errlen) {
    char path[4600], *f[7];
    plot_run_path(r, i, "groups.csv", path, sizeof path);
    *has = access(path, F_OK) == 0;
    if (!*has) return 0;
    csv_reader c;
    int got;
    if (csv_open(&c, path, "set,group_name,group,n,correct,accuracy,no_lookup", CSV_QUOTED, err,
                 errlen))
        return -1;
    while ((got = csv_next(&c, f, 7, err, errlen)) == 1) {
        double count, no_lookup;
        if (plot_number(f[3], &count) || plot_number(f[6], &no_lookup)) {
            got = set_error(err, errlen, "%s:%d: malformed n or no_lookup", path, c.lineno);
            break;
        }
        int k = 0;
        while (k < *n && strcmp(sums[k].set, f[0])) k++;
        if (k == *n) {
            if (*n == max) {
                got = set_error(err, errlen, "%s: more than %d evaluation sets", path, max);
                break;
            }
            snprintf(sums[k].set, sizeof sums[k].set, "%s", f[0]);
            sums[k].value = 0, weight[k] = 0, (*n)++;
        }
        sums[k].value += count * no_lookup;
        weight[k] += count;
    }
    csv_close(&c);
    return got < 0 ? -1 : 0;
}

int plot_set_baselines(const plot_runs *r, plot_set_baseline *out, int max, int *n, char *err,
                       size_t errlen) {
    *n = 0;
    plot_set_baseline *mine = calloc((size_t)max, sizeof *mine);
    double *weight = calloc((size_t)max, sizeof *weight);
    int rc = mine && weight ? 0 : set_error(err, errlen, "out of memory"), runs = 0;
    for (int i = 0; i < r->n && rc == 0; i++) {
        if (r->runs[i].diverged) continue;
        int n_mine = 0, has;
        if ((rc = add_run_baselines(r, i, mine, weight, max, &n_mine, &has, err, errlen))) break;
        if (!has) {  // a run without groups.csv: no baseline can be vouched for
            *n = 0;
            break;
        }
        for (int k = 0; k < n_mine; k++) mine[k].value /= weight[k];
        if (runs++ == 0) {
            memcpy(out, mine, (size_t)n_mine * sizeof *out);
            *n = n_mine;
            continue;
        }
        // Another run's evaluation data differ: keep only the sets where they agree.
        int kept = 0;
        for (int k = 0; k < *n; k++)
            for (int j = 0; j < n_mine; j++)
                if (!strcmp(out[k].set, mine[j].set) &&
                    fabs(out[k].value - mine[j].value) <= 1e-9)
                    out[kept++] = out[k];
        *n = kept;
    }
    free(mine);
    free(weight);
    if (rc) *n = 0;
    return rc;
}
