// `posbench config`: the schema with its defaults, or an experiment file fully resolved.
#ifndef POSBENCH_CLI_CONFIG_H
#define POSBENCH_CLI_CONFIG_H

int cmd_config(int argc, char **argv);

#endif
