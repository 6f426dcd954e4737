#include "harness/experiment/run_score.h"

#include <stdlib.h>
#include <string.h>

#include "harness/base/atomic_file.h"
#include "harness/base/errors.h"
#include "harness/base/options.h"
#include "harness/base/read_file.h"
#include "harness/experiment/run.h"
#include "harness/model/checkpoint.h"

// ---- which sets ------------------------------------------------------------------------------

static int find_set(const run_config *c, const char *name) {
    for (int i = 0; i < c->n_sets; i++)
        if (!strcmp(c->sets[i].name, name)) return i;
    return -1;
}

// A generated task: the experiment's sets keep their places (and so their sequences); new
// ones are appended.
static int task_sets(const run_config *run, const score_request *q, run_config *data, int *pick,
                     char *err, size_t errlen) {
    if (q->n_lengths)
        return set_error(err, errlen, "--length is for books experiments; task '%s' takes "
                         "--set NAME:OPTIONS", run->task);
    for (int k = 0; k < q->n_sets; k++) {
        const char *spec = q->sets[k], *colon = strchr(spec, ':');
        char name[64];
        const size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
        if (n == 0 || n >= sizeof name || memchr(spec, ',', n) || memchr(spec, '@', n))
            return set_error(err, errlen, "--set '%s': expected NAME or NAME:KEY=VALUE,... (a "
                             "name without ',' or '@')", spec);
        memcpy(name, spec, n);
        name[n] = '\0';
        int i = find_set(data, name);
        if (i >= 0 && i < run->n_sets && colon)
            return set_error(err, errlen, "--set '%s': the experiment already has a set '%s' "
                             "(score it as --set %s, or give the new set another name)",
                             spec, name, name);
        if (i >= 0 && colon) return set_error(err, errlen, "--set '%s' given twice", name);
        if (i < 0) {
            if (!colon)
                return set_error(err, errlen, "--set '%s': no such set in the experiment (a new "
                                 "set needs options: --set %s:KEY=VALUE,...)", name, name);
            if (data->n_sets == CONFIG_MAX_SETS)
                return set_error(err, errlen, "--set: at most %d sets in all", CONFIG_MAX_SETS);
            i = data->n_sets++;
            snprintf(data->sets[i].name, sizeof data->sets[i].name, "%s", name);
            if (options_merge(run->task_options, colon + 1, data->sets[i].options,
                              sizeof data->sets[i].options) != 0)
                return set_error(err, errlen, "--set '%s': expected NAME:KEY=VALUE,...", spec);
        }
        pick[i] = 1;
    }
    if (q->n_sets == 0)
        for (int i = 0; i < run->n_sets; i++) pick[i] = 1;
    return 0;
}

// Books: the lengths asked for (--length N, or --set len_N) become the data's eval_mult.
static int books_lengths(const run_config *run, int seq_len, const score_request *q,
                         run_config *data, int *pick, char *err, size_t errlen) {
    int mult[BOOKS_MAX_MULT], n = 0;
    for (int k = 0; k < q->n_sets + q->n_lengths; k++) {
        int len;
        if (k < q->n_sets) {
            char *end;
            const char *s = q->sets[k];
            len = !strncmp(s, "len_", 4) ? (int)strtol(s + 4, &end, 10) : 0;
            if (len <= 0 || *end)
                return set_error(err, errlen, "--set '%s': books sets are named len_N (N the "
                                 "window in bytes)", s);
        } else {
            len = q->lengths[k - q->n_sets];
        }
        if (seq_len < 1 || len < 1 || len % seq_len)
            return set_error(err, errlen, "length %d is not a multiple of the training length "
                             "%d", len, seq_len);
        int m = len / seq_len, at = 0;
        while (at < n && mult[at] < m) at++;
        if (at < n && mult[at] == m) continue;
        if (n == BOOKS_MAX_MULT)
            return set_error(err, errlen, "at most %d lengths at a time", BOOKS_MAX_MULT);
        memmove(mult + at + 1, mult + at, (size_t)(n - at) * sizeof *mult);
        mult[at] = m;
        n++;
    }
    if (n) {
        char list[128] = "eval_mult=";
        for (int i = 0; i < n; i++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%d", i ? ";" : "", mult[i]);
        }
        if (options_merge(run->task_options, list, data->task_options,
                          sizeof data->task_options) != 0)
            return set_error(err, errlen, "books options too long");
        if (books_check_lengths(seq_len, mult, n, err, errlen) != 0) return -1;
    }
    for (int i = 0; i < RUN_MAX_EVAL_SETS; i++) pick[i] = 1;  // the data holds just those lengths
    return 0;
}

