// Runs a CLI command function in-process with its stdout and stderr captured, for tests of
// exact messages and exit statuses.
#ifndef POSBENCH_TEST_CAPTURE_H
#define POSBENCH_TEST_CAPTURE_H

// args: NULL-terminated argv (args[0] is the command name). *out receives everything the
// command printed (caller frees). Returns the command's exit status.
int run_captured(int (*cmd)(int, char **), const char *const *args, char **out);

#endif
