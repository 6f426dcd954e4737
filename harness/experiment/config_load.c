// Loading of experiment files with libyaml's document API: every value is kept as the text
// written, with its position (config_raw.h), for config_resolve.c to check and resolve. The
// schema is in config_schema.c, the canonical text and the run id in config_text.c.
#include "harness/experiment/config_raw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "harness/base/errors.h"
#include "harness/base/names.h"
#include "harness/base/read_file.h"
#include "harness/experiment/run_source.h"

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
    return config_fail_at(L->file, node_pos(n), L->err, L->errlen, "%s", msg);
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

const char *const CONFIG_OPTION_PREFIX[2] = {"task.options.", "model.encoding_options."};

// Whether path may be swept: a scalar of the schema (not the experiment name) or one option.
static int sweepable(const char *path) {
    int i = field_index(path);
    if (i >= 0) return is_scalar(config_schema[i].type) && strcmp(path, "experiment") != 0;
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(CONFIG_OPTION_PREFIX[k]);
        if (!strncmp(path, CONFIG_OPTION_PREFIX[k], n) && path[n] && !strchr(path + n, '.')) return 1;
    }
    return 0;
}

// The list v of values of key s->path (context names it in messages) into s, each checked as
// a value of that key. s owns its arrays once they exist, even if a value is refused.
static int load_values(loader *L, const yaml_node_t *v, const char *context, sweep_key *s) {
    if (v->type != YAML_SEQUENCE_NODE)
        return fail_node(L, v, "%s '%s': expected a list, got %s", context, s->path,
                         kind_name(v));
    const int count = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (count == 0) return fail_node(L, v, "%s '%s': empty list", context, s->path);
    if (count > CONFIG_MAX_SWEEP_VALUES)
        return fail_node(L, v, "%s '%s': more than %d values", context, s->path,
                         CONFIG_MAX_SWEEP_VALUES);
    s->values = calloc((size_t)count, sizeof *s->values);
    s->value_pos = calloc((size_t)count, sizeof *s->value_pos);
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
            config_check_scalar(&config_schema[fi], s->values[j], &num, &u64, 0, msg, sizeof msg))
            return fail_node(L, item, "%s", msg);
        if (fi < 0 && has_separator(s->values[j]))
            return fail_node(L, item, "%s: value may not contain ',', '=' or ';'", s->path);
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
        e->n_sweep++;  // owns its arrays from here on, even if what follows fails
        if (load_values(L, v, "sweep", s)) return -1;
    }
    return 0;
}

// The `selection` block: the key chosen per group, its candidate values, the seeds it is
// chosen on, the evaluation set and metric that decide (config.h: selection_spec).
static int load_selection(loader *L, const yaml_node_t *n) {
    selection_spec *sel = &L->e->selection;
    if (is_null(n)) return 0;
    if (check_mapping(L, n, "selection")) return -1;
    sel->pos = node_pos(n);
    int have_key = 0, have_values = 0, have_seeds = 0;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
        const char *key = (const char *)k->data.scalar.value;
        if (!strcmp(key, "key")) {
            if (scalar_text(L, v, "selection.key", sel->grid.path, sizeof sel->grid.path))
                return -1;
            const int fi = field_index(sel->grid.path);
            if (fi < 0 || !sweepable(sel->grid.path) ||
                (config_schema[fi].type != T_INT && config_schema[fi].type != T_FLOAT))
                return fail_node(L, v, "selection.key: '%s' is not a numeric key that can be "
                                 "swept (e.g. training.lr)", sel->grid.path);
            sel->grid.pos = node_pos(v);
            have_key = 1;
        } else if (!strcmp(key, "values") || !strcmp(key, "seeds")) {
            if (!have_key && !strcmp(key, "values"))
                return fail_node(L, k, "selection: give key before values");
            sweep_key *s = !strcmp(key, "values") ? &sel->grid : &sel->seeds;
            if (s == &sel->seeds) snprintf(s->path, sizeof s->path, "seed");
            if (load_values(L, v, "selection", s)) return -1;
            if (s == &sel->grid) have_values = 1;
            else have_seeds = 1;
        } else if (!strcmp(key, "set") || !strcmp(key, "metric")) {
            char *dst = !strcmp(key, "set") ? sel->set : sel->metric;
            if (scalar_text(L, v, key, dst, sizeof sel->set)) return -1;
        } else {
            static const char *const names[] = {"key", "values", "seeds", "set", "metric"};
            char msg[512];
            unknown_name("key", key, names, 5, msg, sizeof msg);
            return fail_node(L, k, "selection: %s", msg);
        }
    }
    if (!have_key || !have_values || !have_seeds)
        return fail_node(L, n, "selection: needs key, values and seeds (set and metric are "
                         "optional)");
    if (!sel->metric[0]) snprintf(sel->metric, sizeof sel->metric, "accuracy");
    sel->on = 1;
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
        case T_SELECTION: rc = load_selection(L, v); break;
        default: {
            raw_value *rv = &L->raw->scalar[i];
            if (scalar_text(L, v, path, rv->text, sizeof rv->text)) return -1;
            rv->pos = node_pos(v);
            rv->set = 1;
            double num;
            uint64_t u64;
            char msg[512];
            if (config_check_scalar(f, rv->text, &num, &u64, 0, msg, sizeof msg))
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
            config_fail_at(e->file, at, err, errlen,
                    "byte 0x%02x is not valid UTF-8 here (%s); YAML files are UTF-8",
                    bad < n ? (unsigned char)text[bad] : 0,
                    parser.problem ? parser.problem : "invalid byte");
        else
            config_fail_at(e->file, at, err, errlen, "YAML syntax error: %s%s%s%s",
                    parser.problem ? parser.problem : "unknown", parser.context ? " (" : "",
                    parser.context ? parser.context : "", parser.context ? ")" : "");
        yaml_parser_delete(&parser);
        return -1;
    }
    int rc = -1;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    loader L = {e->file, &doc, e, e->raw, err, errlen};
    if (!root)
        config_fail_at(e->file, (config_pos){1, 1}, err, errlen, "empty file (expected a mapping)");
    else
        rc = load_mapping(&L, root, "");
    yaml_document_delete(&doc);
    // A second document would be silently ignored: refuse it (syntax errors after the first
    // document are reported too).
    yaml_document_t next;
    if (rc == 0 && !yaml_parser_load(&parser, &next)) {
        config_pos at = error_pos(&parser, text, n);
        rc = config_fail_at(e->file, at, err, errlen, "YAML syntax error: %s",
                     parser.problem ? parser.problem : "unknown");
    } else if (rc == 0) {
        yaml_node_t *extra = yaml_document_get_root_node(&next);
        if (extra)
            rc = config_fail_at(e->file, (config_pos){(int)extra->start_mark.line + 1, 1}, err, errlen,
                         "more than one YAML document (an experiment file holds one)");
        yaml_document_delete(&next);
    }
    yaml_parser_delete(&parser);
    return rc;
}

