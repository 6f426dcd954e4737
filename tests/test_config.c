// Tests of experiment files (harness/experiment/config_load.c, config_resolve.c): every error
// class with its exact message and position, defaults, the canonical text round-tripping to
// the same id, sweep expansion (counts, order, swept values), ids (stable, independent of key
// order, sensitive to every value but the experiment name), the shipped experiments/ files and
// `posbench config`.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "harness/cli/cli_config.h"
#include "harness/experiment/config.h"
#include "suites.h"
#include "tasks/task.h"

// Writes text to /tmp/posbench_config_<pid>_<name>.yaml and returns the path (static buffer,
// one of four in rotation).
static const char *write_yaml(const char *name, const char *text) {
    static char buf[4][256];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 256, "/tmp/posbench_config_%d_%s.yaml", (int)getpid(), name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    return p;
}

static experiment load_ok(const char *path) {
    experiment e;
    char err[1024];
    ck_assert_msg(experiment_load(path, &e, err, sizeof err) == 0, "%s", err);
    return e;
}

static run_config *expand_ok(const experiment *e, size_t *n) {
    run_config *runs;
    char err[1024];
    ck_assert_msg(experiment_expand(e, &runs, n, err, sizeof err) == 0, "%s", err);
    return runs;
}

// ---- every error class, exact message and position ---------------------------------------

#define II "experiment: a\ntask: {name: indirect_indexing}\n"

