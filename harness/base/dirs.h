// Creating folders, like `mkdir -p`: every missing parent too; and asking what a path is.
#ifndef POSBENCH_DIRS_H
#define POSBENCH_DIRS_H

#include <stddef.h>

// 0 when path is (now) a directory; -1 with "PATH: cannot create folder: reason" in err, also
// when it or a parent exists and is not a directory.
int make_dirs(const char *path, char *err, size_t errlen);

// Whether path exists (any kind of file), and whether it is a directory.
int path_exists(const char *path);
int is_dir(const char *path);

#endif
