// The experiment summary (summary.h): reading run folders, grouping, statistics, summary.csv.
#include "harness/analysis/summary.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/analysis/binomial.h"
#include "harness/analysis/student_t.h"
#include "harness/base/csv.h"
#include "harness/base/dirs.h"
#include "harness/base/errors.h"
#include "harness/base/read_file.h"
#include "harness/experiment/run.h"

// ---- reading run folders -------------------------------------------------------------------

// The value of one (set, metric) in one run: the row with the largest step.
typedef struct {
    char *set, *metric;
    long long step;
    double value;
    int line;
    long long first_at;  // the first step whose value reached the summary's success_at, or -1
} eval_value;

typedef struct {
    char *id;
    int diverged;
    char *config;   // config.yaml without its seed line: what the run's group must share
    char **values;  // aligned with the first finished run's point keys (seed included)
    int n_evals;
    eval_value *evals;  // in order of first appearance in eval.csv
} run;

// Grows *p (elements of size bytes) so that it holds at least n + 1. Returns 0 / -1.
static int grow(void *p, int *cap, int n, size_t size) {
    if (n < *cap) return 0;
    const int ncap = *cap ? 2 * *cap : 8;
    void *q = realloc(*(void **)p, (size_t)ncap * size);
    if (!q) return -1;
    *(void **)p = q;
    *cap = ncap;
    return 0;
}

// DIR/runs/ID/NAME into buf. Returns 0 / -1 (too long).
static int run_path(char *buf, size_t len, const char *dir, const char *id, const char *name,
                    char *err, size_t errlen) {
    const int w = snprintf(buf, len, "%s/runs/%s/%s", dir, id, name);
    if (w < 0 || (size_t)w >= len)
        return set_error(err, errlen, "%s/runs/%s: path too long", dir, id);
    return 0;
}

static int key_index(char *const *keys, int n, const char *key) {
    for (int k = 0; k < n; k++)
        if (!strcmp(keys[k], key)) return k;
    return -1;
}

// Reads point.csv into r->values, aligned with *keys. The first call (*n_keys < 0) takes its
// keys, in file order, as the experiment's (ownership passes to *keys); later runs must have
// exactly those keys. first names the first run's point.csv in messages.
static int read_point(const char *path, const char *first, run *r, char ***keys, int *n_keys,
                      char *err, size_t errlen) {
    run_point p;
    int rc = run_read_point(path, &p, err, errlen);
    for (int i = 0; rc == 0 && *n_keys >= 0 && i < p.n; i++)
        if (key_index(*keys, *n_keys, p.keys[i]) < 0)
            rc = set_error(err, errlen, "%s:%d: key '%s' is not in %s", path, p.lines[i],
                           p.keys[i], first);
    if (rc == 0 && *n_keys < 0) {  // the first run's keys become the experiment's
        *keys = p.keys;
        *n_keys = p.n;
        r->values = p.values;
        free(p.lines);
        return 0;
    }
    if (rc == 0 && !(r->values = calloc((size_t)*n_keys + 1, sizeof *r->values)))
        rc = set_error(err, errlen, "out of memory");
    for (int k = 0; rc == 0 && k < *n_keys; k++) {
        const int i = key_index(p.keys, p.n, (*keys)[k]);
        if (i < 0)
            rc = set_error(err, errlen, "%s: no key '%s' (%s has it)", path, (*keys)[k], first);
        else
            r->values[k] = p.values[i], p.values[i] = NULL;
    }
    run_point_free(&p);
    return rc;
}

