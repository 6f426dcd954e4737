// What every subcommand's option parsing shares, with one wording for its errors.
#ifndef POSBENCH_CLI_ARGS_H
#define POSBENCH_CLI_ARGS_H

#include <stdint.h>

// "posbench CMD: unknown or incomplete option 'ARG' (see --help)" on stderr; returns 2.
int cli_bad_option(const char *cmd, const char *arg);

// "posbench CMD: unexpected argument 'ARG' (see --help)" on stderr; returns 2.
int cli_extra_argument(const char *cmd, const char *arg);

// Whether exactly one argument is left after the options (argv[first]): 0, else 2 after
// cli_extra_argument or "posbench CMD: MISSING" on stderr.
int cli_one_argument(const char *cmd, int argc, char **argv, int first, const char *missing);

// s as an unsigned integer in [lo, hi] (digits only, the whole argument): 0 with *out, else
// -1 after "posbench CMD: OPT expects an integer in [lo, hi], got 'S'" on stderr.
int cli_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi,
                  uint64_t *out);

#endif
