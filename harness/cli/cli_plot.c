// `posbench plot`: the results folder's CSVs are shaped into fixed-column data files under
// results/<experiment>/plots/ (harness/plot/plot_summary.c, plot_runs.c, plot_learning.c,
// plot_groups.c, plot_attention.c) and drawn by the gnuplot scripts in plots/
// (harness/plot/plot_exec.c runs them), PNG and SVG.
#include "harness/cli/cli_plot.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/base/dirs.h"
#include "harness/base/errors.h"
#include "harness/cli/cli_args.h"
#include "harness/plot/plot_attention.h"
#include "harness/plot/plot_exec.h"
#include "harness/plot/plot_groups.h"
#include "harness/plot/plot_io.h"
#include "harness/plot/plot_learning.h"
#include "harness/plot/plot_lengths.h"
#include "harness/plot/plot_runs.h"
#include "harness/plot/plot_summary.h"

static const char USAGE[] =
    "usage: posbench plot [--scripts DIR] [--png-scale F] results/<experiment>\n"
    "Renders every plot that applies to the CSVs in an experiment's results folder, each as\n"
    "PNG and SVG, and prints the files it wrote:\n"
    "  accuracy                  summary.csv has accuracy: bars per encoding with 95% CI\n"
    "                            error bars, one cluster per task / evaluation set\n"
    "  extrapolation_perplexity  summary.csv has sets len_N (books): the metric versus\n"
    "  extrapolation_perplexity_beyond  evaluation length, 95% CI bands, training length\n"
    "  extrapolation_loss        marked (perplexities on a log scale; _beyond: positions\n"
    "                            past the training length only)\n"
    "  positions                 runs/*/positions.csv (books): loss per position of the\n"
    "                            longest evaluation set, mean over seeds\n"
    "  training                  runs/*/train.csv: training loss per step, one line per run\n"
    "  learning                  runs/*/eval.csv at two steps or more: accuracy (loss for\n"
    "                            language modelling, or when there is no accuracy)\n"
    "                            per step, mean over seeds with 95% CI bands, one panel\n"
    "                            per evaluation set\n"
    "  groups                    runs/*/groups.csv (posbench groups): answer accuracy per\n"
    "                            group (indirect_indexing: shift), mean over seeds with 95%\n"
    "                            CI bands, one panel per evaluation set, and the no-lookup\n"
    "                            baseline (groups.csv's no_lookup) when the runs share it\n"
    "  lengths                   runs/*/lengths.csv (evaluation.length_max): accuracy\n"
    "                            against length, one panel per task, mean over seeds with\n"
    "                            95% CI bands, the training lengths shaded\n"
    "  lengths_heatmap           summary.csv has lengths/accuracy_beyond: task x encoding\n"
    "                            cells, the mean over seeds (the suite's table)\n"
    "  runs/<id>/attention       runs/<id>/attention.csv (posbench attn): heatmap per layer\n"
    "                            and head\n"
    "  runs/<id>/frequency       runs/<id>/frequency.csv (posbench freq): q/k norm per layer\n"
    "                            and frequency band\n"
    "Only finished runs (a done marker) count. The data files gnuplot reads go to\n"
    "results/<experiment>/plots/. Needs gnuplot (apt-get install gnuplot-nox).\n"
    "  --scripts DIR    folder of the gnuplot scripts (default: plots/ beside the executable)\n"
    "  --png-scale F    PNG size factor, text and lines included (0.25 to 4; default 1;\n"
    "                   make examples uses 0.75 for small README images)\n";

enum { PATH_LEN = 4096, ERR_LEN = PATH_LEN + 1024 };

typedef struct {
    char dir[PATH_LEN];       // the results folder
    char name[256];           // its last component, the experiment's name, for titles
    char gnuplot[PATH_LEN];
    char scripts[PATH_LEN];
    char png_scale[32];  // the --png-scale number, as gnuplot reads it
    int written, failed;
} context;

// Runs one script: vars plus out; reports what it wrote or why it failed. vars has room for
// two more than n (render adds out and png_scale).
static void render(context *c, const char *script, const char *out, plot_var *vars, int n) {
    char path[PATH_LEN + 64], err[ERR_LEN];
    snprintf(path, sizeof path, "%s/%s", c->scripts, script);
    vars[n++] = (plot_var){"out", out, 0};
    vars[n++] = (plot_var){"png_scale", c->png_scale, 1};
    if (plot_run_script(c->gnuplot, path, vars, n, err, sizeof err)) {
        fprintf(stderr, "posbench: plot: %s failed for %s:\n%s\n", script, out, err);
        c->failed++;
        return;
    }
    printf("wrote %s.png and %s.svg\n", out, out);
    c->written++;
}

