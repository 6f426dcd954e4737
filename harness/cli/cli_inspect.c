// `posbench attn`, `posbench freq` and `posbench groups`: attention.csv, frequency.csv and
// groups.csv (harness/analysis/inspect.h) of one run folder, or of every finished run of an experiment
// folder.
#include "harness/cli/cli_inspect.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/analysis/inspect.h"
#include "harness/base/atomic_file.h"
#include "harness/base/dirs.h"
#include "harness/cli/cli_args.h"
#include "harness/experiment/run.h"

static const char ATTN_USAGE[] =
    "usage: posbench attn RUN|EXPERIMENT [--example K] [--set NAME]\n"
    "Writes attention.csv into a run folder (results/<experiment>/runs/<id>), or into every\n"
    "finished run of an experiment folder (results/<experiment>): the attention probabilities\n"
    "of every layer and head on one evaluation example, as the run was scored on it:\n"
    "layer,head,query,key,prob,query_token,key_token (the keys the query sees: at or before\n"
    "it, or all of the example's in a bidirectional model).\n"
    "  --example K  the example's index in the set, from 0   (default 0)\n"
    "  --set NAME   the evaluation set                      (default: the first)\n";

static const char FREQ_USAGE[] =
    "usage: posbench freq RUN|EXPERIMENT [--examples N] [--set NAME]\n"
    "Writes frequency.csv into a run folder, or into every finished run of an experiment\n"
    "folder: the PoPE paper's frequency usage, layer,frequency,mass. For each layer and\n"
    "frequency band (0 = the highest frequency) the band's magnitude (RoPE: the pair's norm,\n"
    "PoPE: softplus) summed over every head's queries and keys at every position of N\n"
    "evaluation examples, as a share of the layer's total. Encodings without frequency bands\n"
    "(nope, tapa) are reported and skipped.\n"
    "  --examples N  evaluation examples to average over    (default 256)\n"
    "  --set NAME    the evaluation set                     (default: the first)\n";

static const char GROUPS_USAGE[] =
    "usage: posbench groups RUN|EXPERIMENT [--set NAME] [--examples N]\n"
    "Writes groups.csv into a run folder, or into every finished run of an experiment folder:\n"
    "answer accuracy broken down by the group the task gives each answer (indirect_indexing:\n"
    "the shift; probe_where: k, the position from the end), scored as the run scored its\n"
    "evaluation sets: set,group_name,group,n,correct,accuracy,no_lookup, one row per group\n"
    "present, by group. no_lookup is the accuracy of a model that looks nothing up on the same\n"
    "answers: it copies an answer the question holds (indirect_indexing's shift 0) and names\n"
    "a letter of the string at random otherwise. Tasks without groups (probe_what, books) are\n"
    "reported and skipped.\n"
    "  --set NAME    only this evaluation set               (default: every set)\n"
    "  --examples N  the first N examples of each set       (default: all of them)\n";

typedef enum { ATTENTION, FREQUENCY, GROUPS } inspect_kind;
static const char *const CSV_NAME[] = {"attention.csv", "frequency.csv", "groups.csv"};

typedef struct inspect_args {
    inspect_kind kind;
    long index;  // attn: the example; freq, groups: how many examples (groups: 0 = all)
    const char *set;
} inspect_args;

// groups.csv of the open run x: the chosen set, or every set of the run in turn.
static int write_groups(inspected *x, const char *dir, const inspect_args *a, FILE *out,
                        char *err, size_t errlen) {
    fputs(INSPECT_GROUPS_HEADER, out);
    for (int i = 0;; i++) {
        if (inspect_groups(x, (size_t)a->index, out, err, errlen)) return -1;
        if (a->set || i + 1 >= x->cfg.n_sets) return 0;
        if (inspect_select_set(x, x->cfg.sets[i + 1].name, err, errlen)) return -1;
    }
}

// Why an experiment's run is passed over with a note instead of failing (NULL: it is not):
// freq on an encoding without frequency bands, groups on a task without answer groups.
static const char *skip_reason(const inspected *x, const inspect_args *a, char *buf,
                               size_t len) {
    if (a->kind == FREQUENCY && !x->m->pe.ops->n_frequencies)
        snprintf(buf, len, "encoding '%s' has no frequency bands", x->m->pe.ops->name);
    else if (a->kind == GROUPS && (!x->task || !x->task->ops->answer_group))
        snprintf(buf, len, "task '%s' has no answer groups", x->cfg.task);
    else return NULL;
    return buf;
}

