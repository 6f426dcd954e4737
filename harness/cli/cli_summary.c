// `posbench summary`: writes results/<experiment>/summary.csv (harness/analysis/summary.h) and prints
// it as an aligned table, one row per group x set x metric.
#include "harness/cli/cli_summary.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/analysis/summary.h"
#include "harness/cli/cli_args.h"
#include "harness/base/dirs.h"
#include "harness/experiment/config.h"
#include "harness/experiment/run.h"

static const char USAGE[] =
    "usage: posbench summary [--metric NAME,...] [--success-at A] results/<experiment>\n"
    "       posbench summary [options] [--results DIR] EXPERIMENT.yaml\n"
    "Reads every finished run under results/<experiment>/runs (for an experiment file, its\n"
    "folder under DIR, default results), writes summary.csv there and\n"
    "prints it: per group of runs (the same configuration but for the seed), set and metric,\n"
    "the number of done runs n, their mean, the 95% confidence interval of the mean (Student\n"
    "t, cut to the range the metric can take: [0, 100%] for accuracies, from 0 for losses; for\n"
    "perplexities on the log scale; '-' for n = 1), min and max. Each run counts with the value\n"
    "at its last evaluation step. Accuracies are shown in percent. Unfinished runs are skipped,\n"
    "and so are stale ones: folders of runs the experiment file no longer has since it was\n"
    "edited (results/<experiment>/runs.csv, written by posbench run, lists the current ones).\n"
    "For accuracy, accuracy_within and accuracy_beyond (the mean over the lengths within\n"
    "and beyond training) also the success rate: runs at or above A (diverged runs count as\n"
    "not solved), with its exact 95% interval (Clopper-Pearson): a run either learns a task\n"
    "or does not, and that rate says what a mean over a few seeds cannot. solved_at: the\n"
    "first evaluation step at which the solved runs reached A, median (min-max).\n"
    "  --metric NAME[,NAME...]  print only these metrics (summary.csv keeps every one)\n"
    "  --success-at A   the accuracy that counts as solved, in (0, 1] (default 0.9)\n"
    "  --results DIR    where an experiment file's results are (default results)\n";

enum { MAX_COLS = 64, CELL = 128 };  // cells longer than CELL - 1 bytes are cut

// A table of text cells, printed with columns padded to their widest cell.
typedef struct {
    int n_cols, n_lines, right_from;  // columns from right_from on are right-aligned
    char (*cells)[MAX_COLS][CELL];
} table;