static void fail_data(context *c, const char *err) {
    fprintf(stderr, "posbench: plot: %s\n", err);
    c->failed++;
}

// The y label of the accuracy bars: named by the set when there is one ("test accuracy").
static void accuracy_ylabel(const plot_summary *s, char *buf, size_t len) {
    const char *set = NULL;
    for (int i = 0; i < s->n_rows; i++) {
        if (strcmp(s->rows[i].metric, "accuracy")) continue;
        if (set && strcmp(set, s->rows[i].set)) {
            snprintf(buf, len, "accuracy (%%)");
            return;
        }
        set = s->rows[i].set;
    }
    snprintf(buf, len, "%s accuracy (%%)", set ? set : "");
}

static void plot_summary_files(context *c, const plot_summary *s, const plot_runs *runs) {
    char data[PATH_LEN + 64], ticks[PATH_LEN + 64], out[PATH_LEN + 64], err[ERR_LEN];
    char title[512], xlabel[512], ylabel[200], len[32], baseline[PATH_LEN + 64];
    plot_blocks b;
    enum { MAX_BASELINES = 64 };
    plot_set_baseline base[MAX_BASELINES];
    int n_base = 0, has_baseline = 0;
    if (plot_set_baselines(runs, base, MAX_BASELINES, &n_base, err, sizeof err)) {
        fail_data(c, err);
        n_base = 0;
    }
    snprintf(data, sizeof data, "%s/plots/accuracy.dat", c->dir);
    snprintf(ticks, sizeof ticks, "%s/plots/accuracy_ticks.dat", c->dir);
    snprintf(baseline, sizeof baseline, "%s/plots/accuracy_baseline.dat", c->dir);
    if (plot_write_accuracy(s, data, ticks, base, n_base, baseline, &has_baseline, &b, err,
                            sizeof err)) {
        fail_data(c, err);
    } else if (b.n > 0) {
        snprintf(out, sizeof out, "%s/accuracy", c->dir);
        snprintf(title, sizeof title, "%s: accuracy per encoding", c->name);
        snprintf(xlabel, sizeof xlabel, "%s%sevaluation set", s->variant_keys,
                 s->variant_keys[0] ? " / " : "");
        accuracy_ylabel(s, ylabel, sizeof ylabel);
        plot_var v[10] = {{"data", data, 0},          {"ticks", ticks, 0},
                         {"encodings", b.encodings, 0}, {"title", title, 0},
                         {"xlabel", xlabel, 0},     {"ylabel", ylabel, 0},
                         {"baseline", baseline, 0}};
        render(c, "accuracy.gp", out, v, has_baseline ? 7 : 6);
    }
    const long train_len = plot_runs_train_len(runs);
    static const struct {
        const char *metric, *ylabel, *logy;
    } metrics[] = {{"perplexity", "perplexity (exp of the loss in nats/token), log scale", "1"},
                   {"perplexity_beyond",
                    "perplexity past the training length (positions >= L only), log scale", "1"},
                   {"loss", "loss (nats/token)", "0"}};
    for (int m = 0; m < 3; m++) {
        snprintf(data, sizeof data, "%s/plots/extrapolation_%s.dat", c->dir, metrics[m].metric);
        if (plot_write_extrapolation(s, metrics[m].metric, data, &b, err, sizeof err)) {
            fail_data(c, err);
            continue;
        }
        if (b.n == 0) continue;
        snprintf(out, sizeof out, "%s/extrapolation_%s", c->dir, metrics[m].metric);
        snprintf(title, sizeof title, "%s: %s versus evaluation length", c->name,
                 metrics[m].metric);
        snprintf(len, sizeof len, "%ld", train_len);
        plot_var v[10] = {{"data", data, 0},          {"encodings", b.encodings, 0},
                         {"dashes", b.dashes, 0},     {"train_len", len, 1},
                         {"ylabel", metrics[m].ylabel, 0}, {"title", title, 0},
                         {"logy", metrics[m].logy, 1}};
        render(c, "extrapolation.gp", out, v, 7);
    }
}

