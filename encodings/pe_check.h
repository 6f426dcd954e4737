// The generic checks every encoding must pass, shared by the test suite and
// `posbench check-encoding`: finite-difference gradients of every hook (q, k and the
// encoding's own parameters, at two (layer, head) slices), backward hooks accumulating,
// the invariances the encoding declares (encoding.h: PE_SHIFT_INVARIANT, PE_POSITION_FREE),
// the option round trip, and evaluation at 10x a training length of 64 and at positions up
// to 40960 with finite logits and gradients.
#ifndef POSBENCH_PE_CHECK_H
#define POSBENCH_PE_CHECK_H

#include <stddef.h>
#include <stdio.h>

enum { PE_CHECK_PASS, PE_CHECK_FAIL, PE_CHECK_SKIP };

// One row of the table: `worst` is the largest error measured (0 when the check is a yes/no
// one), `tol` the bound it must stay below.
typedef struct pe_check_item {
    char name[40];
    int status;
    double worst, tol;
    char detail[200];
} pe_check_item;

#define PE_CHECK_MAX_ITEMS 24
typedef struct pe_check_report {
    char encoding[64], options[256];
    int n, n_failed;
    pe_check_item items[PE_CHECK_MAX_ITEMS];
} pe_check_report;

// Gradient tolerance: the same as tests/test_encodings.c (see there for the derivation):
// step 1e-2 with Richardson extrapolation, errors relative above |g| = 3e-2 and absolute
// below, bound 3e-3.
#define PE_CHECK_GRAD_TOL 3e-3

// Runs every check on encoding `name` (built-in or loaded plugin) with `options` for a
// model of 2 layers and 2 heads of width head_dim. Returns 0 when the checks ran (out->
// n_failed tells whether they passed), -1 with a message when the encoding cannot be
// configured for that shape or memory runs out.
int pe_check_run(pe_check_report *out, const char *name, const char *options, int head_dim,
                 char *err, size_t errlen);
// Prints the table, one row per check, and a last line "N of M checks failed" or "all passed".
void pe_check_print(FILE *f, const pe_check_report *r);

#endif
