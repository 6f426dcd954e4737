// Resolution of an experiment: the values as written (config_raw.h), with a sweep point's
// overrides, turned into a checked run_config; the expansion of the sweep into every point.
// A value swept in is checked by the same code as one written, and blamed at its position.
#include "harness/experiment/config_raw.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encodings/encoding.h"
#include "harness/base/errors.h"
#include "harness/base/names.h"
#include "harness/base/options.h"
#include "harness/experiment/run_source.h"
#include "tasks/books.h"
#include "tasks/task.h"

// Every option of two mappings fits, so merging never truncates.
#define MERGED_LEN (2 * MAX_OPTIONS * (64 + CONFIG_VALUE_LEN + 2))
#define MAX_RUNS 10000

// ---- errors --------------------------------------------------------------------------------

int config_fail_at(const char *file, config_pos p, char *err, size_t errlen, const char *fmt,
                   ...) {
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p.line < 1) p = (config_pos){1, 1};
    return set_error(err, errlen, "%s:%d:%d: %s", file, p.line, p.col, msg);
}

int config_check_scalar(const field *f, const char *text, double *num, uint64_t *u64, int ranges,
                        char *msg, size_t len) {
    char *end;
    errno = 0;
    switch (f->type) {
    case T_STRING: {
        // A run id or a checkpoint's path: any text without spaces that fits.
        if (f->offset == offsetof(run_config, init_from)) {
            const size_t n = strlen(text);  // "" (the default): none
            if (n >= sizeof ((run_config *)0)->init_from || strpbrk(text, " \t\r\n"))
                return set_error(msg, len, "%s: expected a run id or a checkpoint path without "
                                 "spaces, got '%s'", f->path, text);
            return 0;
        }
        // The experiment name becomes a folder name; task and encoding names fit 63 bytes. An
        // encoding may carry its own options, NAME(K=V,...), checked when it is resolved.
        const int folder = f->offset == offsetof(run_config, experiment);
        const int encoding = f->offset == offsetof(run_config, encoding);
        size_t n =
            strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.");
        const size_t whole = strlen(text);
        if (encoding && text[n] == '(' && whole < sizeof ((run_config *)0)->encoding) n = whole;
        if (!text[0] || n != whole || n > (folder ? 127 : encoding ? 255 : 63) ||
            text[0] == '.' || text[0] == '-' || text[0] == '(')
            return set_error(
                msg, len,
                "%s: expected a name (letters, digits, '_', '-', '.'; at most %d), got '%s'",
                f->path, folder ? 127 : 63, text);
        return 0;
    }
    case T_NORM:
        if (strcmp(text, "rms") && strcmp(text, "layer"))
            return set_error(msg, len, "%s: expected rms or layer, got '%s'", f->path, text);
        *num = strcmp(text, "rms") == 0 ? NORM_RMS : NORM_LAYER;
        return 0;
    case T_WORD: {
        const int i = word_index(field_choices(f), text);
        if (i < 0) {
            char words[128];
            snprintf(words, sizeof words, "%s", field_choices(f));
            char *bar = strrchr(words, '|');
            if (bar) {  // "a|b|c" reads "a, b or c"
                char last[64];
                snprintf(last, sizeof last, "%s", bar + 1);
                *bar = '\0';
                for (char *c = words; *c; c++)
                    if (*c == '|') *c = ',';
                return set_error(msg, len, "%s: expected %s or %s, got '%s'", f->path, words,
                                 last, text);
            }
            return set_error(msg, len, "%s: expected %s, got '%s'", f->path, words, text);
        }
        *num = i;
        return 0;
    }
    case T_SEED:
        if (!isdigit((unsigned char)text[0]) || (*u64 = strtoull(text, &end, 10), *end) || errno)
            return set_error(msg, len, "%s: expected a non-negative integer, got '%s'", f->path,
                             text);
        return 0;
    case T_INT: {
        long long v = strtoll(text, &end, 10);
        if (!text[0] || isspace((unsigned char)text[0]) || *end || errno)
            return set_error(msg, len, "%s: expected an integer, got '%s'", f->path, text);
        if (v > INT_MAX || v < INT_MIN)
            return set_error(msg, len, "%s: %s is too large", f->path, text);
        *num = (double)v;
        break;
    }
    case T_FLOAT:
        *num = strtod(text, &end);
        if (!text[0] || isspace((unsigned char)text[0]) || *end || !isfinite(*num))
            return set_error(msg, len, "%s: expected a number, got '%s'", f->path, text);
        break;
    default:
        return set_error(msg, len, "%s: not a scalar key", f->path);
    }
    const double v = *num;
    if (!ranges) return 0;
    if ((f->min_open ? v > f->min : v >= f->min) && (f->max_open ? v < f->max : v <= f->max))
        return 0;
    if (f->max == NOMAX || isinf(f->max))
        return set_error(msg, len, "%s: must be %s %g, got %s", f->path, f->min_open ? ">" : ">=",
                         f->min, text);
    return set_error(msg, len, "%s: must be in %c%g, %g%c, got %s", f->path,
                     f->min_open ? '(' : '[', f->min, f->max, f->max_open ? ')' : ']', text);
}

