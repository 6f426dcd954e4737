// File helpers shared by the test suites.
#ifndef POSBENCH_TEST_FILES_H
#define POSBENCH_TEST_FILES_H

// Removes a file or a directory tree (no symlinks are followed into other trees: readdir
// lists the link, remove() deletes the link itself).
void remove_tree(const char *path);

#endif
