// The whole posbench command line: global options, then a command from the table (each with
// its own --help). Exit statuses as harness/cli/main.c states them.
//
// The one global option, --encoding-plugin F.so (repeatable), loads an encoding from a shared
// object before the command runs, so that every command can use it or open what was made
// with it: a run's folder (attn, freq, groups, score, summary, plot), a checkpoint (eval), an
// experiment (run, jobs, config), a model (train). It may come before the command or among
// the command's own options.
#ifndef POSBENCH_CLI_MAIN_H
#define POSBENCH_CLI_MAIN_H

// argv[0] is the program; returns the exit status.
int cli_main(int argc, char **argv);

#endif