// Display width of UTF-8 text: continuation bytes take no column ("±" is two bytes, one column).
static int width(const char *s) {
    int w = 0;
    for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void print_table(const table *t, FILE *out) {
    int w[MAX_COLS] = {0};
    for (int l = 0; l < t->n_lines; l++)
        for (int c = 0; c < t->n_cols; c++)
            if (width(t->cells[l][c]) > w[c]) w[c] = width(t->cells[l][c]);
    for (int l = 0; l < t->n_lines; l++) {
        for (int c = 0; c < t->n_cols; c++) {
            const char *s = t->cells[l][c];
            const int pad = w[c] - width(s);
            if (c >= t->right_from) fprintf(out, "%*s", pad, "");
            fputs(s, out);
            if (c < t->right_from && c + 1 < t->n_cols) fprintf(out, "%*s", pad, "");
            if (c + 1 < t->n_cols) fputs("  ", out);
        }
        fputc('\n', out);
    }
}

// Accuracies in percent with 2 decimals, other metrics to 4 significant digits, NaN as "-".
static void number(char *cell, double x, int percent, const char *prefix) {
    if (isnan(x)) snprintf(cell, CELL, "-");
    else if (percent) snprintf(cell, CELL, "%s%.2f%%", prefix, 100.0 * x);
    else snprintf(cell, CELL, "%s%.4g", prefix, x);
}

// The 95% interval as "LOW..HIGH" (not mean +- half: cut to the metric's range, or on the
// log scale for perplexities, it is not symmetric), "-" when there is none.
static void interval(char *cell, double lo, double hi, int percent) {
    if (isnan(lo) || isnan(hi)) snprintf(cell, CELL, "-");
    else if (percent) snprintf(cell, CELL, "%.2f..%.2f%%", 100.0 * lo, 100.0 * hi);
    else snprintf(cell, CELL, "%.4g..%.4g", lo, hi);
}

static void fill_row(char (*line)[CELL], const summary *s, const summary_row *r,
                     int diverged_col, int success_cols) {
    int c = 0;
    for (int j = 0; j < s->n_keys; j++)
        snprintf(line[c++], CELL, "%s", s->group_values[r->group][j]);
    snprintf(line[c++], CELL, "%s", r->set);
    snprintf(line[c++], CELL, "%s", r->metric);
    snprintf(line[c++], CELL, "%d", r->n);
    if (diverged_col) snprintf(line[c++], CELL, "%d", r->n_diverged);
    const int pct = strstr(r->metric, "accuracy") != NULL;
    number(line[c++], r->mean, pct, "");
    interval(line[c++], r->ci_low, r->ci_high, pct);
    number(line[c++], r->median, pct, "");
    number(line[c++], r->min, pct, "");
    number(line[c++], r->max, pct, "");
    if (!success_cols) return;
    if (r->n_success < 0) {
        for (int k = 0; k < 3; k++) snprintf(line[c++], CELL, "-");
        return;
    }
    snprintf(line[c++], CELL, "%d/%d", r->n_success, r->n + r->n_diverged);
    snprintf(line[c++], CELL, "%.0f-%.0f%%", 100 * r->success_low, 100 * r->success_high);
    if (r->n_success == 0) snprintf(line[c++], CELL, "-");
    else if (r->solved_at_min == r->solved_at_max) snprintf(line[c++], CELL, "%.0f", r->solved_at_median);
    else
        snprintf(line[c++], CELL, "%.0f (%.0f-%.0f)", r->solved_at_median, r->solved_at_min,
                 r->solved_at_max);
}

// Whether name is one of the comma-separated metrics (NULL: every metric is).
static int metric_listed(const char *metrics, const char *name) {
    if (!metrics) return 1;
    const size_t n = strlen(name);
    for (const char *m = metrics; *m;) {
        const size_t len = strcspn(m, ",");
        if (len == n && !strncmp(m, name, n)) return 1;
        m += len + (m[len] == ',');
    }
    return 0;
}

// The summary's rows (only the listed metrics, if given) as a table; NULL when out of memory.
static table *make_table(const summary *s, const char *metric) {
    int diverged_col = s->n_diverged > 0, success_cols = 0, n_lines = 1;
    for (int i = 0; i < s->n_rows; i++) {
        const int shown = metric_listed(metric, s->rows[i].metric);
        n_lines += shown;
        success_cols |= shown && s->rows[i].n_success >= 0;
    }
    table *t = calloc(1, sizeof *t);
    if (!t || !(t->cells = calloc((size_t)n_lines, sizeof *t->cells))) {
        free(t);
        return NULL;
    }
    static const char *const tail[] = {"set",    "metric", "n",    "diverged",
                                       "mean",   "ci95",   "median", "min",
                                       "max",    "solved", "solved_ci95", "solved_at"};
    int c = 0;
    for (int j = 0; j < s->n_keys; j++) snprintf(t->cells[0][c++], CELL, "%s", s->keys[j]);
    for (int k = 0; k < 12; k++)
        if ((k != 3 || diverged_col) && (k < 9 || success_cols))
            snprintf(t->cells[0][c++], CELL, "%s", tail[k]);
    t->n_cols = c;
    t->right_from = s->n_keys + 2;
    t->n_lines = 1;
    for (int i = 0; i < s->n_rows; i++)
        if (metric_listed(metric, s->rows[i].metric))
            fill_row(t->cells[t->n_lines++], s, &s->rows[i], diverged_col, success_cols);
    return t;
}

// The experiment folder the argument names: itself, or for an experiment file (a regular
// file) results/<its experiment>, whose runs.csv then lists the file's runs. 0, or 2 when
// the file cannot be read (1 when runs.csv cannot be written), after printing why.
static int experiment_folder(const char *arg, const char *results, char *dir, size_t len) {
    struct stat st;
    if (stat(arg, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(dir, len, "%s", arg);
        return 0;
    }
    experiment e;
    run_config *runs;
    size_t n;
    char err[2400];
    if (experiment_load(arg, &e, err, sizeof err) != 0) {
        fprintf(stderr, "posbench: %s\n", err);
        return 2;
    }
    snprintf(dir, len, "%s/%s", results, e.base.experiment);
    // The file's runs are the current ones, as posbench run would record them.
    int rc = experiment_expand(&e, &runs, &n, err, sizeof err) != 0 ? 2 : 0;
    if (rc == 0 && is_dir(dir) && run_write_manifest(runs, n, results, err, sizeof err) != 0)
        rc = 1;
    if (rc) fprintf(stderr, "posbench: %s\n", err);
    if (rc == 0) free(runs);
    experiment_free(&e);
    return rc;
}

// The comparisons of the shown metrics between groups: the difference of means with its
// Welch interval and p, and for accuracies the solved counts with Fisher's p.
static void print_comparisons(const summary *s, const char *metric, const char *csv) {
    enum { MAX_SHOWN = 60 };  // a large sweep's pairs are for comparisons.csv, not a screen
    int n = 0, listed = 0;
    for (int i = 0; i < s->n_comparisons; i++)
        listed += metric_listed(metric, s->comparisons[i].metric);
    n = listed < MAX_SHOWN ? listed : MAX_SHOWN;
    table *t = calloc(1, sizeof *t);
    if (!t || !(t->cells = calloc((size_t)n + 1, sizeof *t->cells))) {
        free(t);
        return;
    }
    static const char *const head[] = {"set", "metric", "a", "b", "a - b", "ci95", "p (Welch)",
                                       "solved a / b", "p (Fisher)"};
    t->n_cols = 9;
    t->right_from = 4;
    for (int c = 0; c < 9; c++) snprintf(t->cells[0][c], CELL, "%s", head[c]);
    t->n_lines = 1;
    for (int i = 0; i < s->n_comparisons && t->n_lines <= n; i++) {
        const summary_comparison *c = &s->comparisons[i];
        if (!metric_listed(metric, c->metric)) continue;
        char (*line)[CELL] = t->cells[t->n_lines++];
        const int pct = strstr(c->metric, "accuracy") != NULL;
        snprintf(line[0], CELL, "%s", c->set);
        snprintf(line[1], CELL, "%s", c->metric);
        summary_group_label(s, c->a, line[2], CELL);
        summary_group_label(s, c->b, line[3], CELL);
        number(line[4], c->welch.diff, pct, "");
        interval(line[5], c->welch.low, c->welch.high, pct);
        if (isnan(c->welch.p)) snprintf(line[6], CELL, "-");
        else snprintf(line[6], CELL, "%.2g", c->welch.p);
        if (c->solved_a < 0) {
            snprintf(line[7], CELL, "-");
            snprintf(line[8], CELL, "-");
        } else {
            snprintf(line[7], CELL, "%d/%d vs %d/%d", c->solved_a, c->total_a, c->solved_b,
                     c->total_b);
            snprintf(line[8], CELL, "%.2g", c->fisher_p);
        }
    }
    printf("\ncomparisons (a - b: Welch's t-test on the means; Fisher's exact test on the "
           "solved counts):\n");
    print_table(t, stdout);
    if (listed > n)
        printf("(%d more in %s; --metric NAME shows one metric's)\n", listed - n, csv);
    putchar('\n');
    free(t->cells);
    free(t);
}

// A failure after the command line was read: the results folder or the machine (exit 1).
static int fail(const char *msg) {
    fprintf(stderr, "posbench: %s\n", msg);
    return 1;
}

int cmd_summary(int argc, char **argv) {
    static const struct option opts[] = {{"metric", 1, 0, 'm'},
                                         {"success-at", 1, 0, 's'},
                                         {"results", 1, 0, 'r'},
                                         {"help", 0, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *metric = NULL, *results = "results";
    double success_at = SUMMARY_SUCCESS_AT;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': metric = optarg; break;
        case 'r': results = optarg; break;
        case 's': {
            char *end;
            success_at = strtod(optarg, &end);
            if (end == optarg || *end || !(success_at > 0 && success_at <= 1)) {
                fprintf(stderr, "posbench: summary: --success-at: expected a number in (0, 1], "
                                "got '%s'\n", optarg);
                return 2;
            }
            break;
        }
        case 'h': fputs(USAGE, stdout); return 0;
        default:
            return cli_bad_option("summary", argv[optind - 1]);
        }
    }
    if (cli_one_argument("summary", argc, argv, optind, "no experiment folder named (see --help)"))
        return 2;
    char dir[4096], path[4200], err[1024];
    const int bad_file = experiment_folder(argv[optind], results, dir, sizeof dir);
    if (bad_file) return bad_file;
    for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--) dir[n - 1] = '\0';
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    summary *s = summary_compute(dir, success_at, err, sizeof err);
    if (!s) return fail(err);
    char comparisons[4300];
    snprintf(comparisons, sizeof comparisons, "%s/comparisons.csv", dir);
    if (summary_write_csv(s, path, err, sizeof err) ||
        summary_write_comparisons_csv(s, comparisons, err, sizeof err)) {
        summary_free(s);
        return fail(err);
    }
    // Every listed metric must be there: a typo would otherwise print a table without it.
    const char *missing = NULL;
    char wanted[256];
    for (const char *m = metric; m && *m && !missing;) {
        const size_t len = strcspn(m, ",");
        snprintf(wanted, sizeof wanted, "%.*s", (int)len, m);
        int found = 0;
        for (int i = 0; !found && i < s->n_rows; i++) found = !strcmp(s->rows[i].metric, wanted);
        if (!found) missing = wanted;
        m += len + (m[len] == ',');
    }
    if (missing) {
        fprintf(stderr, "posbench: summary: no metric '%s' in %s (metrics:", missing, path);
        for (int i = 0; i < s->n_rows; i++) {
            int seen = 0;
            for (int k = 0; k < i && !seen; k++)
                seen = !strcmp(s->rows[k].metric, s->rows[i].metric);
            if (!seen) fprintf(stderr, "%s %s", i ? "," : "", s->rows[i].metric);
        }
        fputs(")\n", stderr);
        summary_free(s);
        return 1;  // another experiment may have the metric: the data lacks it
    }
    table *t = s->n_keys + 12 <= MAX_COLS ? make_table(s, metric) : NULL;
    if (!t) {
        const int too_wide = s->n_keys + 12 > MAX_COLS;
        summary_free(s);
        return fail(too_wide ? "summary: too many swept keys for a table (see summary.csv)"
                             : "out of memory");
    }
    print_table(t, stdout);
    free(t->cells);
    free(t);
    if (s->n_groups > 1) print_comparisons(s, metric, comparisons);
    printf("%d finished run%s (%d diverged) in %d group%s", s->n_finished,
           s->n_finished == 1 ? "" : "s", s->n_diverged, s->n_groups, s->n_groups == 1 ? "" : "s");
    if (s->n_unfinished)
        printf("; %d unfinished run%s skipped (no done marker)", s->n_unfinished,
               s->n_unfinished == 1 ? "" : "s");
    if (s->n_stale)
        printf("; %d stale run%s left out (not in the experiment file's current runs, "
               "%s/runs.csv; e.g. %s)", s->n_stale, s->n_stale == 1 ? "" : "s", dir,
               s->first_stale);
    printf("; wrote %s and comparisons.csv\n", path);
    summary_free(s);
    return 0;
}
