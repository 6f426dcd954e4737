// Experiment files: loading with libyaml's document API and resolution of a base config and
// of every sweep point (config.h); the schema is in config_schema.c, the canonical text and
// the run id in config_text.c.
//
// Loading keeps every value as the text written, with its position (struct config_raw);
// resolution turns texts into a run_config, checking types, ranges and the task and encoding
// options, so that a value swept in is checked by the same code, and blamed at its position.
#include "harness/experiment/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "encodings/encoding.h"
#include "harness/base/errors.h"
#include "harness/base/names.h"
#include "harness/base/options.h"
#include "harness/base/read_file.h"
#include "harness/experiment/config_schema.h"
#include "tasks/books.h"
#include "tasks/task.h"

// Every option of two mappings fits, so merging never truncates.
#define MERGED_LEN (2 * MAX_OPTIONS * (64 + CONFIG_VALUE_LEN + 2))
#define MAX_RUNS 10000

// ---- values as written ---------------------------------------------------------------------

typedef struct raw_value {
    char text[CONFIG_VALUE_LEN];
    config_pos pos;
    int set;      // given in the file (or swept in)
    int swept;    // from the sweep: blamed first when a combination is invalid
    int is_list;  // a list of scalars, joined by ';' (books' eval_mult)
} raw_value;

typedef struct raw_option {
    char key[64];
    raw_value v;
} raw_option;

typedef struct raw_options {
    int n;
    raw_option item[MAX_OPTIONS];
    config_pos pos;  // of the mapping, line 0 when absent
} raw_options;

typedef struct raw_set {
    char name[64];
    config_pos pos;
    raw_options options;
} raw_set;

struct config_raw {
    raw_value scalar[N_FIELDS];  // by schema row
    config_pos map_pos[N_FIELDS];
    raw_options task_options, encoding_options;
    int n_sets;
    raw_set sets[CONFIG_MAX_SETS];
};

// ---- errors --------------------------------------------------------------------------------

static int fail_at(const char *file, config_pos p, char *err, size_t errlen, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));
static int fail_at(const char *file, config_pos p, char *err, size_t errlen, const char *fmt,
                   ...) {
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p.line < 1) p = (config_pos){1, 1};
    return set_error(err, errlen, "%s:%d:%d: %s", file, p.line, p.col, msg);
}

