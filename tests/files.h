// File helpers shared by the test suites.
#ifndef POSBENCH_TEST_FILES_H
#define POSBENCH_TEST_FILES_H

// Removes a file or a directory tree (no symlinks are followed into other trees: readdir
// lists the link, remove() deletes the link itself).
void remove_tree(const char *path);

// Writes dir/rel, creating the folders in rel; a failure fails the test.
void put_file(const char *dir, const char *rel, const char *content);

// A finished run dir/exp/runs/<id>, as the plot tests build them: point.csv (its header,
// then point_rows such as "model.encoding,rope\nseed,1\n"), the file `name` with content,
// status when given (NULL: none, which reads as done), and the done marker.
void put_finished_run(const char *dir, const char *id, const char *point_rows, const char *name,
                      const char *content, const char *status);

// The whole of dir/rel (up to 64 kB), NUL-terminated; caller frees. Missing: the test fails.
char *slurp_file(const char *dir, const char *rel);

// Runs `posbench plot dir/exp` and asserts that it exited 0, printed "wrote dir/exp/NAME.png
// and dir/exp/NAME.svg" and wrote both files. gnuplot's warnings fail the command.
void assert_plot_renders(const char *dir, const char *name);

// Asserts that dir/rel exists, has at least min_size bytes and starts with magic.
void assert_file_min(const char *dir, const char *rel, const char *magic, long min_size);

#endif
