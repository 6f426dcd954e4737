#include "errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "options.h"

int set_error(char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int unknown_name(const char *kind, const char *name, const char *const *names, int n,
                 char *err, size_t errlen) {
    const char *best = closest_name(name, names, n);
    if (best) return set_error(err, errlen, "unknown %s '%s' (did you mean '%s'?)", kind, name, best);
    char list[256] = "";
    for (int i = 0; i < n; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
    }
    return set_error(err, errlen, "unknown %s '%s' (known: %s)", kind, name, list);
}
