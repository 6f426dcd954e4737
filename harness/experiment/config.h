// Experiment files (YAML, libyaml's document API): one base configuration plus a sweep whose
// lists are crossed into runs, each run fully resolved, validated and identified by a hash.
//
// The schema and every default live in one table, config_schema.c; `posbench
// config` prints it. Rules a reader of an experiment file should know:
//   - the file without its sweep block must be a valid experiment (the "base");
//   - sweep keys are dotted paths of scalar keys (training.lr, task.options.len_max,
//     model.encoding_options.base, seed, ...); lists are crossed in the order written, the
//     first key varying slowest, and every point is validated on its own;
//   - errors are one line, "FILE:LINE:COLUMN: message", at the node that caused them (for a
//     missing key, at the mapping that lacks it; for a bad swept value, at that value).
//
// Run ids: 16 hex digits of FNV-1a 64 over the canonical YAML of the run (run_config_format)
// without the `experiment` name, so renaming an experiment keeps its ids. Everything else that
// can change a number is in: training.threads too, because a run's weights differ in the last
// bits between thread counts (measured: PoPE and TAPA checkpoints after 30 steps, 1 vs 2
// threads). training.checkpoint_every is not in: it changes how a run is kept, not a number.
// A default changed in config_schema.c changes the ids of runs that rely on it. The books
// corpus enters by its path, not its contents; the build (compiler, flags) does not enter.
#ifndef POSBENCH_CONFIG_H
#define POSBENCH_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/model/model.h"

#define CONFIG_NAME_LEN 128
#define CONFIG_OPTIONS_LEN 512
#define CONFIG_VALUE_LEN 256
#define CONFIG_MAX_SETS 16
#define CONFIG_MAX_SWEEP 16
#define CONFIG_MAX_SWEEP_VALUES 256

// A position in the file, 1-based (0 = none).
typedef struct config_pos {
    int line, col;
} config_pos;

// One evaluation set: a name and the task options it is generated with (the task's options
// merged with the set's overrides, canonical "key=value,...").
typedef struct eval_set {
    char name[64];
    char options[CONFIG_OPTIONS_LEN];
} eval_set;

// One swept key and the value a run gives it, as written in the file.
typedef struct sweep_assign {
    char key[CONFIG_NAME_LEN];
    char value[CONFIG_VALUE_LEN];
} sweep_assign;

// One fully resolved, validated run. Option strings are canonical, ready for task_configure /
// pe_configure (for the books task: "corpus=PATH,seq_len=L,eval_mult=1;2;4").
typedef struct run_config {
    char experiment[CONFIG_NAME_LEN];
    char task[64];
    char task_options[CONFIG_OPTIONS_LEN];

    int d_model, layers, heads;
    norm_kind norm;
    int bidirectional;  // model.attention: 0 causal, 1 bidirectional
    int randomized_positions, max_position;  // model.positions (0 sequential, 1 randomized)
    double dropout;  // model.dropout, in training only
    // Accuracy against length (evaluation.length_*; run_lengths.h): 0 = off.
    int length_max, length_stride, length_examples;
    double init_std;  // std of the weight matrices at init (residual projections scaled)
    char encoding[CONFIG_VALUE_LEN];  // NAME, or NAME(K=V,...) until resolved
    char encoding_options[CONFIG_OPTIONS_LEN];

    int steps, batch, warmup, threads;
    double lr, lr_min, beta1, beta2, weight_decay, clip;
    int train_examples;  // 0: fresh sequences every step; N: a fixed pool of N
    // Early stop: once the first evaluation set's accuracy is >= stop_accuracy in
    // stop_patience periodic evaluations in a row (stop_accuracy 0: never). The first set is
    // the task as trained; sets beyond it (longer strings) are measured, not targets.
    double stop_accuracy;
    int stop_patience;
    // Steps between resume points (0: none): a run killed or stopped resumes from the last
    // one with the numbers of an uninterrupted run. Not part of the run id.
    int checkpoint_every;
    // Fine-tuning: the weights to start from instead of an initialisation, "" for none: the
    // id of a finished run of this experiment (its final.ckpt) or a checkpoint path
    // (run_init_from_path). The model must have the source's shape and encoding; the
    // encoding's options may differ (e.g. RoPE's scaling). AdamW starts afresh.
    char init_from[CONFIG_VALUE_LEN];

    int eval_examples, eval_every;  // eval_every 0: only at the end
    // Books: also score every set longer than the training windows with windows of the
    // training length sliding by this many tokens (each token with up to L of context;
    // *_sliding rows); 0: not.
    int eval_sliding_stride;
    int n_sets;
    eval_set sets[CONFIG_MAX_SETS];

    uint64_t seed;
    // -1: seed. Otherwise the model's initialisation (init_seed) or the training data stream
    // (data_seed) draws from this seed instead (run_init_seed, run_data_seed).
    int init_seed, data_seed;

    // The sweep point of this run (not part of the canonical text or the id).
    int n_swept;
    sweep_assign swept[CONFIG_MAX_SWEEP];
} run_config;

