// A file that appears complete or not at all: written as PATH.tmp, renamed to PATH on commit,
// removed on abandon. Readers (and resumed sweeps) never see a half-written PATH.
#ifndef POSBENCH_ATOMIC_FILE_H
#define POSBENCH_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct atomic_file {
    FILE *f;  // write here between open and commit
    char path[4096], tmp[4104];
} atomic_file;

// 0, or -1 with "PATH.tmp: cannot create: reason" in err.
int atomic_file_open(atomic_file *o, const char *path, char *err, size_t errlen);
// Flushes, closes and renames; -1 with err if any write failed (the .tmp is removed then).
int atomic_file_commit(atomic_file *o, char *err, size_t errlen);
// Closes and removes the temporary file; harmless on a file never opened or already done.
void atomic_file_abandon(atomic_file *o);

#endif
