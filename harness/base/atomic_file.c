#include "harness/base/atomic_file.h"

#include <errno.h>
#include <string.h>

#include "harness/base/errors.h"

int atomic_file_open(atomic_file *o, const char *path, char *err, size_t errlen) {
    snprintf(o->path, sizeof o->path, "%s", path);
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp", o->path);
    if (!(o->f = fopen(o->tmp, "w")))
        return set_error(err, errlen, "%s: cannot create: %s", o->tmp, strerror(errno));
    return 0;
}

int atomic_file_commit(atomic_file *o, char *err, size_t errlen) {
    int bad = ferror(o->f);
    bad |= fclose(o->f) != 0;
    o->f = NULL;
    if (bad || rename(o->tmp, o->path) != 0) {
        const int saved = errno;
        remove(o->tmp);
        return set_error(err, errlen, "%s: write failed: %s", o->path, strerror(saved));
    }
    return 0;
}

void atomic_file_abandon(atomic_file *o) {
    if (o->f) fclose(o->f), o->f = NULL, remove(o->tmp);
}
