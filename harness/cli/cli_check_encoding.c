// `posbench check-encoding`: runs encodings/pe_check.c on a built-in encoding or on one
// loaded from a shared object, so a researcher can vet a new PE before training with it.
#include "harness/cli/cli_check_encoding.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encodings/encoding.h"
#include "encodings/pe_check.h"

static const char USAGE[] =
    "usage: posbench check-encoding NAME|FILE.so [--options S] [--head-dim D]\n"
    "Runs the generic encoding checks and prints a pass/fail table with the worst errors:\n"
    "finite-difference gradients of every hook (q, k and the encoding's own parameters, at\n"
    "three layer/head slices), backward hooks accumulating, a bias hook adding to the logits\n"
    "(not replacing them), the invariances it declares (shift invariance, position free),\n"
    "the option round trip at the defaults and at other values, and finite logits and\n"
    "gradients at 10x a training length of 64 and at positions up to 40960. The model is\n"
    "2 layers x 2 heads.\n"
    "A FILE.so (any argument with a '/' or ending in .so) is loaded first: it must export\n"
    "`const pe_ops posbench_encoding` (encodings/encoding.h); build it with\n"
    "  cc -O2 -shared -fPIC -I/path/to/posbench my_pe.c -o my_pe.so\n"
    "Exit status: 0 all checks pass, 1 a check fails (or memory runs out), 2 bad usage or\n"
    "an encoding that cannot be loaded or configured.\n"
    "  --options S    the encoding's options, e.g. 'base=500'      (defaults)\n"
    "  --head-dim D   width of each head                           (8)\n";

static int is_file(const char *arg) {
    const size_t n = strlen(arg);
    return strchr(arg, '/') || (n > 3 && !strcmp(arg + n - 3, ".so"));
}

int cmd_check_encoding(int argc, char **argv) {
    const char *options = NULL;
    int head_dim = 8;
    static const struct option longs[] = {
        {"options", 1, 0, 'o'}, {"head-dim", 1, 0, 'd'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'o': options = optarg; break;
        case 'd': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || v < 1 || v > 4096) {
                fprintf(stderr, "posbench: --head-dim needs an integer in [1, 4096], got '%s'\n",
                        optarg);
                return 2;
            }
            head_dim = (int)v;
            break;
        }
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        fputs(USAGE, stderr);
        return 2;
    }
    const char *name = argv[optind];
    char err[512];
    if (is_file(name)) {
        const pe_ops *ops = pe_load_plugin(name, err, sizeof err);
        if (!ops) {
            fprintf(stderr, "posbench: %s\n", err);
            return 2;
        }
        name = ops->name;
    }
    pe_check_report *r = malloc(sizeof *r);
    if (!r) {
        fprintf(stderr, "posbench: check-encoding: out of memory\n");
        return 1;
    }
    if (pe_check_run(r, name, options, head_dim, err, sizeof err) != 0) {
        fprintf(stderr, "posbench: %s\n", err);
        free(r);
        return 2;
    }
    pe_check_print(stdout, r);
    const int failed = r->n_failed > 0;
    free(r);
    return failed;
}
