// summary.csv for `posbench plot` (plot_summary.h).
#include "harness/plot/plot_summary.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/errors.h"
#include "harness/plot/plot_io.h"

// The columns after the group keys: summary.csv's, where later additions come last (the
// success-rate columns, then median): folders summarised before them still plot.
enum { MAX_FIELDS = 80, TAIL = 17, TAIL_BEFORE_MEDIAN = 16, TAIL_BEFORE_SUCCESS = 10 };
static const char *const tail_names[TAIL] = {
    "set", "metric", "n", "n_diverged", "mean", "sd", "ci95_low", "ci95_high", "min", "max",
    "n_success", "success_low", "success_high", "solved_at_min", "solved_at_median",
    "solved_at_max", "median"};

// Group keys before the tail columns of a header of nf fields, or -1 when it is not one.
static int header_keys(char **fields, int nf) {
    const int tails[3] = {TAIL, TAIL_BEFORE_MEDIAN, TAIL_BEFORE_SUCCESS};
    for (int t = 0; t < 3; t++) {
        int n_keys = nf - tails[t];
        for (int k = 0; k < tails[t] && n_keys >= 0; k++)
            if (strcmp(fields[n_keys + k], tail_names[k])) n_keys = -1;
        if (n_keys >= 0) return n_keys;
    }
    return -1;
}

// A number field; empty (how summary.csv writes NaN) gives NaN. 0, or -1 when not a number.
static int number(const char *text, double *x) {
    if (!*text) {
        *x = NAN;
        return 0;
    }
    char *end;
    errno = 0;
    *x = strtod(text, &end);
    return *end || errno == ERANGE ? -1 : 0;
}

static int add_row(plot_summary *s, int *cap, const plot_summary_row *r) {
    if (s->n_rows == *cap) {
        const int ncap = *cap ? 2 * *cap : 64;
        void *p = realloc(s->rows, (size_t)ncap * sizeof *s->rows);
        if (!p) return -1;
        s->rows = p;
        *cap = ncap;
    }
    s->rows[s->n_rows++] = *r;
    return 0;
}

// One data line: fields[0..n_keys-1] the group, then the tail columns.
static int parse_row(plot_summary *s, int *cap, char **f, int n_keys, int enc_col,
                     const char *default_encoding, const char *path, int line, char *err,
                     size_t errlen) {
    plot_summary_row r = {0};
    char variant[PLOT_VARIANT];
    plot_variant_join(variant, sizeof variant, f, n_keys, enc_col, -1);
    // A set scored with evaluation-time options (posbench score: len_1280@yarn) is its
    // encoding drawn another way: the same colour, its own dash, "rope, yarn" in the legend.
    const char *at = strchr(f[n_keys], '@');
    if (at && at[1]) {
        const size_t used = strlen(variant);
        snprintf(variant + used, sizeof variant - used, "%s%s", used ? ", " : "", at + 1);
    }
    r.series = plot_series_index(&s->series, enc_col >= 0 ? f[enc_col] : default_encoding,
                                 variant);
    for (int k = 0; k < n_keys && k < PLOT_MAX_KEYS; k++)
        snprintf(r.values[k], sizeof r.values[k], "%s", f[k]);
    snprintf(r.set, sizeof r.set, "%.*s", at ? (int)(at - f[n_keys]) : (int)strlen(f[n_keys]),
             f[n_keys]);
    snprintf(r.metric, sizeof r.metric, "%s", f[n_keys + 1]);
    double n, mean, lo, hi;
    if (number(f[n_keys + 2], &n) || number(f[n_keys + 4], &mean) ||
        number(f[n_keys + 6], &lo) || number(f[n_keys + 7], &hi) || isnan(n))
        return set_error(err, errlen, "%s:%d: malformed number", path, line);
    r.n = (int)n;
    r.mean = mean;
    r.lo = lo;
    r.hi = hi;
    if (r.series < 0 || add_row(s, cap, &r)) return set_error(err, errlen, "out of memory");
    return 0;
}

