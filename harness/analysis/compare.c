#include "harness/analysis/compare.h"

#include <math.h>

#include "harness/analysis/student_t.h"

// Sums the deviations from v[0], not the values: seeds that all score the same (a model
// answering one class everywhere) then have exactly no spread, where (3x)/3 != x in
// floating point would leave a variance of 1e-34 and a p of 1e-29 instead of 0.
static void mean_var(const double *v, int n, double *mean, double *var) {
    double shift = 0.0, ss = 0.0;
    for (int i = 0; i < n; i++) shift += v[i] - v[0];
    shift /= n;
    *mean = v[0] + shift;
    for (int i = 0; i < n; i++) ss += (v[i] - v[0] - shift) * (v[i] - v[0] - shift);
    *var = ss / (n - 1);
}

void welch_test(const double *a, int na, const double *b, int nb, welch_result *r) {
    *r = (welch_result){NAN, NAN, NAN, NAN, NAN, NAN};
    if (na < 2 || nb < 2) return;
    double ma, va, mb, vb;
    mean_var(a, na, &ma, &va);
    mean_var(b, nb, &mb, &vb);
    r->diff = ma - mb;
    const double sa = va / na, sb = vb / nb, se2 = sa + sb;
    if (se2 == 0.0) {  // no spread on either side: the difference is what it is
        r->low = r->high = r->diff;
        r->p = r->diff == 0.0 ? 1.0 : 0.0;
        return;
    }
    const double se = sqrt(se2);
    r->df = se2 * se2 / (sa * sa / (na - 1) + sb * sb / (nb - 1));
    r->t = r->diff / se;
    const double half = student_t_quantile(0.975, r->df) * se;
    r->low = r->diff - half;
    r->high = r->diff + half;
    r->p = 2.0 * student_t_cdf(-fabs(r->t), r->df);
}

// log of n choose k.
static double log_choose(int n, int k) {
    return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0);
}

double fisher_exact(int ka, int na, int kb, int nb) {
    if (na <= 0 || nb <= 0 || ka < 0 || kb < 0 || ka > na || kb > nb) return NAN;
    // With the margins fixed, the table is set by x = solved in a: hypergeometric.
    const int solved = ka + kb, n = na + nb;
    const int lo = solved - nb > 0 ? solved - nb : 0, hi = solved < na ? solved : na;
    const double log_total = log_choose(n, solved);
    double p_obs = exp(log_choose(na, ka) + log_choose(nb, kb) - log_total), p = 0.0;
    for (int x = lo; x <= hi; x++) {
        const double px = exp(log_choose(na, x) + log_choose(nb, solved - x) - log_total);
        // Tables as likely as the observed one count too (a relative tolerance for rounding).
        if (px <= p_obs * (1.0 + 1e-7)) p += px;
    }
    return p > 1.0 ? 1.0 : p;
}