// One sweep key: its dotted path and the values listed, as written, with their positions.
typedef struct sweep_key {
    char path[CONFIG_NAME_LEN];
    config_pos pos;
    int n_values;
    char (*values)[CONFIG_VALUE_LEN];  // n_values, owned
    config_pos *value_pos;             // n_values, owned
} sweep_key;

// A selection stage (the experiment file's `selection` block): before the seeds run, the
// value of one numeric key (grid.path, e.g. training.lr) is chosen per group of the sweep
// from grid.values, on the seeds seeds.values, by the final `metric` on evaluation set `set`
// (the first set when ""): the highest mean for accuracies, the lowest otherwise
// (harness/experiment/selection.h).
typedef struct selection_spec {
    int on;
    config_pos pos;
    sweep_key grid, seeds;  // owned arrays
    char set[64], metric[64];
} selection_spec;

struct config_raw;

// A loaded experiment file. Created by experiment_load, freed by experiment_free.
typedef struct experiment {
    char file[1024];
    run_config base;  // the file without its sweep, resolved
    int n_sweep;
    sweep_key sweep[CONFIG_MAX_SWEEP];
    selection_spec selection;
    struct config_raw *raw;  // owned: the values as written, for expansion
} experiment;

// Reads and validates path. 0, or -1 with "FILE:L:C: message" in err (nothing to free).
int experiment_load(const char *path, experiment *out, char *err, size_t errlen);
void experiment_free(experiment *e);

// Every point of the sweep, resolved and validated, in sweep order (one run when there is no
// sweep). *runs is malloc'd (free it with free). 0, or -1 with "FILE:L:C: message".
int experiment_expand(const experiment *e, run_config **runs, size_t *n, char *err,
                      size_t errlen);

// With a selection block: the selection runs, every group of the sweep (its points without
// their seeds) x the candidate values x the selection seeds, in the experiment
// "<experiment>.selection" (results/<experiment>.selection/).
int experiment_expand_selection(const experiment *e, run_config **runs, size_t *n, char *err,
                                size_t errlen);
// The sweep's points as experiment_expand gives them, point i with the selected key set to
// chosen[i] (and that key among its swept values, so its point.csv and the summary show it).
int experiment_expand_selected(const experiment *e, char (*chosen)[CONFIG_VALUE_LEN],
                               run_config **runs, size_t *n, char *err, size_t errlen);

// The run as YAML, keys sorted within each mapping; experiment_load reads it back to the
// same run. Evaluation sets list only the options where they differ from the task's.
void run_config_format(const run_config *r, FILE *out);
// The run id (see the header comment): 16 lowercase hex digits and a NUL.
void run_config_id(const run_config *r, char id[17]);
// "key=value key=value" of the swept keys (empty without a sweep).
void run_config_sweep_text(const run_config *r, char *buf, size_t len);

// The seed of the model's initialisation and of the training data stream: init_seed and
// data_seed when set, else seed.
uint64_t run_init_seed(const run_config *r);
uint64_t run_data_seed(const run_config *r);

// The schema: every key, its type, default and valid range, as a Markdown table.
void config_print_schema(FILE *out);

// A numeric key's default (e.g. "training.lr" -> 0.001): so that `posbench train` starts
// from the experiment defaults. A path that is not a numeric key is a caller's bug.
double config_default_number(const char *path);
// text as a value of the numeric key path, checked against the key's type and range as an
// experiment file's value is: 0 with *value, or -1 with "path: message" in msg.
int config_parse_number(const char *path, const char *text, double *value, char *msg,
                        size_t len);

#endif
