#include "gradcheck.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Central difference with the step actually representable in float around x.
static double central_difference(gc_loss_fn f, void *ctx, float *x, double h) {
    float saved = *x;
    *x = (float)(saved + h);
    double up = (double)*x - saved;
    double hi = f(ctx);
    *x = (float)(saved - h);
    double down = saved - (double)*x;
    double lo = f(ctx);
    *x = saved;
    return (hi - lo) / (up + down);
}

gc_result gradcheck(gc_loss_fn f, void *ctx, float *x, const float *grad, size_t n,
                    size_t stride, double h, double floor) {
    gc_result r = {0};
    if (stride == 0) stride = 1;
    for (size_t i = 0; i < n; i += stride) {
        // Richardson extrapolation cancels the h^2 error term, so h can stay large enough
        // that float rounding in f stays small against the difference.
        double fd = (4.0 * central_difference(f, ctx, x + i, h / 2) -
                     central_difference(f, ctx, x + i, h)) / 3.0;
        double g = grad[i];
        double err = fabs(g - fd) / fmax(fabs(g) + fabs(fd), floor);
        if (i == 0 || err > r.worst) {
            r.worst = err;
            r.worst_at = i;
            r.analytic = g;
            r.numeric = fd;
        }
    }
    return r;
}

// f(x + t v) with the saved x restored afterwards.
static double along(gc_loss_fn f, void *ctx, float *x, const float *x0, const float *v,
                    size_t n, double t) {
    for (size_t i = 0; i < n; i++) x[i] = (float)(x0[i] + t * v[i]);
    double y = f(ctx);
    memcpy(x, x0, n * sizeof(float));
    return y;
}

gc_result gradcheck_direction(gc_loss_fn f, void *ctx, float *x, const float *grad, size_t n,
                              unsigned seed, double h) {
    float *x0 = malloc(n * sizeof(float)), *v = malloc(n * sizeof(float));
    memcpy(x0, x, n * sizeof(float));
    if (seed == 0) {
        for (size_t i = 0; i < n; i++) v[i] = grad[i] >= 0 ? 1.0f : -1.0f;
    } else {
        gc_fill(v, n, seed, 1.0f);
        for (size_t i = 0; i < n; i++) v[i] = v[i] >= 0 ? 1.0f : -1.0f;
    }
    double d1 = (along(f, ctx, x, x0, v, n, h) - along(f, ctx, x, x0, v, n, -h)) / (2 * h);
    double d2 = (along(f, ctx, x, x0, v, n, h / 2) - along(f, ctx, x, x0, v, n, -h / 2)) / h;
    double fd = (4 * d2 - d1) / 3;
    double g = 0.0, norm2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        g += (double)grad[i] * v[i];
        norm2 += (double)grad[i] * grad[i];
    }
    // |grad|_2 is the typical size of grad . v for a random sign vector: the scale against
    // which a random direction's (possibly cancelling) sum is judged.
    gc_result r = {fabs(g - fd) / fmax(fabs(g) + fabs(fd), fmax(sqrt(norm2), 1e-12)), 0, g, fd};
    free(x0);
    free(v);
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
