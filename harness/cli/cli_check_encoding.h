// `posbench check-encoding NAME|FILE.so`: the generic encoding checks as a pass/fail table.
#ifndef POSBENCH_CLI_CHECK_ENCODING_H
#define POSBENCH_CLI_CHECK_ENCODING_H

int cmd_check_encoding(int argc, char **argv);

#endif
