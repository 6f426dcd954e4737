// Names a user may mistype (encodings, tasks, keys, options): edit distance, the closest
// known name, and the one message for an unknown one.
#ifndef POSBENCH_NAMES_H
#define POSBENCH_NAMES_H
#include <stddef.h>

// Levenshtein distance; 1000 for names longer than 63 characters.
int edit_distance(const char *a, const char *b);
// The closest of n names within edit distance 2, or NULL.
const char *closest_name(const char *name, const char *const *names, int n);
// "unknown KIND 'NAME' (did you mean 'X'?)" for the closest of names within edit distance 2,
// else "unknown KIND 'NAME' (known: a, b, c)". Returns -1.
int unknown_name(const char *kind, const char *name, const char *const *names, int n,
                 char *err, size_t errlen);

#endif
