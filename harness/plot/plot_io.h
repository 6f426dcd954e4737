// Small file helpers of `posbench plot`: the data files it writes for gnuplot (atomically, so
// a failed run never leaves half a file for the next), CSV lines split into fields, and the
// word lists and quoted strings handed to gnuplot.
#ifndef POSBENCH_PLOT_IO_H
#define POSBENCH_PLOT_IO_H

#include <stdio.h>

#include "harness/base/atomic_file.h"
#include "harness/base/csv.h"

// Data files are atomic_files (atomic_file_open). This ends one: committed when ok != 0,
// removed when ok == 0 (then it returns 0). 0, or -1 when a write failed.
int plot_out_close(atomic_file *o, int ok, char *err, size_t errlen);

// Writes the header line of one index block of a gnuplot data file: the legend entry, double
// quoted (its double quotes become single ones), then the column names as a comment for the
// reader. Blocks after the first are preceded by the two blank lines gnuplot's `index` needs.
void plot_block_header(FILE *f, int block, const char *label, const char *columns);

// A whole field as a number (strtod: "nan" and "inf" too). 0, or -1 when it is not one.
int plot_number(const char *text, double *x);

// Appends word to a space-separated list for gnuplot's word() (which knows no quoting), its
// spaces made underscores. 0, or -1 when buf is too small.
int plot_words_add(char *buf, size_t len, const char *word);


#endif
