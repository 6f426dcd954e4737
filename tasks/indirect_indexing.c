// Indirect indexing, the PoPE paper's diagnostic (Gopalakrishnan et al. 2025, Section 4 and
// Appendix A.1): a string of distinct letters, then a source letter and a signed
// shift; the answer is the letter at index(source) + shift. It needs both "what" (find the
// source letter by content) and "where" (move by a relative offset).
//
// One sequence, character-level, no spaces (the paper's token list has none), no BOS (the
// first letter is never scored, so nothing needs a start token):
//   s_0 ... s_{L-1}  ,  source  ,  sign  digit [digit]  ,  target
// e.g. "NZTUIGWkXFrhCJDzscat,N,+4,I". The sign token is always present ('+' for shifts >= 0,
// so shift 0 is "+0"); the magnitude has 1 or 2 digits, no leading zero. Only the target is
// scored: mask is 1 at the ',' before it (task.h: position t predicts token t + 1).
//
// Vocabulary: the 65 tokens of tasks/letters.h, whatever `alphabet` is, so models stay
// comparable (with each other and with the what/where probes).
//
// Distribution of one sequence (the paper leaves the details open; these are the choices):
//   - L uniform in [len_min, len_max];
//   - the string: L letters drawn uniformly without replacement from the first `alphabet`
//     letters of A-Z a-z (a partial Fisher-Yates shuffle), so every letter is unique;
//   - (source index i, shift s), where a pair is valid when 0 <= i + s < L, |s| <= shift_max
//     and s != 0 unless allow_zero=1:
//       sampling=pairs (default): uniform over all valid pairs of this L. Implemented as the
//         paper's "reject and resample": i uniform in [0, L), s uniform in [-shift_max,
//         shift_max], both redrawn together until valid. Every valid (i, s) is then equally
//         likely, so the shift's marginal is proportional to the number of places it fits,
//         (L - |s|) (a triangle, not flat), and answer positions are spread over the string.
//       sampling=shift: s uniform over the shifts possible at this L (|s| <= min(shift_max,
//         L - 1), 0 only if allowed), then i uniform over the L - |s| sources where it fits.
//         The shift's marginal is flat (the paper's "a shift drawn uniformly from
//         [-15, +15]"); answer positions are less even.
//   - distinct=0 (an option; the paper's strings are distinct): only the source letter is
//     unique, the others are drawn with replacement from the other A - 1 letters, which lifts
//     the 52-letter cap on lengths for evaluation beyond the training length;
//   - allow_zero defaults to 1: the paper's range [-15, +15] includes 0 (then the answer is
//     the source letter itself);
//   - queries=Q (an option; the paper's sequences have 1): Q questions about the same string,
//     "<string>,x,+4,t,y,-2,u,...", each (source, shift) drawn independently as above and
//     each answer scored. Same skill, Q times the training signal per sequence; it needs
//     distinct=1 (every letter can then be a source).
// A valid pair exists for every L in range iff allow_zero=1 (shift 0), or shift_max >= 1 and
// len_min >= 2 (shift +1 from index 0); validate() checks exactly that, plus shift_max <
// len_max (larger shifts could never occur) and len_max <= alphabet (letters are distinct).
#include "task.h"

#include <stdlib.h>
#include <string.h>

#include "harness/base/errors.h"
#include "letters.h"

enum {
    OPT_ALPHABET,
    OPT_LEN_MIN,
    OPT_LEN_MAX,
    OPT_SHIFT_MAX,
    OPT_ALLOW_ZERO,
    OPT_SAMPLING,
    OPT_DISTINCT,
    OPT_QUERIES
};
enum { SAMPLE_PAIRS = 0, SAMPLE_SHIFT = 1 };

#define OWNER "task 'indirect_indexing'"

static int ii_validate(const task *t, char *err, size_t errlen) {
    static const int integral[] = {OPT_ALPHABET, OPT_LEN_MIN, OPT_LEN_MAX, OPT_SHIFT_MAX};
    if (task_check_integers(t, integral, 4, err, errlen) != 0) return -1;
    const int A = (int)t->opt[OPT_ALPHABET], lo = (int)t->opt[OPT_LEN_MIN];
    const int hi = (int)t->opt[OPT_LEN_MAX], S = (int)t->opt[OPT_SHIFT_MAX];
    const int zero_ok = (int)t->opt[OPT_ALLOW_ZERO];
    if (lo > hi) return set_error(err, errlen, OWNER ": len_min = %d > len_max = %d", lo, hi);
    if (hi > A && (int)t->opt[OPT_DISTINCT])
        return set_error(err, errlen,
                    OWNER ": len_max = %d > alphabet = %d (the letters of a string are distinct)",
                    hi, A);
    if ((int)t->opt[OPT_QUERIES] > 1 && !(int)t->opt[OPT_DISTINCT])
        return set_error(err, errlen, OWNER ": queries > 1 needs distinct=1 (every source must "
                                      "be unique)");
    if (S >= hi)
        return set_error(err, errlen,
                    OWNER ": shift_max = %d must be < len_max = %d (no shift in a string of "
                    "%d letters reaches %d)",
                    S, hi, hi, S);
    if (!zero_ok && S == 0)
        return set_error(err, errlen, OWNER ": shift_max = 0 with allow_zero=0 leaves no shift");
    if (!zero_ok && lo < 2)
        return set_error(err, errlen,
                    OWNER ": len_min = %d with allow_zero=0 (a 1-letter string has no nonzero "
                    "shift)",
                    lo);
    return 0;
}

