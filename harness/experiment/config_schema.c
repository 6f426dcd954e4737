#include "harness/experiment/config_schema.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define AT(member) offsetof(run_config, member)

// The schema and its defaults: the one place they are written down (config_print_schema
// prints this table; the README copies it).
static const field rows[] = {
    {"experiment", T_STRING, 1, NULL, 0, 0, 0, 0, AT(experiment),
     "name of the results folder, results/NAME/ (not part of run ids)", 0},
    {"task", T_MAPPING, 1, NULL, 0, 0, 0, 0, 0, "the task trained and evaluated", 0},
    {"task.name", T_STRING, 1, NULL, 0, 0, 0, 0, AT(task),
     "a registered task (posbench list tasks) or books", 0},
    {"task.options", T_OPTIONS, 0, "{}", 0, 0, 0, 0, 0,
     "task options; books: corpus (path), seq_len (int), eval_mult (list of ints)", 0},
    {"model", T_MAPPING, 0, NULL, 0, 0, 0, 0, 0, "the transformer", 0},
    {"model.d_model", T_INT, 0, "128", 1, NOMAX, 0, 0, AT(d_model), "width, divisible by heads", 0},
    {"model.layers", T_INT, 0, "4", 1, NOMAX, 0, 0, AT(layers), "blocks", 0},
    {"model.heads", T_INT, 0, "8", 1, NOMAX, 0, 0, AT(heads), "attention heads", 0},
    {"model.norm", T_NORM, 0, "rms", 0, 0, 0, 0, AT(norm), "RMSNorm or LayerNorm", 0},
    {"model.attention", T_WORD, 0, "causal", 0, 0, 0, 0, AT(bidirectional),
     "causal (a decoder) or bidirectional (every position sees every other; answers read at "
     "placeholders)", FIELD_OPTIONAL},
    {"model.positions", T_WORD, 0, "sequential", 0, 0, 0, 0, AT(randomized_positions),
     "sequential (0, 1, 2, ...) or randomized: each sequence at a sorted random subset of "
     "[0, max_position), in training and evaluation", FIELD_OPTIONAL},
    {"model.max_position", T_INT, 0, "2048", 1, NOMAX, 0, 0, AT(max_position),
     "randomized positions: the range they are drawn from (at least the longest sequence)",
     FIELD_OPTIONAL},
    {"evaluation.length_max", T_INT, 0, "0", 0, NOMAX, 0, 0, AT(length_max),
     "accuracy against length: evaluate every length up to this (0: not) in lengths.csv",
     FIELD_OPTIONAL},
    {"evaluation.length_stride", T_INT, 0, "1", 1, NOMAX, 0, 0, AT(length_stride),
     "accuracy against length: the lengths stride, stride*2, ... up to length_max",
     FIELD_OPTIONAL},
    {"evaluation.length_examples", T_INT, 0, "100", 1, NOMAX, 0, 0, AT(length_examples),
     "accuracy against length: sequences per length", FIELD_OPTIONAL},
    {"model.dropout", T_FLOAT, 0, "0", 0, 1, 0, 1, AT(dropout),
     "in training: the probability an activation is dropped, at the embeddings and before "
     "each residual add (the suite's models: 0.1)", FIELD_OPTIONAL},
    {"model.init_std", T_FLOAT, 0, "0.02", 0, HUGE_VAL, 1, 0, AT(init_std),
     "std of the weight matrices at init; residual projections get std/sqrt(2*layers)", 1},
    {"model.encoding", T_STRING, 0, "rope", 0, 0, 0, 0, AT(encoding),
     "a registered encoding (posbench list encodings); NAME(K=V;...): with its own options", 0},
    {"model.encoding_options", T_OPTIONS, 0, "{}", 0, 0, 0, 0, 0,
     "encoding options, validated for this model shape", 0},
    {"training", T_MAPPING, 0, NULL, 0, 0, 0, 0, 0, "AdamW, warm-up then cosine decay", 0},
    {"training.steps", T_INT, 0, "3000", 1, NOMAX, 0, 0, AT(steps), "optimizer steps", 0},
    {"training.batch", T_INT, 0, "64", 1, NOMAX, 0, 0, AT(batch), "sequences per step", 0},
    {"training.lr", T_FLOAT, 0, "0.001", 0, HUGE_VAL, 1, 0, AT(lr), "peak learning rate", 0},
    {"training.lr_min", T_FLOAT, 0, "0.0001", 0, HUGE_VAL, 0, 0, AT(lr_min),
     "floor of the cosine decay (reached at step `steps`, one past the last), at most lr", 0},
    {"training.warmup", T_INT, 0, "100", 0, NOMAX, 0, 0, AT(warmup), "linear warm-up steps", 0},
    {"training.beta1", T_FLOAT, 0, "0.9", 0, 1, 0, 1, AT(beta1), "AdamW beta1", 0},
    {"training.beta2", T_FLOAT, 0, "0.99", 0, 1, 0, 1, AT(beta2), "AdamW beta2", 0},
    {"training.weight_decay", T_FLOAT, 0, "0.01", 0, HUGE_VAL, 0, 0, AT(weight_decay),
     "decoupled, matrices only", 0},
    {"training.clip", T_FLOAT, 0, "1", 0, HUGE_VAL, 0, 0, AT(clip),
     "global gradient-norm clip (0: off)", 0},
    {"training.threads", T_INT, 0, "1", 1, 1024, 0, 0, AT(threads),
     "threads per run (the last bits of training depend on it)", 0},
    {"training.train_examples", T_INT, 0, "0", 0, NOMAX, 0, 0, AT(train_examples),
     "0: fresh sequences every step; N: a fixed pool of N", 0},
    {"training.stop_accuracy", T_FLOAT, 0, "0", 0, 1, 0, 0, AT(stop_accuracy),
     "stop once the first evaluation set's accuracy is at least this (0: never)", 1},
    {"training.stop_patience", T_INT, 0, "2", 1, NOMAX, 0, 0, AT(stop_patience),
     "periodic evaluations in a row that must meet training.stop_accuracy", 1},
    {"training.init_from", T_STRING, 0, "", 0, 0, 0, 0, AT(init_from),
     "fine-tune: start from a finished run of this experiment (its id) or a checkpoint path",
     FIELD_OPTIONAL},
    {"training.checkpoint_every", T_INT, 0, "0", 0, NOMAX, 0, 0, AT(checkpoint_every),
     "steps between resume points (0: none); a run killed resumes from the last (not in ids)",
     FIELD_NOT_IN_ID},
    {"evaluation", T_MAPPING, 0, NULL, 0, 0, 0, 0, 0, "what is measured", 0},
    {"evaluation.examples", T_INT, 0, "2000", 1, NOMAX, 0, 0, AT(eval_examples),
     "sequences per evaluation set", 0},
    {"evaluation.sliding_stride", T_INT, 0, "0", 0, NOMAX, 0, 0, AT(eval_sliding_stride),
     "books: also score each set with windows of the training length sliding by this many "
     "tokens (0: not)", FIELD_OPTIONAL},
    {"evaluation.every", T_INT, 0, "500", 0, NOMAX, 0, 0, AT(eval_every),
     "steps between evaluations (0: only at the end)", 0},
    {"evaluation.sets", T_SETS, 0, "[{name: train_length, options: {}}]", 0, 0, 0, 0, 0,
     "named sets: {name, options}, options override the task's", 0},
    {"seed", T_SEED, 0, "1", 0, 0, 0, 0, AT(seed), "model init and data", 0},
    {"init_seed", T_INT, 0, "-1", -1, NOMAX, 0, 0, AT(init_seed),
     "model init only (-1: seed), to tell init variance from data-order variance",
     FIELD_OPTIONAL},
    {"data_seed", T_INT, 0, "-1", -1, NOMAX, 0, 0, AT(data_seed),
     "training data stream only (-1: seed)", FIELD_OPTIONAL},
    {"selection", T_SELECTION, 0, "{}", 0, 0, 0, 0, 0,
     "choose a key per group first: {key, values, seeds, set, metric} (README: Selection stage)", 0},
    {"sweep", T_SWEEP, 0, "{}", 0, 0, 0, 0, 0,
     "dotted scalar key: [values]; lists crossed in order, first slowest", 0},
};
_Static_assert(sizeof rows / sizeof rows[0] == N_FIELDS, "N_FIELDS must count the rows");
const field *const config_schema = rows;

