// `posbench config [FILE]`: without FILE, every key with its type, default and range (the
// table in harness/experiment/config.c); with FILE, the resolved base config, then one line per run.
#include "harness/cli/cli_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/experiment/config.h"

static const char USAGE[] =
    "usage: posbench config [FILE]\n"
    "Without FILE: every key of an experiment file, with its type, default and valid range.\n"
    "With FILE: the file's base config fully resolved (the sweep left out, every default\n"
    "filled in, keys sorted), then one line per run of the sweep: its id and swept values\n"
    "(with a selection block: the selection runs', then the sweep's points).\n";

// One comment line per run: its id and swept values.
static void print_runs(const run_config *runs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char id[17], swept[2048];
        run_config_id(&runs[i], id);
        run_config_sweep_text(&runs[i], swept, sizeof swept);
        printf("# %s%s%s\n", id, swept[0] ? " " : "", swept);
    }
}

int cmd_config(int argc, char **argv) {
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (argc == 1) {
        config_print_schema(stdout);
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fputs(USAGE, stderr);
        return 2;
    }
    char err[1024];
    experiment e;
    if (experiment_load(argv[1], &e, err, sizeof err)) {
        fprintf(stderr, "posbench: %s\n", err);
        return 2;
    }
    run_config *runs;
    size_t n;
    if (experiment_expand(&e, &runs, &n, err, sizeof err)) {
        experiment_free(&e);
        fprintf(stderr, "posbench: %s\n", err);
        return 2;
    }
    run_config_format(&e.base, stdout);
    if (e.selection.on) {
        run_config *sel;
        size_t n_sel;
        if (experiment_expand_selection(&e, &sel, &n_sel, err, sizeof err)) {
            free(runs);
            experiment_free(&e);
            fprintf(stderr, "posbench: %s\n", err);
            return 2;
        }
        printf("# selection: %zu run%s (experiment %s), by the final %s on set %s\n", n_sel,
               n_sel == 1 ? "" : "s", sel[0].experiment, e.selection.metric,
               e.selection.set[0] ? e.selection.set : e.base.sets[0].name);
        print_runs(sel, n_sel);
        free(sel);
        printf("# then %zu run%s, each at its group's chosen %s (ids known once chosen)\n", n,
               n == 1 ? "" : "s", e.selection.grid.path);
        for (size_t i = 0; i < n; i++) {
            char swept[2048];
            run_config_sweep_text(&runs[i], swept, sizeof swept);
            printf("# %s\n", swept);
        }
    } else {
        printf("# %zu run%s\n", n, n == 1 ? "" : "s");
        print_runs(runs, n);
    }
    free(runs);
    experiment_free(&e);
    return 0;
}
