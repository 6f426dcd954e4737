// `posbench eval`: a checkpoint's loss on a token file, or its loss and accuracy on a
// dataset file (scored as runs score their evaluation sets).
#ifndef POSBENCH_CLI_EVAL_H
#define POSBENCH_CLI_EVAL_H

int cmd_eval(int argc, char **argv);

#endif