int field_index(const char *path) {
    for (int i = 0; i < N_FIELDS; i++)
        if (strcmp(config_schema[i].path, path) == 0) return i;
    return -1;
}

int is_scalar(field_type t) { return t <= T_WORD; }

const char *field_choices(const field *f) {
    static const struct {
        const char *path, *choices;
    } words[] = {{"model.attention", "causal|bidirectional"},
                 {"model.positions", "sequential|randomized"}};
    for (size_t i = 0; f->type == T_WORD && i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(f->path, words[i].path)) return words[i].choices;
    return NULL;
}

int word_index(const char *choices, const char *word) {
    const size_t n = strlen(word);
    int i = 0;
    for (const char *p = choices; *p; i++) {
        const size_t len = strcspn(p, "|");
        if (len == n && !strncmp(p, word, n)) return i;
        p += len + (p[len] == '|');
    }
    return -1;
}

void word_at(const char *choices, int i, char *buf, size_t len) {
    const char *p = choices;
    for (; i > 0 && *p; i--) p += strcspn(p, "|") + (p[strcspn(p, "|")] == '|');
    snprintf(buf, len, "%.*s", (int)strcspn(p, "|"), p);
}

const char *last_key(const char *path) {
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

int is_child(int i, const char *prefix) {
    const char *p = config_schema[i].path;
    size_t n = strlen(prefix);
    if (n == 0) return strchr(p, '.') == NULL;
    return strncmp(p, prefix, n) == 0 && p[n] == '.' && !strchr(p + n + 1, '.');
}

void config_print_schema(FILE *out) {
    static const char *const type_name[] = {"string",  "integer", "number", "integer",
                                            "rms or layer", "word", "mapping", "mapping",
                                            "list",    "mapping", "mapping"};
    fputs("| key | type | default | valid | meaning |\n|---|---|---|---|---|\n", out);
    for (int i = 0; i < N_FIELDS; i++) {
        const field *f = &config_schema[i];
        char range[64] = "";
        if (f->type == T_INT || f->type == T_FLOAT) {
            if (f->max == NOMAX || isinf(f->max))
                snprintf(range, sizeof range, "%s %g", f->min_open ? ">" : ">=", f->min);
            else
                snprintf(range, sizeof range, "%c%g, %g%c", f->min_open ? '(' : '[', f->min, f->max,
                         f->max_open ? ')' : ']');
        } else if (f->type == T_SEED) {
            snprintf(range, sizeof range, ">= 0");
        } else if (f->type == T_WORD) {
            snprintf(range, sizeof range, "%s", field_choices(f));
            for (char *c = range; *c; c++)  // '|' would end a markdown table's cell
                if (*c == '|') *c = '/';
        }
        char def[64] = "";
        if (f->required) snprintf(def, sizeof def, "(required)");
        else if (f->def) snprintf(def, sizeof def, "`%s`", f->def);
        fprintf(out, "| `%s` | %s | %s | %s | %s |\n", f->path, type_name[f->type], def, range,
                f->help);
    }
}
