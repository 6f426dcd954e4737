#include "harness/base/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int set_error(char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

void posbench_bug(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("posbench: bug: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}
