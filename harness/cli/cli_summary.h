// `posbench summary`: (re)computes an experiment's summary.csv and prints it as a table.
#ifndef POSBENCH_CLI_SUMMARY_H
#define POSBENCH_CLI_SUMMARY_H

// posbench summary [--metric NAME] results/<experiment>; argv[0] is "summary". Exit status.
int cmd_summary(int argc, char **argv);

#endif
