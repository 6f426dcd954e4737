// `posbench plot`: renders every plot that applies to an experiment's results folder.
#ifndef POSBENCH_CLI_PLOT_H
#define POSBENCH_CLI_PLOT_H

int cmd_plot(int argc, char **argv);

#endif