// Parses text as a scalar of f's type into *num (numbers) and, when ranges, checks its range:
// 0, or -1 with "path: message" in msg. Loading checks types only: a range may depend on
// other keys, and a swept value is checked when its point is resolved.
static int check_scalar(const field *f, const char *text, double *num, uint64_t *u64,
                        int ranges, char *msg, size_t len) {
    char *end;
    errno = 0;
    switch (f->type) {
    case T_STRING: {
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

static void store_scalar(const field *f, const char *text, double num, uint64_t u64,
                         run_config *r) {
    char *at = (char *)r + f->offset;
    switch (f->type) {
    case T_STRING: {  // check_scalar bounded the length by the buffer's
        const size_t cap = f->offset == offsetof(run_config, experiment) ? sizeof r->experiment
                           : f->offset == offsetof(run_config, encoding) ? sizeof r->encoding
                                                                         : sizeof r->task;
        size_t n = strlen(text);
        if (n >= cap) n = cap - 1;
        memcpy(at, text, n);
        at[n] = '\0';
        break;
    }
    case T_NORM: *(norm_kind *)(void *)at = num == NORM_RMS ? NORM_RMS : NORM_LAYER; break;
    case T_SEED: *(uint64_t *)(void *)at = u64; break;
    case T_INT: *(int *)(void *)at = (int)num; break;
    case T_FLOAT: *(double *)(void *)at = num; break;
    default: break;
    }
}

// ---- loading: YAML nodes into config_raw ---------------------------------------------------

typedef struct loader {
    const char *file;
    yaml_document_t *doc;
    experiment *e;
    struct config_raw *raw;
    char *err;
    size_t errlen;
} loader;

static config_pos node_pos(const yaml_node_t *n) {
    return (config_pos){(int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
}

static int fail_node(loader *L, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_node(loader *L, const yaml_node_t *n, const char *fmt, ...) {
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fail_at(L->file, node_pos(n), L->err, L->errlen, "%s", msg);
}

static const char *kind_name(const yaml_node_t *n) {
    return n->type == YAML_MAPPING_NODE    ? "a mapping"
           : n->type == YAML_SEQUENCE_NODE ? "a list"
                                           : "a scalar";
}

// Copies a scalar's text into buf (cap bytes); what names the value in the error.
static int scalar_text(loader *L, const yaml_node_t *n, const char *what, char *buf, size_t cap) {
    if (n->type != YAML_SCALAR_NODE)
        return fail_node(L, n, "%s: expected a scalar, got %s", what, kind_name(n));
    if (n->data.scalar.length >= cap)
        return fail_node(L, n, "%s: value too long (at most %zu characters)", what, cap - 1);
    memcpy(buf, n->data.scalar.value, n->data.scalar.length);
    buf[n->data.scalar.length] = '\0';
    return 0;
}

// An empty plain scalar (`options:` with nothing after it, `~`, `null`) stands for "none".
static int is_null(const yaml_node_t *n) {
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
    const char *s = (const char *)n->data.scalar.value;
    return !s[0] || !strcmp(s, "~") || !strcmp(s, "null");
}

// Checks that n is a mapping whose keys are distinct scalars (messages name `what`).
static int check_mapping(loader *L, const yaml_node_t *n, const char *what) {
    if (n->type != YAML_MAPPING_NODE)
        return fail_node(L, n, "%s: expected a mapping, got %s", what, kind_name(n));
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
        if (k->type != YAML_SCALAR_NODE) return fail_node(L, k, "%s: keys must be scalars", what);
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *k0 = yaml_document_get_node(L->doc, q->key);
            if (k0->data.scalar.length == k->data.scalar.length &&
                memcmp(k0->data.scalar.value, k->data.scalar.value, k->data.scalar.length) == 0)
                return fail_node(L, k, "duplicate key '%s' (first at %d:%d)",
                                 (const char *)k->data.scalar.value, node_pos(k0).line,
                                 node_pos(k0).col);
        }
    }
    return 0;
}

static int has_separator(const char *s) { return strpbrk(s, ",=;") != NULL; }

// An options mapping: key -> scalar, or -> list of scalars (joined by ';').
static int load_options(loader *L, const yaml_node_t *n, const char *what, raw_options *out) {
    out->pos = node_pos(n);
    if (is_null(n)) return 0;
    if (check_mapping(L, n, what)) return -1;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
        if (out->n == MAX_OPTIONS)
            return fail_node(L, k, "%s: more than %d options", what, MAX_OPTIONS);
        raw_option *o = &out->item[out->n++];
        if (scalar_text(L, k, what, o->key, sizeof o->key)) return -1;
        if (!o->key[0] || has_separator(o->key))
            return fail_node(L, k, "%s: option name may not be empty or contain ',', '=' or ';'",
                             what);
        char name[192];
        snprintf(name, sizeof name, "%s.%s", what, o->key);
        o->v = (raw_value){.pos = node_pos(v), .set = 1};
        if (v->type == YAML_SEQUENCE_NODE) {
            o->v.is_list = 1;
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 it < v->data.sequence.items.top; it++) {
                yaml_node_t *e = yaml_document_get_node(L->doc, *it);
                char elem[64];
                if (scalar_text(L, e, name, elem, sizeof elem)) return -1;
                if (has_separator(elem))
                    return fail_node(L, e, "%s: value may not contain ',', '=' or ';'", name);
                size_t used = strlen(o->v.text);
                if (used + strlen(elem) + 2 > sizeof o->v.text)
                    return fail_node(L, v, "%s: list too long", name);
                snprintf(o->v.text + used, sizeof o->v.text - used, "%s%s", used ? ";" : "", elem);
            }
        } else {
            if (v->type == YAML_MAPPING_NODE)
                return fail_node(L, v, "%s: expected a scalar or a list, got a mapping", name);
            if (scalar_text(L, v, name, o->v.text, sizeof o->v.text)) return -1;
            if (has_separator(o->v.text))
                return fail_node(L, v, "%s: value may not contain ',', '=' or ';'", name);
        }
    }
    return 0;
}

static int load_sets(loader *L, const yaml_node_t *n) {
    struct config_raw *raw = L->raw;
    if (n->type != YAML_SEQUENCE_NODE)
        return fail_node(L, n, "evaluation.sets: expected a list, got %s", kind_name(n));
    if (n->data.sequence.items.top == n->data.sequence.items.start)
        return fail_node(L, n, "evaluation.sets: empty list (give at least one set)");
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *s = yaml_document_get_node(L->doc, *it);
        if (raw->n_sets == CONFIG_MAX_SETS)
            return fail_node(L, s, "evaluation.sets: more than %d sets", CONFIG_MAX_SETS);
        if (check_mapping(L, s, "evaluation set")) return -1;
        raw_set *set = &raw->sets[raw->n_sets];
        *set = (raw_set){.pos = node_pos(s)};
        for (yaml_node_pair_t *p = s->data.mapping.pairs.start; p < s->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
            yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
            const char *key = (const char *)k->data.scalar.value;
            if (!strcmp(key, "name")) {
                if (scalar_text(L, v, "evaluation set name", set->name, sizeof set->name))
                    return -1;
                if (!set->name[0] || has_separator(set->name) || strchr(set->name, ' '))
                    return fail_node(L, v, "evaluation set name: expected a word, got '%s'",
                                     set->name);
            } else if (!strcmp(key, "options")) {
                if (load_options(L, v, "evaluation set options", &set->options)) return -1;
            } else {
                static const char *const keys[] = {"name", "options"};
                char msg[512];
                unknown_name("key", key, keys, 2, msg, sizeof msg);
                return fail_node(L, k, "%s", msg);
            }
        }
        if (!set->name[0]) return fail_node(L, s, "missing required key 'name' in evaluation set");
        for (int j = 0; j < raw->n_sets; j++)
            if (!strcmp(raw->sets[j].name, set->name))
                return fail_node(L, s, "duplicate evaluation set '%s' (first at %d:%d)", set->name,
                                 raw->sets[j].pos.line, raw->sets[j].pos.col);
        raw->n_sets++;
    }
    return 0;
}

static const char *const OPTION_PREFIX[] = {"task.options.", "model.encoding_options."};

// Whether path may be swept: a scalar of the schema (not the experiment name) or one option.
static int sweepable(const char *path) {
    int i = field_index(path);
    if (i >= 0) return is_scalar(config_schema[i].type) && strcmp(path, "experiment") != 0;
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(OPTION_PREFIX[k]);
        if (!strncmp(path, OPTION_PREFIX[k], n) && path[n] && !strchr(path + n, '.')) return 1;
    }
    return 0;
}

