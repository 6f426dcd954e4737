#include "harness/cli/cli_args.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int cli_bad_option(const char *cmd, const char *arg) {
    fprintf(stderr, "posbench: %s: unknown or incomplete option '%s' (see --help)\n", cmd, arg);
    return 2;
}

int cli_extra_argument(const char *cmd, const char *arg) {
    fprintf(stderr, "posbench: %s: unexpected argument '%s' (see --help)\n", cmd, arg);
    return 2;
}

int cli_one_argument(const char *cmd, int argc, char **argv, int first, const char *missing) {
    if (first == argc - 1) return 0;
    if (first < argc - 1) return cli_extra_argument(cmd, argv[first + 1]);
    fprintf(stderr, "posbench: %s: %s\n", cmd, missing);
    return 2;
}

int cli_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi,
                  uint64_t *out) {
    char *end;
    errno = 0;
    const unsigned long long v = strtoull(s, &end, 10);
    if (!isdigit((unsigned char)s[0]) || *end || errno == ERANGE || v < lo || v > hi) {
        fprintf(stderr, "posbench: %s: %s expects an integer in [%llu, %llu], got '%s'\n", cmd,
                opt, (unsigned long long)lo, (unsigned long long)hi, s);
        return -1;
    }
    *out = v;
    return 0;
}
