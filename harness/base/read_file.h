// Reading a whole file into memory, for the formats posbench parses from a buffer (experiment
// files, dataset files, a run's CSVs).
#ifndef POSBENCH_READ_FILE_H
#define POSBENCH_READ_FILE_H

#include <stddef.h>

// The regular file at path, malloc'd with a NUL after its *size bytes (text can be parsed as
// a string; binary data ignores it), or NULL with "PATH: cannot open: reason", "PATH: not a
// regular file", "PATH: out of memory (N bytes)" or "PATH: read error (file changed while
// reading?)" in err.
char *read_file(const char *path, size_t *size, char *err, size_t errlen);

#endif