int plot_summary_read(const char *path, const char *default_encoding, plot_summary *s,
                      char *err, size_t errlen) {
    *s = (plot_summary){0};
    FILE *f = fopen(path, "r");
    if (!f) return set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    char *line = NULL, *fields[MAX_FIELDS + 1];
    size_t linecap = 0;
    int rc = -1, cap = 0, lineno = 1, n_keys = 0, enc_col = -1;
    if (getline(&line, &linecap, f) < 0) {
        set_error(err, errlen, "%s: empty file (expected a summary.csv header)", path);
        goto done;
    }
    const int nf = csv_split(line, fields, MAX_FIELDS);
    if (nf < 0 || nf > MAX_FIELDS || (n_keys = header_keys(fields, nf)) < 0) {
        set_error(err, errlen,
                  "%s:1: not a summary.csv header (expected group keys, then "
                  "set,metric,n,n_diverged,mean,sd,ci95_low,ci95_high,min,max and optionally "
                  "n_success,success_low,success_high,solved_at_min,solved_at_median,"
                  "solved_at_max)",
                  path);
        goto done;
    }
    char keys[PLOT_VARIANT];
    for (int k = 0; k < n_keys; k++)
        if (!strcmp(fields[k], "model.encoding")) enc_col = k;
    plot_variant_join(keys, sizeof keys, fields, n_keys, enc_col, -1);
    snprintf(s->variant_keys, sizeof s->variant_keys, "%s", keys);
    s->n_keys = n_keys < PLOT_MAX_KEYS ? n_keys : PLOT_MAX_KEYS;
    s->enc_col = enc_col;
    for (int k = 0; k < s->n_keys; k++) snprintf(s->keys[k], sizeof s->keys[k], "%s", fields[k]);
    while (getline(&line, &linecap, f) >= 0) {
        lineno++;
        if (line[strspn(line, "\r\n")] == '\0') continue;  // blank line
        if (csv_split(line, fields, MAX_FIELDS) != nf) {
            set_error(err, errlen, "%s:%d: expected %d fields", path, lineno, nf);
            goto done;
        }
        if (parse_row(s, &cap, fields, n_keys, enc_col, default_encoding, path, lineno, err,
                      errlen))
            goto done;
    }
    if (s->n_rows == 0) {
        set_error(err, errlen, "%s: no rows", path);
        goto done;
    }
    rc = 0;
done:
    free(line);
    fclose(f);
    if (rc) plot_summary_free(s);
    return rc;
}

void plot_summary_free(plot_summary *s) {
    free(s->rows);
    plot_series_free(&s->series);
    *s = (plot_summary){0};
}

long plot_set_length(const char *set) {
    if (strncmp(set, "len_", 4) || set[4] < '1' || set[4] > '9') return 0;
    char *end;
    const long n = strtol(set + 4, &end, 10);
    return *end ? 0 : n;
}

// The interval as drawn: lo = hi = mean when there is none, so no bar or band shows.
static void interval(const plot_summary_row *r, double scale, double *lo, double *hi) {
    const int has = !isnan(r->lo) && !isnan(r->hi);
    *lo = scale * (has ? r->lo : r->mean);
    *hi = scale * (has ? r->hi : r->mean);
}

// ---- accuracy bars ------------------------------------------------------------------------

typedef struct {
    char variant[PLOT_VARIANT], set[128];
} cluster;

// Index of (variant, set) in clusters, added if new; -1 when full.
static int cluster_index(cluster *c, int *n, int max, const char *variant, const char *set) {
    for (int i = 0; i < *n; i++)
        if (!strcmp(c[i].variant, variant) && !strcmp(c[i].set, set)) return i;
    if (*n == max) return -1;
    snprintf(c[*n].variant, sizeof c[*n].variant, "%s", variant);
    snprintf(c[*n].set, sizeof c[*n].set, "%s", set);
    return (*n)++;
}

// Encodings in order of first appearance; returns the number.
static int encodings_of(const plot_series_list *l, const char **out, int max) {
    int n = 0;
    for (int i = 0; i < l->n; i++) {
        int seen = 0;
        for (int k = 0; k < n && !seen; k++) seen = !strcmp(out[k], l->items[i].encoding);
        if (!seen && n < max) out[n++] = l->items[i].encoding;
    }
    return n;
}

