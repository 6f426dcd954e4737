// Accuracy against length and the task x encoding heatmap for `posbench plot`
// (plot_lengths.h).
#include "harness/plot/plot_lengths.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/base/csv.h"
#include "harness/base/errors.h"
#include "harness/experiment/run_lengths.h"
#include "harness/plot/plot_io.h"

// A panel's name: the run's group values other than its encoding (the task), or "lengths".
static const char *panel_of(const plot_runs *r, int i) {
    const char *v = r->series.items[r->runs[i].series].variant;
    return v[0] ? v : "lengths";
}

// Adds run i's lengths.csv rows (none: nothing) to pts under panel `set` and series `series`,
// and raises *trained to its longest training length.
static int read_lengths(const plot_runs *r, int i, int set, int series, plot_points *pts,
                        long *trained, char *err, size_t errlen) {
    char path[4600], *f[6];
    plot_run_path(r, i, "lengths.csv", path, sizeof path);
    if (access(path, F_OK) != 0) return 0;
    csv_reader c;
    int got, rc = -1;
    if (csv_open(&c, path, RUN_LENGTHS_CSV_HEADER, CSV_PLAIN, err, errlen)) goto done;
    while ((got = csv_next(&c, f, 6, err, errlen)) == 1) {
        double length, accuracy, within;
        if (plot_number(f[0], &length) || !(length >= 1 && length <= 1e9) ||
            length != floor(length) || plot_number(f[3], &accuracy) ||
            plot_number(f[5], &within)) {
            set_error(err, errlen, "%s:%d: malformed length, accuracy or within", path,
                      c.lineno);
            goto done;
        }
        const plot_point p = {set, series, i, 0, (long long)length, accuracy};
        if (plot_points_add(pts, &p)) {
            set_error(err, errlen, "out of memory");
            goto done;
        }
        if (within == 1 && length > *trained) *trained = (long)length;
    }
    rc = got < 0 ? -1 : 0;
done:
    csv_close(&c);
    return rc;
}

int plot_write_lengths(const plot_runs *r, const char *data, plot_blocks *b, plot_panels *p,
                       char *shades, size_t shades_len, char *err, size_t errlen) {
    *b = (plot_blocks){0};
    *p = (plot_panels){0};
    shades[0] = '\0';
    // The same runs, their series by encoding alone: a panel per task, a line per encoding.
    plot_runs by_encoding = {.n = r->n, .cap = r->n};
    snprintf(by_encoding.dir, sizeof by_encoding.dir, "%s", r->dir);
    by_encoding.runs = malloc((size_t)(r->n ? r->n : 1) * sizeof *r->runs);
    plot_points pts = {0};
    long trained[PLOT_MAX_SETS] = {0};
    int rc = by_encoding.runs ? 0 : set_error(err, errlen, "out of memory");
    for (int i = 0; rc == 0 && i < r->n; i++) {
        by_encoding.runs[i] = r->runs[i];
        const int s = plot_series_index(&by_encoding.series,
                                        r->series.items[r->runs[i].series].encoding, "");
        const int set = plot_points_set(&pts, panel_of(r, i));
        if (s < 0) rc = set_error(err, errlen, "out of memory");
        else if (set < 0)
            rc = set_error(err, errlen, "lengths plot: more than %d tasks", PLOT_MAX_SETS);
        else if (!r->runs[i].diverged)
            rc = read_lengths(r, i, set, s, &pts, &trained[set], err, errlen);
        by_encoding.runs[i].series = s;
    }
    if (rc == 0 && pts.n > 0) {
        const int twice = plot_points_sort(&pts, pts.n);
        if (twice >= 0) {
            char path[4600];
            plot_run_path(r, pts.p[twice].run, "lengths.csv", path, sizeof path);
            rc = set_error(err, errlen, "%s: two rows for length %lld", path, pts.p[twice].x);
        } else {
            snprintf(p->metric, sizeof p->metric, "accuracy");
            rc = plot_write_panels(&by_encoding, &pts, pts.n, 100, "length", "lengths", data, b,
                                   p, err, errlen);
        }
    }
    for (int k = 0; rc == 0 && k < p->n; k++) {
        const size_t used = strlen(shades);
        snprintf(shades + used, shades_len - used, "%s%ld", k ? " " : "",
                 trained[p->set_of[k]]);
    }
    plot_points_free(&pts);
    plot_series_free(&by_encoding.series);
    free(by_encoding.runs);
    if (rc) *b = (plot_blocks){0};
    return rc;
}

// Appends word to a gnuplot word list, spaces as '_'.
static void append_word(char *list, size_t len, const char *word) {
    size_t used = strlen(list);
    if (used && used + 1 < len) list[used++] = ' ', list[used] = '\0';
    for (const char *c = word; *c && used + 1 < len; c++) list[used++] = *c == ' ' ? '_' : *c;
    list[used] = '\0';
}

int plot_write_heatmap(const plot_summary *s, const char *metric, const char *data,
                       char *columns, size_t columns_len, char *rows, size_t rows_len,
                       int *cells, char *err, size_t errlen) {
    *cells = 0;
    columns[0] = rows[0] = '\0';
    // Columns: encodings, rows: variants (tasks), each in order of first appearance.
    char names[2][PLOT_MAX_SETS][PLOT_VARIANT];
    int n[2] = {0, 0};
    FILE *f = NULL;
    for (int i = 0; i < s->n_rows; i++) {
        const plot_summary_row *row = &s->rows[i];
        if (strcmp(row->set, "lengths") || strcmp(row->metric, metric) || isnan(row->mean))
            continue;
        const plot_series *series = &s->series.items[row->series];
        const char *name[2] = {series->encoding, series->variant[0] ? series->variant : "-"};
        int at[2];
        for (int k = 0; k < 2; k++) {
            at[k] = 0;
            while (at[k] < n[k] && strcmp(names[k][at[k]], name[k])) at[k]++;
            if (at[k] == n[k]) {
                if (n[k] == PLOT_MAX_SETS) {
                    if (f) fclose(f);
                    return set_error(err, errlen, "heatmap: more than %d %s", PLOT_MAX_SETS,
                                     k ? "tasks" : "encodings");
                }
                snprintf(names[k][n[k]++], PLOT_VARIANT, "%s", name[k]);
            }
        }
        if (!f && !(f = fopen(data, "w")))
            return set_error(err, errlen, "%s: cannot write", data);
        fprintf(f, "%d %d %.6g %d\n", at[0], at[1], 100 * row->mean, row->n);
        (*cells)++;
    }
    for (int k = 0; k < n[0]; k++) append_word(columns, columns_len, names[0][k]);
    for (int k = 0; k < n[1]; k++) append_word(rows, rows_len, names[1][k]);
    if (f && fclose(f) != 0) return set_error(err, errlen, "%s: write failed", data);
    return 0;
}
