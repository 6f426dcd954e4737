#include "harness/experiment/selection.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/atomic_file.h"
#include "harness/base/csv.h"
#include "harness/base/dirs.h"
#include "harness/base/errors.h"
#include "harness/experiment/run.h"

// A run's group: its swept values but the seeds' and the selected key's, as "k=v k=v".
static void group_of(const run_config *r, const char *key, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < r->n_swept && used < len; k++)
        if (!run_key_is_seed(r->swept[k].key) && strcmp(r->swept[k].key, key))
            used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", used ? " " : "",
                                     r->swept[k].key, r->swept[k].value);
}

// The run's value of key among its swept values ("" when absent).
static const char *swept_value(const run_config *r, const char *key) {
    for (int k = 0; k < r->n_swept; k++)
        if (!strcmp(r->swept[k].key, key)) return r->swept[k].value;
    return "";
}

// The final value of (set, metric) in a finished selection run: 0 with *v (NAN when the run
// diverged), or -1 with a message.
static int final_value(const run_config *r, const char *results, const char *set,
                       const char *metric, double *v, char *err, size_t errlen) {
    char dir[2048], path[2200];
    run_dir(r, results, dir, sizeof dir);
    if (!run_is_done(r, results))
        return set_error(err, errlen, "selection: run %s has not finished", dir);
    snprintf(path, sizeof path, "%s/status", dir);
    const int diverged = run_read_status(path, err, errlen);
    if (diverged < 0) return -1;
    *v = NAN;
    if (diverged) return 0;
    snprintf(path, sizeof path, "%s/eval.csv", dir);
    csv_reader c;
    char *f[4];
    long long best_step = -1;
    int rc = csv_open(&c, path, RUN_EVAL_CSV_HEADER, CSV_PLAIN, err, errlen);
    while (rc == 0 && (rc = csv_next(&c, f, 4, err, errlen)) == 1) {
        rc = 0;
        const long long step = strtoll(f[0], NULL, 10);
        if (!strcmp(f[1], set) && !strcmp(f[2], metric) && step > best_step)
            best_step = step, *v = strtod(f[3], NULL);
    }
    csv_close(&c);
    if (rc < 0) return -1;
    if (best_step < 0)
        return set_error(err, errlen, "selection: %s has no %s on set %s", path, metric, set);
    return 0;
}

// Whether candidate a beats candidate b: fewer diverged runs, then the better mean.
static int beats(int diverged_a, double mean_a, int diverged_b, double mean_b, int higher) {
    if (diverged_a != diverged_b) return diverged_a < diverged_b;
    return higher ? mean_a > mean_b : mean_a < mean_b;
}

int selection_choose(const experiment *e, const run_config *points, size_t n_points,
                     const run_config *sel, size_t n_sel, const char *results,
                     char (*chosen)[CONFIG_VALUE_LEN], char *err, size_t errlen) {
    const selection_spec *spec = &e->selection;
    const char *key = spec->grid.path, *metric = spec->metric;
    const char *set = spec->set[0] ? spec->set : e->base.sets[0].name;
    const int higher = strstr(metric, "accuracy") != NULL;
    const int n_values = spec->grid.n_values;
    double *sum = calloc((size_t)n_values, sizeof *sum);
    int *count = calloc((size_t)n_values, sizeof *count);
    int *diverged = calloc((size_t)n_values, sizeof *diverged);
    char dir[2100], path[2200];
    snprintf(dir, sizeof dir, "%s/%s", results, e->base.experiment);
    snprintf(path, sizeof path, "%s/selection.csv", dir);
    atomic_file out = {0};
    int rc = !sum || !count || !diverged ? set_error(err, errlen, "out of memory")
             : make_dirs(dir, err, errlen)  ? -1
                                            : atomic_file_open(&out, path, err, errlen);
    if (rc == 0) fprintf(out.f, "group,%s,n,n_diverged,mean,chosen\n", key);
    // Each group is chosen once, at its first point; its other points (other seeds) share it.
    for (size_t i = 0; rc == 0 && i < n_points; i++) {
        char group[1024], other[1024];
        group_of(&points[i], key, group, sizeof group);
        size_t first = 0;
        while (first < i) {
            group_of(&points[first], key, other, sizeof other);
            if (!strcmp(group, other)) break;
            first++;
        }
        if (first < i) {
            memcpy(chosen[i], chosen[first], sizeof chosen[i]);
            continue;
        }
        memset(sum, 0, (size_t)n_values * sizeof *sum);
        memset(count, 0, (size_t)n_values * sizeof *count);
        memset(diverged, 0, (size_t)n_values * sizeof *diverged);
        for (size_t j = 0; rc == 0 && j < n_sel; j++) {
            group_of(&sel[j], key, other, sizeof other);
            if (strcmp(group, other)) continue;
            int c = 0;
            while (c < n_values && strcmp(spec->grid.values[c], swept_value(&sel[j], key))) c++;
            double v = NAN;
            if (c == n_values || (rc = final_value(&sel[j], results, set, metric, &v, err,
                                                   errlen)) != 0)
                continue;
            if (isnan(v)) diverged[c]++;
            else sum[c] += v, count[c]++;
        }
        int best = -1;
        for (int c = 0; rc == 0 && c < n_values; c++) {
            if (!count[c] && !diverged[c]) continue;
            const double mean = count[c] ? sum[c] / count[c] : NAN;
            if (best < 0 || beats(diverged[c], mean, diverged[best],
                                  count[best] ? sum[best] / count[best] : NAN, higher))
                best = c;
        }
        if (rc == 0 && best < 0)
            rc = set_error(err, errlen, "selection: no selection run of group '%s'", group);
        for (int c = 0; rc == 0 && c < n_values; c++)
            fprintf(out.f, "%s,%s,%d,%d,%.9g,%d\n", group[0] ? group : "all",
                    spec->grid.values[c], count[c] + diverged[c], diverged[c],
                    count[c] ? sum[c] / count[c] : NAN, c == best);
        if (rc == 0) snprintf(chosen[i], sizeof chosen[i], "%s", spec->grid.values[best]);
    }
    if (rc == 0) rc = atomic_file_commit(&out, err, errlen);
    else atomic_file_abandon(&out);
    free(sum);
    free(count);
    free(diverged);
    return rc;
}
