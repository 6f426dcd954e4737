// Answer accuracy per group for `posbench plot` (plot_groups.h).
#include "plot_groups.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "plot_io.h"

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

// Adds run i's groups.csv rows (no groups.csv: none).
static int read_groups(const plot_runs *r, int i, plot_points *ps, char *names, size_t len,
                       char *err, size_t errlen) {
    char path[4600], *f[7];
    plot_run_path(r, i, "groups.csv", path, sizeof path);
    if (access(path, F_OK) != 0) return 0;
    plot_csv c;
    int got, rc = -1;
    if (plot_csv_open(&c, path, "set,group_name,group,n,correct,accuracy,no_lookup", err,
                      errlen))
        goto done;
    while ((got = plot_csv_next(&c, f, 7, err, errlen)) == 1) {
        double group, accuracy;
        if (plot_number(f[2], &group) || group != floor(group) || fabs(group) > 1e9 ||
            plot_number(f[5], &accuracy)) {
            set_error(err, errlen, "%s:%d: malformed group or accuracy", path, c.lineno);
            goto done;
        }
        const plot_point p = {plot_points_set(ps, f[0]), r->runs[i].series, i, 0,
                              (long long)group, accuracy};
        if (p.set < 0) {
            set_error(err, errlen, "groups plot: more than %d evaluation sets", PLOT_MAX_SETS);
            goto done;
        }
        if (plot_points_add(ps, &p)) {
            set_error(err, errlen, "out of memory");
            goto done;
        }
        add_name(names, len, f[1]);
    }
    rc = got < 0 ? -1 : 0;
done:
    plot_csv_close(&c);
    return rc;
}

int plot_write_groups(const plot_runs *r, const char *data, plot_blocks *b, plot_panels *p,
                      char *names, size_t len, char *err, size_t errlen) {
    *b = (plot_blocks){0};
    *p = (plot_panels){0};
    names[0] = '\0';
    plot_points ps = {0};
    int rc = 0;
    // A diverged run's model is the one that diverged; the summary does not count it.
    for (int i = 0; i < r->n && !rc; i++)
        if (!r->runs[i].diverged) rc = read_groups(r, i, &ps, names, len, err, errlen);
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
done:
    plot_points_free(&ps);
    if (rc) *b = (plot_blocks){0};
    return rc;
}