static int load_sweep(loader *L, const yaml_node_t *n) {
    experiment *e = L->e;
    if (is_null(n)) return 0;
    if (check_mapping(L, n, "sweep")) return -1;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
        if (e->n_sweep == CONFIG_MAX_SWEEP)
            return fail_node(L, k, "sweep: more than %d keys", CONFIG_MAX_SWEEP);
        sweep_key *s = &e->sweep[e->n_sweep];
        if (scalar_text(L, k, "sweep", s->path, sizeof s->path)) return -1;
        s->pos = node_pos(k);
        if (!sweepable(s->path)) {
            int i = field_index(s->path);
            if (i >= 0)
                return fail_node(L, k, "sweep: '%s' is not a scalar key that can be swept",
                                 s->path);
            const char *names[N_FIELDS];
            int m = 0;
            for (int j = 0; j < N_FIELDS; j++)
                if (sweepable(config_schema[j].path)) names[m++] = config_schema[j].path;
            char msg[512];
            unknown_name("key", s->path, names, m, msg, sizeof msg);
            return fail_node(L, k, "sweep: %s", msg);
        }
        if (v->type != YAML_SEQUENCE_NODE)
            return fail_node(L, v, "sweep '%s': expected a list, got %s", s->path, kind_name(v));
        const int count = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
        if (count == 0) return fail_node(L, v, "sweep '%s': empty list", s->path);
        if (count > CONFIG_MAX_SWEEP_VALUES)
            return fail_node(L, v, "sweep '%s': more than %d values", s->path,
                             CONFIG_MAX_SWEEP_VALUES);
        s->values = calloc((size_t)count, sizeof *s->values);
        s->value_pos = calloc((size_t)count, sizeof *s->value_pos);
        e->n_sweep++;  // owns the arrays from here on, even if what follows fails
        if (!s->values || !s->value_pos) return fail_node(L, v, "out of memory");
        const int fi = field_index(s->path);
        for (int j = 0; j < count; j++) {
            yaml_node_t *item = yaml_document_get_node(L->doc, v->data.sequence.items.start[j]);
            if (scalar_text(L, item, s->path, s->values[j], sizeof s->values[0])) return -1;
            s->value_pos[j] = node_pos(item);
            s->n_values++;
            double num;
            uint64_t u64;
            char msg[512];
            if (fi >= 0 &&
                check_scalar(&config_schema[fi], s->values[j], &num, &u64, 0, msg, sizeof msg))
                return fail_node(L, item, "%s", msg);
            if (fi < 0 && has_separator(s->values[j]))
                return fail_node(L, item, "%s: value may not contain ',', '=' or ';'", s->path);
        }
    }
    return 0;
}