static const struct error_case {
    const char *yaml, *expected;  // expected: after "FILE:"
} error_cases[] = {
    {"experiment: a\ntask: {name: x\n",
     "3:1: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping)"},
    {"experiment: a\n  task: b\n",
     "2:7: YAML syntax error: mapping values are not allowed in this context"},
    {"experiment: a\ntask:\n\tname: x\n", "3:1: tab character (indent with spaces)"},
    {"", "1:1: empty file (expected a mapping)"},
    {II "---\nexperiment: b\n", "4:1: more than one YAML document (an experiment file holds one)"},
    {"- a\n- b\n", "1:1: experiment file: expected a mapping, got a list"},
    {II "experiment: b\n", "3:1: duplicate key 'experiment' (first at 1:1)"},
    {II "training:\n  steps: 3\n  steps: 4\n", "5:3: duplicate key 'steps' (first at 4:3)"},
    {II "training:\n  stpes: 3\n", "4:3: training: unknown key 'stpes' (did you mean 'steps'?)"},
    {II "zzz: 1\n",
     "3:1: unknown key 'zzz' (known: experiment, task, model, training, evaluation, seed, init_seed, data_seed, selection, sweep)"},
    {II "evaluation:\n  sets:\n    - {name: x, option: {}}\n",
     "5:17: unknown key 'option' (did you mean 'options'?)"},
    {II "training:\n  steps: abc\n", "4:10: training.steps: expected an integer, got 'abc'"},
    {II "training:\n  steps: 1.5\n", "4:10: training.steps: expected an integer, got '1.5'"},
    {II "training:\n  lr: fast\n", "4:7: training.lr: expected a number, got 'fast'"},
    {II "seed: -1\n", "3:7: seed: expected a non-negative integer, got '-1'"},
    {II "model: {norm: batch}\n", "3:15: model.norm: expected rms or layer, got 'batch'"},
    {II "model: {attention: both}\n",
     "3:20: model.attention: expected causal or bidirectional, got 'both'"},
    {II "training: {steps: [1, 2]}\n", "3:19: training.steps: expected a scalar, got a list"},
    {"experiment: a\ntask: indirect_indexing\n", "2:7: task: expected a mapping, got a scalar"},
    {II "evaluation: {sets: {name: x}}\n", "3:20: evaluation.sets: expected a list, got a mapping"},
    {II "evaluation: {sets: []}\n", "3:20: evaluation.sets: empty list (give at least one set)"},
    {II "evaluation:\n  sets:\n    - {options: {}}\n",
     "5:7: missing required key 'name' in evaluation set"},
    {II "evaluation:\n  sets:\n    - {name: x}\n    - {name: x}\n",
     "6:7: duplicate evaluation set 'x' (first at 5:7)"},
    {"experiment: a/b\ntask: {name: indirect_indexing}\n",
     "1:13: experiment: expected a name (letters, digits, '_', '-', '.'; at most 127), got 'a/b'"},
    {II "training: {steps: 0}\n", "3:19: training.steps: must be >= 1, got 0"},
    {II "training: {batch: -3}\n", "3:19: training.batch: must be >= 1, got -3"},
    {II "training: {lr: 0}\n", "3:16: training.lr: must be > 0, got 0"},
    {II "training: {beta1: 1}\n", "3:19: training.beta1: must be in [0, 1), got 1"},
    {II "training: {threads: 2000}\n", "3:21: training.threads: must be in [1, 1024], got 2000"},
    {II "training: {lr: 0.001, lr_min: 0.01}\n",
     "3:31: training.lr_min: 0.01 is greater than training.lr = 0.001"},
    {II "model: {d_model: 100}\n", "3:18: model.d_model: 100 is not divisible by model.heads = 8"},
    {II "training: {stop_accuracy: 1.5}\n",
     "3:27: training.stop_accuracy: must be in [0, 1], got 1.5"},
    {II "training: {stop_patience: 0}\n", "3:27: training.stop_patience: must be >= 1, got 0"},
    {II "training: {stop_accuracy: 0.99}\nevaluation: {every: 0}\n",
     "3:27: training.stop_accuracy: 0.99 needs periodic evaluations (evaluation.every > 0)"},
    {"experiment: a\ntask: {name: books}\ntraining: {stop_accuracy: 0.5}\n",
     "3:27: training.stop_accuracy: books runs train for every step (their last evaluation "
     "measures loss per position)"},
    {II "model: {d_model: 128, heads: 6}\n",
     "3:30: model.d_model: 128 is not divisible by model.heads = 6"},
    {II "training: {steps: 99999999999}\n", "3:19: training.steps: 99999999999 is too large"},
    {"task: {name: indirect_indexing}\n", "1:1: missing required key 'experiment'"},
    {"experiment: a\n", "1:1: missing required key 'task'"},
    {"experiment: a\ntask:\n  options: {}\n", "3:3: missing required key 'name' in task"},
    {"experiment: a\ntask: {name: indirect_indexin}\n",
     "2:14: unknown task 'indirect_indexin' (did you mean 'indirect_indexing'?)"},
    {II "model: {encoding: ropee}\n", "3:19: unknown encoding 'ropee' (did you mean 'rope'?)"},
    {"experiment: a\ntask: {name: indirect_indexing, options: {len_min: 0}}\n",
     "2:52: task 'indirect_indexing': option 'len_min' = 0 out of range [1, 100000]"},
    {"experiment: a\ntask: {name: indirect_indexing, options: {len_mn: 3}}\n",
     "2:51: task 'indirect_indexing': unknown option 'len_mn' (did you mean 'len_min'?)"},
    {"experiment: a\ntask: {name: indirect_indexing, options: {sampling: both}}\n",
     "2:53: task 'indirect_indexing': option 'sampling' must be one of pairs|shift, got 'both'"},
    {"experiment: a\ntask: {name: indirect_indexing, options: {len_min: 30, len_max: 25}}\n",
     "2:42: task 'indirect_indexing': len_min = 30 > len_max = 25"},
    {"experiment: a\ntask: {name: indirect_indexing, options: {len_min: [1, 2]}}\n",
     "2:52: task 'indirect_indexing': option 'len_min' needs a single value, got a list"},
    {"experiment: a\ntask: {name: indirect_indexing, options: {len_min: 'a,b'}}\n",
     "2:52: task.options.len_min: value may not contain ',', '=' or ';'"},
    {II "evaluation:\n  sets:\n    - {name: long, options: {len_max: 99}}\n",
     "5:29: task 'indirect_indexing': len_max = 99 > alphabet = 52 (the letters of a string are "
     "distinct)"},
    {II "model: {encoding: rope, encoding_options: {base: -1}}\n",
     "3:50: encoding 'rope': option 'base' = -1 out of range [1, 1e9]"},
    {II "model: {encoding: nope, encoding_options: {base: 10}}\n",
     "3:50: encoding 'nope': unknown option 'base' (it takes no options)"},
    {II "model: {d_model: 24, heads: 8}\n",
     "3:18: encoding 'rope': head_dim 3 not supported (rotary embedding, pairs rotated by "
     "pos*base^(-2i/D); head_dim must be even)"},
    {"experiment: a\ntask: {name: books, options: {seq_len: 0}}\n",
     "2:40: task 'books': option 'seq_len' needs a positive integer, got '0'"},
    {"experiment: a\ntask: {name: books, options: {eval_mult: [4, 2]}}\n",
     "2:42: task 'books': evaluation multipliers must be increasing, got 2 after 4"},
    {"experiment: a\ntask: {name: books, options: {corpse: x}}\n",
     "2:39: task 'books': unknown option 'corpse' (did you mean 'corpus'?)"},
    {"experiment: a\ntask: {name: indirect_indexing, options: {len_min: 3, len_min: 4}}\n",
     "2:55: duplicate key 'len_min' (first at 2:43)"},
    {II "sweep:\n  seed: [1]\n  seed: [2]\n", "5:3: duplicate key 'seed' (first at 4:3)"},
    {II "sweep:\n  seed: []\n", "4:9: sweep 'seed': empty list"},
    {II "sweep:\n  seed: 3\n", "4:9: sweep 'seed': expected a list, got a scalar"},
    {II "sweep: [seed]\n", "3:8: sweep: expected a mapping, got a list"},
    {II "sweep:\n  model.encodng: [rope]\n",
     "4:3: sweep: unknown key 'model.encodng' (did you mean 'model.encoding'?)"},
    {II "sweep:\n  evaluation.sets: [1]\n",
     "4:3: sweep: 'evaluation.sets' is not a scalar key that can be swept"},
    {II "sweep:\n  experiment: [a, b]\n",
     "4:3: sweep: 'experiment' is not a scalar key that can be swept"},
    {II "sweep:\n  training.steps: [10, x]\n",
     "4:24: training.steps: expected an integer, got 'x'"},
    {II "sweep:\n  training.steps: [10, [1]]\n",
     "4:24: training.steps: expected a scalar, got a list"},
    // Values valid in type but not in range are found when the point is resolved.
    {II "sweep:\n  training.steps: [10, 0]\n", "4:24: training.steps: must be >= 1, got 0"},
    {II "sweep:\n  task.options.len_max: [30, 10]\n",
     "4:30: task 'indirect_indexing': len_min = 20 > len_max = 10"},
    {II "sweep:\n  model.heads: [8, 7]\n",
     "4:20: model.d_model: 128 is not divisible by model.heads = 7"},
    {II "sweep:\n  model.encoding: [rope, rpoe]\n",
     "4:26: unknown encoding 'rpoe' (did you mean 'rope'?)"},
    {II "sweep:\n  model.encoding: [rope, 'pope(delta_int=zero)']\n",
     "4:26: encoding 'pope': unknown option 'delta_int' (did you mean 'delta_init'?)"},
    {II "sweep:\n  model.encoding: [rope, 'pope(delta_init=zero']\n",
     "4:26: model.encoding: expected NAME or NAME(KEY=VALUE;...), got 'pope(delta_init=zero'"},
    {II "sweep:\n  model.encoding: [rope, 'pope(delta_init=zero,base=5)']\n",
     "4:26: model.encoding: expected NAME or NAME(KEY=VALUE;...), got "
     "'pope(delta_init=zero,base=5)'"},
    {II "sweep:\n  model.encoding: [rope, 'pope(delta_init)']\n",
     "4:26: model.encoding: expected NAME(KEY=VALUE;...), got 'pope(delta_init)'"},
    {II "sweep:\n  model.encoding: [rope, 'ppoe(delta_init=zero)']\n",
     "4:26: unknown encoding 'ppoe' (did you mean 'pope'?)"},
    {II "sweep:\n  task.name: [probe_what, probe_wher]\n",
     "4:27: unknown task 'probe_wher' (did you mean 'probe_where'?)"},
    {II "sweep:\n  model.encoding_options.base: [100, 0]\n",
     "4:38: encoding 'rope': option 'base' = 0 out of range [1, 1e9]"},
    {II "sweep:\n  model.encoding: [rope, 'rope(positions=random)']\n",
     "4:26: model.encoding: positions=random: expected sequential or randomized"},
    {II "sweep:\n  model.encoding: [rope, 'rope(max_position=0)']\n",
     "4:26: model.encoding: max_position=0: expected an integer >= 1"},
#define SEL "selection:\n  key: training.lr\n  values: [1.0e-3, 1.0e-2]\n  seeds: [7]\n"
    {II "selection: [training.lr]\n", "3:12: selection: expected a mapping, got a list"},
    {II "selection:\n  key: model.encoding\n",
     "4:8: selection.key: 'model.encoding' is not a numeric key that can be swept (e.g. "
     "training.lr)"},
    {II "selection:\n  key: training.lrr\n",
     "4:8: selection.key: 'training.lrr' is not a numeric key that can be swept (e.g. "
     "training.lr)"},
    {II "selection:\n  values: [1]\n  key: training.lr\n", "4:3: selection: give key before values"},
    {II "selection:\n  key: training.lr\n  values: [1.0e-3, fast]\n",
     "5:20: training.lr: expected a number, got 'fast'"},
    {II "selection:\n  key: training.lr\n  values: []\n", "5:11: selection 'training.lr': empty list"},
    {II "selection:\n  key: training.lr\n  values: [1.0e-3]\n",
     "4:3: selection: needs key, values and seeds (set and metric are optional)"},
    {II SEL "  metrc: loss\n", "7:3: selection: unknown key 'metrc' (did you mean 'metric'?)"},
    {II SEL "sweep:\n  training.lr: [1.0e-3]\n",
     "4:3: selection: training.lr is also swept; a selected key is not"},
    {II SEL "  set: vaild\n",
     "4:3: selection.set: 'vaild' is not an evaluation set (sets: train_length)"},
    {II SEL "  metric: perplexity\n",
     "4:3: selection.metric: 'perplexity' is for books runs; a task's runs report loss and "
     "accuracy"},
    {II SEL "  metric: acc\n",
     "4:3: selection.metric: unknown metric 'acc' (loss, accuracy; books runs also perplexity, "
     "bits_per_byte and their _beyond and _sliding forms)"},
#undef SEL
};