// Whether row r is a bar of encoding enc: a finite mean accuracy.
static int is_bar(const plot_summary *s, const plot_summary_row *r, const char *enc) {
    return !strcmp(r->metric, "accuracy") && !strcmp(s->series.items[r->series].encoding, enc) &&
           !isnan(r->mean);
}

// The baseline of set among n, or NaN.
static double baseline_of(const plot_set_baseline *base, int n, const char *set) {
    for (int i = 0; i < n; i++)
        if (!strcmp(base[i].set, set)) return base[i].value;
    return NAN;
}

int plot_write_accuracy(const plot_summary *s, const char *data, const char *ticks,
                        const plot_set_baseline *base, int n_base, const char *baseline,
                        int *has_baseline, plot_blocks *b, char *err, size_t errlen) {
    *b = (plot_blocks){0};
    *has_baseline = 0;
    enum { MAX_CLUSTERS = 256, MAX_ENC = 64 };
    cluster *cl = malloc(MAX_CLUSTERS * sizeof *cl);
    const char *enc[MAX_ENC];
    if (!cl) return set_error(err, errlen, "out of memory");
    int n_cl = 0, rc = -1;
    const int n_enc = encodings_of(&s->series, enc, MAX_ENC);
    for (int i = 0; i < s->n_rows; i++)
        if (!strcmp(s->rows[i].metric, "accuracy") &&
            cluster_index(cl, &n_cl, MAX_CLUSTERS, s->series.items[s->rows[i].series].variant,
                          s->rows[i].set) < 0) {
            set_error(err, errlen, "accuracy plot: more than %d task/set clusters",
                      MAX_CLUSTERS);
            goto done;
        }
    if (n_cl == 0) {
        rc = 0;
        goto done;
    }
    atomic_file o = {0}, t = {0};
    if (atomic_file_open(&o, data, err, errlen)) goto done;
    for (int e = 0; e < n_enc; e++) {
        int has_bars = 0;  // a block without rows would make gnuplot warn
        for (int i = 0; i < s->n_rows && !has_bars; i++)
            has_bars = is_bar(s, &s->rows[i], enc[e]);
        if (!has_bars) continue;
        plot_block_header(o.f, b->n, enc[e], "x mean lo hi n (percent)");
        for (int i = 0; i < s->n_rows; i++) {
            const plot_summary_row *r = &s->rows[i];
            const plot_series *se = &s->series.items[r->series];
            if (!is_bar(s, r, enc[e])) continue;
            const int c = cluster_index(cl, &n_cl, MAX_CLUSTERS, se->variant, r->set);
            double lo, hi;
            interval(r, 100, &lo, &hi);
            fprintf(o.f, "%d %.6g %.6g %.6g %d\n", c * (n_enc + 1) + e, 100 * r->mean, lo, hi,
                    r->n);
        }
        if (plot_blocks_add(b, enc[e], 1)) {
            plot_out_close(&o, 0, NULL, 0);
            set_error(err, errlen, "accuracy plot: too many encodings");
            goto done;
        }
    }
    if (plot_out_close(&o, 1, err, errlen) || atomic_file_open(&t, ticks, err, errlen)) goto done;
    for (int c = 0; c < n_cl; c++) {
        char label[PLOT_VARIANT + 140];
        snprintf(label, sizeof label, "%s%s%s", cl[c].variant, cl[c].variant[0] ? " / " : "",
                 cl[c].set);
        fprintf(t.f, "%.6g ", c * (n_enc + 1) + (n_enc - 1) / 2.0);
        plot_block_header(t.f, 0, label, "");
    }
    if ((rc = plot_out_close(&t, 1, err, errlen)) != 0) goto done;
    // The no-lookup baseline across each cluster whose set has one: rows `x0 x1 percent`.
    int n_lines = 0;
    for (int c = 0; c < n_cl; c++) n_lines += !isnan(baseline_of(base, n_base, cl[c].set));
    if (n_lines == 0) goto done;
    atomic_file l = {0};
    if ((rc = atomic_file_open(&l, baseline, err, errlen)) != 0) goto done;
    plot_block_header(l.f, 0, "no-lookup baseline", "x0 x1 no_lookup");
    for (int c = 0; c < n_cl; c++) {
        const double v = baseline_of(base, n_base, cl[c].set);
        if (!isnan(v))
            fprintf(l.f, "%.6g %.6g %.6g\n", c * (n_enc + 1) - 0.5, c * (n_enc + 1) + n_enc - 0.5,
                    100 * v);
    }
    rc = plot_out_close(&l, 1, err, errlen);
    *has_baseline = rc == 0;
done:
    free(cl);
    return rc;
}