static int load_mapping(loader *L, const yaml_node_t *n, const char *prefix) {
    if (check_mapping(L, n, prefix[0] ? prefix : "experiment file")) return -1;
    int seen[N_FIELDS] = {0};
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
        const char *key = (const char *)k->data.scalar.value;
        char path[CONFIG_NAME_LEN];
        snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", key);
        int i = field_index(path);
        if (i < 0 || !is_child(i, prefix)) {
            const char *names[N_FIELDS];
            int m = 0;
            for (int j = 0; j < N_FIELDS; j++)
                if (is_child(j, prefix)) names[m++] = last_key(config_schema[j].path);
            char msg[512];
            unknown_name("key", key, names, m, msg, sizeof msg);
            return fail_node(L, k, "%s%s%s", prefix, prefix[0] ? ": " : "", msg);
        }
        seen[i] = 1;
        const field *f = &config_schema[i];
        L->raw->map_pos[i] = node_pos(v);
        int rc = 0;
        switch (f->type) {
        case T_MAPPING: rc = load_mapping(L, v, path); break;
        case T_OPTIONS:
            rc = load_options(L, v, path, !strcmp(path, "task.options") ? &L->raw->task_options
                                                                      : &L->raw->encoding_options);
            break;
        case T_SETS: rc = load_sets(L, v); break;
        case T_SWEEP: rc = load_sweep(L, v); break;
        default: {
            raw_value *rv = &L->raw->scalar[i];
            if (scalar_text(L, v, path, rv->text, sizeof rv->text)) return -1;
            rv->pos = node_pos(v);
            rv->set = 1;
            double num;
            uint64_t u64;
            char msg[512];
            if (check_scalar(f, rv->text, &num, &u64, 0, msg, sizeof msg))
                return fail_node(L, v, "%s", msg);
        }
        }
        if (rc) return -1;
    }
    for (int i = 0; i < N_FIELDS; i++)
        if (is_child(i, prefix) && config_schema[i].required && !seen[i])
            return fail_node(L, n, "missing required key '%s'%s%s", last_key(config_schema[i].path),
                             prefix[0] ? " in " : "", prefix);
    return 0;
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
            return fail_at(file, it->v.pos, err, errlen,
                           "%s: option '%s' needs a single value, got a list", owner, it->key);
        snprintf(item, sizeof item, "%s=%s", it->key, it->v.text);
        if (options_parse(owner, specs, n, item, values, msg, sizeof msg))
            return fail_at(file, it->v.pos, err, errlen, "%s", msg);
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
                return fail_at(file, o->item[i].v.pos, err, errlen, "task 'books': %s", msg);
            }
        }
    }
    const raw_option *corpus = find_option(base, over, "corpus");
    const raw_option *seq = find_option(base, over, "seq_len");
    const raw_option *mult = find_option(base, over, "eval_mult");
    const char *path = corpus ? corpus->v.text : "build/corpora/kjv";
    if (corpus && (corpus->v.is_list || !path[0]))
        return fail_at(file, corpus->v.pos, err, errlen,
                       "task 'books': option 'corpus' needs a path");
    long long L = 128;
    if (seq) {
        char *end;
        errno = 0;
        L = strtoll(seq->v.text, &end, 10);
        if (seq->v.is_list || !seq->v.text[0] || *end || errno || L < 1 || L > INT_MAX)
            return fail_at(file, seq->v.pos, err, errlen,
                           "task 'books': option 'seq_len' needs a positive integer, got '%s'",
                           seq->v.text);
    }
    int m[BOOKS_MAX_MULT + 1] = {1, 2, 4, 8, 10}, nm = 5;
    if (mult) {
        nm = 0;
        for (const char *p = mult->v.text; *p;) {
            char *end;
            errno = 0;
            long long v = strtoll(p, &end, 10);
            if (end == p || (*end && *end != ';') || errno || v < 1 || v > INT_MAX ||
                nm > BOOKS_MAX_MULT)
                return fail_at(
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
        return fail_at(file, blame(v, 2, options_blame(base, over, fallback)), err, errlen,
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
    if (!strcmp(name, "books"))
        return resolve_books(file, base, over, name_v->pos, canon, len, err, errlen);
    char msg[512], merged[MERGED_LEN], owner[96];
    task t;
    const task_ops *ops = task_find(name);
    if (!ops) {
        task_configure(&t, name, NULL, msg, sizeof msg);
        return fail_at(file, name_v->pos, err, errlen, "%s", msg);
    }
    snprintf(owner, sizeof owner, "task '%s'", name);
    if (check_each(file, owner, ops->options, ops->n_options, base, err, errlen) ||
        check_each(file, owner, ops->options, ops->n_options, over, err, errlen))
        return -1;
    merge_options(base, over, merged, sizeof merged);
    if (task_configure(&t, name, merged, msg, sizeof msg))
        return fail_at(file, options_blame(base, over, name_v->pos), err, errlen, "%s", msg);
    task_format_options(&t, canon, len);
    return 0;
}

static int resolve_encoding(const char *file, run_config *r, const raw_value *name_v,
                            const raw_value *shape_v[3], const raw_options *o, config_pos model_pos,
                            char *err, size_t errlen) {
    char msg[512], merged[MERGED_LEN], owner[CONFIG_VALUE_LEN + 16], inline_opts[CONFIG_VALUE_LEN] = "";
    const pe_shape shape = {r->layers, r->heads, r->d_model / r->heads, r->d_model};
    pe p;
    // NAME(K=V;...): options of this encoding only, over model.encoding_options, so that one
    // sweep over encodings can give each its own. ';' separates them: the value is a CSV field
    // of point.csv and a label of the summary.
    char *paren = strchr(r->encoding, '(');
    if (paren) {
        const size_t n = strlen(paren);
        if (n < 2 || paren[n - 1] != ')' || paren == r->encoding || strchr(paren, ','))
            return fail_at(file, blame(&name_v, 1, model_pos), err, errlen,
                           "model.encoding: expected NAME or NAME(KEY=VALUE;...), got '%s'",
                           r->encoding);
        size_t k = 0;  // spaces dropped: keys and values hold none
        for (const char *c = paren + 1; c < paren + n - 1 && k + 1 < sizeof inline_opts; c++)
            if (*c != ' ') inline_opts[k++] = *c == ';' ? ',' : *c;
        inline_opts[k] = '\0';
        *paren = '\0';
    }
    const pe_ops *ops = pe_find(r->encoding);
    if (!ops) {
        pe_configure(&p, r->encoding, NULL, &shape, msg, sizeof msg);
        return fail_at(file, blame(&name_v, 1, model_pos), err, errlen, "%s", msg);
    }
    snprintf(owner, sizeof owner, "encoding '%s'", r->encoding);
    if (check_each(file, owner, ops->options, ops->n_options, o, err, errlen)) return -1;
    merge_options(o, NULL, merged, sizeof merged);
    if (inline_opts[0]) {
        char both[MERGED_LEN];
        if (options_merge(merged, inline_opts, both, sizeof both) != 0)
            return fail_at(file, blame(&name_v, 1, model_pos), err, errlen,
                           "model.encoding: expected NAME(KEY=VALUE;...), got '%s(%s)'",
                           r->encoding, inline_opts);
        snprintf(merged, sizeof merged, "%s", both);
    }
    if (pe_configure(&p, r->encoding, merged, &shape, msg, sizeof msg)) {
        // Options given with the name (NAME(K=V;...)) are blamed on the name.
        if (inline_opts[0])
            return fail_at(file, blame(&name_v, 1, model_pos), err, errlen, "%s", msg);
        // Each option is fine alone: blame a swept option, else a swept name or shape value,
        // else the options given, else the name or shape given.
        const raw_value *v[4] = {name_v, shape_v[0], shape_v[1], shape_v[2]};
        config_pos at = options_blame(o, NULL, (config_pos){0, 0});
        int opt_swept = 0;
        for (int i = 0; i < o->n; i++) opt_swept |= o->item[i].v.swept;
        for (int i = 0; i < 4 && !opt_swept; i++)
            if (v[i]->swept) return fail_at(file, v[i]->pos, err, errlen, "%s", msg);
        if (!at.line) at = blame(v, 4, model_pos);
        return fail_at(file, at, err, errlen, "%s", msg);
    }
    pe_format_options(&p, r->encoding_options, sizeof r->encoding_options);
    return 0;
}

typedef struct override {
    const char *path, *text;
    config_pos pos;
} override;

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
        !strncmp(ov->path, OPTION_PREFIX[0], strlen(OPTION_PREFIX[0])) ? task_o : enc_o;
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

static int resolve(const experiment *e, const override *ov, int n_ov, run_config *r, char *err,
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
        if (check_scalar(f, text ? text : "", &num, &u64, 1, msg, sizeof msg)) {
            fail_at(file, scalar[i].pos, err, errlen, "%s", msg);
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
        fail_at(file, blame(v, 2, model_pos), err, errlen,
                "model.d_model: %d is not divisible by model.heads = %d", r->d_model, r->heads);
        goto done;
    }
    if (r->lr_min > r->lr) {
        const raw_value *v[2] = {&scalar[field_index("training.lr_min")],
                                 &scalar[field_index("training.lr")]};
        fail_at(file, blame(v, 2, raw->map_pos[field_index("training")]), err, errlen,
                "training.lr_min: %g is greater than training.lr = %g", r->lr_min, r->lr);
        goto done;
    }
    if (r->stop_accuracy > 0 && r->eval_every == 0) {
        const raw_value *v[2] = {&scalar[field_index("training.stop_accuracy")],
                                 &scalar[field_index("evaluation.every")]};
        fail_at(file, blame(v, 2, raw->map_pos[field_index("training")]), err, errlen,
                "training.stop_accuracy: %g needs periodic evaluations (evaluation.every > 0)",
                r->stop_accuracy);
        goto done;
    }
    if (r->stop_accuracy > 0 && !strcmp(r->task, "books")) {
        const raw_value *v[1] = {&scalar[field_index("training.stop_accuracy")]};
        fail_at(file, blame(v, 1, raw->map_pos[field_index("training")]), err, errlen,
                "training.stop_accuracy: books runs train for every step (their last "
                "evaluation measures loss per position)");
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

// ---- load, expand, free --------------------------------------------------------------------

#define MAX_FILE_BYTES (1 << 20)

// YAML forbids tabs in indentation; we refuse them anywhere, with their position, rather than
// let libyaml report a puzzling token error.
static int find_tab(const char *text, size_t n, config_pos *at) {
    int line = 1, col = 1;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\t') {
            *at = (config_pos){line, col};
            return 1;
        }
        if (text[i] == '\n') line++, col = 1;
        else col++;
    }
    return 0;
}

// The byte where a reader error's character starts. libyaml points at the offending byte,
// which for a bad trailing byte is the one after the character's leading byte (e.g. the space
// after a Latin-1 0xe9): step back to that leading byte, which is what the user must fix.
static size_t bad_utf8_at(const yaml_parser_t *p, const char *text, size_t n) {
    size_t at = p->problem_offset < n ? p->problem_offset : n;
    if (at < n && ((unsigned char)text[at] < 0x80 || ((unsigned char)text[at] & 0xC0) == 0x80)) {
        size_t s = at;
        while (s > 0 && ((unsigned char)text[s - 1] & 0xC0) == 0x80) s--;
        if (s > 0 && (unsigned char)text[s - 1] >= 0xC0) at = s - 1;
    }
    return at;
}

// Where libyaml's error is. Reader errors (bytes that are not UTF-8) carry only a byte offset,
// their problem_mark is left at 1:1: count lines up to the offset instead.
static config_pos error_pos(const yaml_parser_t *p, const char *text, size_t n) {
    if (p->error != YAML_READER_ERROR)
        return (config_pos){(int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1};
    config_pos at = {1, 1};
    const size_t end = bad_utf8_at(p, text, n);
    for (size_t i = 0; i < end; i++) {
        if (text[i] == '\n') at.line++, at.col = 1;
        else at.col++;
    }
    return at;
}

static int load_document(experiment *e, const char *text, size_t n, char *err, size_t errlen) {
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return set_error(err, errlen, "%s: out of memory", e->file);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, n);
    if (!yaml_parser_load(&parser, &doc)) {  // libyaml frees the document itself on failure
        config_pos at = error_pos(&parser, text, n);
        const size_t bad = bad_utf8_at(&parser, text, n);
        if (parser.error == YAML_READER_ERROR)
            fail_at(e->file, at, err, errlen,
                    "byte 0x%02x is not valid UTF-8 here (%s); YAML files are UTF-8",
                    bad < n ? (unsigned char)text[bad] : 0,
                    parser.problem ? parser.problem : "invalid byte");
        else
            fail_at(e->file, at, err, errlen, "YAML syntax error: %s%s%s%s",
                    parser.problem ? parser.problem : "unknown", parser.context ? " (" : "",
                    parser.context ? parser.context : "", parser.context ? ")" : "");
        yaml_parser_delete(&parser);
        return -1;
    }
    int rc = -1;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    loader L = {e->file, &doc, e, e->raw, err, errlen};
    if (!root)
        fail_at(e->file, (config_pos){1, 1}, err, errlen, "empty file (expected a mapping)");
    else
        rc = load_mapping(&L, root, "");
    yaml_document_delete(&doc);
    // A second document would be silently ignored: refuse it (syntax errors after the first
    // document are reported too).
    yaml_document_t next;
    if (rc == 0 && !yaml_parser_load(&parser, &next)) {
        config_pos at = error_pos(&parser, text, n);
        rc = fail_at(e->file, at, err, errlen, "YAML syntax error: %s",
                     parser.problem ? parser.problem : "unknown");
    } else if (rc == 0) {
        yaml_node_t *extra = yaml_document_get_root_node(&next);
        if (extra)
            rc = fail_at(e->file, (config_pos){(int)extra->start_mark.line + 1, 1}, err, errlen,
                         "more than one YAML document (an experiment file holds one)");
        yaml_document_delete(&next);
    }
    yaml_parser_delete(&parser);
    return rc;
}

int experiment_load(const char *path, experiment *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (strlen(path) >= sizeof out->file) return set_error(err, errlen, "%s: path too long", path);
    snprintf(out->file, sizeof out->file, "%s", path);
    size_t n;
    char *text = read_file(path, &n, err, errlen);
    if (!text) return -1;
    if (n > MAX_FILE_BYTES) {
        free(text);
        return set_error(err, errlen, "%s: larger than 1 MiB", path);
    }
    config_pos tab;
    int rc = -1;
    out->raw = calloc(1, sizeof *out->raw);
    if (!out->raw) set_error(err, errlen, "%s: out of memory", path);
    else if (find_tab(text, n, &tab))
        fail_at(path, tab, err, errlen, "tab character (indent with spaces)");
    else if (load_document(out, text, n, err, errlen) == 0)
        rc = resolve(out, NULL, 0, &out->base, err, errlen);
    free(text);
    if (rc) experiment_free(out);
    return rc;
}

void experiment_free(experiment *e) {
    for (int i = 0; i < e->n_sweep; i++) {
        free(e->sweep[i].values);
        free(e->sweep[i].value_pos);
    }
    free(e->raw);
    memset(e, 0, sizeof *e);
}

int experiment_expand(const experiment *e, run_config **runs, size_t *n, char *err,
                      size_t errlen) {
    *runs = NULL;
    *n = 0;
    // Counted in double (16 keys of 256 values overflow size_t) so that the message can say
    // how far over the limit the sweep is.
    double product = 1;
    for (int k = 0; k < e->n_sweep; k++) product *= e->sweep[k].n_values;
    if (product > MAX_RUNS)
        return fail_at(e->file, e->sweep[0].pos, err, errlen,
                       "sweep: %.0f runs (the product of its value counts), more than %d",
                       product, MAX_RUNS);
    const size_t total = (size_t)product;
    run_config *out = malloc(total * sizeof *out);
    if (!out) return set_error(err, errlen, "%s: out of memory", e->file);
    for (size_t i = 0; i < total; i++) {
        override ov[CONFIG_MAX_SWEEP];
        size_t rest = i;
        for (int k = e->n_sweep - 1; k >= 0; k--) {  // the first key varies slowest
            const sweep_key *s = &e->sweep[k];
            const size_t j = rest % (size_t)s->n_values;
            rest /= (size_t)s->n_values;
            ov[k] = (override){s->path, s->values[j], s->value_pos[j]};
        }
        run_config *r = &out[i];
        if (resolve(e, ov, e->n_sweep, r, err, errlen)) {
            free(out);
            return -1;
        }
        r->n_swept = e->n_sweep;
        for (int k = 0; k < e->n_sweep; k++) {
            snprintf(r->swept[k].key, sizeof r->swept[k].key, "%s", ov[k].path);
            snprintf(r->swept[k].value, sizeof r->swept[k].value, "%s", ov[k].text);
        }
    }
    *runs = out;
    *n = total;
    return 0;
}
