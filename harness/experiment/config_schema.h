// The experiment schema: every key of an experiment file, its type, default and range, in one
// table that config_load.c and config_resolve.c read by and config_text.c writes by.
#ifndef POSBENCH_CONFIG_SCHEMA_H
#define POSBENCH_CONFIG_SCHEMA_H

#include <limits.h>

#include "harness/experiment/config.h"

typedef enum {
    T_STRING, T_INT, T_FLOAT, T_SEED, T_NORM, T_WORD,  // scalars
    T_MAPPING, T_OPTIONS, T_SETS, T_SWEEP, T_SELECTION  // structure
} field_type;

typedef struct field {
    const char *path;
    field_type type;
    int required;
    const char *def;        // the default, as text
    double min, max;        // valid range of numbers
    int min_open, max_open; // 1: bound excluded
    size_t offset;          // into run_config (scalars)
    const char *help;
    // 1: left out of the run id while at its default, so a key added later keeps the ids of
    // the runs that do not use it (the canonical text still states it). FIELD_NOT_IN_ID:
    // never in the id, for keys that change how a run is kept, not what it computes.
    // FIELD_OPTIONAL: neither in the id nor in the text while at its default.
    int quiet;
} field;

#define FIELD_NOT_IN_ID 2
// FIELD_OPTIONAL: stated (in the text and the id) only when set, for keys whose default
// defers to another key (init_seed and data_seed to seed) or is what every run did before
// the key existed (model.attention: causal), so earlier runs' config.yaml reads the same.
#define FIELD_OPTIONAL 3

// Bounds of integer fields without a maximum.
#define NOMAX INT_MAX
// Rows of the table (checked against the table where it is defined).
#define N_FIELDS 45
// Options per mapping (task.options, model.encoding_options, a set's options).
#define MAX_OPTIONS 16

extern const field *const config_schema;  // N_FIELDS rows

// The row of a dotted path, or -1.
int field_index(const char *path);
// Strings, numbers, seeds, norms and words are scalars; the rest is structure.
int is_scalar(field_type t);
// A T_WORD key's words, "a|b|c" (stored as the chosen word's index, an int); NULL for other
// keys.
const char *field_choices(const field *f);
// The index of word among choices ("a|b|c"), or -1.
int word_index(const char *choices, const char *word);
// Word i of choices into buf ("" when there is none).
void word_at(const char *choices, int i, char *buf, size_t len);
// The key after the last dot.
const char *last_key(const char *path);
// Whether row i sits directly under prefix ("" = top level).
int is_child(int i, const char *prefix);

#endif