START_TEST(test_error_message) {
    const struct error_case *c = &error_cases[_i];
    char name[32];
    snprintf(name, sizeof name, "err%d", _i);
    const char *path = write_yaml(name, c->yaml);
    char err[1024], expected[1024];
    snprintf(expected, sizeof expected, "%s:%s", path, c->expected);
    experiment e;
    int rc = experiment_load(path, &e, err, sizeof err);
    if (rc == 0) {  // some errors only show when the sweep is expanded
        run_config *runs = NULL;
        size_t n = 0;
        rc = experiment_expand(&e, &runs, &n, err, sizeof err);
        free(runs);
        experiment_free(&e);
    }
    unlink(path);
    ck_assert_int_eq(rc, -1);
    ck_assert_str_eq(err, expected);
}
END_TEST

START_TEST(test_missing_file) {
    experiment e;
    char err[512];
    ck_assert_int_eq(experiment_load("/nonexistent/x.yaml", &e, err, sizeof err), -1);
    ck_assert_str_eq(err, "/nonexistent/x.yaml: cannot open: No such file or directory");
}
END_TEST

// ---- defaults and the canonical text -------------------------------------------------------

START_TEST(test_defaults) {
    const char *path = write_yaml("defaults", II);
    experiment e = load_ok(path);
    const run_config *r = &e.base;
    ck_assert_str_eq(r->experiment, "a");
    ck_assert_str_eq(r->task, "indirect_indexing");
    task t;
    char err[256], canon[CONFIG_OPTIONS_LEN];
    ck_assert_int_eq(task_configure(&t, "indirect_indexing", NULL, err, sizeof err), 0);
    task_format_options(&t, canon, sizeof canon);
    ck_assert_str_eq(r->task_options, canon);
    ck_assert_int_eq(r->d_model, 128);
    ck_assert_int_eq(r->layers, 4);
    ck_assert_int_eq(r->heads, 8);
    ck_assert_int_eq(r->norm, NORM_RMS);
    ck_assert_str_eq(r->encoding, "rope");
    ck_assert_str_eq(r->encoding_options, "base=10000");
    ck_assert_int_eq(r->steps, 3000);
    ck_assert_int_eq(r->batch, 64);
    ck_assert(r->lr == 1e-3 && r->lr_min == 1e-4);
    ck_assert_int_eq(r->warmup, 100);
    ck_assert(r->beta1 == 0.9 && r->beta2 == 0.99 && r->weight_decay == 0.01 && r->clip == 1.0);
    ck_assert_int_eq(r->threads, 1);
    ck_assert_int_eq(r->train_examples, 0);
    ck_assert_int_eq(r->eval_examples, 2000);
    ck_assert_int_eq(r->eval_every, 500);
    ck_assert_int_eq(r->n_sets, 1);
    ck_assert_str_eq(r->sets[0].name, "train_length");
    ck_assert_str_eq(r->sets[0].options, canon);
    ck_assert_uint_eq(r->seed, 1);
    ck_assert_int_eq(r->n_swept, 0);
    experiment_free(&e);

    // books: its own defaults, canonical with ';' lists
    unlink(path);
    path = write_yaml("books", "experiment: b\ntask: {name: books}\n");
    e = load_ok(path);
    ck_assert_str_eq(e.base.task_options,
                     "corpus=build/corpora/kjv,seq_len=128,eval_mult=1;2;4;8;10");
    experiment_free(&e);
    unlink(path);
}
END_TEST

