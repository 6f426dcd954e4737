// The registry of built-in encodings and the option handling every plugin shares.
//
// Shape validity: the interface has no validate hook, so a plugin that cannot serve a shape
// says so through qk_width: a value < 1 means "this head_dim is not supported". pe_configure
// asks once, so hooks may assume a valid shape, and names the plugin's summary in the error,
// which therefore states the plugin's shape requirement. A plugin may define qk_width for
// this check alone (TAPA does, returning D, with qk_forward NULL): whether a plugin has a
// q/k transform is decided by qk_forward, never by qk_width.
#include "encoding.h"

#include "harness/base/errors.h"
#include "harness/base/names.h"
#include "harness/base/options.h"

#include <stdio.h>
#include <string.h>

extern const pe_ops pe_nope, pe_rope, pe_pope, pe_tapa;
extern const pe_ops pe_sinusoidal;
extern const pe_ops pe_learned;
extern const pe_ops pe_alibi;
extern const pe_ops pe_t5;
extern const pe_ops pe_kerple;
extern const pe_ops pe_xpos;

const pe_ops *const pe_registry[] = {
    &pe_nope, &pe_rope, &pe_pope, &pe_tapa,
    &pe_sinusoidal,
    &pe_learned,
    &pe_alibi,
    &pe_t5,
    &pe_kerple,
    &pe_xpos,
    NULL,
};

// Encodings registered at run time (pe_register): the plugins, in load order.
static const pe_ops *registered[PE_MAX_PLUGINS];
static int n_registered;

const pe_ops *pe_plugin_at(int n) { return n >= 0 && n < n_registered ? registered[n] : NULL; }

int pe_validate_ops(const pe_ops *o, char *err, size_t errlen) {
    if (!o->name || !o->name[0] || strlen(o->name) > 63 || strpbrk(o->name, " ,=/"))
        return set_error(err, errlen, "encoding has no usable name (1-63 characters, no ' ,=/')");
    const char *n = o->name;
    if (!o->summary) return set_error(err, errlen, "encoding '%s': no summary", n);
    if (o->n_options < 0 || o->n_options > PE_MAX_OPTIONS)
        return set_error(err, errlen, "encoding '%s': %d options (at most %d)", n, o->n_options,
                         PE_MAX_OPTIONS);
    for (int i = 0; i < o->n_options; i++) {
        const pe_option_spec *s = &o->options[i];
        if (!s->name || !s->help)
            return set_error(err, errlen, "encoding '%s': option %d has no name or help", n, i);
        if (!(s->min <= s->default_value && s->default_value <= s->max))
            return set_error(err, errlen, "encoding '%s': option '%s' default outside [min, max]",
                             n, s->name);
        for (int j = 0; j < i; j++)
            if (!strcmp(o->options[j].name, s->name))
                return set_error(err, errlen, "encoding '%s': option '%s' twice", n, s->name);
    }
    if ((o->embed_forward == NULL) != (o->embed_backward == NULL) ||
        (o->qk_forward == NULL) != (o->qk_backward == NULL) ||
        (o->bias_forward == NULL) != (o->bias_backward == NULL) ||
        (o->score_forward == NULL) != (o->score_backward == NULL))
        return set_error(err, errlen, "encoding '%s': a forward hook without its backward", n);
    if (o->n_params && !o->init)
        return set_error(err, errlen, "encoding '%s': parameters but no init", n);
    return 0;
}

int pe_register(const pe_ops *ops, char *err, size_t errlen) {
    if (pe_validate_ops(ops, err, errlen) != 0) return -1;
    if (pe_find(ops->name)) return set_error(err, errlen, "encoding '%s' already exists", ops->name);
    if (n_registered == PE_MAX_PLUGINS)
        return set_error(err, errlen, "too many encoding plugins (at most %d)", PE_MAX_PLUGINS);
    registered[n_registered++] = ops;
    return 0;
}

const pe_ops *pe_find(const char *name) {
    for (int i = 0; pe_registry[i]; i++)
        if (strcmp(pe_registry[i]->name, name) == 0) return pe_registry[i];
    for (int i = 0; pe_plugin_at(i); i++)
        if (strcmp(pe_plugin_at(i)->name, name) == 0) return pe_plugin_at(i);
    return NULL;
}

static int unknown_encoding(const char *name, char *err, size_t errlen) {
    enum { MAX_NAMES = 64 };
    const char *names[MAX_NAMES];
    int n = 0;
    for (const pe_ops *const *p = pe_registry; *p && n < MAX_NAMES; p++) names[n++] = (*p)->name;
    for (int i = 0; pe_plugin_at(i) && n < MAX_NAMES; i++) names[n++] = pe_plugin_at(i)->name;
    return unknown_name("encoding", name, names, n, err, errlen);
}

int pe_configure(pe *out, const char *name, const char *options, const pe_shape *shape,
                 char *err, size_t errlen) {
    if (err && errlen) err[0] = '\0';
    if (!name) return set_error(err, errlen, "no encoding named");
    const pe_ops *ops = pe_find(name);
    if (!ops) return unknown_encoding(name, err, errlen);
    if (!shape) return set_error(err, errlen, "encoding '%s': no model shape", name);
    if (shape->n_layers < 1 || shape->n_heads < 1 || shape->head_dim < 1 || shape->d_model < 1)
        return set_error(err, errlen,
                    "encoding '%s': invalid model shape (%d layers, %d heads, head_dim %d, "
                    "d_model %d)",
                    name, shape->n_layers, shape->n_heads, shape->head_dim, shape->d_model);
    pe cfg = {.ops = ops, .shape = *shape};
    char owner[80];  // room for the longest name (63 characters)
    snprintf(owner, sizeof owner, "encoding '%s'", name);
    if (options_parse(owner, ops->options, ops->n_options, options, cfg.opt, err, errlen) != 0)
        return -1;
    if (pe_qk_width(&cfg) < 1)
        return set_error(err, errlen, "encoding '%s': head_dim %d%s not supported (%s)", name,
                    shape->head_dim, shape->bidirectional ? " in a bidirectional model" : "",
                    ops->summary);
    *out = cfg;
    return 0;
}

int pe_qk_width(const pe *e) {
    return e->ops->qk_width ? e->ops->qk_width(e, e->shape.head_dim) : e->shape.head_dim;
}

size_t pe_n_params(const pe *e) { return e->ops->n_params ? e->ops->n_params(e) : 0; }

size_t pe_scratch_floats(const pe *e, int T) {
    return e->ops->scratch_floats ? e->ops->scratch_floats(e, T) : 0;
}

void pe_format_options(const pe *e, char *buf, size_t len) {
    const pe_ops *o = e->ops;
    options_format_quiet(o->options, o->n_options, o->first_quiet_option, e->opt, buf, len);
}

int pe_check_length(const pe *e, int T, char *err, size_t errlen) {
    const int limit = e->ops->max_positions ? e->ops->max_positions(e) : 0;
    if (limit < 1 || T <= limit) return 0;
    char opts[256];
    pe_format_options(e, opts, sizeof opts);
    return set_error(err, errlen, "encoding '%s' (%s): a sequence of %d positions exceeds the %d it "
                     "supports", e->ops->name, opts, T, limit);
}

double pe_opt(const pe *e, const char *name) {
    int i = options_find(e->ops->options, e->ops->n_options, name);
    if (i >= 0) return e->opt[i];
    // Option names are literals in the encoding's own code, never input: a misspelt one is
    // a bug in that code, which check-encoding meets on the first call.
    posbench_bug("encoding '%s' has no option '%s'", e->ops->name, name);
}
