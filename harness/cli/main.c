// posbench: the entry point. The command line itself (global options, the table of commands)
// is harness/cli/cli_main.c, so that the tests can run it whole.
//
// Errors and exit status, the same for every command:
//   0  it did what was asked (--help included, printed on stdout).
//   1  runtime failure: the command is well formed, but its data or the machine failed it: a
//      dataset, corpus, checkpoint, run or results folder or token file that is missing,
//      unreadable or damaged, or lacks what was named (a set, a metric, an example); an
//      output that cannot be written (a full disk); memory; training that diverges; a run or
//      an encoding check that fails.
//   2  usage error: the command cannot work as written, whatever the data: an unknown command
//      or option; a missing, extra or malformed argument; a value out of range or naming
//      nothing posbench knows (an encoding, a task, an option); options that contradict each
//      other; an experiment file that is not a valid experiment, or whose runs `run` finds
//      cannot start (checked before it starts any); an encoding plugin that cannot be loaded.
//      Nothing has been done.
// (A sweep that `run` stops on SIGINT or SIGTERM exits 130, as a shell reports Ctrl-C.)
// A message is one line on stderr: "posbench: ", then the command or the file it is about.
// Library code never prints an error: it returns -1 with that line in the caller's buffer
// (set_error, harness/base/errors.h), and the command prints it. Only a bug stops the process
// (posbench_bug).
#include "harness/cli/cli_main.h"

int main(int argc, char **argv) { return cli_main(argc, argv); }
