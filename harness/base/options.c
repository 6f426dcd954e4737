#include "harness/base/options.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/errors.h"
#include "harness/base/names.h"

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

int options_find(const option_spec *specs, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(specs[i].name, name) == 0) return i;
    return -1;
}

static int unknown_option(const char *owner, const option_spec *specs, int n, const char *key,
                          char *err, size_t errlen) {
    if (n == 0)
        return set_error(err, errlen, "%s: unknown option '%s' (it takes no options)", owner, key);
    const char *names[64];
    for (int i = 0; i < n && i < 64; i++) names[i] = specs[i].name;
    char why[512];
    unknown_name("option", key, names, n < 64 ? n : 64, why, sizeof why);
    return set_error(err, errlen, "%s: %s", owner, why);
}

// Parses one "key=value" item; seen[] catches an option given twice.
static int parse_item(const char *owner, const option_spec *specs, int n, char *item,
                      double *values, int *seen, char *err, size_t errlen) {
    char *eq = strchr(item, '=');
    if (eq) *eq = '\0';
    char *key = trim(item);
    int idx = options_find(specs, n, key);
    if (idx < 0) return unknown_option(owner, specs, n, key, err, errlen);
    const option_spec *o = &specs[idx];
    if (!eq) return set_error(err, errlen, "%s: option '%s' needs a value (%s=...)", owner, key, key);
    if (seen[idx]) return set_error(err, errlen, "%s: option '%s' given twice", owner, key);
    seen[idx] = 1;
    char *val = trim(eq + 1);
    if (o->choices) {
        int c = choice_index(o->choices, val);
        if (c < 0)
            return set_error(err, errlen, "%s: option '%s' must be one of %s, got '%s'", owner, key,
                        o->choices, val);
        values[idx] = c;
        return 0;
    }
    char *end;
    double v = strtod(val, &end);
    if (*val == '\0' || *end != '\0' || !isfinite(v))
        return set_error(err, errlen, "%s: option '%s' needs a number, got '%s'", owner, key, val);
    if (v < o->min || v > o->max) {
        char lo[32], hi[32];
        format_tidy(lo, sizeof lo, o->min);
        format_tidy(hi, sizeof hi, o->max);
        return set_error(err, errlen, "%s: option '%s' = %s out of range [%s, %s]", owner, key, val,
                    lo, hi);
    }
    values[idx] = v;
    return 0;
}

int options_parse(const char *owner, const option_spec *specs, int n, const char *text,
                  double *values, char *err, size_t errlen) {
    if (err && errlen) err[0] = '\0';
    int seen[64] = {0};
    if (n > 64) return set_error(err, errlen, "%s: too many options", owner);
    for (int i = 0; i < n; i++) values[i] = specs[i].default_value;
    const char *p = text ? text : "";
    while (*p) {
        size_t len = strcspn(p, ",");
        char item[256];
        if (len >= sizeof item) return set_error(err, errlen, "%s: option '%.32s...' too long", owner, p);
        memcpy(item, p, len);
        item[len] = '\0';
        p += len + (p[len] == ',');
        if (*trim(item) == '\0') continue;  // "a=1," or "": nothing to set
        if (parse_item(owner, specs, n, item, values, seen, err, errlen) != 0) return -1;
    }
    return 0;
}

static void value_text(const option_spec *o, double v, char *buf, size_t len) {
    if (o->choices) {
        const char *w = "";
        int n = choice_word(o->choices, (int)v, &w);
        snprintf(buf, len, "%.*s", n < 0 ? 0 : n, w);
    } else {
        format_number(buf, len, v);
    }
}

void options_default_text(const option_spec *spec, char *buf, size_t len) {
    value_text(spec, spec->default_value, buf, len);
}

void options_format_quiet(const option_spec *specs, int n, int first_quiet,
                          const double *values, char *buf, size_t len) {
    if (!len) return;
    const int loud = first_quiet > 0 && first_quiet < n ? first_quiet : n;
    options_format(specs, loud, values, buf, len);
    for (int i = loud; i < n; i++) {
        if (values[i] == specs[i].default_value) continue;
        size_t used = strlen(buf);
        if (used + 1 >= len) return;
        if (used) buf[used++] = ',', buf[used] = '\0';
        options_format(&specs[i], 1, &values[i], buf + used, len - used);
    }
}

void options_format(const option_spec *specs, int n, const double *values, char *buf,
                    size_t len) {
    if (!len) return;
    buf[0] = '\0';
    size_t used = 0;
    for (int i = 0; i < n && used < len; i++) {
        char val[40];
        value_text(&specs[i], values[i], val, sizeof val);
        int k = snprintf(buf + used, len - used, "%s%s=%s", i ? "," : "", specs[i].name, val);
        used += k < 0 ? 0 : (size_t)k;
    }
}

// Appends "key=value" to out (with a comma after the first item); -1 when it does not fit.
static int append_item(char *out, size_t len, size_t *used, const char *item) {
    int n = snprintf(out + *used, len - *used, "%s%s", *used ? "," : "", item);
    if (n < 0 || (size_t)n >= len - *used) return -1;
    *used += (size_t)n;
    return 0;
}

// Whether the comma-separated list holds an item whose key is the key of item.
static int has_key(const char *list, const char *item) {
    const size_t key_len = strcspn(item, "=");
    for (const char *p = list; *p; p += strcspn(p, ","), p += *p == ',')
        if (strcspn(p, "=,") == key_len && !strncmp(p, item, key_len)) return 1;
    return 0;
}

int options_merge(const char *base, const char *over, char *out, size_t len) {
    char buf[1024];
    size_t used = 0;
    if (!len) return -1;
    out[0] = '\0';
    const char *lists[2] = {base ? base : "", over ? over : ""};
    for (int pass = 0; pass < 2; pass++)
        for (const char *p = lists[pass]; *p; p += strcspn(p, ","), p += *p == ',') {
            const size_t n = strcspn(p, ",");
            if (n == 0) continue;
            if (n >= sizeof buf) return -1;
            memcpy(buf, p, n);
            buf[n] = '\0';
            if (!strchr(buf, '=')) return -1;
            if (pass == 0 && has_key(lists[1], buf)) continue;  // over's item replaces it
            if (append_item(out, len, &used, buf) != 0) return -1;
        }
    return 0;
}
