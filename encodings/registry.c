// The registry of built-in encodings and the option handling every plugin shares.
//
// Shape validity: the interface has no validate hook, so a plugin that cannot serve a shape
// says so through qk_width: a value < 1 means "this head_dim is not supported". pe_configure
// asks once, so hooks may assume a valid shape, and names the plugin's summary in the error,
// which therefore states the plugin's shape requirement. A plugin may define qk_width for
// this check alone (TAPA does, returning D, with qk_forward NULL): whether a plugin has a
// q/k transform is decided by qk_forward, never by qk_width.
#include "encoding.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const pe_ops pe_nope, pe_rope, pe_pope, pe_tapa;

const pe_ops *const pe_registry[] = {&pe_nope, &pe_rope, &pe_pope, &pe_tapa, NULL};

const pe_ops *pe_find(const char *name) {
    for (int i = 0; pe_registry[i]; i++)
        if (strcmp(pe_registry[i]->name, name) == 0) return pe_registry[i];
    return NULL;
}

static int fail(char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

// Levenshtein distance, for "did you mean"; names longer than 63 get no suggestion.
static int edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 1000;
    int row[64];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

// Length of the idx-th word of "a|b|c" with *start set to it, or -1 past the last word.
static int choice_word(const char *choices, int idx, const char **start) {
    const char *p = choices;
    for (int i = 0; i < idx; i++) {
        p = strchr(p, '|');
        if (!p) return -1;
        p++;
    }
    *start = p;
    const char *end = strchr(p, '|');
    return end ? (int)(end - p) : (int)strlen(p);
}

static int choice_index(const char *choices, const char *word) {
    const char *w;
    int n;
    for (int i = 0; (n = choice_word(choices, i, &w)) >= 0; i++)
        if ((size_t)n == strlen(word) && strncmp(w, word, (size_t)n) == 0) return i;
    return -1;
}

// Shortest of %.9g and %.17g that reads back as the same double: canonical strings stay
// short for typed values and never lose one.
static void format_number(char *buf, size_t len, double v) {
    snprintf(buf, len, "%.9g", v);
    if (strtod(buf, NULL) != v) snprintf(buf, len, "%.17g", v);
}

// For messages only: "1e+09" reads better as "1e9".
static void format_tidy(char *buf, size_t len, double v) {
    format_number(buf, len, v);
    char *e = strchr(buf, 'e');
    if (!e) return;
    char *src = e + 1, *dst = e + 1;
    if (*src == '+') src++;
    else if (*src == '-') *dst++ = *src++;
    while (*src == '0' && src[1]) src++;
    memmove(dst, src, strlen(src) + 1);
}

static char *trim(char *s) {
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

static int unknown_option(const pe_ops *ops, const char *key, char *err, size_t errlen) {
    if (ops->n_options == 0)
        return fail(err, errlen, "encoding '%s': unknown option '%s' (it takes no options)",
                    ops->name, key);
    int best = -1, best_d = 3;
    for (int i = 0; i < ops->n_options; i++) {
        int d = edit_distance(key, ops->options[i].name);
        if (d < best_d) best = i, best_d = d;
    }
    if (best >= 0)
        return fail(err, errlen, "encoding '%s': unknown option '%s' (did you mean '%s'?)",
                    ops->name, key, ops->options[best].name);
    char list[256] = "";
    for (int i = 0; i < ops->n_options; i++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", ops->options[i].name);
    }
    return fail(err, errlen, "encoding '%s': unknown option '%s' (options: %s)", ops->name, key,
                list);
}

// Parses one "key=value" item into cfg; seen[] catches an option given twice.
static int parse_item(pe *cfg, char *item, int *seen, char *err, size_t errlen) {
    const pe_ops *ops = cfg->ops;
    char *eq = strchr(item, '=');
    if (eq) *eq = '\0';
    char *key = trim(item);
    int idx = -1;
    for (int i = 0; i < ops->n_options; i++)
        if (strcmp(ops->options[i].name, key) == 0) idx = i;
    if (idx < 0) return unknown_option(ops, key, err, errlen);
    const pe_option_spec *o = &ops->options[idx];
    if (!eq)
        return fail(err, errlen, "encoding '%s': option '%s' needs a value (%s=...)", ops->name,
                    key, key);
    if (seen[idx])
        return fail(err, errlen, "encoding '%s': option '%s' given twice", ops->name, key);
    seen[idx] = 1;
    char *val = trim(eq + 1);
    if (o->choices) {
        int c = choice_index(o->choices, val);
        if (c < 0)
            return fail(err, errlen, "encoding '%s': option '%s' must be one of %s, got '%s'",
                        ops->name, key, o->choices, val);
        cfg->opt[idx] = c;
        return 0;
    }
    char *end;
    double v = strtod(val, &end);
    if (*val == '\0' || *end != '\0' || !isfinite(v))
        return fail(err, errlen, "encoding '%s': option '%s' needs a number, got '%s'",
                    ops->name, key, val);
    if (v < o->min || v > o->max) {
        char lo[32], hi[32];
        format_tidy(lo, sizeof lo, o->min);
        format_tidy(hi, sizeof hi, o->max);
        return fail(err, errlen, "encoding '%s': option '%s' = %s out of range [%s, %s]",
                    ops->name, key, val, lo, hi);
    }
    cfg->opt[idx] = v;
    return 0;
}

static int unknown_encoding(const char *name, char *err, size_t errlen) {
    int best = -1, best_d = 3;
    for (int i = 0; pe_registry[i]; i++) {
        int d = edit_distance(name, pe_registry[i]->name);
        if (d < best_d) best = i, best_d = d;
    }
    if (best >= 0)
        return fail(err, errlen, "unknown encoding '%s' (did you mean '%s'?)", name,
                    pe_registry[best]->name);
    char list[256] = "";
    for (int i = 0; pe_registry[i]; i++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", pe_registry[i]->name);
    }
    return fail(err, errlen, "unknown encoding '%s' (known: %s)", name, list);
}

int pe_configure(pe *out, const char *name, const char *options, const pe_shape *shape,
                 char *err, size_t errlen) {
    if (err && errlen) err[0] = '\0';
    if (!name) return fail(err, errlen, "no encoding named");
    const pe_ops *ops = pe_find(name);
    if (!ops) return unknown_encoding(name, err, errlen);
    if (!shape) return fail(err, errlen, "encoding '%s': no model shape", name);
    if (shape->n_layers < 1 || shape->n_heads < 1 || shape->head_dim < 1 || shape->d_model < 1)
        return fail(err, errlen,
                    "encoding '%s': invalid model shape (%d layers, %d heads, head_dim %d, "
                    "d_model %d)",
                    name, shape->n_layers, shape->n_heads, shape->head_dim, shape->d_model);
    pe cfg = {.ops = ops, .shape = *shape};
    for (int i = 0; i < ops->n_options; i++) cfg.opt[i] = ops->options[i].default_value;

    int seen[PE_MAX_OPTIONS] = {0};
    const char *p = options ? options : "";
    while (*p) {
        size_t n = strcspn(p, ",");
        char item[256];
        if (n >= sizeof item)
            return fail(err, errlen, "encoding '%s': option '%.32s...' too long", name, p);
        memcpy(item, p, n);
        item[n] = '\0';
        p += n + (p[n] == ',');
        if (*trim(item) == '\0') continue;  // "a=1," or "" : nothing to set
        if (parse_item(&cfg, item, seen, err, errlen) != 0) return -1;
    }
    if (pe_qk_width(&cfg) < 1)
        return fail(err, errlen, "encoding '%s': head_dim %d not supported (%s)", name,
                    shape->head_dim, ops->summary);
    *out = cfg;
    return 0;
}

int pe_qk_width(const pe *e) {
    return e->ops->qk_width ? e->ops->qk_width(e, e->shape.head_dim) : e->shape.head_dim;
}

size_t pe_n_params(const pe *e) { return e->ops->n_params ? e->ops->n_params(&e->shape) : 0; }

void pe_format_options(const pe *e, char *buf, size_t len) {
    if (!len) return;
    buf[0] = '\0';
    size_t used = 0;
    for (int i = 0; i < e->ops->n_options && used < len; i++) {
        const pe_option_spec *o = &e->ops->options[i];
        char val[40];
        if (o->choices) {
            const char *w = "";
            int n = choice_word(o->choices, (int)e->opt[i], &w);
            snprintf(val, sizeof val, "%.*s", n < 0 ? 0 : n, w);
        } else {
            format_number(val, sizeof val, e->opt[i]);
        }
        int n = snprintf(buf + used, len - used, "%s%s=%s", i ? "," : "", o->name, val);
        used += n < 0 ? 0 : (size_t)n;
    }
}

double pe_opt(const pe *e, const char *name) {
    for (int i = 0; i < e->ops->n_options; i++)
        if (strcmp(e->ops->options[i].name, name) == 0) return e->opt[i];
    fprintf(stderr, "posbench: bug: encoding '%s' has no option '%s'\n", e->ops->name, name);
    abort();
}
