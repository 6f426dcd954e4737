// The values of an experiment file as written, with their positions: what config_load.c
// reads from YAML and config_resolve.c turns into run configs. Private to these two files.
#ifndef POSBENCH_CONFIG_RAW_H
#define POSBENCH_CONFIG_RAW_H

#include <stdint.h>

#include "harness/experiment/config.h"
#include "harness/experiment/config_schema.h"

typedef struct raw_value {
    char text[CONFIG_VALUE_LEN];
    config_pos pos;
    int set;      // given in the file (or swept in)
    int swept;    // from the sweep: blamed first when a combination is invalid
    int is_list;  // a list of scalars, joined by ';' (books' eval_mult)
} raw_value;

typedef struct raw_option {
    char key[64];
    raw_value v;
} raw_option;

typedef struct raw_options {
    int n;
    raw_option item[MAX_OPTIONS];
    config_pos pos;  // of the mapping, line 0 when absent
} raw_options;

typedef struct raw_set {
    char name[64];
    config_pos pos;
    raw_options options;
} raw_set;

struct config_raw {
    raw_value scalar[N_FIELDS];  // by schema row
    config_pos map_pos[N_FIELDS];
    raw_options task_options, encoding_options;
    int n_sets;
    raw_set sets[CONFIG_MAX_SETS];
};

// "FILE:LINE:COLUMN: message" into err (line 0: 1:1); returns -1.
int config_fail_at(const char *file, config_pos p, char *err, size_t errlen, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));

// Parses text as a scalar of f's type into *num (numbers) and, when ranges, checks its range:
// 0, or -1 with "path: message" in msg. Loading checks types only: a range may depend on
// other keys, and a swept value is checked when its point is resolved.
int config_check_scalar(const field *f, const char *text, double *num, uint64_t *u64, int ranges,
                        char *msg, size_t len);

// The dotted prefixes of swept task and encoding options.
extern const char *const CONFIG_OPTION_PREFIX[2];

// One sweep point's values replacing the file's: a dotted path and its text.
typedef struct override {
    const char *path, *text;
    config_pos pos;
} override;

// The file's values with the overrides applied, checked and resolved into *r: 0, or -1 with
// "FILE:L:C: message" in err. experiment_load resolves the base (no overrides).
int config_resolve(const experiment *e, const override *ov, int n_ov, run_config *r, char *err,
                   size_t errlen);

#endif
