// posbench command line: a table of subcommands, each with its own --help.
//
// Errors and exit status, the same for every command:
//   0  it did what was asked (--help included, printed on stdout).
//   1  runtime failure: the command is well formed, but its data or the machine failed it: a
//      dataset, corpus, checkpoint, run or results folder or token file that is missing,
//      unreadable or damaged, or lacks what was named (a set, a metric, an example); an
//      output that cannot be written (a full disk); memory; training that diverges; a run or
//      an encoding check that fails.
//   2  usage error: the command cannot work as written, whatever the data: an unknown command
//      or option; a missing, extra or malformed argument; a value out of range or naming
//      nothing posbench knows (an encoding, a task, an option); options that contradict each
//      other; an experiment file that is not a valid experiment, or whose runs `run` finds
//      cannot start (checked before it starts any); an encoding plugin that cannot be loaded.
//      Nothing has been done.
// A message is one line on stderr: "posbench: ", then the command or the file it is about.
// Library code never prints an error: it returns -1 with that line in the caller's buffer
// (set_error, harness/base/errors.h), and the command prints it. Only a bug stops the process
// (posbench_bug).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encodings/encoding.h"
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

static int cmd_list(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "tasks")) return list_tasks(stdout);
    if (argc != 2 || strcmp(argv[1], "encodings")) {
        fputs("usage: posbench list encodings|tasks\n", argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
        return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
    }
    for (int i = 0; pe_registry[i]; i++) {
        const pe_ops *e = pe_registry[i];
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
    return 0;
}

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"train", cmd_train, "train a model on the copy-at-offset toy task"},
    {"eval", cmd_eval, "loss of a checkpoint on a token file or a dataset file"},
    {"gen", cmd_gen, "generate a task's dataset file"},
    {"show", cmd_show, "print a dataset file's header and examples"},
    {"books", cmd_books, "build book datasets (PG-19 style) or synthetic books"},
    {"config", cmd_config, "print an experiment's resolved config and its runs"},
    {"run", cmd_run, "run an experiment's sweep (resumable), then summarise it"},
    {"jobs", cmd_jobs, "print one shell command per pending run of an experiment"},
    {"score", cmd_score, "evaluate finished runs again: new sets, lengths, encoding options"},
    {"summary", cmd_summary, "summarise an experiment's runs: mean and 95% CI over seeds"},
    {"attn", cmd_attn, "dump a finished run's attention on one example (attention.csv)"},
    {"freq", cmd_freq, "a finished run's frequency usage per layer (frequency.csv)"},
    {"groups", cmd_groups, "a finished run's answer accuracy per group, e.g. shift (groups.csv)"},
    {"plot", cmd_plot, "render an experiment's plots (PNG and SVG) with gnuplot"},
    {"list", cmd_list, "list encodings or tasks and their options"},
    {"check-encoding", cmd_check_encoding, "run the generic checks on an encoding or a .so plugin"},
};

static void usage(FILE *out) {
    fputs("usage: posbench COMMAND [options]   (posbench COMMAND --help for its options)\n",
          out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "posbench: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
