// Finite-difference gradient checking shared by the test suites.
//
// A check perturbs each input x_i by +-h and +-h/2, evaluates a scalar loss f in double, and
// compares the Richardson-extrapolated central difference (error O(h^4)) with the analytic
// gradient g_i. The error of one component is
// |g - fd| / max(|g| + |fd|, floor): relative where the gradient is large, absolute (scaled
// by 1/floor) where it is near zero, where a relative error is meaningless.
#ifndef POSBENCH_GRADCHECK_H
#define POSBENCH_GRADCHECK_H

#include <stddef.h>

typedef double (*gc_loss_fn)(void *ctx);

typedef struct gc_result {
    double worst;      // largest error over the checked components
    size_t worst_at;   // its index
    double analytic, numeric;  // the two values there
} gc_result;

// Checks n components of x (every `stride`-th one when n is large) against grad.
gc_result gradcheck(gc_loss_fn f, void *ctx, float *x, const float *grad, size_t n,
                    size_t stride, double h, double floor);
// Directional check: compares the derivative of f along v (entries +-1 from `seed`, or
// sign(grad) when seed is 0) with grad . v. Every component moves at once, so the signal is
// |grad| * sqrt(n) rather than one component's: the check for large composite functions,
// where single components drown in the float rounding of f. Returns the relative error.
gc_result gradcheck_direction(gc_loss_fn f, void *ctx, float *x, const float *grad, size_t n,
                              unsigned seed, double h);
// Prints "label: worst relative error E at i (analytic A, numeric N)" to stderr.
void gc_report(const char *label, gc_result r);
// Fills x with uniform values in [-scale, scale] from a fixed LCG (tests need no rng.h).
void gc_fill(float *x, size_t n, unsigned seed, float scale);

#endif