// The row of a numeric key; a wrong path is the caller's bug.
static const field *number_field(const char *path) {
    const int i = field_index(path);
    if (i < 0 || (config_schema[i].type != T_INT && config_schema[i].type != T_FLOAT))
        posbench_bug("config: '%s' is not a numeric key", path);
    return &config_schema[i];
}

uint64_t run_init_seed(const run_config *r) {
    return r->init_seed >= 0 ? (uint64_t)r->init_seed : r->seed;
}

uint64_t run_data_seed(const run_config *r) {
    return r->data_seed >= 0 ? (uint64_t)r->data_seed : r->seed;
}

double config_default_number(const char *path) { return strtod(number_field(path)->def, NULL); }

int config_parse_number(const char *path, const char *text, double *value, char *msg,
                        size_t len) {
    uint64_t unused;
    return config_check_scalar(number_field(path), text, value, &unused, 1, msg, len);
}

static void store_scalar(const field *f, const char *text, double num, uint64_t u64,
                         run_config *r) {
    char *at = (char *)r + f->offset;
    switch (f->type) {
    case T_STRING: {  // check_scalar bounded the length by the buffer's
        const size_t cap = f->offset == offsetof(run_config, experiment) ? sizeof r->experiment
                           : f->offset == offsetof(run_config, encoding) ? sizeof r->encoding
                           : f->offset == offsetof(run_config, init_from) ? sizeof r->init_from
                                                                           : sizeof r->task;
        size_t n = strlen(text);
        if (n >= cap) n = cap - 1;
        memcpy(at, text, n);
        at[n] = '\0';
        break;
    }
    case T_NORM: *(norm_kind *)(void *)at = num == NORM_RMS ? NORM_RMS : NORM_LAYER; break;
    case T_WORD: *(int *)(void *)at = (int)num; break;
    case T_SEED: *(uint64_t *)(void *)at = u64; break;
    case T_INT: *(int *)(void *)at = (int)num; break;
    case T_FLOAT: *(double *)(void *)at = num; break;
    default: break;
    }
}

// ---- resolution: texts into a run_config ---------------------------------------------------

// Where to blame a bad combination: a swept value first, then any value given, then fallback.
static config_pos blame(const raw_value *const *v, int n, config_pos fallback) {
    for (int i = 0; i < n; i++)
        if (v[i] && v[i]->swept) return v[i]->pos;
    for (int i = 0; i < n; i++)
        if (v[i] && v[i]->set) return v[i]->pos;
    return fallback;
}

static config_pos options_blame(const raw_options *a, const raw_options *b, config_pos fallback) {
    for (int k = 0; k < 2; k++) {
        const raw_options *o = k ? b : a;
        for (int i = 0; o && i < o->n; i++)
            if (o->item[i].v.swept) return o->item[i].v.pos;
    }
    if (b && b->pos.line) return b->pos;
    if (a->pos.line) return a->pos;
    return fallback;
}