// A plot of the metric (accuracy, else loss) against each swept numeric key
// (sweep_<key>.png): the learning-curve panels with the key's values on x.
static void plot_sweep_files(context *c, const plot_summary *s) {
    const char *metric = "loss";
    for (int i = 0; i < s->n_rows; i++)
        if (!strcmp(s->rows[i].metric, "accuracy")) metric = "accuracy";
    for (int k = 0; k < s->n_keys; k++) {
        if (!plot_summary_key_is_numeric(s, k)) continue;
        char data[PATH_LEN + 200], out[PATH_LEN + 200], err[ERR_LEN], title[512];
        plot_blocks b;
        plot_panels panels;
        snprintf(data, sizeof data, "%s/plots/sweep_%s.dat", c->dir, s->keys[k]);
        if (plot_write_sweep(s, k, metric, data, &b, &panels, err, sizeof err)) {
            fail_data(c, err);
            continue;
        }
        if (b.n == 0) continue;
        snprintf(out, sizeof out, "%s/sweep_%s", c->dir, s->keys[k]);
        snprintf(title, sizeof title, "%s: %s against %s", c->name, metric, s->keys[k]);
        plot_var v[11] = {{"data", data, 0},          {"encodings", b.encodings, 0},
                         {"dashes", b.dashes, 0},     {"sets", panels.sets, 0},
                         {"counts", panels.counts, 0}, {"metric", metric, 0},
                         {"title", title, 0},         {"x_axis", "value", 0},
                         {"xlabel", s->keys[k], 0}};
        render(c, "learning.gp", out, v, 9);
    }
}

// The suite's table as a picture: mean accuracy beyond the training lengths, task x encoding.
static void plot_heatmap_file(context *c, const plot_summary *s) {
    char data[PATH_LEN + 64], out[PATH_LEN + 64], err[ERR_LEN], title[512];
    char columns[4096], rows[4096];
    int cells;
    snprintf(data, sizeof data, "%s/plots/lengths_heatmap.dat", c->dir);
    if (plot_write_heatmap(s, "accuracy_beyond", data, columns, sizeof columns, rows,
                           sizeof rows, &cells, err, sizeof err)) {
        fail_data(c, err);
        return;
    }
    if (cells == 0) return;
    snprintf(out, sizeof out, "%s/lengths_heatmap", c->dir);
    snprintf(title, sizeof title,
             "%s: accuracy beyond the training lengths (%%, mean over seeds)", c->name);
    plot_var v[6] = {{"data", data, 0}, {"columns", columns, 0}, {"rows", rows, 0},
                     {"title", title, 0}};
    render(c, "heatmap.gp", out, v, 4);
}

