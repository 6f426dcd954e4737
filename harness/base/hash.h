// FNV-1a 64-bit: the checksum of dataset and checkpoint files and the hash behind run ids
// and book folder names. Those formats and names depend on it: never change it.
#ifndef POSBENCH_HASH_H
#define POSBENCH_HASH_H
#include <stddef.h>
#include <stdint.h>

#define FNV1A_BASIS 0xcbf29ce484222325ull

// Folds n bytes into a running hash (start from FNV1A_BASIS).
static inline uint64_t fnv1a_update(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

// The hash of a NUL-terminated string.
static inline uint64_t fnv1a_string(const char *s) {
    uint64_t h = FNV1A_BASIS;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}
#endif