// "k=v,..." of base's options, each overridden by over's (NULL: none) of the same key.
static void merge_options(const raw_options *base, const raw_options *over, char *buf, size_t len) {
    buf[0] = '\0';
    size_t used = 0;
    for (int k = 0; k < 2; k++) {
        const raw_options *o = k ? over : base;
        for (int i = 0; o && i < o->n; i++) {
            int shadowed = 0;
            for (int j = 0; !k && over && j < over->n; j++)
                shadowed |= !strcmp(over->item[j].key, o->item[i].key);
            if (shadowed) continue;
            int w = snprintf(buf + used, len - used, "%s%s=%s", used ? "," : "", o->item[i].key,
                             o->item[i].v.text);
            if (w < 0 || (size_t)w >= len - used) return;  // cannot happen: MERGED_LEN
            used += (size_t)w;
        }
    }
}

// Each option on its own (unknown key, not a number, out of range), at its position.
static int check_each(const char *file, const char *owner, const option_spec *specs, int n,
                      const raw_options *o, char *err, size_t errlen) {
    for (int i = 0; o && i < o->n; i++) {
        const raw_option *it = &o->item[i];
        char item[CONFIG_VALUE_LEN + 80], msg[512];
        double values[64];
        if (it->v.is_list)
            return config_fail_at(file, it->v.pos, err, errlen,
                           "%s: option '%s' needs a single value, got a list", owner, it->key);
        snprintf(item, sizeof item, "%s=%s", it->key, it->v.text);
        if (options_parse(owner, specs, n, item, values, msg, sizeof msg))
            return config_fail_at(file, it->v.pos, err, errlen, "%s", msg);
    }
    return 0;
}

static const raw_option *find_option(const raw_options *a, const raw_options *b, const char *key) {
    for (int k = 0; k < 2; k++) {
        const raw_options *o = k ? a : b;  // b overrides a
        for (int i = 0; o && i < o->n; i++)
            if (!strcmp(o->item[i].key, key)) return &o->item[i];
    }
    return NULL;
}

// The books pseudo-task: corpus, seq_len, eval_mult (tasks/books.h), canonical into canon.
static int resolve_books(const char *file, const raw_options *base, const raw_options *over,
                         config_pos fallback, char *canon, size_t len, char *err, size_t errlen) {
    static const char *const keys[] = {"corpus", "seq_len", "eval_mult"};
    for (int k = 0; k < 2; k++) {
        const raw_options *o = k ? over : base;
        for (int i = 0; o && i < o->n; i++) {
            const char *key = o->item[i].key;
            if (strcmp(key, "corpus") && strcmp(key, "seq_len") && strcmp(key, "eval_mult")) {
                char msg[512];
                unknown_name("option", key, keys, 3, msg, sizeof msg);
                return config_fail_at(file, o->item[i].v.pos, err, errlen, "task 'books': %s", msg);
            }
        }
    }
    const raw_option *corpus = find_option(base, over, "corpus");
    const raw_option *seq = find_option(base, over, "seq_len");
    const raw_option *mult = find_option(base, over, "eval_mult");
    const char *path = corpus ? corpus->v.text : BOOKS_DEFAULT_CORPUS;
    if (corpus && (corpus->v.is_list || !path[0]))
        return config_fail_at(file, corpus->v.pos, err, errlen,
                       "task 'books': option 'corpus' needs a path");
    long long L = BOOKS_DEFAULT_SEQ_LEN;
    if (seq) {
        char *end;
        errno = 0;
        L = strtoll(seq->v.text, &end, 10);
        if (seq->v.is_list || !seq->v.text[0] || *end || errno || L < 1 || L > INT_MAX)
            return config_fail_at(file, seq->v.pos, err, errlen,
                           "task 'books': option 'seq_len' needs a positive integer, got '%s'",
                           seq->v.text);
    }
    int m[BOOKS_MAX_MULT + 1] = BOOKS_DEFAULT_MULT, nm = BOOKS_DEFAULT_N_MULT;
    if (mult) {
        nm = 0;
        for (const char *p = mult->v.text; *p;) {
            char *end;
            errno = 0;
            long long v = strtoll(p, &end, 10);
            if (end == p || (*end && *end != ';') || errno || v < 1 || v > INT_MAX ||
                nm > BOOKS_MAX_MULT)
                return config_fail_at(
                    file, mult->v.pos, err, errlen,
                    "task 'books': option 'eval_mult' needs a list of positive integers, got '%s'",
                    mult->v.text);
            m[nm++] = (int)v;
            p = *end ? end + 1 : end;
        }
    }
    char msg[512];
    if (books_check_lengths((int)L, m, nm, msg, sizeof msg)) {
        const raw_value *v[2] = {mult ? &mult->v : NULL, seq ? &seq->v : NULL};
        return config_fail_at(file, blame(v, 2, options_blame(base, over, fallback)), err, errlen,
                       "task 'books': %s", msg);
    }
    int used = snprintf(canon, len, "corpus=%s,seq_len=%lld,eval_mult=", path, L);
    for (int i = 0; i < nm && used > 0 && (size_t)used < len; i++)
        used += snprintf(canon + used, len - used, "%s%d", i ? ";" : "", m[i]);
    return 0;
}