// ---- extrapolation curves -----------------------------------------------------------------

static int by_length(const void *a, const void *b) {
    const long x = plot_set_length((*(const plot_summary_row *const *)a)->set);
    const long y = plot_set_length((*(const plot_summary_row *const *)b)->set);
    return (x > y) - (x < y);
}

int plot_write_extrapolation(const plot_summary *s, const char *metric, const char *data,
                             plot_blocks *b, char *err, size_t errlen) {
    *b = (plot_blocks){0};
    const plot_summary_row **rows = malloc((size_t)s->n_rows * sizeof *rows);
    if (!rows) return set_error(err, errlen, "out of memory");
    int worth = 0;  // some series has two lengths or more
    for (int g = 0; g < s->series.n && !worth; g++) {
        int n = 0;
        for (int i = 0; i < s->n_rows; i++)
            n += s->rows[i].series == g && !strcmp(s->rows[i].metric, metric) &&
                 plot_set_length(s->rows[i].set) > 0 && !isnan(s->rows[i].mean);
        worth = n >= 2;
    }
    int rc = 0;
    atomic_file o = {0};
    if (!worth || (rc = atomic_file_open(&o, data, err, errlen))) goto done;
    for (int g = 0; g < s->series.n; g++) {
        int n = 0;
        for (int i = 0; i < s->n_rows; i++)
            if (s->rows[i].series == g && !strcmp(s->rows[i].metric, metric) &&
                plot_set_length(s->rows[i].set) > 0 && !isnan(s->rows[i].mean))
                rows[n++] = &s->rows[i];
        if (n == 0) continue;
        qsort(rows, (size_t)n, sizeof *rows, by_length);
        char label[PLOT_NAME + PLOT_VARIANT + 8];
        plot_series_label(&s->series, g, label, sizeof label);
        plot_block_header(o.f, b->n, label, "length mean lo hi");
        for (int i = 0; i < n; i++) {
            double lo, hi;
            interval(rows[i], 1, &lo, &hi);
            fprintf(o.f, "%ld %.6g %.6g %.6g\n", plot_set_length(rows[i]->set), rows[i]->mean,
                    lo, hi);
        }
        if (plot_blocks_add(b, s->series.items[g].encoding, plot_series_dash(&s->series, g))) {
            plot_out_close(&o, 0, NULL, 0);
            rc = set_error(err, errlen, "extrapolation plot: too many series");
            goto done;
        }
    }
    rc = plot_out_close(&o, 1, err, errlen);
done:
    free(rows);
    return rc;
}

// ---- a metric against a swept numeric key ---------------------------------------------------

int plot_summary_key_is_numeric(const plot_summary *s, int k) {
    if (k < 0 || k >= s->n_keys || k == s->enc_col || s->n_rows == 0) return 0;
    int distinct = 0;
    double first = NAN;
    for (int i = 0; i < s->n_rows; i++) {
        double x;
        if (number(s->rows[i].values[k], &x) || isnan(x)) return 0;
        if (i == 0) first = x;
        else distinct |= x != first;
    }
    return distinct;
}

// The series of row r without key k: its encoding and the other keys' values.
static void series_without(const plot_summary *s, const plot_summary_row *r, int k, char *buf,
                           size_t len) {
    size_t used = (size_t)snprintf(buf, len, "%s", s->series.items[r->series].encoding);
    for (int j = 0; j < s->n_keys && used < len; j++)
        if (j != k && j != s->enc_col)
            used += (size_t)snprintf(buf + used, len - used, ", %s", r->values[j]);
}

typedef struct {
    double x;
    const plot_summary_row *row;
} sweep_point;

