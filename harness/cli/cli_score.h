// `posbench score`: finished runs evaluated again on new sets, lengths or evaluation-time
// encoding options (harness/experiment/run_score.h).
#ifndef POSBENCH_CLI_SCORE_H
#define POSBENCH_CLI_SCORE_H

int cmd_score(int argc, char **argv);

#endif
