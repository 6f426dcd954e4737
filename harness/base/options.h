// Named numeric options ("key=value,key=value") shared by encodings and tasks: parsing with
// one-line errors and "did you mean" suggestions, canonical formatting, lookup by name.
#ifndef POSBENCH_OPTIONS_H
#define POSBENCH_OPTIONS_H

#include <stddef.h>

// A numeric option with its default and valid range. An option with `choices` ("a|b|c") is
// an enumeration: its value is the index of the chosen word.
typedef struct option_spec {
    const char *name;
    double default_value;
    double min, max;
    const char *choices;
    const char *help;
} option_spec;

// Fills values[0..n) with the defaults, then applies "key=value,..." (NULL or "" for none).
// Errors start with `owner` (e.g. "encoding 'rope'"): unknown key (with a suggestion), value
// missing, not a number, out of range, not one of the choices, key given twice.
int options_parse(const char *owner, const option_spec *specs, int n, const char *text,
                  double *values, char *err, size_t errlen);
// Canonical "key=value,..." of every option (choices as words, numbers that read back exactly).
void options_format(const option_spec *specs, int n, const double *values, char *buf,
                    size_t len);
// The same, except that options from index first_quiet on are written only when they differ
// from their default (0 or >= n: all written): options added to an existing encoding or task
// then leave the canonical text, and so the run ids, of earlier configs unchanged.
void options_format_quiet(const option_spec *specs, int n, int first_quiet,
                          const double *values, char *buf, size_t len);
// The default of spec as text ("10000", "uniform").
void options_default_text(const option_spec *spec, char *buf, size_t len);
// Index of name in specs, or -1.
int options_find(const option_spec *specs, int n, const char *name);

// "key=value,..." of base's items whose key over does not set, then over's items (over wins).
// Values are not checked (options_parse does that). 0, or -1 when out is too small or an
// item lacks '='.
int options_merge(const char *base, const char *over, char *out, size_t len);


#endif