// Evaluation sets merge their overrides into the task's options.
START_TEST(test_eval_sets_merge) {
    const char *path = write_yaml(
        "sets",
        "experiment: a\ntask: {name: indirect_indexing, options: {len_min: 10, len_max: 30}}\n"
        "evaluation:\n  sets:\n    - {name: same}\n"
        "    - {name: long, options: {len_max: 80, distinct: 0}}\n");
    experiment e = load_ok(path);
    ck_assert_int_eq(e.base.n_sets, 2);
    ck_assert_str_eq(e.base.sets[0].options, e.base.task_options);
    ck_assert_ptr_nonnull(strstr(e.base.sets[1].options, "len_min=10,len_max=80"));
    ck_assert_ptr_nonnull(strstr(e.base.sets[1].options, "distinct=0"));
    ck_assert_ptr_nonnull(strstr(e.base.task_options, "distinct=1"));
    experiment_free(&e);
    unlink(path);
}
END_TEST

static char *format_text(const run_config *r) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    run_config_format(r, f);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

// Formats every run, reloads the text and checks that it is the same config (same text,
// same id, and the same struct field by field through the text).
static void check_round_trip(const char *file) {
    experiment e = load_ok(file);
    size_t n;
    run_config *runs = expand_ok(&e, &n);
    for (size_t i = 0; i < n; i++) {
        char *text = format_text(&runs[i]);
        const char *path = write_yaml("roundtrip", text);
        experiment back = load_ok(path);
        char *again = format_text(&back.base);
        ck_assert_str_eq(again, text);
        char id1[17], id2[17];
        run_config_id(&runs[i], id1);
        run_config_id(&back.base, id2);
        ck_assert_str_eq(id1, id2);
        ck_assert_str_eq(back.base.task_options, runs[i].task_options);
        ck_assert_str_eq(back.base.encoding_options, runs[i].encoding_options);
        ck_assert_int_eq(back.base.n_sets, runs[i].n_sets);
        for (int s = 0; s < runs[i].n_sets; s++)
            ck_assert_str_eq(back.base.sets[s].options, runs[i].sets[s].options);
        ck_assert(back.base.lr == runs[i].lr && back.base.seed == runs[i].seed);
        free(again);
        free(text);
        experiment_free(&back);
        unlink(path);
    }
    free(runs);
    experiment_free(&e);
}