// Reads eval.csv into r->evals: per (set, metric), the value at the largest step, and the first
// step at which the value was at or above success_at (NaN: none).
static int read_eval(const char *path, run *r, double success_at, char *err, size_t errlen) {
    csv_reader c;
    int rc = csv_open(&c, path, RUN_EVAL_CSV_HEADER, CSV_PLAIN, err, errlen), cap = 0;
    char *f[4] = {0};
    while (rc == 0 && (rc = csv_next(&c, f, 4, err, errlen)) == 1) {
        rc = -1;
        char *end;
        errno = 0;
        const long long step = strtoll(f[0], &end, 10);
        if (*end || errno || step < 0 || f[0][0] < '0' || f[0][0] > '9') {
            set_error(err, errlen, "%s:%d: step '%s' is not a non-negative integer", path,
                      c.lineno, f[0]);
            break;
        }
        const double value = strtod(f[3], &end);
        if (*end) {
            set_error(err, errlen, "%s:%d: value '%s' is not a number", path, c.lineno, f[3]);
            break;
        }
        eval_value *e = NULL;
        for (int k = 0; !e && k < r->n_evals; k++)
            if (!strcmp(r->evals[k].set, f[1]) && !strcmp(r->evals[k].metric, f[2]))
                e = &r->evals[k];
        if (e && step == e->step) {
            set_error(err, errlen,
                      "%s:%d: second row for step %lld, set %s, metric %s (first on line %d)",
                      path, c.lineno, step, f[1], f[2], e->line);
            break;
        }
        if (!e) {
            const int k = r->n_evals;
            if (grow(&r->evals, &cap, k, sizeof *r->evals)) {
                set_error(err, errlen, "out of memory");
                break;
            }
            e = &r->evals[k];
            *e = (eval_value){.set = strdup(f[1]), .metric = strdup(f[2]), .step = -1,
                              .first_at = -1};
            r->n_evals++;
            if (!e->set || !e->metric) {
                set_error(err, errlen, "out of memory");
                break;
            }
        }
        if (step > e->step) e->step = step, e->value = value, e->line = c.lineno;
        if (value >= success_at && (e->first_at < 0 || step < e->first_at)) e->first_at = step;
        rc = 0;
    }
    csv_close(&c);
    return rc;
}

// Removes the first line of text that starts with key (at a line start), if any.
static void drop_line(char *text, const char *key) {
    const size_t n = strlen(key);
    for (char *line = text; *line;) {
        char *next = strchr(line, '\n');
        next = next ? next + 1 : line + strlen(line);
        if (!strncmp(line, key, n)) {
            memmove(line, next, strlen(next) + 1);
            return;
        }
        line = next;
    }
}

// The run's config.yaml without its seeds (and its resume interval, which changes how a run
// is kept, not a number) into r->config: two runs belong to one group only if this text is
// the same, not merely their swept values (an edited experiment file must not pool its old
// runs with its new ones).
static int read_config(const char *path, run *r, char *err, size_t errlen) {
    size_t len;
    char *text = read_file(path, &len, err, errlen);
    if (!text) return -1;
    drop_line(text, "seed:");
    drop_line(text, "init_seed:");
    drop_line(text, "data_seed:");
    drop_line(text, "  checkpoint_every:");
    r->config = text;
    return 0;
}

