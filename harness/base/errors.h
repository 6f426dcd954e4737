// One-line error messages: every library function returns 0 / -1 and fills a caller's buffer.
// Whatever a user can cause (bad input, a missing file, a full disk, too little memory) is
// such an error; the process stops only for a bug (posbench_bug).
#ifndef POSBENCH_ERRORS_H
#define POSBENCH_ERRORS_H

#include <stddef.h>

// Formats into err (if err and errlen) and returns -1, so `return set_error(...)` reads well.
int set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// A broken invariant that no input can cause, i.e. a programming error in posbench or in an
// encoding plugin: prints "posbench: bug: <message>" on stderr and aborts, so that a core dump
// or a debugger shows where. Never for anything a user can cause.
_Noreturn void posbench_bug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
