// `posbench score`: finished runs scored again on new sets, lengths or evaluation-time
// encoding options, without retraining (harness/experiment/run_score.h), then the summary rewritten.
#include "harness/cli/cli_score.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli/cli_run.h"
#include "harness/experiment/config.h"
#include "harness/experiment/run.h"
#include "harness/experiment/run_score.h"

static const char USAGE[] =
    "usage: posbench score EXPERIMENT.yaml [--set NAME[:KEY=VALUE,...]]... [--length N]...\n"
    "                      [--encoding NAME [--encoding-options KEY=VALUE,...]\n"
    "                      [--factor-from-length]] [--suffix @TEXT] [--only ID] [--results DIR]\n"
    "Evaluates the final checkpoints of an experiment's finished runs again, without training,\n"
    "and puts the rows into each run's eval.csv at its last step (books: also positions.csv),\n"
    "then rewrites the summary. Scoring the same set names again replaces their rows.\n"
    "  --set NAME           one of the experiment's sets (books: len_N) scored again\n"
    "  --set NAME:K=V,...   a new set of a generated task: these options over the task's\n"
    "  --length N           books: a window of N bytes (a multiple of the training length)\n"
    "                       (no --set or --length: every set of the experiment)\n"
    "  --encoding NAME      only the runs of this encoding (needed for the two options below)\n"
    "  --encoding-options K=V,...  evaluation-time options over the trained ones, e.g.\n"
    "                       scaling=yarn (RoPE); the rows are named SET@K=V;...\n"
    "  --factor-from-length per set, factor = set length / training length (at least 1) and\n"
    "                       orig_len = training length (RoPE's pi, ntk and yarn)\n"
    "  --suffix @TEXT       appended to the set names instead (e.g. @yarn)\n"
    "  --only ID            only this run\n"
    "  --results DIR        the results folder (default results)\n"
    "Prints one line per run and set: its accuracy.\n";

typedef struct score_args {
    const char *file, *results, *only, *encoding;
    const char *sets[CONFIG_MAX_SETS];
    int lengths[8];
    score_request q;
} score_args;

// 0 to go on, 1 after --help, 2 on a usage error.
static int parse(int argc, char **argv, score_args *a) {
    *a = (score_args){.results = "results"};
    static const struct option opts[] = {
        {"set", 1, 0, 's'},      {"length", 1, 0, 'l'},           {"encoding", 1, 0, 'e'},
        {"encoding-options", 1, 0, 'o'}, {"factor-from-length", 0, 0, 'f'},
        {"suffix", 1, 0, 'x'},   {"only", 1, 0, 'i'},             {"results", 1, 0, 'r'},
        {"help", 0, 0, 'h'},     {0, 0, 0, 0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (a->q.n_sets == CONFIG_MAX_SETS) {
                fprintf(stderr, "posbench: score: at most %d --set\n", CONFIG_MAX_SETS);
                return 2;
            }
            a->sets[a->q.n_sets++] = optarg;
            break;
        case 'l': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 1 || v > INT_MAX ||
                a->q.n_lengths == (int)(sizeof a->lengths / sizeof *a->lengths)) {
                fprintf(stderr, "posbench: score: --length expects a positive integer (at most "
                        "%zu of them), got '%s'\n", sizeof a->lengths / sizeof *a->lengths, optarg);
                return 2;
            }
            a->lengths[a->q.n_lengths++] = (int)v;
            break;
        }
        case 'e': a->encoding = optarg; break;
        case 'o': a->q.encoding_options = optarg; break;
        case 'f': a->q.factor_from_length = 1; break;
        case 'x': a->q.suffix = optarg; break;
        case 'i': a->only = optarg; break;
        case 'r': a->results = optarg; break;
        case 'h': fputs(USAGE, stdout); return 1;
        default:
            fprintf(stderr, "posbench: score: unknown or incomplete option '%s'\n%s",
                    argv[optind - 1], USAGE);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "posbench: score: expected one experiment file\n%s", USAGE);
        return 2;
    }
    if (a->q.suffix && (a->q.suffix[0] != '@' || !a->q.suffix[1] ||
                        strpbrk(a->q.suffix, ",\n\""))) {
        fprintf(stderr, "posbench: score: --suffix expects @TEXT (no ',' or quotes), got '%s'\n",
                a->q.suffix);
        return 2;
    }
    if ((a->q.encoding_options || a->q.factor_from_length) && !a->encoding) {
        fprintf(stderr, "posbench: score: --encoding-options and --factor-from-length need "
                "--encoding NAME (the runs they apply to)\n");
        return 2;
    }
    a->file = argv[optind];
    a->q.sets = a->sets;
    a->q.lengths = a->lengths;
    return 0;
}

int cmd_score(int argc, char **argv) {
    score_args a;
    int rc = parse(argc, argv, &a);
    if (rc) return rc == 1 ? 0 : 2;
    experiment e;
    run_config *runs = NULL;
    size_t n = 0;
    char err[1024];
    if (experiment_load(a.file, &e, err, sizeof err) != 0) {
        fprintf(stderr, "posbench: %s\n", err);
        return 2;
    }
    if (experiment_expand(&e, &runs, &n, err, sizeof err) != 0) {
        fprintf(stderr, "posbench: %s\n", err);
        experiment_free(&e);
        return 2;
    }
    int scored = 0, failed = 0, matched = 0;
    for (size_t i = 0; i < n; i++) {
        const run_config *r = &runs[i];
        char id[17], point[512];
        run_config_id(r, id);
        if ((a.only && strcmp(a.only, id)) || (a.encoding && strcmp(a.encoding, r->encoding)))
            continue;
        matched++;
        run_config_sweep_text(r, point, sizeof point);
        printf("%s %s\n", id, point);
        fflush(stdout);
        int s = run_score(r, a.results, &a.q, stdout, err, sizeof err);
        if (s < 0) {  // a bad request fails every run alike: say it once
            fprintf(stderr, "posbench: score: %s\n", err);
            failed++;
            break;
        }
        if (s > 0) printf("  %s: nothing to score\n", s == 1 ? "diverged" : "not finished");
        scored += s == 0;
    }
    if (!matched)
        fprintf(stderr, "posbench: score: no run of %s matches%s%s%s%s\n", a.file,
                a.only ? " --only " : "", a.only ? a.only : "", a.encoding ? " --encoding " : "",
                a.encoding ? a.encoding : "");
    if (matched && !failed && !scored)
        fprintf(stderr, "posbench: score: no finished run to score (posbench run %s first)\n",
                a.file);
    if (scored) cli_write_summary(a.results, e.base.experiment);
    free(runs);
    experiment_free(&e);
    return failed || !scored ? 1 : 0;
}