START_TEST(test_round_trip) {
    check_round_trip("experiments/indirect_indexing.yaml");
    check_round_trip("experiments/indirect_indexing_unseen.yaml");
    check_round_trip("experiments/probes.yaml");
    check_round_trip("experiments/extrapolation.yaml");
    check_round_trip("experiments/indirect_indexing_paper.yaml");
    check_round_trip("experiments/probes_all_encodings.yaml");
    check_round_trip("experiments/indirect_indexing_lr.yaml");
    check_round_trip("experiments/length_generalization.yaml");
    check_round_trip("experiments/length_generalization_full.yaml");
    check_round_trip("experiments/length_generalization_low_lr.yaml");
    check_round_trip("experiments/length_generalization_causal.yaml");
    // A set that puts a quiet option (tasks/task.h) back to its default: queries 8 in
    // training, 1 in the test set; the text must say 1, or it reloads as 8.
    check_round_trip("experiments/indirect_indexing_q8.yaml");
    // Awkward values: a quoted corpus path, exact floats, layer norm, PoPE options.
    const char *path = write_yaml(
        "awkward", "experiment: x.1\ntask: {name: books, options: {corpus: \"my books/pg 19\", "
                   "seq_len: 64, eval_mult: [1, 3]}}\nmodel: {norm: layer, encoding: pope, "
                   "encoding_options: {delta_clamp: project, base: 123.456}}\n"
                   "training: {lr: 0.1, lr_min: 3.0000000000000004e-05, clip: 0}\n"
                   "seed: 18446744073709551615\n");
    check_round_trip(path);
    unlink(path);
}
END_TEST

START_TEST(test_format_sorted) {
    const char *path = write_yaml("sorted", II "model: {encoding: nope}\n");
    experiment e = load_ok(path);
    char *text = format_text(&e.base);
    const char *expected =
        "evaluation:\n  every: 500\n  examples: 2000\n  sets:\n    - name: train_length\n"
        "      options: {}\nexperiment: a\nmodel:\n  d_model: 128\n  encoding: nope\n"
        "  encoding_options: {}\n  heads: 8\n  init_std: 0.02\n  layers: 4\n  norm: rms\nseed: 1\n"
        "task:\n"
        "  name: indirect_indexing\n  options: {allow_zero: 1, alphabet: 52, distinct: 1, "
        "len_max: 40, len_min: 20, sampling: pairs, shift_max: 15}\ntraining:\n  batch: 64\n"
        "  beta1: 0.9\n  beta2: 0.99\n  clip: 1\n  lr: 0.001\n  lr_min: 0.0001\n  steps: 3000\n"
        "  stop_accuracy: 0\n  stop_patience: 2\n  threads: 1\n  train_examples: 0\n"
        "  warmup: 100\n  weight_decay: 0.01\n";
    ck_assert_str_eq(text, expected);
    free(text);
    experiment_free(&e);
    unlink(path);
}
END_TEST

// ---- sweeps and ids ------------------------------------------------------------------------