// Task options (the task's, overridden by an evaluation set's when over) into canon.
static int resolve_task(const char *file, const char *name, const raw_value *name_v,
                        const raw_options *base, const raw_options *over, char *canon, size_t len,
                        char *err, size_t errlen) {
    if (run_source_of(name)->corpus_options)
        return resolve_books(file, base, over, name_v->pos, canon, len, err, errlen);
    char msg[512], merged[MERGED_LEN], owner[96];
    task t;
    const task_ops *ops = task_find(name);
    if (!ops) {
        task_configure(&t, name, NULL, msg, sizeof msg);
        return config_fail_at(file, name_v->pos, err, errlen, "%s", msg);
    }
    snprintf(owner, sizeof owner, "task '%s'", name);
    if (check_each(file, owner, ops->options, ops->n_options, base, err, errlen) ||
        check_each(file, owner, ops->options, ops->n_options, over, err, errlen))
        return -1;
    merge_options(base, over, merged, sizeof merged);
    if (task_configure(&t, name, merged, msg, sizeof msg))
        return config_fail_at(file, options_blame(base, over, name_v->pos), err, errlen, "%s", msg);
    task_format_options(&t, canon, len);
    return 0;
}

// Moves the model keys an encoding's inline options may carry (positions, max_position: a
// sweep can then hold 'rope(positions=randomized)' beside 'rope') from opts ("k=v,...") into
// r. 0, or -1 with a message.
static int take_model_keys(char *opts, run_config *r, char *msg, size_t len) {
    char kept[CONFIG_VALUE_LEN] = "", item[CONFIG_VALUE_LEN];
    for (const char *p = opts; *p;) {
        const size_t n = strcspn(p, ",");
        snprintf(item, sizeof item, "%.*s", (int)n, p);
        p += n + (p[n] == ',');
        char *eq = strchr(item, '=');
        const char *value = eq ? eq + 1 : "";
        if (eq) *eq = '\0';
        if (!strcmp(item, "positions")) {
            const int w = word_index("sequential|randomized", value);
            if (w < 0)
                return set_error(msg, len, "model.encoding: positions=%s: expected sequential "
                                 "or randomized", value);
            r->randomized_positions = w;
        } else if (!strcmp(item, "max_position")) {
            char *end;
            const long v = strtol(value, &end, 10);
            if (!value[0] || *end || v < 1 || v > INT_MAX)
                return set_error(msg, len, "model.encoding: max_position=%s: expected an "
                                 "integer >= 1", value);
            r->max_position = (int)v;
        } else {
            if (eq) *eq = '=';
            // (kept never outgrows opts, which it is a part of)
            size_t used = strlen(kept);
            const size_t add = strlen(item);
            if (used && used + 1 < sizeof kept) kept[used++] = ',';
            if (used + add < sizeof kept) memcpy(kept + used, item, add + 1);
        }
    }
    snprintf(opts, CONFIG_VALUE_LEN, "%s", kept);
    return 0;
}

