#include "lengthgen_check.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/rng.h"

task lengthgen_configure(const char *name, const char *options) {
    task t;
    char err[256];
    ck_assert_msg(task_configure(&t, name, options, err, sizeof err) == 0, "%s", err);
    return t;
}

void lengthgen_render(const task *t, const uint16_t *tokens, const uint8_t *mask, int len,
                      char *buf, size_t buflen) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < len; i++) {
        const int target = i > 0 && mask[i - 1];
        used += (size_t)snprintf(buf + used, buflen - used, target ? "[%s]" : "%s",
                                 t->ops->token_name(t, tokens[i]));
        ck_assert_uint_lt(used, buflen);
    }
}

void lengthgen_check_golden(const task *t, uint64_t seed, const char *const *golden,
                            int n_golden) {
    const int max_len = t->ops->max_len(t);
    uint16_t *tok = malloc((size_t)max_len * sizeof *tok);
    uint8_t *mask = malloc((size_t)max_len);
    char *text = malloc((size_t)max_len * 16 + 1);
    rng r;
    rng_seed(&r, seed);
    for (int s = 0; s < n_golden; s++) {
        const int len = t->ops->next(t, &r, tok, mask);
        lengthgen_render(t, tok, mask, len, text, (size_t)max_len * 16 + 1);
        ck_assert_msg(!strcmp(text, golden[s]), "%s sequence %d:\n  got      %s\n  expected %s",
                      t->ops->name, s, text, golden[s]);
    }
    free(tok), free(mask), free(text);
}

int lengthgen_check_solver(const task *t, uint64_t seed, int draws, lengthgen_solver solve,
                           int (*n_of)(const task *t, const uint16_t *in, int m)) {
    const int max_len = t->ops->max_len(t), sep = t->ops->vocab_size(t) - 1;
    const int lo = (int)t->opt[0], hi = (int)t->opt[1];
    uint16_t *tok = malloc((size_t)max_len * sizeof *tok);
    uint16_t *want = malloc((size_t)max_len * sizeof *want);
    uint8_t *mask = malloc((size_t)max_len);
    char *seen = calloc((size_t)hi + 1, 1);
    ck_assert(tok && want && mask && seen);
    ck_assert_str_eq(t->ops->token_name(t, sep), "|");
    rng r;
    rng_seed(&r, seed);
    int longest = 0;
    for (int s = 0; s < draws; s++) {
        const int len = t->ops->next(t, &r, tok, mask);
        ck_assert_int_le(len, max_len);
        longest = len > longest ? len : longest;
        int m = 0;
        while (m < len && !mask[m]) m++;
        ck_assert_msg(m < len - 1 && tok[m] == sep, "%s: the first scored token is not '|'",
                      t->ops->name);
        for (int i = 0; i < len; i++)
            ck_assert_msg((tok[i] == sep) == (i == m), "%s: '|' at %d, expected only at %d",
                          t->ops->name, i, m);
        int scored = 0;
        while (m + scored < len - 1 && mask[m + scored]) scored++;
        for (int i = m + scored; i < len; i++) ck_assert_int_eq(mask[i], 0);
        int want_scored = -1;
        const int k = solve(t, tok, m, want, &want_scored);
        char *text = malloc((size_t)len * 16 + 1);
        lengthgen_render(t, tok, mask, len, text, (size_t)len * 16 + 1);
        ck_assert_msg(k == len - m - 1 && !memcmp(want, tok + m + 1, (size_t)k * sizeof *want),
                      "%s: the solver disagrees on %s", t->ops->name, text);
        ck_assert_msg(scored == want_scored, "%s: %d scored, the solver says %d, in %s",
                      t->ops->name, scored, want_scored, text);
        free(text);
        const int n = n_of(t, tok, m);
        ck_assert_msg(n >= lo && n <= hi, "%s: length %d outside [%d, %d]", t->ops->name, n, lo,
                      hi);
        seen[n] = 1;
    }
    for (int n = lo; n <= hi; n++)
        ck_assert_msg(seen[n], "%s: length %d never drawn in %d draws", t->ops->name, n, draws);
    free(tok), free(want), free(mask), free(seen);
    return longest;
}
