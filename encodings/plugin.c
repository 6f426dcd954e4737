// Encodings loaded from shared objects at run time, so a researcher can try a new PE without
// editing posbench: the object exports `const pe_ops posbench_encoding` (encoding.h) with
// .abi_version = PE_ABI_VERSION, built
// e.g. with `cc -O2 -shared -fPIC -I/path/to/posbench my_pe.c -o my_pe.so`. The executable
// exports its own symbols (-rdynamic), so a plugin may call pe_opt, angle_table and the
// fast math of harness/base/fastmath.h.
//
// A loaded plugin is registered (pe_register, registry.c), which refuses a name already
// taken; this file keeps only what loading needs: each file's path and handle, so that a
// file loaded twice gives back its first load.
#include "encoding.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/base/errors.h"

static struct loaded {
    char *path;
    void *handle;
    const pe_ops *ops;
} plugins[PE_MAX_PLUGINS];
static int n_plugins;

const pe_ops *pe_load_plugin(const char *path, char *err, size_t errlen) {
    for (int i = 0; i < n_plugins; i++)
        if (!strcmp(plugins[i].path, path)) return plugins[i].ops;
    if (n_plugins == PE_MAX_PLUGINS) {
        set_error(err, errlen, "%s: too many encoding plugins (at most %d)", path, PE_MAX_PLUGINS);
        return NULL;
    }
    // dlopen searches the library path for a name without a '/', never the current folder:
    // `check-encoding my_pe.so` means the file here, as it would for any other command.
    char here[4096];
    const char *file = path;
    if (!strchr(path, '/') && access(path, F_OK) == 0 &&
        snprintf(here, sizeof here, "./%s", path) < (int)sizeof here)
        file = here;
    // RTLD_LOCAL: two plugins may define the same helper names without clashing.
    void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
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
    char *copy = strdup(path);
    char why[200];
    if (!copy || pe_register(ops, why, sizeof why) != 0) {
        set_error(err, errlen, "%s: %s", path, copy ? why : "out of memory");
        free(copy);
        dlclose(h);
        return NULL;
    }
    plugins[n_plugins++] = (struct loaded){copy, h, ops};
    return ops;
}
