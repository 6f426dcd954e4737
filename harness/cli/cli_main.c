#include "harness/cli/cli_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encodings/encoding.h"
#include "harness/base/build_info.h"
#include "harness/base/names.h"
#include "harness/cli/cli_books.h"
#include "harness/cli/cli_check_encoding.h"
#include "harness/cli/cli_config.h"
#include "harness/cli/cli_data.h"
#include "harness/cli/cli_eval.h"
#include "harness/cli/cli_inspect.h"
#include "harness/cli/cli_plot.h"
#include "harness/cli/cli_run.h"
#include "harness/cli/cli_score.h"
#include "harness/cli/cli_summary.h"
#include "harness/cli/cli_train.h"

static const char PLUGIN_OPTION[] = "--encoding-plugin";

static void list_encoding(const pe_ops *e) {
    printf("%-10s %s\n", e->name, e->summary);
    for (int o = 0; o < e->n_options; o++) {
        const pe_option_spec *s = &e->options[o];
        char def[40];
        options_default_text(s, def, sizeof def);
        if (s->choices)
            printf("           %s: %s (default %s) - %s\n", s->name, s->choices, def, s->help);
        else
            printf("           %s = %g - %s\n", s->name, s->default_value, s->help);
    }
}

static int cmd_list(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "tasks")) return list_tasks(stdout);
    if (argc != 2 || strcmp(argv[1], "encodings")) {
        const int help = argc == 2 && !strcmp(argv[1], "--help");
        fputs("usage: posbench list encodings|tasks\n", help ? stdout : stderr);
        return help ? 0 : 2;
    }
    for (int i = 0; pe_registry[i]; i++) list_encoding(pe_registry[i]);
    for (int i = 0; pe_plugin_at(i); i++) list_encoding(pe_plugin_at(i));
    return 0;
}

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    // Reads --encoding-plugin among its own options (run and jobs keep the list: jobs repeats
    // it in every command it prints), so the global ones are handed to it as its own.
    int reads_plugins;
} commands[] = {
    {"train", cmd_train, "train a model on the copy-at-offset toy task", 1},
    {"eval", cmd_eval, "loss of a checkpoint on a token file or a dataset file", 0},
    {"gen", cmd_gen, "generate a task's dataset file", 0},
    {"show", cmd_show, "print a dataset file's header and examples", 0},
    {"books", cmd_books, "build book datasets (PG-19 style) or synthetic books", 0},
    {"config", cmd_config, "print an experiment's resolved config and its runs", 0},
    {"run", cmd_run, "run an experiment's sweep (resumable), then summarise it", 1},
    {"jobs", cmd_jobs, "print one shell command per pending run of an experiment", 1},
    {"score", cmd_score, "evaluate finished runs again: new sets, lengths, encoding options", 0},
    {"summary", cmd_summary, "summarise an experiment's runs: mean and 95% CI over seeds", 0},
    {"attn", cmd_attn, "dump a finished run's attention on one example (attention.csv)", 0},
    {"freq", cmd_freq, "a finished run's frequency usage per layer (frequency.csv)", 0},
    {"groups", cmd_groups, "a finished run's answer accuracy per group, e.g. shift (groups.csv)",
     0},
    {"plot", cmd_plot, "render an experiment's plots (PNG and SVG) with gnuplot", 0},
    {"list", cmd_list, "list encodings or tasks and their options", 0},
    {"check-encoding", cmd_check_encoding, "run the generic checks on an encoding or a .so plugin",
     0},
};

static void usage(FILE *out) {
    fputs("usage: posbench [--encoding-plugin F.so]... COMMAND [options]\n"
          "       posbench COMMAND --help   (a command's options)\n"
          "       posbench --version        (the version and the build's flags)\n",
          out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs("--encoding-plugin F.so loads an encoding from a shared object first (repeatable; also\n"
          "accepted among a command's options), so that a command can use it or open the runs,\n"
          "checkpoints and experiments that use it (posbench check-encoding --help).\n",
          out);
}

// The value of --encoding-plugin F or --encoding-plugin=F at argv[*i] (moving *i onto its last
// word), "" when the option has no value, or NULL when argv[*i] is another argument.
static const char *plugin_option(int argc, char **argv, int *i) {
    const size_t n = sizeof PLUGIN_OPTION - 1;
    if (strncmp(argv[*i], PLUGIN_OPTION, n)) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n]) return NULL;
    return *i + 1 < argc ? argv[++*i] : "";
}

