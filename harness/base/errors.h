// One-line error messages: every library function returns 0 / -1 and fills a caller's buffer.
#ifndef POSBENCH_ERRORS_H
#define POSBENCH_ERRORS_H

#include <stddef.h>

// Formats into err (if err and errlen) and returns -1, so `return set_error(...)` reads well.
int set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