// L letters, then per query ",x,", a sign, the shift's digits (1, or 2 when shift_max >= 10),
// "," and the target. Exact: a batch is as wide as this, and every column costs compute.
static int ii_max_len(const task *t) {
    const int digits = t->opt[OPT_SHIFT_MAX] >= 10 ? 2 : 1;
    return (int)t->opt[OPT_LEN_MAX] + (6 + digits) * (int)t->opt[OPT_QUERIES];
}

// Draws (source index, shift) for a string of L letters; the header explains both modes.
static void draw_pair(const task *t, rng *r, int L, int *src, int *shift) {
    const int S = (int)t->opt[OPT_SHIFT_MAX], zero_ok = (int)t->opt[OPT_ALLOW_ZERO];
    if ((int)t->opt[OPT_SAMPLING] == SAMPLE_PAIRS) {
        int i, s;
        do {
            i = (int)rng_below(r, (uint32_t)L);
            s = (int)rng_below(r, (uint32_t)(2 * S + 1)) - S;
        } while (i + s < 0 || i + s >= L || (s == 0 && !zero_ok));
        *src = i, *shift = s;
        return;
    }
    const int reach = S < L - 1 ? S : L - 1;
    int s;
    do s = (int)rng_below(r, (uint32_t)(2 * reach + 1)) - reach;
    while (s == 0 && !zero_ok);
    const int first = s < 0 ? -s : 0;
    *src = first + (int)rng_below(r, (uint32_t)(L - abs(s)));
    *shift = s;
}

static int ii_next(const task *t, rng *r, uint16_t *tokens, uint8_t *mask) {
    const int A = (int)t->opt[OPT_ALPHABET], lo = (int)t->opt[OPT_LEN_MIN];
    const int hi = (int)t->opt[OPT_LEN_MAX];
    const int L = lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
    int src, shift;
    if ((int)t->opt[OPT_DISTINCT]) {
        letters_distinct(r, A, L, tokens);
        draw_pair(t, r, L, &src, &shift);
    } else {
        // Only the source letter must be unique (so "index(source)" means one place): draw the
        // pair, the source letter, then every other letter from the remaining A - 1.
        draw_pair(t, r, L, &src, &shift);
        const uint16_t source = (uint16_t)rng_below(r, (uint32_t)A);
        letters_uniform(r, A - 1, L, tokens);
        for (int i = 0; i < L; i++) tokens[i] = tokens[i] >= source ? tokens[i] + 1 : tokens[i];
        tokens[src] = source;
    }
    int n = L;
    const int Q = (int)t->opt[OPT_QUERIES];
    for (int q = 0; q < Q; q++) {
        if (q > 0) draw_pair(t, r, L, &src, &shift);
        const int start = n;
        tokens[n++] = LETTERS_COMMA;
        tokens[n++] = tokens[src];
        tokens[n++] = LETTERS_COMMA;
        n = letters_signed(tokens, n, shift);
        tokens[n++] = LETTERS_COMMA;
        tokens[n++] = tokens[src + shift];
        if (q == 0) letters_answer_mask(mask, n);
        else memset(mask + start, 0, (size_t)(n - start)), mask[n - 2] = 1;
    }
    return n;
}

// Every query ends in ",<shift>," before its answer, whatever Q: the group is that shift.
static int ii_answer_group(const task *t, const uint16_t *tokens, int answer_pos, int *group) {
    return letters_signed_before(tokens, answer_pos, group);
}

// Shift 0's answer is the source letter, which the question itself holds four tokens back:
// a copy from a fixed distance gets it. Every other answer needs the string looked up.
static double ii_no_lookup_chance(const task *t, const uint16_t *tokens, int answer_pos) {
    (void)t;
    int shift;
    if (letters_signed_before(tokens, answer_pos, &shift) && shift == 0) return 1;
    return letters_string_share(tokens, answer_pos);
}

const task_ops task_indirect_indexing = {
    .name = "indirect_indexing",
    .summary = "distinct letters, then ',source,shift,'; answer the letter at source+shift "
               "(PoPE paper)",
    .n_options = 8,
    .options =
        {
            {"alphabet", 52, 2, 52, NULL, "letters used: the first N of A-Z a-z"},
            {"len_min", 20, 1, 100000, NULL, "shortest string (letters)"},
            {"len_max", 40, 1, 100000, NULL, "longest string (at most alphabet when distinct)"},
            {"shift_max", 15, 0, 99, NULL, "largest |shift| (< len_max; 1-2 digits)"},
            {"allow_zero", 1, 0, 1, "0|1", "whether shift 0 (answer = source) occurs"},
            {"sampling", 0, 0, 1, "pairs|shift",
             "pairs: (source, shift) uniform over valid pairs; shift: shift uniform first"},
            {"distinct", 1, 0, 1, "0|1",
             "1: all letters distinct (paper); 0: only the source letter is unique"},
            {"queries", 1, 1, 64, NULL,
             "questions per string, each answer scored (paper: 1; more: denser training)"},
        },
    .first_quiet_option = OPT_QUERIES,  // added after the first results; ids stay
    .validate = ii_validate,
    .vocab_size = letters_vocab_size,
    .token_name = letters_token_name,
    .max_len = ii_max_len,
    .next = ii_next,
    .answer_group = ii_answer_group,
    .group_name = "shift",
    .no_lookup_chance = ii_no_lookup_chance,
};
