// Comparisons between two groups of runs: Welch's t-test on the difference of their means
// (unequal variances, the seeds of two encodings being two independent samples) and Fisher's
// exact test on their success counts (runs that solved the task or not).
#ifndef POSBENCH_COMPARE_H
#define POSBENCH_COMPARE_H

typedef struct welch_result {
    double diff;           // mean(a) - mean(b)
    double low, high;      // its 95% confidence interval
    double t, df, p;       // statistic, Welch-Satterthwaite degrees of freedom, two-sided p
} welch_result;

// Welch's test of mean(a) = mean(b) from na and nb values (each at least 2; NaN fields
// otherwise). Both samples without spread: diff is exact, the interval [diff, diff] and p is
// 1 when the means are equal, 0 when they differ.
void welch_test(const double *a, int na, const double *b, int nb, welch_result *r);

// Fisher's exact test, two-sided, of the 2x2 table (ka of na solved against kb of nb): the
// probability, with the margins fixed, of a table no more likely than this one. NaN for
// empty groups or counts outside [0, n].
double fisher_exact(int ka, int na, int kb, int nb);

#endif
