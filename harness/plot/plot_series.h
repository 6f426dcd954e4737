// The series of a plot: one per group of runs (every swept key except the seed, as in
// summary.csv), drawn in its encoding's colour (plots/colors.gp) and, when other keys vary
// too (the task, an encoding option), told apart by a dash type per "variant": the values of
// those other keys. Series and variants keep their order of first appearance: the experiment
// file's order, as the summary's groups and the run folders are read in it (runs.csv), so
// legends list the encodings as the file does, the same in every plot.
#ifndef POSBENCH_PLOT_SERIES_H
#define POSBENCH_PLOT_SERIES_H

#include <stddef.h>

enum { PLOT_NAME = 64, PLOT_VARIANT = 256 };

typedef struct {
    char encoding[PLOT_NAME];
    char variant[PLOT_VARIANT];  // other group values joined by ", "; "" when there are none
    int variant_index;           // into plot_series_list.variants
} plot_series;

typedef struct {
    int n, cap;
    plot_series *items;
    int n_variants, variants_cap;
    char (*variants)[PLOT_VARIANT];
} plot_series_list;

// The index of the series (encoding, variant), added if new. -1 when out of memory.
int plot_series_index(plot_series_list *l, const char *encoding, const char *variant);
void plot_series_free(plot_series_list *l);

// Legend entry: "rope", or "rope, probe_where" when several variants exist.
void plot_series_label(const plot_series_list *l, int i, char *buf, size_t len);
// gnuplot dash type: 1 (solid) for the first variant, 2, 3, ... for the next.
int plot_series_dash(const plot_series_list *l, int i);

// The variant of a group: values[j] for every j but skip1 and skip2 (-1: none), joined by ", ".
void plot_variant_join(char *buf, size_t len, char *const *values, int n, int skip1, int skip2);

// What a script needs besides its data file: per index block, its encoding (colour) and dash
// type, as gnuplot word lists.
typedef struct {
    int n;  // index blocks written
    char encodings[4096];
    char dashes[1024];
    char distinct[4096];  // the blocks' encodings as written, each once, in order
} plot_blocks;

// Appends one block's encoding and dash type. Its colour is NAME's for NAME or NAME(K=V;...);
// the second distinct NAME(...) of one NAME is written NAME~1, the third NAME~2, ..., which
// plots/colors.gp draws as shades of NAME's colour, so that an option swept within one
// encoding (rope, rope(base=500), ...) is told apart. 0, or -1 when the lists are full.
int plot_blocks_add(plot_blocks *b, const char *encoding, int dash);

#endif