static int resolve_encoding(const char *file, run_config *r, const raw_value *name_v,
                            const raw_value *shape_v[3], const raw_options *o, config_pos model_pos,
                            char *err, size_t errlen) {
    char msg[512], merged[MERGED_LEN], owner[CONFIG_VALUE_LEN + 16], inline_opts[CONFIG_VALUE_LEN] = "";
    const pe_shape shape = {r->layers, r->heads, r->d_model / r->heads, r->d_model,
                            r->bidirectional};
    pe p;
    // NAME(K=V;...): options of this encoding only, over model.encoding_options, so that one
    // sweep over encodings can give each its own. ';' separates them: the value is a CSV field
    // of point.csv and a label of the summary.
    char *paren = strchr(r->encoding, '(');
    if (paren) {
        const size_t n = strlen(paren);
        if (n < 2 || paren[n - 1] != ')' || paren == r->encoding || strchr(paren, ','))
            return config_fail_at(file, blame(&name_v, 1, model_pos), err, errlen,
                           "model.encoding: expected NAME or NAME(KEY=VALUE;...), got '%s'",
                           r->encoding);
        size_t k = 0;  // spaces dropped: keys and values hold none
        for (const char *c = paren + 1; c < paren + n - 1 && k + 1 < sizeof inline_opts; c++)
            if (*c != ' ') inline_opts[k++] = *c == ';' ? ',' : *c;
        inline_opts[k] = '\0';
        *paren = '\0';
        if (take_model_keys(inline_opts, r, msg, sizeof msg) != 0)
            return config_fail_at(file, blame(&name_v, 1, model_pos), err, errlen, "%s", msg);
    }
    const pe_ops *ops = pe_find(r->encoding);
    if (!ops) {
        pe_configure(&p, r->encoding, NULL, &shape, msg, sizeof msg);
        return config_fail_at(file, blame(&name_v, 1, model_pos), err, errlen, "%s", msg);
    }
    snprintf(owner, sizeof owner, "encoding '%s'", r->encoding);
    if (check_each(file, owner, ops->options, ops->n_options, o, err, errlen)) return -1;
    merge_options(o, NULL, merged, sizeof merged);
    if (inline_opts[0]) {
        char both[MERGED_LEN];
        if (options_merge(merged, inline_opts, both, sizeof both) != 0)
            return config_fail_at(file, blame(&name_v, 1, model_pos), err, errlen,
                           "model.encoding: expected NAME(KEY=VALUE;...), got '%s(%s)'",
                           r->encoding, inline_opts);
        snprintf(merged, sizeof merged, "%s", both);
    }
    if (pe_configure(&p, r->encoding, merged, &shape, msg, sizeof msg)) {
        // Options given with the name (NAME(K=V;...)) are blamed on the name.
        if (inline_opts[0])
            return config_fail_at(file, blame(&name_v, 1, model_pos), err, errlen, "%s", msg);
        // Each option is fine alone: blame a swept option, else a swept name or shape value,
        // else the options given, else the name or shape given.
        const raw_value *v[4] = {name_v, shape_v[0], shape_v[1], shape_v[2]};
        config_pos at = options_blame(o, NULL, (config_pos){0, 0});
        int opt_swept = 0;
        for (int i = 0; i < o->n; i++) opt_swept |= o->item[i].v.swept;
        for (int i = 0; i < 4 && !opt_swept; i++)
            if (v[i]->swept) return config_fail_at(file, v[i]->pos, err, errlen, "%s", msg);
        if (!at.line) at = blame(v, 4, model_pos);
        return config_fail_at(file, at, err, errlen, "%s", msg);
    }
    pe_format_options(&p, r->encoding_options, sizeof r->encoding_options);
    return 0;
}

