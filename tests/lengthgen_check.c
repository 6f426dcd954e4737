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
    for (int i = 0; i < len && used < buflen; i++) {
        const int target = i > 0 && mask[i - 1];
        used += (size_t)snprintf(buf + used, buflen - used, target ? "[%s]" : "%s",
                                 t->ops->token_name(t, tokens[i]));
    }
    ck_assert_uint_lt(used, buflen);  // (one assert: each costs a write on the test's pipe)
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
        if (len > max_len) ck_abort_msg("%s: length %d > max_len %d", t->ops->name, len, max_len);
        longest = len > longest ? len : longest;
        // Checked in plain code and asserted once per sequence, with the sequence in the
        // message: an assert per token costs more than the task's own work.
        int m = 0;
        while (m < len && !mask[m]) m++;
        int separators = 0, scored = 0, late = 0;
        for (int i = 0; i < len; i++) separators += tok[i] == sep;
        while (m + scored < len - 1 && mask[m + scored]) scored++;
        for (int i = m + scored; i < len; i++) late |= mask[i];
        int want_scored = -1;
        const int k = m < len - 1 ? solve(t, tok, m, want, &want_scored) : -1;
        const int layout = m < len - 1 && tok[m] == sep && separators == 1 && !late;
        const int same = k == len - m - 1 && !memcmp(want, tok + m + 1, (size_t)k * sizeof *want);
        if (!layout || !same || scored != want_scored) {
            char *text = malloc((size_t)len * 16 + 1);
            lengthgen_render(t, tok, mask, len, text, (size_t)len * 16 + 1);
            ck_assert_msg(layout, "%s: not input, one '|' at the first scored position, a scored "
                          "prefix of the output: %s", t->ops->name, text);
            ck_assert_msg(same, "%s: the solver disagrees on %s", t->ops->name, text);
            ck_assert_msg(scored == want_scored, "%s: %d scored, the solver says %d, in %s",
                          t->ops->name, scored, want_scored, text);
            free(text);
        }
        const int n = n_of(t, tok, m);
        if (n < lo || n > hi)
            ck_abort_msg("%s: length %d outside [%d, %d]", t->ops->name, n, lo, hi);
        seen[n] = 1;
    }
    for (int n = lo; n <= hi; n++)
        ck_assert_msg(seen[n], "%s: length %d never drawn in %d draws", t->ops->name, n, draws);
    free(tok), free(want), free(mask), free(seen);
    return longest;
}
