#include "gradcheck.h"

#include <math.h>
#include <stdio.h>

gc_result gradcheck(gc_loss_fn f, void *ctx, float *x, const float *grad, size_t n,
                    size_t stride, double h, double floor) {
    gc_result r = {0};
    if (stride == 0) stride = 1;
    for (size_t i = 0; i < n; i += stride) {
        float saved = x[i];
        x[i] = (float)(saved + h);
        double hi = f(ctx);
        double hp = (double)x[i] - saved;  // the step actually taken in float
        x[i] = (float)(saved - h);
        double lo = f(ctx);
        double hm = saved - (double)x[i];
        x[i] = saved;
        double fd = (hi - lo) / (hp + hm);
        double g = grad[i];
        double denom = fmax(fabs(g) + fabs(fd), floor);
        double err = fabs(g - fd) / denom;
        if (i == 0 || err > r.worst) {
            r.worst = err;
            r.worst_at = i;
            r.analytic = g;
            r.numeric = fd;
        }
    }
    return r;
}

void gc_report(const char *label, gc_result r) {
    fprintf(stderr, "%-40s worst rel. error %.2e at %zu (analytic %+.6e, numeric %+.6e)\n", label,
            r.worst, r.worst_at, r.analytic, r.numeric);
}

void gc_fill(float *x, size_t n, unsigned seed, float scale) {
    unsigned s = seed * 2654435761u + 12345u;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = scale * (2.0f * (float)(s >> 8) / 16777216.0f - 1.0f);
    }
}
