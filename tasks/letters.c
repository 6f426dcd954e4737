#include "letters.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/errors.h"

static const char *const NAMES[LETTERS_VOCAB] = {
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P",
    "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "a", "b", "c", "d", "e", "f",
    "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v",
    "w", "x", "y", "z", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ",", "+",
    "-",
};

int letters_vocab_size(const task *t) { return LETTERS_VOCAB; }

const char *letters_token_name(const task *t, int id) {
    return id >= 0 && id < LETTERS_VOCAB ? NAMES[id] : NULL;
}

void letters_distinct(rng *r, int alphabet, int L, uint16_t *out) {
    uint16_t pool[LETTERS_N];
    for (int i = 0; i < alphabet; i++) pool[i] = (uint16_t)i;
    for (int i = 0; i < L; i++) {
        const int j = i + (int)rng_below(r, (uint32_t)(alphabet - i));
        const uint16_t tmp = pool[i];
        pool[i] = pool[j], pool[j] = tmp;
        out[i] = pool[i];
    }
}

void letters_uniform(rng *r, int alphabet, int L, uint16_t *out) {
    for (int i = 0; i < L; i++) out[i] = (uint16_t)rng_below(r, (uint32_t)alphabet);
}

int letters_signed(uint16_t *tokens, int n, int value) {
    const int mag = abs(value);
    tokens[n++] = value < 0 ? LETTERS_MINUS : LETTERS_PLUS;
    if (mag >= 10) tokens[n++] = (uint16_t)(LETTERS_DIGIT0 + mag / 10);
    tokens[n++] = (uint16_t)(LETTERS_DIGIT0 + mag % 10);
    return n;
}

static int is_digit(uint16_t token) {
    return token >= LETTERS_DIGIT0 && token < LETTERS_DIGIT0 + 10;
}

int letters_signed_before(const uint16_t *tokens, int answer_pos, int *value) {
    // The shortest form is ",+5," before the answer.
    if (answer_pos < 4 || tokens[answer_pos - 1] != LETTERS_COMMA) return 0;
    int p = answer_pos - 2, mag = 0, scale = 1;
    for (; p >= answer_pos - 3 && is_digit(tokens[p]); p--, scale *= 10)
        mag += scale * (tokens[p] - LETTERS_DIGIT0);
    if (scale == 1 || p < 1 || tokens[p - 1] != LETTERS_COMMA ||
        (tokens[p] != LETTERS_PLUS && tokens[p] != LETTERS_MINUS))
        return 0;
    *value = tokens[p] == LETTERS_MINUS ? -mag : mag;
    return 1;
}

double letters_string_share(const uint16_t *tokens, int answer_pos) {
    int L = 0, same = 0;
    for (; L < answer_pos && tokens[L] != LETTERS_COMMA; L++)
        same += tokens[L] == tokens[answer_pos];
    return L ? (double)same / L : 0;
}

void letters_answer_mask(uint8_t *mask, int n) {
    memset(mask, 0, (size_t)n);
    mask[n - 2] = 1;
}