int score_config(const run_config *run, const score_request *q, run_config *data,
                 int pick[RUN_MAX_EVAL_SETS], char *err, size_t errlen) {
    *data = *run;
    memset(pick, 0, RUN_MAX_EVAL_SETS * sizeof *pick);
    run_plan plan;
    if (run_source_of(run->task)->plan(run, &plan, err, errlen) != 0) return -1;
    return plan.length_unit ? books_lengths(run, plan.length_unit, q, data, pick, err, errlen)
                            : task_sets(run, q, data, pick, err, errlen);
}

// ---- the model ---------------------------------------------------------------------------------

// The checkpoint's model, or a copy with `options` merged over its encoding options (same
// parameters: evaluation-time options only change how positions are encoded).
static model *load_model(const char *ckpt, const char *options, char *err, size_t errlen) {
    model *m = checkpoint_load(ckpt, err, errlen);
    if (!m || !options || !options[0]) return m;
    char trained[CONFIG_OPTIONS_LEN], merged[CONFIG_OPTIONS_LEN];
    pe_format_options(&m->pe, trained, sizeof trained);
    model *o = NULL;
    if (options_merge(trained, options, merged, sizeof merged) != 0)
        set_error(err, errlen, "--encoding-options '%s': expected KEY=VALUE,...", options);
    else if ((o = model_create(&m->cfg, m->pe.ops->name, merged, err, errlen)) &&
             o->n_params != m->n_params) {
        set_error(err, errlen, "--encoding-options '%s' change %s's parameters (%zu, trained "
                  "with %zu): only evaluation-time options can be changed", options,
                  m->pe.ops->name, o->n_params, m->n_params);
        model_free(o);
        o = NULL;
    }
    if (o) memcpy(o->params, m->params, m->n_params * sizeof *m->params);
    model_free(m);
    return o;
}

// ---- the rows ----------------------------------------------------------------------------------

// Whether a CSV line's field `col` (0-based) is one of the names in `drop` (NUL-separated
// list ending in an empty name) and, when step >= 0, its first field is that step.
static int row_in(const char *line, int col, const char *drop, int step) {
    if (step >= 0 && atoi(line) != step) return 0;
    for (int c = 0; c < col; c++) {
        line = strchr(line, ',');
        if (!line) return 0;
        line++;
    }
    const size_t n = strcspn(line, ",\n");
    for (const char *d = drop; *d; d += strlen(d) + 1)
        if (strlen(d) == n && !strncmp(line, d, n)) return 1;
    return 0;
}

// Writes `old` without the rows row_in(col, drop, step) selects, then `added`, atomically.
static int rewrite(const char *path, const char *old, int col, const char *drop, int step,
                   const char *added, char *err, size_t errlen) {
    atomic_file o;
    if (atomic_file_open(&o, path, err, errlen) != 0) return -1;
    int header = 1;
    for (const char *line = old; *line;) {
        const size_t n = strcspn(line, "\n");
        if (header || !row_in(line, col, drop, step)) fprintf(o.f, "%.*s\n", (int)n, line);
        header = 0;
        line += n + (line[n] == '\n');
    }
    fputs(added, o.f);
    return atomic_file_commit(&o, err, errlen);
}