// Applies one override to the working copies (the path was checked by sweepable()).
static void apply_override(const override *ov, raw_value *scalar, raw_options *task_o,
                           raw_options *enc_o) {
    raw_value v = {.pos = ov->pos, .set = 1, .swept = 1};
    snprintf(v.text, sizeof v.text, "%s", ov->text);
    int i = field_index(ov->path);
    if (i >= 0) {
        scalar[i] = v;
        return;
    }
    raw_options *o =
        !strncmp(ov->path, CONFIG_OPTION_PREFIX[0], strlen(CONFIG_OPTION_PREFIX[0])) ? task_o : enc_o;
    const char *key = last_key(ov->path);
    for (int j = 0; j < o->n; j++)
        if (!strcmp(o->item[j].key, key)) {
            o->item[j].v = v;
            return;
        }
    // A full mapping cannot take one more, but it fails validation anyway: no task or
    // encoding has MAX_OPTIONS options.
    if (o->n < MAX_OPTIONS) {
        raw_option *it = &o->item[o->n++];
        snprintf(it->key, sizeof it->key, "%s", key);
        it->v = v;
    }
}

int config_resolve(const experiment *e, const override *ov, int n_ov, run_config *r, char *err,
                   size_t errlen) {
    const struct config_raw *raw = e->raw;
    const char *file = e->file;
    raw_value *scalar = malloc(sizeof raw->scalar);
    raw_options *opts = malloc(2 * sizeof *opts);
    if (!scalar || !opts) {
        free(scalar);
        free(opts);
        return set_error(err, errlen, "%s: out of memory", file);
    }
    memcpy(scalar, raw->scalar, sizeof raw->scalar);
    opts[0] = raw->task_options;
    opts[1] = raw->encoding_options;
    for (int i = 0; i < n_ov; i++) apply_override(&ov[i], scalar, &opts[0], &opts[1]);

    int rc = -1;
    memset(r, 0, sizeof *r);
    char msg[512];
    for (int i = 0; i < N_FIELDS; i++) {
        const field *f = &config_schema[i];
        if (!is_scalar(f->type)) continue;
        const char *text = scalar[i].set ? scalar[i].text : f->def;
        double num = 0;
        uint64_t u64 = 0;
        if (config_check_scalar(f, text ? text : "", &num, &u64, 1, msg, sizeof msg)) {
            config_fail_at(file, scalar[i].pos, err, errlen, "%s", msg);
            goto done;
        }
        store_scalar(f, text ? text : "", num, u64, r);
    }
    const config_pos model_pos = raw->map_pos[field_index("model")];
    const raw_value *dm = &scalar[field_index("model.d_model")];
    const raw_value *hd = &scalar[field_index("model.heads")];
    const raw_value *ly = &scalar[field_index("model.layers")];
    if (r->d_model % r->heads) {
        const raw_value *v[2] = {hd, dm};
        config_fail_at(file, blame(v, 2, model_pos), err, errlen,
                "model.d_model: %d is not divisible by model.heads = %d", r->d_model, r->heads);
        goto done;
    }
    if (r->lr_min > r->lr) {
        const raw_value *v[2] = {&scalar[field_index("training.lr_min")],
                                 &scalar[field_index("training.lr")]};
        config_fail_at(file, blame(v, 2, raw->map_pos[field_index("training")]), err, errlen,
                "training.lr_min: %g is greater than training.lr = %g", r->lr_min, r->lr);
        goto done;
    }
    if (r->stop_accuracy > 0 && r->eval_every == 0) {
        const raw_value *v[2] = {&scalar[field_index("training.stop_accuracy")],
                                 &scalar[field_index("evaluation.every")]};
        config_fail_at(file, blame(v, 2, raw->map_pos[field_index("training")]), err, errlen,
                "training.stop_accuracy: %g needs periodic evaluations (evaluation.every > 0)",
                r->stop_accuracy);
        goto done;
    }
    if (r->stop_accuracy > 0 && run_source_of(r->task)->trains_every_step) {
        const raw_value *v[1] = {&scalar[field_index("training.stop_accuracy")]};
        config_fail_at(file, blame(v, 1, raw->map_pos[field_index("training")]), err, errlen,
                "training.stop_accuracy: books runs train for every step (their last "
                "evaluation measures loss per position)");
        goto done;
    }
    if (r->eval_sliding_stride > 0 && !run_source_of(r->task)->per_byte_metrics) {
        const raw_value *v[1] = {&scalar[field_index("evaluation.sliding_stride")]};
        config_fail_at(file, blame(v, 1, raw->map_pos[field_index("evaluation")]), err, errlen,
                "evaluation.sliding_stride: sliding windows are for books runs (language "
                "modelling), not for task '%s'", r->task);
        goto done;
    }
    const raw_value *task_v = &scalar[field_index("task.name")];
    if (resolve_task(file, r->task, task_v, &opts[0], NULL, r->task_options,
                     sizeof r->task_options, err, errlen))
        goto done;
    r->n_sets = raw->n_sets ? raw->n_sets : 1;
    for (int s = 0; s < r->n_sets; s++) {
        const raw_set *set = raw->n_sets ? &raw->sets[s] : NULL;
        snprintf(r->sets[s].name, sizeof r->sets[s].name, "%s", set ? set->name : "train_length");
        if (resolve_task(file, r->task, task_v, &opts[0], set ? &set->options : NULL,
                         r->sets[s].options, sizeof r->sets[s].options, err, errlen))
            goto done;
    }
    const raw_value *shape_v[3] = {dm, hd, ly};
    if (resolve_encoding(file, r, &scalar[field_index("model.encoding")], shape_v, &opts[1],
                         model_pos, err, errlen))
        goto done;
    rc = 0;
done:
    free(scalar);
    free(opts);
    return rc;
}


