// One-line error messages: every library function returns 0 / -1 and fills a caller's buffer.
#ifndef POSBENCH_ERRORS_H
#define POSBENCH_ERRORS_H

#include <stddef.h>

// Formats into err (if err and errlen) and returns -1, so `return set_error(...)` reads well.
int set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// "unknown KIND 'NAME' (did you mean 'X'?)" for the closest of names within edit distance 2,
// else "unknown KIND 'NAME' (known: a, b, c)". Returns -1.
int unknown_name(const char *kind, const char *name, const char *const *names, int n,
                 char *err, size_t errlen);

#endif
