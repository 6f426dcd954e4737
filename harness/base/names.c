#include "harness/base/names.h"

#include <stdio.h>
#include <string.h>

#include "harness/base/errors.h"

int edit_distance(const char *a, const char *b) {
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

const char *closest_name(const char *name, const char *const *names, int n) {
    const char *best = NULL;
    int best_d = 3;
    for (int i = 0; i < n; i++) {
        int d = edit_distance(name, names[i]);
        if (d < best_d) best = names[i], best_d = d;
    }
    return best;
}

int unknown_name(const char *kind, const char *name, const char *const *names, int n,
                 char *err, size_t errlen) {
    const char *best = closest_name(name, names, n);
    if (best) return set_error(err, errlen, "unknown %s '%s' (did you mean '%s'?)", kind, name, best);
    // Whole names only: a list too long for the buffer ends with "..." rather than half a name.
    char list[1024] = "";
    for (int i = 0; i < n; i++) {
        const size_t used = strlen(list);
        if (used + strlen(names[i]) + 2 + 5 >= sizeof list) {
            snprintf(list + used, sizeof list - used, ", ...");
            break;
        }
        snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
    }
    return set_error(err, errlen, "unknown %s '%s' (known: %s)", kind, name, list);
}
