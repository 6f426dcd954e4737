// Residues for the suite's modular tasks (modular.h).
#include "tasks/lengthgen/modular.h"

#include <math.h>

#include "harness/base/errors.h"

const char *modular_residue_name(int v) {
    static const char *const names[MODULAR_MAX] = {"0", "1", "2", "3", "4",
                                                   "5", "6", "7", "8", "9"};
    return names[v];
}

int modular_check_integer(const task *t, int option, char *err, size_t errlen) {
    const double v = t->opt[option];
    if (v != floor(v))
        return set_error(err, errlen, "task '%s': option '%s' = %g must be an integer",
                         t->ops->name, t->ops->options[option].name, v);
    return 0;
}
