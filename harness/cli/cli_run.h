// `posbench run` (an experiment's sweep, -j N runs at once, resumable) and `posbench jobs`
// (the same runs as shell commands, for GNU parallel or a Slurm job array).
#ifndef POSBENCH_CLI_RUN_H
#define POSBENCH_CLI_RUN_H

int cmd_run(int argc, char **argv);
int cmd_jobs(int argc, char **argv);
// Writes <results>/<name>/summary.csv and says where (errors to stderr).
void cli_write_summary(const char *results, const char *name);

#endif
