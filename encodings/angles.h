// Position x frequency angle tables shared by the rotary encodings (RoPE, PoPE, xPos).
#ifndef POSBENCH_ANGLES_H
#define POSBENCH_ANGLES_H

#include "encoding.h"

// cos_out[t][f] = cos(pos[t] * base^(-f * step)), sin_out likewise, for t < T, f < F (both
// (T, F) row-major). Angles are formed and reduced to [-pi, pi] in double: at pos ~1e5 a
// float angle is off by ~4e-3 rad, which would spoil extrapolation results that an encoding
// should fail for its own reasons only. The reduced angle is then exact to float precision,
// and fast_sincosf on it errs by < 2e-7. F is at most ANGLES_MAX_FREQ.
#define ANGLES_MAX_FREQ 4096
void angle_table(const float *pos, int T, double base, double step, int F, float *cos_out,
                 float *sin_out);
// The same for any frequencies theta (F of them), e.g. rescaled ones (RoPE's scaling options).
void angle_table_freqs(const float *pos, int T, const double *theta, int F, float *cos_out,
                       float *sin_out);

// Frequency usage of rotary encodings (encoding.h): band i's magnitude is the norm of the pair
// (x_2i, x_2i+1), which a rotation keeps. x has 2F floats, mag gets F.
void pair_norms(const float *x, int F, float *mag);
int pair_bands(const pe *e);  // F = head_dim / 2

#endif
