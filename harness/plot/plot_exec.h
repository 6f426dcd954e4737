// Running gnuplot for `posbench plot`: finding the executable on PATH and the scripts'
// folder, and running one script with -e variables. gnuplot reports bad data as warnings on
// stderr and still exits 0, so anything it prints there counts as a failure.
#ifndef POSBENCH_PLOT_EXEC_H
#define POSBENCH_PLOT_EXEC_H

#include <stddef.h>

// One -e variable: a string, passed single-quoted, or a number (text holds its digits).
typedef struct {
    const char *name, *value;
    int number;
} plot_var;

// The full path of gnuplot found on PATH. 0, or -1 when there is none.
int plot_find_gnuplot(char *path, size_t len);

// The folder holding the gnuplot scripts (it has colors.gp): dir when given, else plots/
// next to the running executable or one or two folders above it (so build/test binaries
// find the source tree's), else ../share/posbench/plots beside it (an install, wherever it
// was moved), else the installed POSBENCH_PLOTS_DIR. 0, or -1 with a message.
int plot_find_scripts(const char *dir, char *out, size_t len, char *err, size_t errlen);

// Runs `gnuplot -e "VARS" SCRIPT`. 0 when it exited 0 with an empty stderr; otherwise -1
// with its stderr (or exit status) in err.
int plot_run_script(const char *gnuplot, const char *script, const plot_var *vars, int n_vars,
                    char *err, size_t errlen);

#endif
