// `posbench attn`, `posbench freq` and `posbench groups`: look inside finished runs
// (harness/analysis/inspect.h).
#ifndef POSBENCH_CLI_INSPECT_H
#define POSBENCH_CLI_INSPECT_H

// argv[0] is the command's name. Exit status: 0, 1 when a run failed, 2 on a usage error.
int cmd_attn(int argc, char **argv);
int cmd_freq(int argc, char **argv);
int cmd_groups(int argc, char **argv);

#endif
