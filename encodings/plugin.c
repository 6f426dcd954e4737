// Encodings loaded from shared objects at run time, so a researcher can try a new PE without
// editing posbench: the object exports `const pe_ops posbench_encoding` (encoding.h) with
// .abi_version = PE_ABI_VERSION, built
// e.g. with `cc -O2 -shared -fPIC -I/path/to/posbench my_pe.c -o my_pe.so`. The executable
// exports its own symbols (-rdynamic), so a plugin may call pe_opt, angle_table and the
// fast math of harness/fastmath.h.
//
// Loaded plugins sit in a small table next to the static registry; pe_find looks there after
// the built-ins, and a plugin may not reuse a built-in's or another plugin's name.
#include "encoding.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/errors.h"

#define PE_MAX_PLUGINS 16

static struct loaded {
    char *path;
    void *handle;
    const pe_ops *ops;
} plugins[PE_MAX_PLUGINS];
static int n_plugins;

const pe_ops *pe_plugin_at(int n) { return n >= 0 && n < n_plugins ? plugins[n].ops : NULL; }

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

const pe_ops *pe_load_plugin(const char *path, char *err, size_t errlen) {
    for (int i = 0; i < n_plugins; i++)
        if (!strcmp(plugins[i].path, path)) return plugins[i].ops;
    if (n_plugins == PE_MAX_PLUGINS) {
        set_error(err, errlen, "%s: too many encoding plugins (at most %d)", path, PE_MAX_PLUGINS);
        return NULL;
    }
    // RTLD_LOCAL: two plugins may define the same helper names without clashing.
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        set_error(err, errlen, "cannot load encoding plugin: %s", dlerror());
        return NULL;
    }
    const pe_ops *ops = dlsym(h, "posbench_encoding");
    if (!ops) {
        set_error(err, errlen, "%s: no symbol 'posbench_encoding' (a const pe_ops)", path);
        dlclose(h);
        return NULL;
    }
    if (ops->abi_version != PE_ABI_VERSION) {
        set_error(err, errlen, "%s: built for pe_ops layout %d, this posbench has %d (rebuild it "
                  "against encodings/encoding.h)", path, ops->abi_version, PE_ABI_VERSION);
        dlclose(h);
        return NULL;
    }
    char why[200];
    const pe_ops *same = pe_find(ops->name ? ops->name : "");
    if (pe_validate_ops(ops, why, sizeof why) != 0 || same) {
        if (same) snprintf(why, sizeof why, "encoding '%s' already exists", ops->name);
        set_error(err, errlen, "%s: %s", path, why);
        dlclose(h);
        return NULL;
    }
    char *copy = strdup(path);
    if (!copy) {
        set_error(err, errlen, "%s: out of memory", path);
        dlclose(h);
        return NULL;
    }
    plugins[n_plugins++] = (struct loaded){copy, h, ops};
    return ops;
}
