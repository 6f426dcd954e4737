// Vectorisable float exp and tanh. glibc's expf/tanhf are scalar calls that GCC only
// replaces by vector versions under -ffast-math, which we do not use; these are plain
// arithmetic and integer bit operations that auto-vectorise at -O3. Error bounds are tested
// (tests/test_fastmath.c): fast_expf within 2 ulp-ish (relative 3e-7) on [-87, 88], fast_tanhf
// within 1e-6 absolute.
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

#endif
