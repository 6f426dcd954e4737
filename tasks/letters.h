// The character-level core shared by indirect indexing and the what/where probes: one
// 65-token vocabulary and the pieces every sequence is made of, so that the three tasks
// differ only in the rule that picks the answer and their scores are comparable.
//
// Vocabulary: ids 0-25 'A'-'Z', 26-51 'a'-'z', 52-61 '0'-'9', 62 ',', 63 '+', 64 '-'.
#ifndef POSBENCH_LETTERS_H
#define POSBENCH_LETTERS_H

#include <stdint.h>

#include "harness/base/rng.h"
#include "task.h"

#define LETTERS_N 52
#define LETTERS_DIGIT0 52
#define LETTERS_COMMA 62
#define LETTERS_PLUS 63
#define LETTERS_MINUS 64
#define LETTERS_VOCAB 65

int letters_vocab_size(const task *t);
const char *letters_token_name(const task *t, int id);

// L distinct letters drawn uniformly from the first `alphabet` (partial Fisher-Yates);
// L <= alphabet <= LETTERS_N.
void letters_distinct(rng *r, int alphabet, int L, uint16_t *out);
// L letters drawn uniformly with replacement from the first `alphabet`.
void letters_uniform(rng *r, int alphabet, int L, uint16_t *out);
// Writes a sign token ('+' for >= 0) and 1-2 digits of |value| <= 99 at tokens[n]; returns
// the new length.
int letters_signed(uint16_t *tokens, int n, int value);
// The inverse of letters_signed for a query's last field: when tokens[..answer_pos) ends
// in ",<sign><1-2 digits>," (the form every query ends in before its answer), 1 with the
// number in *value; otherwise 0.
int letters_signed_before(const uint16_t *tokens, int answer_pos, int *value);
// The share of the string's letters (tokens[0..L), L = the first comma's position) that are
// tokens[answer_pos]: the chance that a letter of the string named at random is that answer.
double letters_string_share(const uint16_t *tokens, int answer_pos);
// Marks only the last token as the answer: mask[n - 2] = 1 (task.h: t predicts t + 1).
void letters_answer_mask(uint8_t *mask, int n);

#endif