START_TEST(test_sweep_order) {
    const char *path = write_yaml("sweep", II "sweep:\n  model.encoding: [rope, pope, tapa, nope]\n"
                                              "  seed: [1, 2, 3]\n");
    experiment e = load_ok(path);
    ck_assert_int_eq(e.n_sweep, 2);
    size_t n;
    run_config *runs = expand_ok(&e, &n);
    ck_assert_uint_eq(n, 12);
    static const char *const enc[] = {"rope", "pope", "tapa", "nope"};
    for (size_t i = 0; i < n; i++) {  // the first key varies slowest
        ck_assert_str_eq(runs[i].encoding, enc[i / 3]);
        ck_assert_uint_eq(runs[i].seed, i % 3 + 1);
        ck_assert_int_eq(runs[i].n_swept, 2);
        char text[256], expected[256];
        run_config_sweep_text(&runs[i], text, sizeof text);
        snprintf(expected, sizeof expected, "model.encoding=%s seed=%zu", enc[i / 3], i % 3 + 1);
        ck_assert_str_eq(text, expected);
    }
    ck_assert_str_eq(runs[5].encoding_options, "base=10000,delta_init=uniform,delta_clamp=forward");
    // all ids distinct
    char ids[12][17];
    for (size_t i = 0; i < n; i++) {
        run_config_id(&runs[i], ids[i]);
        for (size_t j = 0; j < i; j++) ck_assert_str_ne(ids[i], ids[j]);
    }
    free(runs);
    experiment_free(&e);

    // Without a sweep: one run, the base itself.
    unlink(path);
    path = write_yaml("nosweep", II);
    e = load_ok(path);
    runs = expand_ok(&e, &n);
    ck_assert_uint_eq(n, 1);
    char a[17], b[17], text[16];
    run_config_id(&runs[0], a);
    run_config_id(&e.base, b);
    ck_assert_str_eq(a, b);
    run_config_sweep_text(&runs[0], text, sizeof text);
    ck_assert_str_eq(text, "");
    free(runs);
    experiment_free(&e);
    unlink(path);
}
END_TEST

// Swept option keys and the product of three lists.
START_TEST(test_sweep_options) {
    const char *path = write_yaml(
        "sweepopt", II "sweep:\n  task.options.len_max: [30, 40]\n  model.encoding_options.base: "
                       "[100, 1000]\n  training.lr: [0.001, 0.003]\n");
    experiment e = load_ok(path);
    size_t n;
    run_config *runs = expand_ok(&e, &n);
    ck_assert_uint_eq(n, 8);
    ck_assert_ptr_nonnull(strstr(runs[0].task_options, "len_max=30"));
    ck_assert_ptr_nonnull(strstr(runs[0].sets[0].options, "len_max=30"));  // sets follow the task
    ck_assert_ptr_nonnull(strstr(runs[7].task_options, "len_max=40"));
    ck_assert_str_eq(runs[1].encoding_options, "base=100");
    ck_assert_str_eq(runs[2].encoding_options, "base=1000");
    ck_assert(runs[0].lr == 0.001 && runs[1].lr == 0.003);
    free(runs);
    experiment_free(&e);
    unlink(path);
}
END_TEST

static void first_id(const char *name, const char *yaml, char id[17]);

