// Residues and bracketed expressions for the suite's modular tasks (modular.h).
#include "tasks/lengthgen/modular.h"


const char *modular_residue_name(int v) {
    static const char *const names[MODULAR_MAX] = {"0", "1", "2", "3", "4",
                                                   "5", "6", "7", "8", "9"};
    return names[v];
}

int modular_bracketed(rng *r, int len, int m, int mult, uint16_t *out) {
    const uint16_t open = (uint16_t)(m + BRACKET_OPEN), close = (uint16_t)(m + BRACKET_CLOSE);
    if (len <= 4) {
        // 1: d, 2: -d, 3: (d), 4: (-d): brackets from 3 on, a minus at the even lengths.
        const int d = (int)rng_below(r, (uint32_t)m), bracket = len >= 3, minus = len % 2 == 0;
        int i = 0;
        if (bracket) out[i++] = open;
        if (minus) out[i++] = (uint16_t)(m + BRACKET_MINUS);
        out[i++] = (uint16_t)d;
        if (bracket) out[i] = close;
        return minus ? (m - d) % m : d;
    }
    // ( L op R ): three tokens of its own, L and R share the other len - 3, each at least 1.
    const int left = 1 + (int)rng_below(r, (uint32_t)(len - 4)), right = len - 3 - left;
    out[0] = open;
    const int a = modular_bracketed(r, left, m, mult, out + 1);
    const int op = (int)rng_below(r, mult ? 3u : 2u);
    const int b = modular_bracketed(r, right, m, mult, out + 2 + left);
    out[len - 1] = close;
    if (op == 0) {
        out[1 + left] = (uint16_t)(m + BRACKET_PLUS);
        return (a + b) % m;
    }
    if (op == 1) {
        out[1 + left] = (uint16_t)(m + BRACKET_MINUS);
        return (a - b + m) % m;
    }
    out[1 + left] = (uint16_t)(m + BRACKET_TIMES);
    return a * b % m;
}
