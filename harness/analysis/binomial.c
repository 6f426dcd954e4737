#include "harness/analysis/binomial.h"

#include <math.h>

#include "harness/analysis/student_t.h"

// x with I_x(a, b) = p, by bisection: I_x is increasing in x on [0, 1].
static double beta_quantile(double p, double a, double b) {
    double lo = 0.0, hi = 1.0;
    for (int i = 0; i < 200; i++) {
        const double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi) break;
        if (incomplete_beta(mid, a, b) < p) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

// P(X >= k) for X ~ Binomial(n, r) is I_r(k, n - k + 1), so the bounds are beta quantiles.
void binomial_interval(int k, int n, double *lo, double *hi) {
    if (n < 1 || k < 0 || k > n) {
        *lo = *hi = NAN;
        return;
    }
    const double tail = 0.025;
    *lo = k == 0 ? 0.0 : beta_quantile(tail, k, n - k + 1);
    *hi = k == n ? 1.0 : beta_quantile(1.0 - tail, k + 1, n - k);
}