static void plot_run_files(context *c, const plot_runs *r) {
    char data[PATH_LEN + 320], out[PATH_LEN + 64], err[ERR_LEN], title[1024], len[32];
    char set[128];
    plot_blocks b;
    int window;
    snprintf(data, sizeof data, "%s/plots/training.dat", c->dir);
    if (plot_write_training(r, data, &b, &window, err, sizeof err)) {
        fail_data(c, err);
    } else if (b.n > 0) {
        snprintf(out, sizeof out, "%s/training", c->dir);
        if (window > 1)
            snprintf(title, sizeof title, "%s: training loss (mean over windows of %d steps)",
                     c->name, window);
        else
            snprintf(title, sizeof title, "%s: training loss", c->name);
        plot_var v[10] = {{"data", data, 0},
                         {"encodings", b.encodings, 0},
                         {"dashes", b.dashes, 0},
                         {"title", title, 0}};
        render(c, "training.gp", out, v, 4);
    }
    snprintf(data, sizeof data, "%s/plots/learning.dat", c->dir);
    plot_panels panels;
    if (plot_write_learning(r, data, &b, &panels, err, sizeof err)) {
        fail_data(c, err);
    } else if (b.n > 0) {
        snprintf(out, sizeof out, "%s/learning", c->dir);
        snprintf(title, sizeof title, "%s: %s during training", c->name, panels.metric);
        plot_var v[10] = {{"data", data, 0},          {"encodings", b.encodings, 0},
                         {"dashes", b.dashes, 0},     {"sets", panels.sets, 0},
                         {"counts", panels.counts, 0}, {"metric", panels.metric, 0},
                         {"title", title, 0}};
        render(c, "learning.gp", out, v, 7);
    }
    snprintf(data, sizeof data, "%s/plots/lengths.dat", c->dir);
    char shades[512];
    if (plot_write_lengths(r, data, &b, &panels, shades, sizeof shades, err, sizeof err)) {
        fail_data(c, err);
    } else if (b.n > 0) {
        snprintf(out, sizeof out, "%s/lengths", c->dir);
        snprintf(title, sizeof title, "%s: accuracy against length", c->name);
        plot_var v[12] = {{"data", data, 0},           {"encodings", b.encodings, 0},
                          {"dashes", b.dashes, 0},     {"sets", panels.sets, 0},
                          {"counts", panels.counts, 0}, {"metric", "accuracy", 0},
                          {"title", title, 0},         {"x_axis", "length", 0},
                          {"xlabel", "length", 0},     {"shades", shades, 0}};
        render(c, "learning.gp", out, v, 10);
    }
    snprintf(data, sizeof data, "%s/plots/groups.dat", c->dir);
    char names[256], baseline[sizeof data];
    snprintf(baseline, sizeof baseline, "%s/plots/groups_baseline.dat", c->dir);
    int has_baseline;
    if (plot_write_groups(r, data, baseline, &b, &panels, &has_baseline, names, sizeof names,
                          err, sizeof err)) {
        fail_data(c, err);
    } else if (b.n > 0) {
        snprintf(out, sizeof out, "%s/groups", c->dir);
        snprintf(title, sizeof title, "%s: answer accuracy per %s", c->name, names);
        plot_var v[10] = {{"data", data, 0},          {"encodings", b.encodings, 0},
                         {"dashes", b.dashes, 0},     {"sets", panels.sets, 0},
                         {"counts", panels.counts, 0}, {"group_name", names, 0},
                         {"title", title, 0},         {"baseline", baseline, 0}};
        render(c, "groups.gp", out, v, has_baseline ? 8 : 7);
    }
    snprintf(data, sizeof data, "%s/plots/positions.dat", c->dir);
    int bin;
    if (plot_write_positions(r, data, set, sizeof set, &b, &bin, err, sizeof err)) {
        fail_data(c, err);
    } else if (b.n > 0) {
        snprintf(out, sizeof out, "%s/positions", c->dir);
        if (bin > 1)
            snprintf(title, sizeof title,
                     "%s: loss per position, set %s, bins of %d positions",
                     c->name, set, bin);
        else
            snprintf(title, sizeof title, "%s: loss per position, set %s", c->name, set);
        snprintf(len, sizeof len, "%ld", plot_runs_train_len(r));
        plot_var v[10] = {{"data", data, 0},      {"encodings", b.encodings, 0},
                         {"dashes", b.dashes, 0}, {"train_len", len, 1},
                         {"title", title, 0}};
        render(c, "positions.gp", out, v, 5);
    }
    for (int i = 0; i < r->n; i++) {
        char csv[PATH_LEN + 600], label[PLOT_NAME + PLOT_VARIANT + 8];
        plot_series_label(&r->series, r->runs[i].series, label, sizeof label);
        if (plot_run_has(r, i, "attention.csv")) {
            int n_tokens;
            plot_run_path(r, i, "attention.csv", csv, sizeof csv);
            snprintf(data, sizeof data, "%s/plots/attention_%s.dat", c->dir, r->runs[i].id);
            if (plot_write_attention(csv, data, &n_tokens, err, sizeof err)) {
                fail_data(c, err);
            } else {
                plot_run_path(r, i, "attention", out, sizeof out);
                snprintf(title, sizeof title, "%s, run %s (%s): attention on one example",
                         c->name, r->runs[i].id, label);
                plot_var v[10] = {{"data", data, 0}, {"title", title, 0}};
                render(c, "attention.gp", out, v, 2);
            }
        }
        if (plot_run_has(r, i, "frequency.csv")) {
            plot_run_path(r, i, "frequency.csv", csv, sizeof csv);
            if (plot_check_frequency(csv, err, sizeof err)) {
                fail_data(c, err);
            } else {
                plot_run_path(r, i, "frequency", out, sizeof out);
                snprintf(title, sizeof title, "%s, run %s (%s): frequency usage", c->name,
                         r->runs[i].id, label);
                plot_var v[10] = {{"data", csv, 0}, {"title", title, 0}};
                render(c, "frequency.gp", out, v, 2);
            }
        }
    }
}

