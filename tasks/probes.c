// The what/where probes: two tasks that each need only one of the two abilities indirect
// indexing combines, built from the same pieces (tasks/letters.h: vocabulary, letter strings,
// signed offsets, one scored answer), so that the three scores are comparable:
//
//   probe_where  (position only)  s_0 ... s_{L-1} , - k , answer      answer = s_{L-k}
//     The letters are drawn with replacement: content cannot help, only counting back k
//     places from the end of the string (a fixed relative distance from the query) can.
//     k is uniform in [1, min(shift_max, L)]. Lengths are not capped by the alphabet, so the
//     probe extends to any evaluation length.
//
//   probe_what   (content only)   k_1 v_1 ... k_n v_n , q , answer    answer = v_i where k_i = q
//     Associative recall (Zoology's MQAR with one query): n pairs of a key (distinct letters)
//     and a value (any letter, with replacement), then a query key drawn uniformly from the n
//     keys. Where the pair sits is irrelevant; the value always follows its key.
//
//   indirect_indexing (both): tasks/indirect_indexing.c.
#include "task.h"

#include "harness/base/errors.h"
#include "letters.h"

enum { W_ALPHABET, W_LEN_MIN, W_LEN_MAX, W_SHIFT_MAX };
enum { R_ALPHABET, R_PAIRS_MIN, R_PAIRS_MAX };

static int where_validate(const task *t, char *err, size_t errlen) {
    static const int integral[] = {W_ALPHABET, W_LEN_MIN, W_LEN_MAX, W_SHIFT_MAX};
    if (task_check_integers(t, integral, 4, err, errlen) != 0) return -1;
    const int lo = (int)t->opt[W_LEN_MIN], hi = (int)t->opt[W_LEN_MAX];
    if (lo > hi)
        return set_error(err, errlen, "task 'probe_where': len_min = %d > len_max = %d", lo, hi);
    return 0;
}

// The string, ",", the sign, up to two digits, "," and the answer.
static int where_max_len(const task *t) { return (int)t->opt[W_LEN_MAX] + 6; }

static int where_next(const task *t, rng *r, uint16_t *tokens, uint8_t *mask) {
    const int lo = (int)t->opt[W_LEN_MIN], hi = (int)t->opt[W_LEN_MAX];
    const int L = lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
    letters_uniform(r, (int)t->opt[W_ALPHABET], L, tokens);
    const int S = (int)t->opt[W_SHIFT_MAX], reach = S < L ? S : L;
    const int k = 1 + (int)rng_below(r, (uint32_t)reach);
    int n = L;
    tokens[n++] = LETTERS_COMMA;
    n = letters_signed(tokens, n, -k);
    tokens[n++] = LETTERS_COMMA;
    tokens[n++] = tokens[L - k];
    letters_answer_mask(mask, n);
    return n;
}

// The query is ",-k,": the group is k, how far from the end the answer lies.
static int where_answer_group(const task *t, const uint16_t *tokens, int answer_pos,
                              int *group) {
    int value;
    if (!letters_signed_before(tokens, answer_pos, &value) || value >= 0) return 0;
    *group = -value;
    return 1;
}

// Nothing in the question names the answer: the string's share of it is all that is left.
static double where_no_lookup_chance(const task *t, const uint16_t *tokens, int answer_pos) {
    (void)t;
    return letters_string_share(tokens, answer_pos);
}

const task_ops task_probe_where = {
    .name = "probe_where",
    .summary = "position only: letters, then ',-k,'; answer the k-th letter from the end",
    .n_options = 4,
    .options =
        {
            {"alphabet", 52, 2, 52, NULL, "letters used: the first N of A-Z a-z"},
            {"len_min", 20, 1, 100000, NULL, "shortest string (letters)"},
            {"len_max", 40, 1, 100000, NULL, "longest string (letters)"},
            {"shift_max", 15, 1, 99, NULL, "largest k (1-2 digits; capped by the length)"},
        },
    .validate = where_validate,
    .vocab_size = letters_vocab_size,
    .token_name = letters_token_name,
    .max_len = where_max_len,
    .next = where_next,
    .answer_group = where_answer_group,
    .group_name = "k",
    .no_lookup_chance = where_no_lookup_chance,
};

static int what_validate(const task *t, char *err, size_t errlen) {
    static const int integral[] = {R_ALPHABET, R_PAIRS_MIN, R_PAIRS_MAX};
    if (task_check_integers(t, integral, 3, err, errlen) != 0) return -1;
    const int A = (int)t->opt[R_ALPHABET], lo = (int)t->opt[R_PAIRS_MIN];
    const int hi = (int)t->opt[R_PAIRS_MAX];
    if (lo > hi)
        return set_error(err, errlen, "task 'probe_what': pairs_min = %d > pairs_max = %d", lo,
                         hi);
    if (hi > A)
        return set_error(err, errlen,
                         "task 'probe_what': pairs_max = %d > alphabet = %d (keys are distinct)",
                         hi, A);
    return 0;
}

static int what_max_len(const task *t) { return 2 * (int)t->opt[R_PAIRS_MAX] + 4; }

static int what_next(const task *t, rng *r, uint16_t *tokens, uint8_t *mask) {
    const int A = (int)t->opt[R_ALPHABET], lo = (int)t->opt[R_PAIRS_MIN];
    const int hi = (int)t->opt[R_PAIRS_MAX];
    const int n_pairs = lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
    uint16_t keys[LETTERS_N], values[LETTERS_N];
    letters_distinct(r, A, n_pairs, keys);
    letters_uniform(r, A, n_pairs, values);
    int n = 0;
    for (int i = 0; i < n_pairs; i++) tokens[n++] = keys[i], tokens[n++] = values[i];
    const int q = (int)rng_below(r, (uint32_t)n_pairs);
    tokens[n++] = LETTERS_COMMA;
    tokens[n++] = keys[q];
    tokens[n++] = LETTERS_COMMA;
    tokens[n++] = values[q];
    letters_answer_mask(mask, n);
    return n;
}

const task_ops task_probe_what = {
    .name = "probe_what",
    .summary = "content only: key-value letter pairs, then ',key,'; answer its value",
    .n_options = 3,
    .options =
        {
            {"alphabet", 52, 2, 52, NULL, "letters used: the first N of A-Z a-z"},
            {"pairs_min", 10, 1, 52, NULL, "fewest key-value pairs"},
            {"pairs_max", 20, 1, 52, NULL, "most key-value pairs (keys are distinct)"},
        },
    .validate = what_validate,
    .vocab_size = letters_vocab_size,
    .token_name = letters_token_name,
    .max_len = what_max_len,
    .next = what_next,
};
