// A small deterministic PRNG (xoshiro256** seeded through splitmix64), so that runs are a
// pure function of their seed on every platform: no rand(), no global state.
#ifndef POSBENCH_RNG_H
#define POSBENCH_RNG_H

#include <stdint.h>

typedef struct rng {
    uint64_t s[4];
} rng;

void rng_seed(rng *r, uint64_t seed);
uint64_t rng_u64(rng *r);
// Uniform in [0, 1) with 24 bits (float) or 53 bits (double).
float rng_float(rng *r);
double rng_double(rng *r);
// Uniform integer in [0, n), n > 0, without modulo bias.
uint32_t rng_below(rng *r, uint32_t n);
// Standard normal (Box-Muller in double).
float rng_normal(rng *r);
// A well-mixed 64-bit function of x (splitmix64's output step): counter-based randomness,
// the n-th number of a stream being rng_mix(key + n), for masks recomputed on demand.
uint64_t rng_mix(uint64_t x);

#endif