// The selection's set and metric are ones every run writes: a typo found after the selection
// runs would waste them.
static int check_selection(const experiment *e, char *err, size_t errlen) {
    const selection_spec *sel = &e->selection;
    if (!sel->on) return 0;
    for (int i = 0; i < e->n_sweep; i++)  // (the sweep may come after the block)
        if (!strcmp(e->sweep[i].path, sel->grid.path))
            return config_fail_at(e->file, sel->pos, err, errlen,
                                  "selection: %s is also swept; a selected key is not",
                                  sel->grid.path);
    const run_config *b = &e->base;
    int set = sel->set[0] ? -1 : 0;
    for (int i = 0; set < 0 && i < b->n_sets; i++)
        if (!strcmp(b->sets[i].name, sel->set)) set = i;
    if (set < 0) {
        char names[CONFIG_MAX_SETS * 72] = "";
        for (int i = 0; i < b->n_sets; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                     b->sets[i].name);
        return config_fail_at(e->file, sel->pos, err, errlen,
                              "selection.set: '%s' is not an evaluation set (sets: %s)", sel->set,
                              names);
    }
    static const char *const books_only[] = {"perplexity", "bits_per_byte", "loss_beyond",
                                             "perplexity_beyond", "bits_per_byte_beyond",
                                             "loss_sliding", "perplexity_sliding",
                                             "bits_per_byte_sliding"};
    const int books = run_source_of(b->task)->per_byte_metrics;
    if (!strcmp(sel->metric, "loss") || !strcmp(sel->metric, "accuracy")) return 0;
    for (size_t i = 0; i < sizeof books_only / sizeof books_only[0]; i++)
        if (!strcmp(sel->metric, books_only[i])) {
            if (books) return 0;
            return config_fail_at(e->file, sel->pos, err, errlen,
                                  "selection.metric: '%s' is for books runs; a task's runs "
                                  "report loss and accuracy", sel->metric);
        }
    return config_fail_at(e->file, sel->pos, err, errlen,
                          "selection.metric: unknown metric '%s' (loss, accuracy; books runs "
                          "also perplexity, bits_per_byte and their _beyond and _sliding forms)",
                          sel->metric);
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
        config_fail_at(path, tab, err, errlen, "tab character (indent with spaces)");
    else if (load_document(out, text, n, err, errlen) == 0)
        rc = config_resolve(out, NULL, 0, &out->base, err, errlen) ||
                     check_selection(out, err, errlen)
                 ? -1
                 : 0;
    free(text);
    if (rc) experiment_free(out);
    return rc;
}

void experiment_free(experiment *e) {
    for (int i = 0; i < e->n_sweep; i++) {
        free(e->sweep[i].values);
        free(e->sweep[i].value_pos);
    }
    free(e->selection.grid.values), free(e->selection.grid.value_pos);
    free(e->selection.seeds.values), free(e->selection.seeds.value_pos);
    free(e->raw);
    memset(e, 0, sizeof *e);
}
