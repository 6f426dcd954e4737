// Vectorisable float exp, log, tanh and sin/cos. glibc's versions are scalar calls that GCC
// only replaces by vector ones under -ffast-math, which we do not use; these are plain
// arithmetic and integer bit operations that auto-vectorise at -O3. Error bounds are tested
// (tests/test_fastmath.c): fast_expf relative 3e-7 on [-87, 88]; fast_logf absolute 1e-7 on
// [0.5, 2], 1e-5 (relative 1.5e-7) on all normal floats; fast_tanhf absolute 1e-6;
// fast_sincosf absolute 2e-7 for |x| <= 1e4 (its range reduction stays exact to |x| ~ 1e5;
// beyond that a float argument carries no usable phase anyway).
#ifndef POSBENCH_FASTMATH_H
#define POSBENCH_FASTMATH_H

#include <stdint.h>
#include <string.h>

// exp(x) = 2^n * exp(r), n = round(x / ln 2), |r| <= ln(2)/2; exp(r) by its Taylor series to
// r^7 (truncation 0.347^8/8! < 5e-9). Inputs are clamped to [-87.3, 88.7]: the result
// saturates at the smallest normal and FLT_MAX-ish instead of overflowing to Inf; callers
// pass arguments that are <= 0 (softmax) or bounded (tanh).
static inline float fast_expf(float x) {
    x = x < -87.3f ? -87.3f : x;
    x = x > 88.7f ? 88.7f : x;
    const float shifter = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
    float n = (x * 1.44269504088896341f + shifter) - shifter;
    float r = x - n * 0.693145751953125f;  // ln 2 split in two so n * hi is exact
    r = r - n * 1.428606765330187e-06f;
    float p = 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t bits;
    memcpy(&bits, &p, 4);
    bits += (int32_t)n * (1 << 23);  // a multiply: shifting a negative int is undefined
    memcpy(&p, &bits, 4);
    return p;
}

// tanh(x) = sign(x) (1 - 2 / (exp(2|x|) + 1)); for |x| > 9, tanh is 1 in float.
static inline float fast_tanhf(float x) {
    float a = x < 0 ? -x : x;
    a = a > 9.0f ? 9.0f : a;
    float t = 1.0f - 2.0f / (fast_expf(2.0f * a) + 1.0f);
    return x < 0 ? -t : t;
}

// log(x) for x > 0 (normal): x = 2^e m with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh(s),
// s = (m-1)/(m+1), |s| <= 0.1716; the odd series to s^9 truncates below 1e-9.
static inline float fast_logf(float x) {
    int32_t bits;
    memcpy(&bits, &x, 4);
    int32_t e = ((bits >> 23) & 0xff) - 127;
    int32_t mbits = (bits & 0x007fffff) | 0x3f800000;  // m in [1, 2)
    float m;
    memcpy(&m, &mbits, 4);
    int big = m > 1.41421356f;
    m = big ? 0.5f * m : m;
    e = big ? e + 1 : e;
    float s = (m - 1.0f) / (m + 1.0f), s2 = s * s;
    float p = 1.0f / 9;
    p = p * s2 + 1.0f / 7;
    p = p * s2 + 1.0f / 5;
    p = p * s2 + 1.0f / 3;
    p = p * s2 + 1.0f;
    return 2.0f * s * p + (float)e * 0.693147180559945309f;
}

// sin and cos of x: x = k pi/2 + r with pi/2 split in three (the first with 8 significant
// bits, so k * part is exact for |k| < 2^16), |r| <= pi/4, then Taylor polynomials
// (truncation below 2e-9) and the quadrant k mod 4 picks and signs them.
static inline void fast_sincosf(float x, float *sin_out, float *cos_out) {
    const float shifter = 12582912.0f;
    float k = (x * 0.636619772367581343f + shifter) - shifter;
    float r = x - k * 1.5703125f;
    r = r - k * 4.837512969970703125e-4f;
    r = r - k * 7.54978995489188216e-8f;
    float r2 = r * r;
    float sp = -1.0f / 39916800;
    sp = sp * r2 + 1.0f / 362880;
    sp = sp * r2 - 1.0f / 5040;
    sp = sp * r2 + 1.0f / 120;
    sp = sp * r2 - 1.0f / 6;
    float sn = r + r * r2 * sp;
    float cp = 1.0f / 479001600;
    cp = cp * r2 - 1.0f / 3628800;
    cp = cp * r2 + 1.0f / 40320;
    cp = cp * r2 - 1.0f / 720;
    cp = cp * r2 + 1.0f / 24;
    cp = cp * r2 - 0.5f;
    float cs = 1.0f + r2 * cp;
    int32_t q = (int32_t)k & 3;
    float s = (q & 1) ? cs : sn, c = (q & 1) ? sn : cs;
    *sin_out = (q & 2) ? -s : s;
    *cos_out = ((q + 1) & 2) ? -c : c;
}

#endif