// ---- expansion ------------------------------------------------------------------------------

// The value index of key k of sweep[0..n_sweep) in point i (the first key varies slowest).
static int value_index(const sweep_key *sweep, int n_sweep, size_t i, int k) {
    for (int j = n_sweep - 1; j > k; j--) i /= (size_t)sweep[j].n_values;
    return (int)(i % (size_t)sweep[k].n_values);
}

typedef struct {
    char id[17];
    size_t point;
} point_id;

static int by_run_id(const void *a, const void *b) {
    const point_id *x = a, *y = b;
    const int c = strcmp(x->id, y->id);
    return c ? c : (x->point > y->point) - (x->point < y->point);
}

// Two points of the sweep that are the same run (a seed listed twice, or 1e-3 and 0.001 for
// one key) would train one run and count it twice: an error at the second value.
static int check_distinct_runs(const experiment *e, const sweep_key *sweep, int n_sweep,
                               const run_config *runs, size_t n, char *err, size_t errlen) {
    point_id *ids = malloc((n ? n : 1) * sizeof *ids);
    if (!ids) return set_error(err, errlen, "%s: out of memory", e->file);
    for (size_t i = 0; i < n; i++) run_config_id(&runs[i], ids[i].id), ids[i].point = i;
    qsort(ids, n, sizeof *ids, by_run_id);
    int rc = 0;
    for (size_t i = 1; i < n && rc == 0; i++) {
        if (strcmp(ids[i - 1].id, ids[i].id)) continue;
        for (int k = 0; k < n_sweep; k++) {
            const int a = value_index(sweep, n_sweep, ids[i - 1].point, k),
                      b = value_index(sweep, n_sweep, ids[i].point, k);
            if (a == b) continue;
            const sweep_key *s = &sweep[k];
            const int first = a < b ? a : b, second = a < b ? b : a;
            rc = config_fail_at(e->file, s->value_pos[second], err, errlen,
                                "sweep: %s: value '%s' gives the same runs as '%s' (a value "
                                "listed twice)", s->path, s->values[second], s->values[first]);
            break;
        }
    }
    free(ids);
    return rc;
}

