// The dataset commands of the posbench CLI: `gen`, `show` and `list tasks`.
#ifndef POSBENCH_CLI_DATA_H
#define POSBENCH_CLI_DATA_H

#include <stdio.h>

// posbench gen TASK [--options S] --seed S -n N -o FILE; argv[0] is "gen". Exit status.
int cmd_gen(int argc, char **argv);
// posbench show FILE [-n K]; argv[0] is "show". Exit status.
int cmd_show(int argc, char **argv);
// Every task with its summary and options (defaults); returns 0.
int list_tasks(FILE *out);

#endif