// One run folder; 0, or -1 after printing why. In an experiment (`skip_unfit`), runs the
// command does not apply to are passed over with a note (skip_reason).
static int inspect_run(const char *dir, const inspect_args *a, int skip_unfit) {
    char err[1024], path[4200], why[256];
    inspected x;
    snprintf(path, sizeof path, "%s/%s", dir, CSV_NAME[a->kind]);
    atomic_file out = {0};
    int rc = inspect_open(&x, dir, a->set, err, sizeof err);
    if (rc == 0 && skip_unfit && skip_reason(&x, a, why, sizeof why)) {
        printf("%s: skipped: %s\n", dir, why);
        inspect_close(&x);
        return 0;
    }
    if (rc == 0) rc = atomic_file_open(&out, path, err, sizeof err);
    if (rc == 0) {
        if (a->kind == ATTENTION)
            rc = inspect_attention(&x, (size_t)a->index, out.f, err, sizeof err);
        else if (a->kind == FREQUENCY)
            rc = inspect_frequency(&x, (size_t)a->index, out.f, err, sizeof err);
        else
            rc = write_groups(&x, dir, a, out.f, err, sizeof err);
    }
    if (rc == 0) rc = atomic_file_commit(&out, err, sizeof err);
    else atomic_file_abandon(&out);
    if (rc == 0 && a->kind == GROUPS && !a->set)
        printf("%s (%s, every set)\n", path, x.m->pe.ops->name);
    else if (rc == 0)
        printf("%s (%s, set %s)\n", path, x.m->pe.ops->name, x.set);
    else fprintf(stderr, "posbench: %s: %s\n", dir, err);
    inspect_close(&x);
    return rc;
}

// Every finished current run of the experiment folder dir, in the file's order (stale runs,
// which the file no longer has, are left out as in the summary). Runs the command does not
// apply to are skipped with a note; any other failure makes the exit status 1.
static int inspect_experiment(const char *dir, const inspect_args *a) {
    char runs[4200], err[4400];
    snprintf(runs, sizeof runs, "%s/runs", dir);
    if (!is_dir(runs)) {
        fprintf(stderr, "posbench: %s: not a run folder (no config.yaml) nor an experiment "
                        "folder (no runs/)\n", dir);
        return 1;
    }
    run_folders folders;
    if (run_list_folders(dir, &folders, err, sizeof err) != 0) {
        fprintf(stderr, "posbench: %s\n", err);
        return 1;
    }
    int failed = 0, n = 0;
    for (int i = 0; i < folders.n; i++) {
        if (!run_folder_is_done(dir, folders.ids[i])) continue;
        char run[8400];
        snprintf(run, sizeof run, "%s/%s", runs, folders.ids[i]);
        failed |= inspect_run(run, a, 1) != 0;
        n++;
    }
    run_folders_free(&folders);
    if (n == 0) fprintf(stderr, "posbench: %s: no finished runs\n", dir);
    return failed || n == 0;
}

static int cmd_inspect(int argc, char **argv, inspect_args a, const char *usage) {
    static const struct option opts[] = {{"example", 1, 0, 'e'}, {"examples", 1, 0, 'n'},
                                         {"set", 1, 0, 's'},     {"help", 0, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'e':
        case 'n':
            // --example is attn's, --examples freq's and groups'.
            if ((c == 'e') != (a.kind == ATTENTION)) {
                fprintf(stderr, "posbench: %s: unknown option '--%s' (see --help)\n", argv[0],
                        c == 'e' ? "example" : "examples");
                return 2;
            }
            a.index = strtol(optarg, &end, 10);
            if (!*optarg || *end || a.index < (c == 'e' ? 0 : 1) || a.index > 100000000) {
                fprintf(stderr, "posbench: %s: --%s expects an integer >= %d, not '%s'\n",
                        argv[0], c == 'e' ? "example" : "examples", c == 'e' ? 0 : 1, optarg);
                return 2;
            }
            break;
        case 's': a.set = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default:
            return cli_bad_option(argv[0], argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "posbench: %s: expects one run or experiment folder (see --help)\n",
                argv[0]);
        return 2;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", argv[optind]);
    for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--) dir[n - 1] = '\0';
    char config[4200];
    snprintf(config, sizeof config, "%s/config.yaml", dir);
    if (!is_dir(dir)) {
        fprintf(stderr, "posbench: %s: no such folder\n", dir);
        return 1;
    }
    if (path_exists(config)) return inspect_run(dir, &a, 0) != 0;
    return inspect_experiment(dir, &a);
}

int cmd_attn(int argc, char **argv) {
    return cmd_inspect(argc, argv, (inspect_args){.kind = ATTENTION, .index = 0}, ATTN_USAGE);
}

int cmd_freq(int argc, char **argv) {
    return cmd_inspect(argc, argv, (inspect_args){.kind = FREQUENCY, .index = 256}, FREQ_USAGE);
}

int cmd_groups(int argc, char **argv) {
    return cmd_inspect(argc, argv, (inspect_args){.kind = GROUPS, .index = 0}, GROUPS_USAGE);
}
