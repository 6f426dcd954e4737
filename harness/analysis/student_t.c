#include "harness/analysis/student_t.h"

#include <math.h>

// The continued fraction of I_x(a, b) (DLMF 8.17.22), 1 / (1 + d1 / (1 + d2 / (1 + ...))),
// by the modified Lentz method. It converges fast for x < (a + 1) / (a + b + 2).
static double beta_fraction(double x, double a, double b) {
    const double tiny = 1e-300;
    double f = tiny, c = f, d = 0.0;
    for (int j = 1; j <= 1000; j++) {
        double num = 1.0;  // the first partial numerator, then d_{j-1}
        const int k = j - 1, m = k / 2;
        if (k > 0 && k % 2 == 0)
            num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
        else if (k % 2 == 1)
            num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
        d = 1.0 + num * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1.0 + num / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        f *= c * d;
        if (fabs(c * d - 1.0) < 1e-16) break;
    }
    return f;
}

double incomplete_beta(double x, double a, double b) {
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    // x^a (1-x)^b / B(a, b) in logs, so large a and b neither overflow nor underflow early.
    const double front =
        exp(a * log(x) + b * log1p(-x) - (lgamma(a) + lgamma(b) - lgamma(a + b)));
    if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_fraction(x, a, b) / a;
    return 1.0 - front * beta_fraction(1.0 - x, b, a) / b;  // I_x(a,b) = 1 - I_{1-x}(b,a)
}

// P(T > t) for t >= 0: half of I_{df/(df+t^2)}(df/2, 1/2) (Abramowitz & Stegun 26.7.1).
static double t_upper_tail(double t, double df) {
    return 0.5 * incomplete_beta(df / (df + t * t), 0.5 * df, 0.5);
}

double student_t_cdf(double t, double df) {
    if (isnan(t) || !(df > 0)) return NAN;
    return t >= 0 ? 1.0 - t_upper_tail(t, df) : t_upper_tail(-t, df);
}

double student_t_quantile(double p, double df) {
    if (!(p > 0.0 && p < 1.0) || !(df > 0)) return NAN;
    if (p < 0.5) return -student_t_quantile(1.0 - p, df);
    // Solve on the upper tail, 1 - p, which keeps its digits when p is close to 1. The tail
    // decreases in t, so bracket the root by doubling, then bisect to the last bit.
    const double tail = 1.0 - p;
    double lo = 0.0, hi = 1.0;
    while (t_upper_tail(hi, df) > tail && hi < 1e300) lo = hi, hi *= 2.0;
    for (int i = 0; i < 1100; i++) {
        const double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi) break;
        if (t_upper_tail(mid, df) > tail) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}