// NAME(K=V;...) in model.encoding gives that encoding its own options over
// model.encoding_options: the run is the one written with encoding_options (same id), and
// the other encodings of the sweep are untouched.
START_TEST(test_sweep_encoding_with_options) {
    const char *path = write_yaml(
        "encopt", II "model: {encoding_options: {base: 500}}\n"
                     "sweep:\n  model.encoding: [rope, 'pope(delta_init=zero; base=100)']\n");
    experiment e = load_ok(path);
    size_t n;
    run_config *runs = expand_ok(&e, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(runs[0].encoding, "rope");
    ck_assert_str_eq(runs[0].encoding_options, "base=500");
    ck_assert_str_eq(runs[1].encoding, "pope");
    ck_assert_str_eq(runs[1].encoding_options, "base=100,delta_init=zero,delta_clamp=forward");
    ck_assert_str_eq(runs[1].swept[0].value, "pope(delta_init=zero; base=100)");
    char id[17], same[17];
    run_config_id(&runs[1], id);
    free(runs);
    experiment_free(&e);
    unlink(path);
    first_id("encopt2", II "model: {encoding: pope, encoding_options: {base: 100, delta_init: "
             "zero}}\n", same);
    ck_assert_str_eq(id, same);
}
END_TEST

// The first run's id of a file.
static void first_id(const char *name, const char *yaml, char id[17]) {
    const char *path = write_yaml(name, yaml);
    experiment e = load_ok(path);
    size_t n;
    run_config *runs = expand_ok(&e, &n);
    run_config_id(&runs[0], id);
    free(runs);
    experiment_free(&e);
    unlink(path);
}

// Recorded once: an id must never change for the same config, or finished runs are redone
// (options added later, like indirect_indexing's queries, stay out of it at their default).
START_TEST(test_id_golden) {
    char id[17];
    first_id("golden", II, id);
    ck_assert_str_eq(id, "75cc0337548d6c69");
}
END_TEST

START_TEST(test_id_key_order) {
    const char *a =
        "experiment: a\ntask:\n  name: indirect_indexing\n  options: {len_min: 10, len_max: 30}\n"
        "model: {d_model: 64, heads: 4, encoding: pope}\ntraining: {steps: 10, lr: 0.01}\n"
        "evaluation:\n  sets:\n    - {name: s, options: {len_min: 31, len_max: 50}}\n"
        "seed: 4\nsweep:\n  seed: [1, 2]\n  model.layers: [1, 2]\n";
    const char *b =
        "sweep:\n  seed: [1, 2]\n  model.layers: [1, 2]\nseed: 4\n"
        "evaluation:\n  sets:\n    - {options: {len_max: 50, len_min: 31}, name: s}\n"
        "training: {lr: 0.01, steps: 10}\nmodel: {encoding: pope, heads: 4, d_model: 64}\n"
        "task:\n  options: {len_max: 30, len_min: 10}\n  name: indirect_indexing\nexperiment: a\n";
    const char *pa = write_yaml("ordera", a), *pb = write_yaml("orderb", b);
    experiment ea = load_ok(pa), eb = load_ok(pb);
    unlink(pa);
    unlink(pb);
    size_t na, nb;
    run_config *ra = expand_ok(&ea, &na), *rb = expand_ok(&eb, &nb);
    ck_assert_uint_eq(na, 4);
    ck_assert_uint_eq(nb, 4);
    for (size_t i = 0; i < na; i++) {
        char ia[17], ib[17], again[17];
        run_config_id(&ra[i], ia);
        run_config_id(&rb[i], ib);
        run_config_id(&ra[i], again);
        ck_assert_str_eq(ia, ib);
        ck_assert_str_eq(ia, again);
    }
    free(ra);
    free(rb);
    experiment_free(&ea);
    experiment_free(&eb);
}
END_TEST

// Every value changes the id except the experiment name; a one-value sweep changes one key
// of the base.
START_TEST(test_id_sensitivity) {
    static const char *const changes[] = {
        "task.name: [probe_where]", "task.options.len_max: [39]", "model.d_model: [64]",
        "model.layers: [3]", "model.heads: [4]", "model.norm: [layer]", "model.encoding: [pope]",
        "model.encoding_options.base: [500]", "training.steps: [2999]", "training.batch: [32]",
        "training.lr: [0.002]", "training.lr_min: [0.0002]", "training.warmup: [10]",
        "training.beta1: [0.8]", "training.beta2: [0.999]", "training.weight_decay: [0]",
        "training.clip: [0.5]", "training.train_examples: [1000]", "evaluation.examples: [100]",
        "evaluation.every: [100]", "seed: [2]", "training.stop_accuracy: [0.99]",
        "training.stop_patience: [3]", "model.attention: [bidirectional]",
        "model.positions: [randomized]", "model.max_position: [4096]",
    };
    char base[17], id[17], yaml[512];
    first_id("sens", II, base);
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        snprintf(yaml, sizeof yaml, II "sweep:\n  %s\n", changes[i]);
        first_id("sens", yaml, id);
        ck_assert_msg(strcmp(id, base) != 0, "%s keeps the id", changes[i]);
    }
    first_id("sens", II "evaluation:\n  sets: [{name: long, options: {len_max: 52}}]\n", id);
    ck_assert_str_ne(id, base);
    first_id("sens", II "evaluation:\n  sets: [{name: other}]\n", id);
    ck_assert_str_ne(id, base);
    // The thread count changes the last bits of training, so it is part of the id.
    first_id("sens", II "training: {threads: 4}\n", id);
    ck_assert_str_ne(id, base);
    // The experiment name is not.
    first_id("sens", "experiment: renamed\ntask: {name: indirect_indexing}\n", id);
    ck_assert_str_eq(id, base);
    // A set at a quiet option's default is not the set that inherits training's value.
    char q8[17];
    first_id("sens", "experiment: a\ntask: {name: indirect_indexing, options: {queries: 8}}\n"
             "evaluation:\n  sets: [{name: test}]\n", q8);
    first_id("sens", "experiment: a\ntask: {name: indirect_indexing, options: {queries: 8}}\n"
             "evaluation:\n  sets: [{name: test, options: {queries: 1}}]\n", id);
    ck_assert_str_ne(id, q8);
    // Defaults written out change nothing.
    first_id("sens", II "model: {d_model: 128, encoding: rope, encoding_options: {base: 10000}}\n",
             id);
    ck_assert_str_eq(id, base);
    // Nor do the early-stop keys at their defaults: they came later, and ids made before them
    // must still find their runs.
    first_id("sens", II "training: {stop_accuracy: 0, stop_patience: 2}\n", id);
    ck_assert_str_eq(id, base);
    first_id("sens", II "model: {attention: causal}\n", id);
    ck_assert_str_eq(id, base);
    // The positions an encoding's inline options carry are model.positions.
    char randomized[17];
    first_id("sens", II "model: {positions: randomized, max_position: 512}\n", randomized);
    first_id("sens", II "sweep:\n  model.encoding: ['rope(positions=randomized;max_position=512)']\n",
             id);
    ck_assert_str_eq(id, randomized);
    first_id("sens", II "model: {init_std: 0.02}\n", id);
    ck_assert_str_eq(id, base);
    first_id("sens", II "model: {init_std: 0.1}\n", id);
    ck_assert_str_ne(id, base);
}
END_TEST

