// File helpers shared by the test suites.
#ifndef POSBENCH_TEST_FILES_H
#define POSBENCH_TEST_FILES_H

// Removes a file or a directory tree (no symlinks are followed into other trees: readdir
// lists the link, remove() deletes the link itself).
void remove_tree(const char *path);

// Writes dir/rel, creating the folders in rel; a failure fails the test.
void put_file(const char *dir, const char *rel, const char *content);

// The whole of dir/rel (up to 64 kB), NUL-terminated; caller frees. Missing: the test fails.
char *slurp_file(const char *dir, const char *rel);

// Asserts that dir/rel exists, has at least min_size bytes and starts with magic.
void assert_file_min(const char *dir, const char *rel, const char *magic, long min_size);

#endif