// The largest step in eval.csv: where the final evaluation's rows are.
static int last_step(const char *eval_csv) {
    int last = 0;
    for (const char *line = strchr(eval_csv, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        const int step = atoi(line + 1);
        if (step > last) last = step;
    }
    return last;
}

// ---- scoring -----------------------------------------------------------------------------------

static void default_suffix(const score_request *q, char *buf, size_t len) {
    buf[0] = '\0';
    if (q->suffix) {
        snprintf(buf, len, "%s", q->suffix);
        return;
    }
    if ((!q->encoding_options || !q->encoding_options[0]) && !q->factor_from_length) return;
    snprintf(buf, len, "@%s%s%s", q->encoding_options ? q->encoding_options : "",
             q->encoding_options && q->encoding_options[0] && q->factor_from_length ? ";" : "",
             q->factor_from_length ? "factor=length" : "");
    for (char *p = buf; *p; p++)
        if (*p == ',') *p = ';';
}

// Evaluates the picked sets into the memory streams; names of the rows into drop.
static int score_sets(const run_config *run, const char *ckpt, const score_request *q,
                      run_data *d, const int *pick, int step, const char *suffix, FILE *rows,
                      FILE *positions, FILE *progress, char *drop, size_t drop_len, char *err,
                      size_t errlen) {
    model *m = NULL;
    size_t used = 0;
    int rc = 0;
    for (int i = 0; rc == 0 && i < d->n_evals; i++) {
        if (!pick[i]) continue;
        char options[CONFIG_OPTIONS_LEN];
        snprintf(options, sizeof options, "%s", q->encoding_options ? q->encoding_options : "");
        if (q->factor_from_length) {
            const size_t n = strlen(options);
            const double ratio = (double)d->evals[i].width / d->train_len;
            snprintf(options + n, sizeof options - n, "%sfactor=%.9g,orig_len=%d", n ? "," : "",
                     ratio > 1 ? ratio : 1.0, d->train_len);
        }
        if (!m || q->factor_from_length) {
            model_free(m);
            if (!(m = load_model(ckpt, options, err, errlen))) return -1;
        }
        double acc;
        rc = run_data_evaluate_set(d, i, m, run->threads, step, suffix, rows, positions, &acc,
                                   err, errlen);
        const int n = snprintf(drop + used, drop_len - used, "%s%s", d->evals[i].name, suffix);
        if (n < 0 || (size_t)n + 2 >= drop_len - used) rc = set_error(err, errlen, "too many sets");
        else used += (size_t)n + 1;
        drop[used] = '\0';
        if (rc == 0 && progress)
            fprintf(progress, "  %s%s: accuracy %.4f\n", d->evals[i].name, suffix, acc);
    }
    model_free(m);
    return rc;
}

int run_score(const run_config *run, const char *results, const score_request *q,
              FILE *progress, char *err, size_t errlen) {
    char dir[2048], path[2200], ckpt[2200], suffix[CONFIG_OPTIONS_LEN + 32];
    run_dir(run, results, dir, sizeof dir);
    if (!run_is_done(run, results)) return 2;
    snprintf(path, sizeof path, "%s/status", dir);
    const int diverged = run_read_status(path, err, errlen);
    if (diverged) return diverged < 0 ? -1 : 1;
    snprintf(ckpt, sizeof ckpt, "%s/final.ckpt", dir);
    run_config data;
    int pick[RUN_MAX_EVAL_SETS];
    if (score_config(run, q, &data, pick, err, errlen) != 0 ||
        run_data_check(&data, err, errlen) != 0)
        return -1;
    default_suffix(q, suffix, sizeof suffix);

    snprintf(path, sizeof path, "%s/eval.csv", dir);
    size_t size;
    char *eval_old = read_file(path, &size, err, errlen), *pos_old = NULL;
    char *rows_text = NULL, *pos_text = NULL, drop[4096] = "";
    size_t rows_len = 0, pos_len = 0;
    FILE *rows = open_memstream(&rows_text, &rows_len);
    FILE *positions = NULL;
    run_data d;
    int rc = -1, prepared = 0;
    if (!eval_old || !rows) goto done;
    if ((prepared = 1, run_data_prepare(&d, &data, results, err, errlen)) != 0) goto done;
    if (d.source->per_byte_metrics) {
        snprintf(path, sizeof path, "%s/positions.csv", dir);
        if (!(pos_old = read_file(path, &size, err, errlen)) ||
            !(positions = open_memstream(&pos_text, &pos_len)))
            goto done;
    }
    const int step = last_step(eval_old);
    if (score_sets(run, ckpt, q, &d, pick, step, suffix, rows, positions, progress, drop,
                   sizeof drop, err, errlen) != 0)
        goto done;
    fclose(rows), rows = NULL;
    if (positions) fclose(positions), positions = NULL;
    snprintf(path, sizeof path, "%s/eval.csv", dir);
    // The periodic evaluations of a set stay; its final rows are replaced. positions.csv holds
    // the final evaluation only.
    if (rewrite(path, eval_old, 1, drop, step, rows_text, err, errlen) != 0) goto done;
    snprintf(path, sizeof path, "%s/positions.csv", dir);
    rc = pos_old ? rewrite(path, pos_old, 0, drop, -1, pos_text, err, errlen) : 0;
done:
    if (rows) fclose(rows);
    if (positions) fclose(positions);
    if (prepared) run_data_free(&d);
    free(eval_old), free(pos_old), free(rows_text), free(pos_text);
    return rc;
}