// ---- the shipped files and the command -----------------------------------------------------

// The README's table of keys is the schema's own (config_print_schema): a key added to the
// schema and not to the README fails here.
START_TEST(test_readme_lists_schema) {
    char *table = NULL, *readme = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&table, &len);
    config_print_schema(mem);
    fclose(mem);
    FILE *f = fopen("README.md", "r");
    ck_assert_ptr_nonnull(f);
    readme = calloc(1 << 20, 1);
    fread(readme, 1, (1 << 20) - 1, f);
    fclose(f);
    for (char *line = strtok(table, "\n"); line; line = strtok(NULL, "\n"))
        ck_assert_msg(strstr(readme, line) != NULL, "README.md lacks the schema line:\n%s", line);
    free(table);
    free(readme);
}
END_TEST

START_TEST(test_experiment_files) {
    static const struct {
        const char *file;
        size_t runs;
    } files[] = {{"experiments/indirect_indexing.yaml", 20},
                 {"experiments/indirect_indexing_unseen.yaml", 20},
                 {"experiments/probes.yaml", 36},
                 {"experiments/extrapolation.yaml", 30}};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        experiment e = load_ok(files[i].file);
        size_t n;
        run_config *runs = expand_ok(&e, &n);
        ck_assert_uint_eq(n, files[i].runs);
        free(runs);
        experiment_free(&e);
    }
}
END_TEST

// The unseen-seed check is the main job on other seeds: the same base config (the id leaves
// the experiment's name out), and no seed of one sweep in the other.
START_TEST(test_unseen_check_matches_main_job) {
    experiment main_job = load_ok("experiments/indirect_indexing.yaml");
    experiment unseen = load_ok("experiments/indirect_indexing_unseen.yaml");
    char a[17], b[17];
    run_config_id(&main_job.base, a);
    run_config_id(&unseen.base, b);
    ck_assert_str_eq(a, b);
    size_t na, nb;
    run_config *ra = expand_ok(&main_job, &na), *rb = expand_ok(&unseen, &nb);
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++) ck_assert_uint_ne(ra[i].seed, rb[j].seed);
    free(ra);
    free(rb);
    experiment_free(&main_job);
    experiment_free(&unseen);
}
END_TEST

START_TEST(test_cli_config) {
    char *out;
    const char *path = write_yaml("cli", II "sweep:\n  seed: [1, 2]\n");
    const char *ok[] = {"config", path, NULL};
    ck_assert_int_eq(run_captured(cmd_config, ok, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "experiment: a\n"));
    ck_assert_ptr_nonnull(strstr(out, "# 2 runs\n"));
    ck_assert_ptr_nonnull(strstr(out, " seed=2\n"));
    free(out);

    const char *bad_path = write_yaml("clibad", II "training: {steps: 0}\n");
    const char *bad[] = {"config", bad_path, NULL};
    ck_assert_int_eq(run_captured(cmd_config, bad, &out), 2);
    char expected[512];
    snprintf(expected, sizeof expected, "posbench: %s:3:19: training.steps: must be >= 1, got 0\n",
             bad_path);
    ck_assert_str_eq(out, expected);
    free(out);

    const char *schema[] = {"config", NULL};
    ck_assert_int_eq(run_captured(cmd_config, schema, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "| `training.steps` | integer | `3000` | >= 1 |"));
    free(out);
    const char *help[] = {"config", "--help", NULL};
    ck_assert_int_eq(run_captured(cmd_config, help, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: posbench config"));
    free(out);
    const char *extra[] = {"config", "a", "b", NULL};
    ck_assert_int_eq(run_captured(cmd_config, extra, &out), 2);
    free(out);
    unlink(path);
    unlink(bad_path);
}
END_TEST

Suite *suite_config(void) {
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("errors");
    tcase_add_loop_test(tc, test_error_message, 0,
                        (int)(sizeof error_cases / sizeof error_cases[0]));
    tcase_add_test(tc, test_missing_file);
    suite_add_tcase(s, tc);
    tc = tcase_create("resolve");
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_eval_sets_merge);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_format_sorted);
    suite_add_tcase(s, tc);
    tc = tcase_create("sweep");
    tcase_add_test(tc, test_sweep_order);
    tcase_add_test(tc, test_sweep_options);
    tcase_add_test(tc, test_sweep_encoding_with_options);
    tcase_add_test(tc, test_id_golden);
    tcase_add_test(tc, test_id_key_order);
    tcase_add_test(tc, test_id_sensitivity);
    suite_add_tcase(s, tc);
    tc = tcase_create("files");
    tcase_add_test(tc, test_experiment_files);
    tcase_add_test(tc, test_unseen_check_matches_main_job);
    tcase_add_test(tc, test_readme_lists_schema);
    tcase_add_test(tc, test_cli_config);
    suite_add_tcase(s, tc);
    return s;
}