// A failure after the command line was read: the results folder, gnuplot or its scripts, or
// the disk (exit 1).
static int fail(const char *msg) {
    fprintf(stderr, "posbench: plot: %s\n", msg);
    return 1;
}

int cmd_plot(int argc, char **argv) {
    static const struct option opts[] = {
        {"scripts", 1, 0, 's'}, {"png-scale", 1, 0, 'p'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    const char *scripts = NULL;
    double scale = 1;
    char *end;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 's': scripts = optarg; break;
        case 'p':
            scale = strtod(optarg, &end);
            if (*end || end == optarg || !(scale >= 0.25 && scale <= 4)) {
                fprintf(stderr, "posbench: plot: --png-scale '%s': expected a number from 0.25 "
                                "to 4\n", optarg);
                return 2;
            }
            break;
        case 'h': fputs(USAGE, stdout); return 0;
        default:
            return cli_bad_option("plot", argv[optind - 1]);
        }
    }
    if (cli_one_argument("plot", argc, argv, optind, "no results folder named (see --help)"))
        return 2;
    static context c;  // static: its paths are large for a stack frame
    memset(&c, 0, sizeof c);
    char err[ERR_LEN], path[PATH_LEN + 64];
    snprintf(c.png_scale, sizeof c.png_scale, "%g", scale);
    snprintf(c.dir, sizeof c.dir, "%s", argv[optind]);
    for (size_t n = strlen(c.dir); n > 1 && c.dir[n - 1] == '/'; n--) c.dir[n - 1] = '\0';
    const char *slash = strrchr(c.dir, '/');
    snprintf(c.name, sizeof c.name, "%.255s", slash ? slash + 1 : c.dir);

    struct stat st;
    if (stat(c.dir, &st) != 0) {
        set_error(err, sizeof err, "%s: %s", c.dir, strerror(errno));
        return fail(err);
    }
    if (!S_ISDIR(st.st_mode)) {
        set_error(err, sizeof err, "%s: not a folder (expected results/<experiment>)", c.dir);
        return fail(err);
    }
    snprintf(path, sizeof path, "%s/summary.csv", c.dir);
    const int has_summary = access(path, F_OK) == 0;
    snprintf(path, sizeof path, "%s/runs", c.dir);
    if (!has_summary && access(path, F_OK) != 0) {
        set_error(err, sizeof err,
                  "%s: not a results folder (no summary.csv and no runs/; posbench run writes "
                  "them)",
                  c.dir);
        return fail(err);
    }
    if (plot_find_gnuplot(c.gnuplot, sizeof c.gnuplot))
        return fail("gnuplot not found on PATH; install it with: apt-get install gnuplot-nox");
    if (plot_find_scripts(scripts, c.scripts, sizeof c.scripts, err, sizeof err))
        return fail(err);

    plot_runs runs;
    if (plot_runs_read(c.dir, &runs, err, sizeof err)) return fail(err);
    snprintf(path, sizeof path, "%s/plots", c.dir);
    if (make_dirs(path, err, sizeof err)) {
        plot_runs_free(&runs);
        return fail(err);
    }
    if (has_summary) {
        // Without a swept model.encoding every group has the runs' one encoding.
        const char *enc = runs.series.n ? runs.series.items[0].encoding : "unknown";
        plot_summary s;
        snprintf(path, sizeof path, "%s/summary.csv", c.dir);
        if (plot_summary_read(path, enc, &s, err, sizeof err)) {
            fail_data(&c, err);
        } else {
            plot_summary_files(&c, &s, &runs);
            plot_sweep_files(&c, &s);
            plot_heatmap_file(&c, &s);
            plot_summary_free(&s);
        }
    }
    plot_run_files(&c, &runs);
    plot_runs_free(&runs);
    if (c.failed) {
        fprintf(stderr, "posbench: plot: %d plot%s failed, %d written\n", c.failed,
                c.failed == 1 ? "" : "s", c.written);
        return 1;
    }
    if (c.written == 0) {
        set_error(err, sizeof err,
                  "%s: nothing to plot (no accuracy or len_N sets in summary.csv, no finished run "
                  "with train.csv, eval.csv at two steps, positions.csv, groups.csv, "
                  "attention.csv or frequency.csv)",
                  c.dir);
        return fail(err);
    }
    printf("%d plot%s in %s\n", c.written, c.written == 1 ? "" : "s", c.dir);
    return 0;
}
