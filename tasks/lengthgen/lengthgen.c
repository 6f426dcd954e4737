// The layout every task of the length-generalisation suite shares (lengthgen.h).
#include "tasks/lengthgen/lengthgen.h"

#include <string.h>

#include "harness/base/errors.h"

int lengthgen_n(const task *t, int n) {
    (void)t;
    return n;
}

int lengthgen_one(const task *t, int n) {
    (void)t, (void)n;
    return 1;
}

int lengthgen_vocab_size(const lengthgen_spec *s) { return s->n_symbols + 1; }

const char *lengthgen_token_name(const lengthgen_spec *s, const task *t, int id) {
    if (id == s->n_symbols) return "|";
    return s->symbols ? s->symbols[id] : s->symbol_name(t, id);
}

int lengthgen_max_len(const lengthgen_spec *s, const task *t) {
    const int n = (int)t->opt[LENGTHGEN_LEN_MAX];
    return s->max_input(t, n) + 1 + s->max_output(t, n);
}

int lengthgen_next(const lengthgen_spec *s, const task *t, rng *r, uint16_t *tokens,
                   uint8_t *mask) {
    const int lo = (int)t->opt[LENGTHGEN_LEN_MIN], hi = (int)t->opt[LENGTHGEN_LEN_MAX];
    const int n = lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
    // The output is drawn where the longest input of this n would end, then moved up behind
    // the actual input and its '|' (tokens holds max_len, enough for both).
    uint16_t *out = tokens + s->max_input(t, n) + 1;
    int k, scored;
    const int m = s->draw(t, r, n, tokens, out, &k, &scored);
    tokens[m] = (uint16_t)s->n_symbols;
    memmove(tokens + m + 1, out, (size_t)k * sizeof *tokens);
    const int len = m + 1 + k;
    memset(mask, 0, (size_t)len);
    memset(mask + m, 1, (size_t)scored);  // '|' predicts y_1, y_j predicts y_{j+1}
    return len;
}

int lengthgen_validate(const task *t, char *err, size_t errlen,
                       int (*own)(const task *t, char *err, size_t errlen)) {
    static const int lengths[] = {LENGTHGEN_LEN_MIN, LENGTHGEN_LEN_MAX};
    if (task_check_integers(t, lengths, 2, err, errlen) != 0) return -1;
    const int lo = (int)t->opt[LENGTHGEN_LEN_MIN], hi = (int)t->opt[LENGTHGEN_LEN_MAX];
    if (lo > hi)
        return set_error(err, errlen, "task '%s': len_min = %d > len_max = %d", t->ops->name,
                         lo, hi);
    return lengthgen_validate_own(t, err, errlen, own);
}

int lengthgen_validate_own(const task *t, char *err, size_t errlen,
                           int (*own)(const task *t, char *err, size_t errlen)) {
    return own ? own(t, err, errlen) : 0;
}