static int by_x(const void *a, const void *b) {
    const double x = ((const sweep_point *)a)->x, y = ((const sweep_point *)b)->x;
    return (x > y) - (x < y);
}

int plot_write_sweep(const plot_summary *s, int k, const char *metric, const char *data,
                     plot_blocks *b, plot_panels *p, char *err, size_t errlen) {
    *b = (plot_blocks){0};
    *p = (plot_panels){0};
    snprintf(p->metric, sizeof p->metric, "%s", metric);
    const double scale = strcmp(metric, "accuracy") ? 1 : 100;
    enum { MAX_SERIES = 64 };
    char (*names)[PLOT_VARIANT + PLOT_NAME] = calloc(MAX_SERIES, sizeof *names);
    sweep_point *pts = calloc((size_t)s->n_rows + 1, sizeof *pts);
    atomic_file o = {0};
    int rc = -1, n_names = 0;
    if (!names || !pts) {
        set_error(err, errlen, "out of memory");
        goto done;
    }
    // The series, in order of first appearance, over every set.
    for (int i = 0; i < s->n_rows; i++) {
        char name[PLOT_VARIANT + PLOT_NAME];
        series_without(s, &s->rows[i], k, name, sizeof name);
        int j = 0;
        while (j < n_names && strcmp(names[j], name)) j++;
        if (j == n_names && n_names == MAX_SERIES) {
            set_error(err, errlen, "sweep plot: more than %d series", MAX_SERIES);
            goto done;
        }
        if (j == n_names) snprintf(names[n_names++], sizeof names[0], "%s", name);
    }
    if (atomic_file_open(&o, data, err, errlen)) goto done;
    char sets[PLOT_MAX_SETS][128];
    int n_sets = 0;
    for (int i = 0; i < s->n_rows; i++) {
        const plot_summary_row *r = &s->rows[i];
        int seen = 0;
        for (int j = 0; j < n_sets && !seen; j++) seen = !strcmp(sets[j], r->set);
        if (seen || strcmp(r->metric, metric) || n_sets == PLOT_MAX_SETS) continue;
        snprintf(sets[n_sets++], sizeof sets[0], "%s", r->set);
    }
    for (int set = 0; set < n_sets; set++) {
        const int before = b->n;
        for (int g = 0; g < n_names; g++) {
            int n = 0;
            for (int i = 0; i < s->n_rows; i++) {
                const plot_summary_row *r = &s->rows[i];
                char name[PLOT_VARIANT + PLOT_NAME];
                series_without(s, r, k, name, sizeof name);
                if (strcmp(r->set, sets[set]) || strcmp(r->metric, metric) ||
                    strcmp(name, names[g]) || isnan(r->mean))
                    continue;
                number(r->values[k], &pts[n].x);
                pts[n++].row = r;
            }
            if (n == 0) continue;
            qsort(pts, (size_t)n, sizeof *pts, by_x);
            plot_block_header(o.f, b->n, set == 0 ? names[g] : "", "value mean lo hi n");
            for (int i = 0; i < n; i++) {
                double lo, hi;
                interval(pts[i].row, scale, &lo, &hi);
                fprintf(o.f, "%.9g %.6g %.6g %.6g %d\n", pts[i].x, scale * pts[i].row->mean, lo,
                        hi, pts[i].row->n);
            }
            const plot_series *se = &s->series.items[pts[0].row->series];
            if (plot_blocks_add(b, se->encoding, 1)) {
                set_error(err, errlen, "sweep plot: too many series");
                goto done;
            }
        }
        char count[16];
        snprintf(count, sizeof count, "%d", b->n - before);
        if (b->n > before && (plot_words_add(p->sets, sizeof p->sets, sets[set]) ||
                              plot_words_add(p->counts, sizeof p->counts, count))) {
            set_error(err, errlen, "sweep plot: too many evaluation sets");
            goto done;
        }
        if (b->n > before) p->set_of[p->n++] = set;
    }
    rc = plot_out_close(&o, b->n > 0, err, errlen);
    o.f = NULL;
done:
    if (o.f) plot_out_close(&o, 0, NULL, 0);
    free(names);
    free(pts);
    return rc;
}