static int load_plugin(const char *path) {
    char err[512];
    if (!*path) {
        fprintf(stderr, "posbench: %s needs a shared object (see posbench --help)\n",
                PLUGIN_OPTION);
        return 2;
    }
    if (!pe_load_plugin(path, err, sizeof err)) {
        fprintf(stderr, "posbench: %s\n", err);
        return 2;
    }
    return 0;
}

// The command line a command gets: argv (the command's name first) with the plugins loaded
// before it. A command that reads --encoding-plugin itself gets them as its first options;
// any other gets them loaded, and its own --encoding-plugin options are loaded and taken out
// (up to a "--"). Returns 0 with a malloc'd, NULL-terminated *out (of *out_argc words), or 2.
static int command_line(const struct command *c, int argc, char **argv, char **plugins,
                        int n_plugins, char ***out, int *out_argc) {
    char **args = malloc((size_t)(argc + 2 * n_plugins + 1) * sizeof *args);
    if (!args) {
        fputs("posbench: out of memory\n", stderr);
        return 1;
    }
    int n = 0, rc = 0;
    args[n++] = argv[0];
    for (int k = 0; k < n_plugins && rc == 0; k++) {
        if (c->reads_plugins) args[n++] = (char *)PLUGIN_OPTION, args[n++] = plugins[k];
        else rc = load_plugin(plugins[k]);
    }
    int options_end = c->reads_plugins;  // a command that reads the option keeps every word
    for (int i = 1; i < argc && rc == 0; i++) {
        if (!strcmp(argv[i], "--")) options_end = 1;
        const char *path = options_end ? NULL : plugin_option(argc, argv, &i);
        if (path) rc = load_plugin(path);
        else args[n++] = argv[i];
    }
    args[n] = NULL;
    if (rc) {
        free(args);
        return rc;
    }
    *out = args;
    *out_argc = n;
    return 0;
}

int cli_main(int argc, char **argv) {
    char *plugins[PE_MAX_PLUGINS];
    int n_plugins = 0, at = 1;
    for (; at < argc && argv[at][0] == '-'; at++) {
        if (!strcmp(argv[at], "--help") || !strcmp(argv[at], "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[at], "--version")) {
            printf("posbench %s\nbuilt with: %s\n", posbench_version(), posbench_build_flags());
            return 0;
        }
        const char *path = plugin_option(argc, argv, &at);
        if (!path) {
            fprintf(stderr, "posbench: unknown option '%s' before the command (see posbench "
                            "--help)\n", argv[at]);
            return 2;
        }
        if (!*path) return load_plugin(path);  // says that the value is missing
        if (n_plugins == PE_MAX_PLUGINS) {
            fprintf(stderr, "posbench: too many encoding plugins (at most %d)\n", PE_MAX_PLUGINS);
            return 2;
        }
        plugins[n_plugins++] = (char *)path;
    }
    if (at == argc) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[at], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[at], commands[i].name)) continue;
        char **args;
        int n;
        int rc = command_line(&commands[i], argc - at, argv + at, plugins, n_plugins, &args, &n);
        if (rc) return rc;
        rc = commands[i].run(n, args);
        free(args);
        return rc;
    }
    const char *names[sizeof commands / sizeof commands[0]];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) names[i] = commands[i].name;
    const char *near = closest_name(argv[at], names, (int)(sizeof names / sizeof names[0]));
    if (near) {  // a typo: the one line that helps, not the whole command list
        fprintf(stderr, "posbench: unknown command '%s' (did you mean '%s'?)\n", argv[at], near);
        return 2;
    }
    fprintf(stderr, "posbench: unknown command '%s'\n", argv[at]);
    usage(stderr);
    return 2;
}