// Every point of sweep[0..n_sweep) crossed, resolved over the file's values; with extra, point
// i also sets extra_path to extra[i] (recorded among its swept values, after the others).
static int expand_sweep(const experiment *e, const sweep_key *sweep, int n_sweep,
                        const char *extra_path, char (*extra)[CONFIG_VALUE_LEN],
                        run_config **runs, size_t *n, char *err, size_t errlen) {
    *runs = NULL;
    *n = 0;
    // Counted in double (16 keys of 256 values overflow size_t) so that the message can say
    // how far over the limit the sweep is.
    double product = 1;
    for (int k = 0; k < n_sweep; k++) product *= sweep[k].n_values;
    if (product > MAX_RUNS)
        return config_fail_at(e->file, sweep[0].pos, err, errlen,
                       "sweep: %.0f runs (the product of its value counts), more than %d",
                       product, MAX_RUNS);
    const size_t total = (size_t)product;
    run_config *out = malloc(total * sizeof *out);
    if (!out) return set_error(err, errlen, "%s: out of memory", e->file);
    for (size_t i = 0; i < total; i++) {
        override ov[CONFIG_MAX_SWEEP + 1];
        size_t rest = i;
        for (int k = n_sweep - 1; k >= 0; k--) {  // the first key varies slowest
            const sweep_key *s = &sweep[k];
            const size_t j = rest % (size_t)s->n_values;
            rest /= (size_t)s->n_values;
            ov[k] = (override){s->path, s->values[j], s->value_pos[j]};
        }
        int n_ov = n_sweep;
        if (extra) ov[n_ov++] = (override){extra_path, extra[i], e->selection.grid.pos};
        run_config *r = &out[i];
        if (config_resolve(e, ov, n_ov, r, err, errlen)) {
            free(out);
            return -1;
        }
        r->n_swept = n_ov;
        for (int k = 0; k < n_ov; k++) {
            snprintf(r->swept[k].key, sizeof r->swept[k].key, "%s", ov[k].path);
            snprintf(r->swept[k].value, sizeof r->swept[k].value, "%s", ov[k].text);
        }
    }
    if (check_distinct_runs(e, sweep, n_sweep, out, total, err, errlen) != 0) {
        free(out);
        return -1;
    }
    *runs = out;
    *n = total;
    return 0;
}

int experiment_expand(const experiment *e, run_config **runs, size_t *n, char *err,
                      size_t errlen) {
    return expand_sweep(e, e->sweep, e->n_sweep, NULL, NULL, runs, n, err, errlen);
}

int experiment_expand_selection(const experiment *e, run_config **runs, size_t *n, char *err,
                                size_t errlen) {
    const selection_spec *sel = &e->selection;
    sweep_key sweep[CONFIG_MAX_SWEEP + 2];
    int m = 0;
    for (int k = 0; k < e->n_sweep; k++)  // the groups: every swept key but the seeds
        if (strcmp(e->sweep[k].path, "seed") && strcmp(e->sweep[k].path, "init_seed") &&
            strcmp(e->sweep[k].path, "data_seed"))
            sweep[m++] = e->sweep[k];
    sweep[m++] = sel->grid;
    sweep[m++] = sel->seeds;
    if (expand_sweep(e, sweep, m, NULL, NULL, runs, n, err, errlen) != 0) return -1;
    for (size_t i = 0; i < *n; i++)
        snprintf((*runs)[i].experiment, sizeof (*runs)[i].experiment, "%.100s.selection",
                 e->base.experiment);
    return 0;
}

int experiment_expand_selected(const experiment *e, char (*chosen)[CONFIG_VALUE_LEN],
                               run_config **runs, size_t *n, char *err, size_t errlen) {
    return expand_sweep(e, e->sweep, e->n_sweep, e->selection.grid.path, chosen, runs, n, err,
                        errlen);
}
