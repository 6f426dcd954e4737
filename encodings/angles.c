#include "angles.h"

#include <math.h>

#include "harness/base/fastmath.h"

void angle_table_freqs(const float *pos, int T, const double *theta, int F, float *cos_out,
                       float *sin_out) {
    const double two_pi = 6.283185307179586, inv_two_pi = 0.15915494309189535;
    const double shifter = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
    for (int t = 0; t < T; t++) {
        const double p = pos[t];
        float *restrict c = cos_out + (size_t)t * F, *restrict s = sin_out + (size_t)t * F;
        for (int f = 0; f < F; f++) {
            double a = p * theta[f];
            double turns = (a * inv_two_pi + shifter) - shifter;
            fast_sincosf((float)(a - turns * two_pi), &s[f], &c[f]);
        }
    }
}

void angle_table(const float *pos, int T, double base, double step, int F, float *cos_out,
                 float *sin_out) {
    double theta[ANGLES_MAX_FREQ];
    for (int f = 0; f < F; f++) theta[f] = pow(base, -f * step);
    angle_table_freqs(pos, T, theta, F, cos_out, sin_out);
}

void pair_norms(const float *x, int F, float *mag) {
    for (int i = 0; i < F; i++) mag[i] = sqrtf(x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1]);
}

int pair_bands(const pe *e) { return e->shape.head_dim / 2; }
