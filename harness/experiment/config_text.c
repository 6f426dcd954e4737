// The canonical text of a run (keys sorted within each mapping), its id and its sweep point
// (config.h).
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/hash.h"
#include "harness/base/options.h"
#include "harness/experiment/config_schema.h"
#include "tasks/task.h"

// ---- the canonical text and the id ---------------------------------------------------------

// Output goes to a FILE or into an FNV-1a 64 hash, so the id needs no buffer.
typedef struct sink {
    FILE *out;
    uint64_t hash;
} sink;

static void emit(sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(sink *s, const char *fmt, ...) {
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (s->out) {
        fputs(line, s->out);
        return;
    }
    s->hash = fnv1a_update(s->hash, line, strlen(line));
}

// A scalar as YAML: plain when it reads back unchanged, else double-quoted.
static void yaml_scalar(const char *s, char *buf, size_t len) {
    int plain = s[0] && s[0] != '-' ;
    if (s[0] == '-' && (isdigit((unsigned char)s[1]) || s[1] == '.')) plain = 1;
    for (const char *p = s; *p && plain; p++)
        plain = isalnum((unsigned char)*p) || strchr("_./+-", *p);
    if (plain) {
        snprintf(buf, len, "%s", s);
        return;
    }
    size_t used = 0;
    used += (size_t)snprintf(buf, len, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p && used + 6 < len; p++) {
        if (*p == '"' || *p == '\\') used += (size_t)snprintf(buf + used, len - used, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            used += (size_t)snprintf(buf + used, len - used, "\\x%02x", *p);
        else buf[used++] = (char)*p, buf[used] = '\0';
    }
    snprintf(buf + used, len - used, "\"");
}

typedef struct kv {
    char key[64], value[CONFIG_VALUE_LEN];
} kv;

static int kv_cmp(const void *a, const void *b) {
    return strcmp(((const kv *)a)->key, ((const kv *)b)->key);
}

// Splits canonical "k=v,..." into at most max pairs, sorted by key.
static int split_options(const char *text, kv *out, int max) {
    int n = 0;
    for (const char *p = text; *p && n < max;) {
        size_t len = strcspn(p, ",");
        const char *eq = memchr(p, '=', len);
        if (eq) {
            snprintf(out[n].key, sizeof out[n].key, "%.*s", (int)(eq - p), p);
            snprintf(out[n].value, sizeof out[n].value, "%.*s", (int)(len - (size_t)(eq - p) - 1),
                     eq + 1);
            n++;
        }
        p += len + (p[len] == ',');
    }
    qsort(out, (size_t)n, sizeof *out, kv_cmp);
    return n;
}

static const kv *find_key(const kv *list, int n, const char *key) {
    for (int i = 0; i < n; i++)
        if (!strcmp(list[i].key, key)) return &list[i];
    return NULL;
}

// Every option of task `name` at its default, quiet ones included (tasks/task.h); "" for a
// name outside the task registry (books, whose options are never quiet).
static void task_defaults(const char *name, char *buf, size_t len) {
    task t;
    char err[256];
    buf[0] = '\0';
    if (task_find(name) && !task_configure(&t, name, NULL, err, sizeof err))
        options_format(t.ops->options, t.ops->n_options, t.opt, buf, len);
}

// A flow mapping of the options of `text` that differ from `base` (NULL: all of them).
// `defaults` (or NULL) holds the values of options that canonical text leaves out at their
// default (tasks/task.h: first_quiet_option): one that base holds and text leaves out is
// written with its default, or the mapping would read as base's value when loaded again.
static void emit_options(sink *s, const char *text, const char *base, const char *defaults) {
    kv a[MAX_OPTIONS], b[MAX_OPTIONS], d[MAX_OPTIONS];
    int na = split_options(text, a, MAX_OPTIONS),
        nb = base ? split_options(base, b, MAX_OPTIONS) : 0,
        nd = defaults ? split_options(defaults, d, MAX_OPTIONS) : 0;
    for (int j = 0; j < nb && na < MAX_OPTIONS; j++) {
        const kv *quiet = find_key(a, na, b[j].key) ? NULL : find_key(d, nd, b[j].key);
        if (quiet) a[na++] = *quiet;
    }
    qsort(a, (size_t)na, sizeof *a, kv_cmp);
    emit(s, "{");
    int first = 1;
    for (int i = 0; i < na; i++) {
        int same = 0;
        for (int j = 0; j < nb; j++)
            same |= !strcmp(a[i].key, b[j].key) && !strcmp(a[i].value, b[j].value);
        if (same) continue;
        char v[2 * CONFIG_VALUE_LEN];
        emit(s, "%s%s: ", first ? "" : ", ", a[i].key);
        first = 0;
        if (strchr(a[i].value, ';')) {  // a list (books' eval_mult)
            emit(s, "[");
            for (const char *p = a[i].value; *p;) {
                size_t len = strcspn(p, ";");
                char elem[CONFIG_VALUE_LEN];
                snprintf(elem, sizeof elem, "%.*s", (int)len, p);
                yaml_scalar(elem, v, sizeof v);
                emit(s, "%s%s", p == a[i].value ? "" : ", ", v);
                p += len + (p[len] == ';');
            }
            emit(s, "]");
        } else {
            yaml_scalar(a[i].value, v, sizeof v);
            emit(s, "%s", v);
        }
    }
    emit(s, "}\n");
}

static int row_cmp(const void *a, const void *b) {
    return strcmp(last_key(config_schema[*(const int *)a].path),
                  last_key(config_schema[*(const int *)b].path));
}

// Whether the value at `at` equals the field's default (numbers, and optional strings).
static int at_default(const field *f, const char *at) {
    if (f->type == T_INT) return *(const int *)(const void *)at == atoi(f->def);
    if (f->type == T_FLOAT) return *(const double *)(const void *)at == strtod(f->def, NULL);
    if (f->type == T_STRING && f->def) return !strcmp(at, f->def);
    if (f->type == T_WORD) return *(const int *)(const void *)at == word_index(field_choices(f), f->def);
    return 0;
}

static void emit_mapping(sink *s, const run_config *r, const char *prefix, int indent, int for_id) {
    int rows[N_FIELDS], n = 0;
    for (int i = 0; i < N_FIELDS; i++)
        if (is_child(i, prefix) && config_schema[i].type != T_SWEEP &&
            config_schema[i].type != T_SELECTION)
            rows[n++] = i;
    qsort(rows, (size_t)n, sizeof rows[0], row_cmp);
    for (int k = 0; k < n; k++) {
        const field *f = &config_schema[rows[k]];
        const char *key = last_key(f->path);
        const char *at = (const char *)r + f->offset;
        char v[2 * CONFIG_VALUE_LEN];
        if (for_id && !strcmp(f->path, "experiment")) continue;
        if (for_id && (f->quiet == FIELD_NOT_IN_ID || (f->quiet && at_default(f, at))))
            continue;
        // Keys outside the id, and optional ones, are stated only when set: a run's
        // config.yaml then reads as it did before such a key existed.
        if ((f->quiet == FIELD_NOT_IN_ID || f->quiet == FIELD_OPTIONAL) && at_default(f, at))
            continue;
        emit(s, "%*s%s:", indent, "", key);
        switch (f->type) {
        case T_MAPPING:
            emit(s, "\n");
            emit_mapping(s, r, f->path, indent + 2, for_id);
            break;
        case T_OPTIONS:
            emit(s, " ");
            emit_options(
                s, !strcmp(f->path, "task.options") ? r->task_options : r->encoding_options, NULL,
                NULL);
            break;
        case T_SETS: {
            char defaults[CONFIG_OPTIONS_LEN];
            task_defaults(r->task, defaults, sizeof defaults);
            emit(s, "\n");
            for (int j = 0; j < r->n_sets; j++) {
                yaml_scalar(r->sets[j].name, v, sizeof v);
                emit(s, "%*s- name: %s\n%*s  options: ", indent + 2, "", v, indent + 2, "");
                emit_options(s, r->sets[j].options, r->task_options, defaults);
            }
            break;
        }
        case T_STRING: yaml_scalar(at, v, sizeof v), emit(s, " %s\n", v); break;
        case T_NORM: emit(s, " %s\n", r->norm == NORM_RMS ? "rms" : "layer"); break;
        case T_WORD: {
            char word[64];
            word_at(field_choices(f), *(const int *)(const void *)at, word, sizeof word);
            emit(s, " %s\n", word);
            break;
        }
        case T_SEED:
            emit(s, " %llu\n", (unsigned long long)*(const uint64_t *)(const void *)at);
            break;
        case T_INT: emit(s, " %d\n", *(const int *)(const void *)at); break;
        case T_FLOAT: {
            double d = *(const double *)(const void *)at;
            snprintf(v, sizeof v, "%.9g", d);
            if (strtod(v, NULL) != d) snprintf(v, sizeof v, "%.17g", d);
            emit(s, " %s\n", v);
            break;
        }
        default: emit(s, "\n"); break;
        }
    }
}

void run_config_format(const run_config *r, FILE *out) {
    sink s = {out, 0};
    emit_mapping(&s, r, "", 0, 0);
}

void run_config_id(const run_config *r, char id[17]) {
    sink s = {NULL, FNV1A_BASIS};
    emit_mapping(&s, r, "", 0, 1);
    snprintf(id, 17, "%016llx", (unsigned long long)s.hash);
}

void run_config_sweep_text(const run_config *r, char *buf, size_t len) {
    if (!len) return;
    buf[0] = '\0';
    size_t used = 0;
    for (int i = 0; i < r->n_swept && used < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s=%s", i ? " " : "", r->swept[i].key,
                         r->swept[i].value);
        used += w > 0 ? (size_t)w : 0;
    }
}
