// The generic checks every encoding must pass, shared by the test suite and
// `posbench check-encoding`: the structural contract, the option round trip (configured and
// non-default values), finite-difference gradients of every hook (q, k and the encoding's own
// parameters, at three (layer, head) slices), a bias hook adding to the logits, backward hooks
// accumulating, the invariances the encoding declares (encoding.h: PE_SHIFT_INVARIANT,
// PE_POSITION_FREE), and evaluation at 10x a training length of 64 and at positions up to
// 40960 with finite logits and gradients; then the attention-level checks again in a
// bidirectional model (keys after their query read too), named "... (bidirectional)".
//
// The tests also use the fixture the checks are built on (pe_check_head): one head whose
// logits are composed as the attention core composes the hooks.
#ifndef POSBENCH_PE_CHECK_H
#define POSBENCH_PE_CHECK_H

#include <stddef.h>
#include <stdio.h>

#include "encodings/encoding.h"

enum { PE_CHECK_PASS, PE_CHECK_FAIL, PE_CHECK_SKIP };

// One row of the table: `worst` is the largest error measured (0 when the check is a yes/no
// one), `tol` the bound it must stay below.
typedef struct pe_check_item {
    char name[64];
    int status;
    double worst, tol;
    char detail[200];
} pe_check_item;

#define PE_CHECK_MAX_ITEMS 40
typedef struct pe_check_report {
    char encoding[64], options[256];
    int n, n_failed;
    pe_check_item items[PE_CHECK_MAX_ITEMS];
} pe_check_report;

// Gradient tolerance. The logits are float, so the loss carries ~5e-7 absolute noise, ~3e-5
// in a finite difference with step 1e-2 (Richardson-extrapolated); components below
// |g| = 3e-2 are therefore compared absolutely, the others relatively. Measured worst on the
// built-in encodings: ~9e-4 (PoPE's small delta gradients, noise, and the O(h^2) truncation
// of TAPA's steep cosine). 3e-3 leaves margin, while a dropped factor, a wrong sign or a
// gradient sent to another head's slice fails with errors near 1.
#define PE_CHECK_GRAD_TOL 3e-3

// Runs every check on encoding `name` (built-in or loaded plugin) with `options` for a
// model of 2 layers and 2 heads of width head_dim. Returns 0 when the checks ran (out->
// n_failed tells whether they passed), -1 with a message when the encoding cannot be
// configured for that shape or memory runs out.
int pe_check_run(pe_check_report *out, const char *name, const char *options, int head_dim,
                 char *err, size_t errlen);
// The item of that name, or NULL when the check did not run (it does not apply).
const pe_check_item *pe_check_find(const pe_check_report *r, const char *name);
// Prints the table, one row per check, and a last line "N of M checks failed" or "all passed".
void pe_check_print(FILE *f, const pe_check_report *r);

// ---- The fixture ---------------------------------------------------------------------------

// One head of one sequence: inputs q, k (T, D), fixed loss weights w (T, T) and positions
// (near ones for T <= 8, else 0 .. T-1), and the buffers the attention-level hooks write.
typedef struct pe_check_head {
    const pe *e;
    int T, D, W, layer, head;
    int no_bias;  // leave the bias hook out of the logits
    size_t np;
    float *params;  // not owned
    float *pos, *q, *k, *w, *qo, *ko, *s, *ds, *dqo, *dko, *scratch;
    float *mem;
} pe_check_head;

// q, k and w from `seed`; 0, or -1 when memory runs out.
int pe_check_head_create(pe_check_head *h, const pe *e, float *params, int T, int layer,
                         int head, unsigned seed);
void pe_check_head_free(pe_check_head *h);
// The logits s (T, T), j < pe_keys_end: q/k transform, then the score hook or q'.k'/sqrt(D) (double
// accumulation), then the bias.
void pe_check_logits(pe_check_head *h);
// The analytic gradient of loss = sum_{j < pe_keys_end} w_ij s_ij, accumulated into dq, dk (T, D) and
// dparams (np); recomputes the logits.
void pe_check_backward(pe_check_head *h, float *dq, float *dk, float *dparams);
// The encoding's parameters from its init with `seed` (zeros without one), np + 1 floats to
// free; NULL when memory runs out.
float *pe_check_params(const pe *e, unsigned seed);
// Uniform values in [-1, 1] from a fixed LCG: the checks are repeatable.
void pe_check_fill(float *x, size_t n, unsigned seed);

#endif
