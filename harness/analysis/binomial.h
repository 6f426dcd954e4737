// The exact (Clopper-Pearson) confidence interval of a success rate: for all-or-nothing
// outcomes, such as a run that learns a task or does not, where a mean and a t-interval over
// a few seeds say nothing true.
#ifndef POSBENCH_BINOMIAL_H
#define POSBENCH_BINOMIAL_H

// The 95% interval of the rate behind k successes in n trials (0 <= k <= n, n >= 1): lo is the
// rate under which k or more successes have probability 2.5%, hi the rate over which k or
// fewer have, with lo = 0 for k = 0 and hi = 1 for k = n. NaN for n < 1 or k outside [0, n].
void binomial_interval(int k, int n, double *lo, double *hi);

#endif
