// Student's t distribution, for the confidence intervals of summaries over seeds.
#ifndef POSBENCH_STUDENT_T_H
#define POSBENCH_STUDENT_T_H

// Student's t distribution with df > 0 degrees of freedom: the CDF, by the regularized
// incomplete beta function, and its inverse (for p in (0, 1)), by bisection on the CDF.
double student_t_cdf(double t, double df);
double student_t_quantile(double p, double df);

// The regularized incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1].
double incomplete_beta(double x, double a, double b);

#endif
