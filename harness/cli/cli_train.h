// `posbench train`: the toy task from flags, or any dataset file (tasks/dataset.h).
#ifndef POSBENCH_CLI_TRAIN_H
#define POSBENCH_CLI_TRAIN_H

// argv[0] is "train". Returns the exit status.
int cmd_train(int argc, char **argv);

#endif
