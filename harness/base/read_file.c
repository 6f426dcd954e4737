#include "harness/base/read_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/base/errors.h"

char *read_file(const char *path, size_t *size, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        set_error(err, errlen, "%s: not a regular file", path);
        return NULL;
    }
    const size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (!buf) {
        fclose(f);
        set_error(err, errlen, "%s: out of memory (%zu bytes)", path, n);
        return NULL;
    }
    // One byte more than the size: a file that grew while we read is not silently cut.
    const size_t got = fread(buf, 1, n + 1, f);
    const int bad = ferror(f);
    fclose(f);
    if (bad || got != n) {
        free(buf);
        set_error(err, errlen, "%s: read error (file changed while reading?)", path);
        return NULL;
    }
    buf[n] = '\0';
    *size = n;
    return buf;
}