// The first line where two configs differ, as "LINE_A vs LINE_B" (either may be empty).
static void first_difference(const char *a, const char *b, char *buf, size_t len) {
    while (*a && *b) {
        const size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (la != lb || strncmp(a, b, la)) {
            snprintf(buf, len, "'%.*s' vs '%.*s'", (int)la, a, (int)lb, b);
            return;
        }
        a += la + (a[la] != 0), b += lb + (b[lb] != 0);
    }
    snprintf(buf, len, "'%.*s' vs '%.*s'", (int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"), b);
}

static void free_run(run *r, int n_keys) {
    free(r->id);
    free(r->config);
    if (r->values)
        for (int k = 0; k < n_keys; k++) free(r->values[k]);
    free(r->values);
    for (int i = 0; i < r->n_evals; i++) free(r->evals[i].set), free(r->evals[i].metric);
    free(r->evals);
}

// ---- statistics ----------------------------------------------------------------------------

static int by_value(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// The median of v[0..n-1], n >= 1, without changing v.
static double median_of(const double *v, int n) {
    double small[64], *copy = n <= 64 ? small : malloc((size_t)n * sizeof *copy);
    if (!copy) return NAN;
    memcpy(copy, v, (size_t)n * sizeof *copy);
    qsort(copy, (size_t)n, sizeof *copy, by_value);
    const double m = n % 2 ? copy[n / 2] : 0.5 * (copy[n / 2 - 1] + copy[n / 2]);
    if (copy != small) free(copy);
    return m;
}

void summary_describe(const double *v, int n, summary_row *r) {
    r->n = n;
    r->mean = r->sd = r->ci_low = r->ci_high = r->min = r->max = r->median = NAN;
    if (n == 0) return;
    r->median = median_of(v, n);
    double sum = 0.0, ss = 0.0;
    r->min = r->max = v[0];
    for (int i = 0; i < n; i++) {
        sum += v[i];
        if (v[i] < r->min) r->min = v[i];
        if (v[i] > r->max) r->max = v[i];
    }
    r->mean = sum / n;
    // Two passes: summing squares first would cancel when the spread is small next to the mean.
    for (int i = 0; i < n; i++) ss += (v[i] - r->mean) * (v[i] - r->mean);
    r->sd = n > 1 ? sqrt(ss / (n - 1)) : 0.0;
    if (n < 2) return;
    const double half = student_t_quantile(0.975, n - 1) * r->sd / sqrt((double)n);
    r->ci_low = r->mean - half;
    r->ci_high = r->mean + half;
}

// Perplexity is exp(loss): averaged on the log scale, its interval stays positive and is as
// lopsided as the quantity (a t-interval on the raw values reaches below zero at a few seeds).
static void describe_log_scale(double *v, int n, summary_row *r) {
    double lo = NAN, hi = NAN;
    for (int i = 0; i < n; i++) {
        if (i == 0 || v[i] < lo) lo = v[i];
        if (i == 0 || v[i] > hi) hi = v[i];
        v[i] = log(v[i]);
    }
    summary_describe(v, n, r);
    r->mean = exp(r->mean);
    r->median = exp(r->median);  // exp is monotonic: the median of the values
    r->ci_low = exp(r->ci_low);
    r->ci_high = exp(r->ci_high);
    r->min = lo;
    r->max = hi;
}

void summary_describe_metric(const char *metric, double *v, int n, summary_row *r) {
    if (!strncmp(metric, "perplexity", 10)) {
        describe_log_scale(v, n, r);
        return;
    }
    summary_describe(v, n, r);
    // Accuracies lie in [0, 1] and losses (bits per byte too) in [0, inf), and so do their
    // means: the part of a t-interval outside holds no possible mean, and cutting it off keeps
    // the coverage (P(mean in I) = P(mean in I and the range)). Uncut, a few seeds of a task
    // that some of them solve gave accuracy intervals reaching below 0%.
    const int proportion = strstr(metric, "accuracy") != NULL;
    if (n >= 2 && (proportion || strstr(metric, "loss") || strstr(metric, "bits_per_byte")))
        r->ci_low = fmax(r->ci_low, 0.0);
    if (n >= 2 && proportion) r->ci_high = fmin(r->ci_high, 1.0);
}

// Whether a metric counts solved runs: accuracy per token, and its means over the lengths
// within and beyond training (a run learns a task at its training lengths or does not, and
// extrapolates or does not). Not sequence accuracy, which a solved run need not reach.
static int counts_success(const char *metric) {
    return !strcmp(metric, "accuracy") || !strcmp(metric, "accuracy_within") ||
           !strcmp(metric, "accuracy_beyond");
}

// r's n_success, its interval and the steps at which the solved runs first reached the
// threshold (first_at[i] for v[i]): counts_success rows only, when a threshold is set.
static void count_successes(const double *v, const double *first_at, int n, int n_diverged,
                            double success_at, summary_row *r, double *steps) {
    r->n_success = -1;
    r->success_low = r->success_high = NAN;
    r->solved_at_min = r->solved_at_median = r->solved_at_max = NAN;
    if (isnan(success_at) || !counts_success(r->metric) || n + n_diverged == 0) return;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (v[i] >= success_at) steps[k++] = first_at[i];
    r->n_success = k;
    binomial_interval(k, n + n_diverged, &r->success_low, &r->success_high);
    if (k == 0) return;
    qsort(steps, (size_t)k, sizeof *steps, by_value);
    r->solved_at_min = steps[0];
    r->solved_at_max = steps[k - 1];
    r->solved_at_median = k % 2 ? steps[k / 2] : 0.5 * (steps[k / 2 - 1] + steps[k / 2]);
}

typedef struct {
    const char *set, *metric;
} pair;

// Appends the (set, metric) pairs of r not yet in *pairs. Returns 0 / -1 (out of memory).
static int add_pairs(const run *r, pair **pairs, int *n, int *cap) {
    for (int i = 0; i < r->n_evals; i++) {
        int k = 0;
        while (k < *n && (strcmp((*pairs)[k].set, r->evals[i].set) ||
                          strcmp((*pairs)[k].metric, r->evals[i].metric)))
            k++;
        if (k < *n) continue;
        if (grow(pairs, cap, *n, sizeof **pairs)) return -1;
        (*pairs)[(*n)++] = (pair){r->evals[i].set, r->evals[i].metric};
    }
    return 0;
}

// Rows of group g over pairs (values from its done runs). Returns 0 / -1 (out of memory).
static int add_rows(summary *s, int *cap, int g, const run *runs, const int *group_of, int n_runs,
                    const pair *pairs, int n_pairs, double *scratch) {
    double *first_at = scratch + n_runs, *steps = first_at + n_runs;
    for (int p = 0; p < n_pairs; p++) {
        int n = 0, n_div = 0;
        for (int i = 0; i < n_runs; i++) {
            if (group_of[i] != g) continue;
            n_div += runs[i].diverged;
            for (int k = 0; !runs[i].diverged && k < runs[i].n_evals; k++)
                if (!strcmp(runs[i].evals[k].set, pairs[p].set) &&
                    !strcmp(runs[i].evals[k].metric, pairs[p].metric))
                    first_at[n] = (double)runs[i].evals[k].first_at,
                    scratch[n++] = runs[i].evals[k].value;
        }
        if (grow(&s->rows, cap, s->n_rows, sizeof *s->rows)) return -1;
        summary_row *r = &s->rows[s->n_rows++];
        *r = (summary_row){.group = g, .set = strdup(pairs[p].set),
                           .metric = strdup(pairs[p].metric), .n_diverged = n_div};
        if (!r->set || !r->metric) return -1;
        summary_describe_metric(r->metric, scratch, n, r);
        count_successes(scratch, first_at, n, n_div, s->success_at, r, steps);
    }
    return 0;
}

// The values of group g on pair p into v (done runs with a value), and how many of the
// group's runs diverged. Returns how many values.
static int group_values(const run *runs, const int *group_of, int n_runs, int g, const pair *p,
                        double *v, int *n_diverged) {
    int n = 0;
    *n_diverged = 0;
    for (int i = 0; i < n_runs; i++) {
        if (group_of[i] != g) continue;
        *n_diverged += runs[i].diverged;
        for (int k = 0; !runs[i].diverged && k < runs[i].n_evals; k++)
            if (!strcmp(runs[i].evals[k].set, p->set) &&
                !strcmp(runs[i].evals[k].metric, p->metric))
                v[n++] = runs[i].evals[k].value;
    }
    return n;
}

// Whether groups a and b differ in exactly one group key: the pairs worth comparing. In a
// sweep over tasks x encodings, two encodings on one task are; two encodings on two tasks
// are not (and there are far more of those).
static int differ_in_one_key(const summary *s, int a, int b) {
    int n = 0;
    for (int k = 0; k < s->n_keys; k++)
        n += strcmp(s->group_values[a][k], s->group_values[b][k]) != 0;
    return n == 1;
}

// Every pair of groups that differ in one key, compared on every (set, metric) of the
// experiment (pairs), with Welch's test, and for accuracies with a threshold Fisher's test on
// the success counts. Returns 0 / -1 (out of memory). scratch holds 2 n_runs doubles.
static int add_comparisons(summary *s, const run *runs, const int *group_of, int n_runs,
                           const pair *pairs, int n_pairs, double *scratch) {
    size_t n = 0;
    for (int a = 0; a < s->n_groups; a++)
        for (int b = a + 1; b < s->n_groups; b++) n += (size_t)differ_in_one_key(s, a, b);
    n *= (size_t)n_pairs;
    if (n == 0) return 0;
    if (!(s->comparisons = calloc(n, sizeof *s->comparisons))) return -1;
    double *va = scratch, *vb = scratch + n_runs;
    for (int p = 0; p < n_pairs; p++)
        for (int a = 0; a < s->n_groups; a++)
            for (int b = a + 1; b < s->n_groups; b++) {
                if (!differ_in_one_key(s, a, b)) continue;
                summary_comparison *c = &s->comparisons[s->n_comparisons++];
                int div_a, div_b;
                *c = (summary_comparison){.a = a, .b = b, .solved_a = -1, .solved_b = -1,
                                          .fisher_p = NAN};
                c->set = strdup(pairs[p].set);
                c->metric = strdup(pairs[p].metric);
                if (!c->set || !c->metric) return -1;
                c->n_a = group_values(runs, group_of, n_runs, a, &pairs[p], va, &div_a);
                c->n_b = group_values(runs, group_of, n_runs, b, &pairs[p], vb, &div_b);
                summary_row ra, rb;
                summary_describe(va, c->n_a, &ra);
                summary_describe(vb, c->n_b, &rb);
                c->mean_a = ra.mean, c->mean_b = rb.mean;
                welch_test(va, c->n_a, vb, c->n_b, &c->welch);
                if (isnan(s->success_at) || !counts_success(c->metric)) continue;
                c->solved_a = c->solved_b = 0;
                for (int i = 0; i < c->n_a; i++) c->solved_a += va[i] >= s->success_at;
                for (int i = 0; i < c->n_b; i++) c->solved_b += vb[i] >= s->success_at;
                c->total_a = c->n_a + div_a, c->total_b = c->n_b + div_b;
                c->fisher_p = fisher_exact(c->solved_a, c->total_a, c->solved_b, c->total_b);
            }
    return 0;
}

// Groups the runs (group keys: every point key but seed) and computes every row.
static int build(summary *s, const char *dir, run *runs, int n_runs, char **keys, int n_keys,
                 char *err, size_t errlen) {
    int *group_of = calloc((size_t)n_runs, sizeof *group_of);
    int *first = calloc((size_t)n_runs, sizeof *first);  // a run of each group
    double *scratch = calloc(3 * (size_t)n_runs, sizeof *scratch);  // add_rows' three arrays
    int *group_key = calloc((size_t)n_keys + 1, sizeof *group_key);  // into keys
    pair *all = NULL, *mine = NULL;
    int n_all = 0, cap_all = 0, n_mine = 0, cap_mine = 0, cap_rows = 0, rc = -1;
    if (!group_of || !first || !scratch || !group_key) goto out;
    for (int k = 0; k < n_keys; k++)
        if (!run_key_is_seed(keys[k])) group_key[s->n_keys++] = k;
    if (!(s->keys = calloc((size_t)s->n_keys + 1, sizeof *s->keys))) goto out;
    for (int j = 0; j < s->n_keys; j++)
        if (!(s->keys[j] = strdup(keys[group_key[j]]))) goto out;
    for (int i = 0; i < n_runs; i++) {
        int g = 0;
        for (; g < s->n_groups; g++) {
            const run *f = &runs[first[g]];
            int same = 1;
            for (int j = 0; same && j < s->n_keys; j++)
                same = !strcmp(runs[i].values[group_key[j]], f->values[group_key[j]]);
            if (!same) continue;
            if (!strcmp(runs[i].config, f->config)) break;
            // The same swept values under another configuration: two versions of the
            // experiment in one folder, which the table could not tell apart.
            char diff[512];
            first_difference(f->config, runs[i].config, diff, sizeof diff);
            set_error(err, errlen,
                      "runs %s and %s have the same swept values but different configs (%s): "
                      "%s mixes versions of the experiment; run the experiment file again (it "
                      "lists its current runs in " RUN_MANIFEST ") or move the stale runs away",
                      f->id, runs[i].id, diff, dir);
            rc = -2;
            goto out;
        }
        if (g == s->n_groups) first[s->n_groups++] = i;
        group_of[i] = g;
        if (!runs[i].diverged && add_pairs(&runs[i], &all, &n_all, &cap_all)) goto out;
    }
    if (!(s->group_values = calloc((size_t)s->n_groups, sizeof *s->group_values))) goto out;
    for (int g = 0; g < s->n_groups; g++) {
        if (!(s->group_values[g] = calloc((size_t)s->n_keys + 1, sizeof **s->group_values)))
            goto out;
        for (int j = 0; j < s->n_keys; j++)
            if (!(s->group_values[g][j] = strdup(runs[first[g]].values[group_key[j]]))) goto out;
        n_mine = 0;
        for (int i = 0; i < n_runs; i++)
            if (group_of[i] == g && !runs[i].diverged &&
                add_pairs(&runs[i], &mine, &n_mine, &cap_mine))
                goto out;
        // A group that diverged everywhere keeps its rows, so its failure shows as n = 0.
        const int use_all = n_mine == 0;
        if (add_rows(s, &cap_rows, g, runs, group_of, n_runs, use_all ? all : mine,
                     use_all ? n_all : n_mine, scratch))
            goto out;
    }
    if (add_comparisons(s, runs, group_of, n_runs, all, n_all, scratch)) goto out;
    rc = 0;
out:
    if (rc == -1) set_error(err, errlen, "out of memory");
    free(group_of), free(first), free(scratch), free(group_key), free(all), free(mine);
    return rc ? -1 : 0;
}

summary *summary_compute(const char *dir, double success_at, char *err, size_t errlen) {
    char **keys = NULL, path[4096], first[4096] = "";
    int n_keys = -1, n_runs = 0, rc;
    run_folders folders;
    run *runs = NULL;
    summary *s = calloc(1, sizeof *s);
    if (!s) {
        set_error(err, errlen, "out of memory");
        return NULL;
    }
    s->success_at = success_at;
    rc = run_list_folders(dir, &folders, err, errlen);
    s->n_stale = folders.n_stale;
    if (rc == 0 && folders.n_stale && !(s->first_stale = strdup(folders.stale[0])))
        rc = set_error(err, errlen, "out of memory");
    if (rc == 0 && !(runs = calloc((size_t)folders.n + 1, sizeof *runs)))
        rc = set_error(err, errlen, "out of memory");
    for (int i = 0; rc == 0 && i < folders.n; i++) {
        if ((rc = run_path(path, sizeof path, dir, folders.ids[i], "done", err, errlen))) break;
        if (!path_exists(path)) {
            s->n_unfinished++;
            continue;
        }
        run *r = &runs[n_runs++];
        r->id = folders.ids[i];
        folders.ids[i] = NULL;
        if ((rc = run_path(path, sizeof path, dir, r->id, "status", err, errlen)) ||
            (rc = run_read_status(path, err, errlen)) < 0)
            break;
        r->diverged = rc;
        if ((rc = run_path(path, sizeof path, dir, r->id, "point.csv", err, errlen)) ||
            (rc = read_point(path, first, r, &keys, &n_keys, err, errlen)))
            break;
        if (!first[0]) memcpy(first, path, sizeof first);
        if ((rc = run_path(path, sizeof path, dir, r->id, "config.yaml", err, errlen)) ||
            (rc = read_config(path, r, err, errlen)))
            break;
        // A diverged run's eval.csv, if any, is partial and not counted, so it is not read.
        if (!r->diverged &&
            ((rc = run_path(path, sizeof path, dir, r->id, "eval.csv", err, errlen)) ||
             (rc = read_eval(path, r, success_at, err, errlen))))
            break;
        s->n_finished++;
        s->n_diverged += r->diverged;
    }
    if (rc == 0 && n_runs == 0 && s->n_stale)
        rc = set_error(err, errlen, "%s/runs: no finished run (%d unfinished, %d stale)", dir,
                       s->n_unfinished, s->n_stale);
    else if (rc == 0 && n_runs == 0)
        rc = set_error(err, errlen, "%s/runs: no finished run (%d unfinished)", dir,
                       s->n_unfinished);
    if (rc == 0) rc = build(s, dir, runs, n_runs, keys, n_keys, err, errlen);
    run_folders_free(&folders);
    for (int i = 0; i < n_runs; i++) free_run(&runs[i], n_keys);
    free(runs);
    for (int k = 0; k < n_keys; k++) free(keys[k]);
    free(keys);
    if (rc) {
        summary_free(s);
        return NULL;
    }
    return s;
}

void summary_free(summary *s) {
    if (!s) return;
    free(s->first_stale);
    for (int i = 0; i < s->n_comparisons; i++)
        free(s->comparisons[i].set), free(s->comparisons[i].metric);
    free(s->comparisons);
    for (int g = 0; s->group_values && g < s->n_groups; g++) {
        for (int j = 0; s->group_values[g] && j < s->n_keys; j++) free(s->group_values[g][j]);
        free(s->group_values[g]);
    }
    free(s->group_values);
    for (int j = 0; s->keys && j < s->n_keys; j++) free(s->keys[j]);
    free(s->keys);
    for (int i = 0; i < s->n_rows; i++) free(s->rows[i].set), free(s->rows[i].metric);
    free(s->rows);
    free(s);
}

// ---- summary.csv ---------------------------------------------------------------------------

static void put_number(FILE *f, double x) {
    if (!isnan(x)) fprintf(f, "%.6g", x);
}

// Output written as PATH.tmp.<pid> and renamed: two processes may write one summary at once
// (a run beside a summary command), and neither must see the other's half file.
typedef struct {
    FILE *f;
    char tmp[4096];
    const char *path;
} csv_out;

static int csv_out_open(csv_out *o, const char *path, char *err, size_t errlen) {
    o->path = path;
    if (snprintf(o->tmp, sizeof o->tmp, "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof o->tmp)
        return set_error(err, errlen, "%s: path too long", path);
    if (!(o->f = fopen(o->tmp, "w")))
        return set_error(err, errlen, "%s: cannot create: %s", o->tmp, strerror(errno));
    return 0;
}

static int csv_out_commit(csv_out *o, char *err, size_t errlen) {
    const int bad = ferror(o->f);
    if (fclose(o->f) != 0 || bad) {
        unlink(o->tmp);
        return set_error(err, errlen, "%s: write failed", o->tmp);
    }
    if (rename(o->tmp, o->path) != 0) {
        const int e = errno;
        unlink(o->tmp);
        return set_error(err, errlen, "%s: cannot rename to %s: %s", o->tmp, o->path,
                         strerror(e));
    }
    return 0;
}

int summary_write_csv(const summary *s, const char *path, char *err, size_t errlen) {
    csv_out o;
    if (csv_out_open(&o, path, err, errlen) != 0) return -1;
    FILE *f = o.f;
    for (int j = 0; j < s->n_keys; j++) fprintf(f, "%s,", s->keys[j]);
    fputs("set,metric,n,n_diverged,mean,sd,ci95_low,ci95_high,min,max,n_success,success_low,"
          "success_high,solved_at_min,solved_at_median,solved_at_max,median\n", f);
    for (int i = 0; i < s->n_rows; i++) {
        const summary_row *r = &s->rows[i];
        for (int j = 0; j < s->n_keys; j++) fprintf(f, "%s,", s->group_values[r->group][j]);
        fprintf(f, "%s,%s,%d,%d", r->set, r->metric, r->n, r->n_diverged);
        const double v[] = {r->mean, r->sd, r->ci_low, r->ci_high, r->min, r->max};
        for (int k = 0; k < 6; k++) fputc(',', f), put_number(f, v[k]);
        fputc(',', f);
        if (r->n_success >= 0) fprintf(f, "%d", r->n_success);
        fputc(',', f), put_number(f, r->success_low);
        fputc(',', f), put_number(f, r->success_high);
        fputc(',', f), put_number(f, r->solved_at_min);
        fputc(',', f), put_number(f, r->solved_at_median);
        fputc(',', f), put_number(f, r->solved_at_max);
        fputc(',', f), put_number(f, r->median);
        fputc('\n', f);
    }
    return csv_out_commit(&o, err, errlen);
}

void summary_group_label(const summary *s, int g, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (int j = 0; j < s->n_keys && used < len; j++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", j ? " " : "",
                                 s->group_values[g][j]);
}

int summary_write_comparisons_csv(const summary *s, const char *path, char *err,
                                  size_t errlen) {
    csv_out o;
    if (csv_out_open(&o, path, err, errlen) != 0) return -1;
    FILE *f = o.f;
    fputs("a,b,set,metric,n_a,n_b,mean_a,mean_b,diff,diff_low,diff_high,welch_df,welch_p,"
          "solved_a,total_a,solved_b,total_b,fisher_p\n", f);
    for (int i = 0; i < s->n_comparisons; i++) {
        const summary_comparison *c = &s->comparisons[i];
        char a[512], b[512];
        summary_group_label(s, c->a, a, sizeof a);
        summary_group_label(s, c->b, b, sizeof b);
        fprintf(f, "%s,%s,%s,%s,%d,%d", a, b, c->set, c->metric, c->n_a, c->n_b);
        const double v[] = {c->mean_a, c->mean_b, c->welch.diff, c->welch.low, c->welch.high,
                            c->welch.df, c->welch.p};
        for (int k = 0; k < 7; k++) fputc(',', f), put_number(f, v[k]);
        if (c->solved_a >= 0)
            fprintf(f, ",%d,%d,%d,%d,", c->solved_a, c->total_a, c->solved_b, c->total_b);
        else
            fputs(",,,,,", f);
        put_number(f, c->fisher_p);
        fputc('\n', f);
    }
    return csv_out_commit(&o, err, errlen);
}
