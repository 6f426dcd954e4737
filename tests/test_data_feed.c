// Batches from dataset files: a sequential pass serves every sequence exactly once, padding
// is never scored, and random draws are a function of the rng alone.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness/train/data_feed.h"
#include "suites.h"

// Five sequences of lengths 2..6; token t of sequence s is (s + t) % 7; every position but
// the last is scored.
static dataset *five_sequences(char *path, size_t len) {
    snprintf(path, len, "/tmp/posbench_feed_%d.pbds", (int)getpid());
    const char *names[7] = {"a", "b", "c", "d", "e", "f", "g"};
    char err[256];
    dataset_writer *w = dataset_writer_open(path, "test", "", 1, 7, names, err, sizeof err);
    ck_assert_msg(w != NULL, "%s", err);
    for (int s = 0; s < 5; s++) {
        uint16_t tok[6];
        uint8_t mask[6];
        for (int t = 0; t < s + 2; t++) tok[t] = (uint16_t)((s + t) % 7), mask[t] = t < s + 1;
        ck_assert(dataset_writer_append(w, tok, mask, (size_t)s + 2, err, sizeof err) == 0);
    }
    ck_assert(dataset_writer_close(w, err, sizeof err) == 0);
    dataset *d = dataset_load(path, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    return d;
}

START_TEST(test_feed_sequential_covers_all) {
    char path[128];
    dataset *d = five_sequences(path, sizeof path);
    ck_assert_int_eq(data_feed_width(d), 5);
    data_feed f = {.data = d};
    batch *b = batch_create(2, data_feed_width(d));
    rng r;
    rng_seed(&r, 1);
    int scored = 0, batches = 0;
    while (data_feed_sequential(b, &f, &r) == 0) {
        batches++;
        for (int row = 0; row < 2; row++)
            for (int t = 0; t < b->T; t++) {
                size_t i = (size_t)row * b->T + t;
                if (!b->mask[i]) continue;
                scored++;
                // Targets are the next token: (s + t + 1) % 7 where s = tokens[row][0].
                int s = b->tokens[(size_t)row * b->T];
                ck_assert_int_eq(b->targets[i], (s + t + 1) % 7);
            }
    }
    ck_assert_int_eq(batches, 3);             // 5 sequences, 2 per batch
    ck_assert_int_eq(scored, 1 + 2 + 3 + 4 + 5);  // every scored position exactly once
    batch_free(b);
    dataset_free(d);
    unlink(path);
}
END_TEST

START_TEST(test_feed_random_deterministic) {
    char path[128];
    dataset *d = five_sequences(path, sizeof path);
    data_feed f = {.data = d};
    batch *a = batch_create(8, data_feed_width(d)), *b = batch_create(8, data_feed_width(d));
    rng r1, r2;
    rng_seed(&r1, 42);
    rng_seed(&r2, 42);
    ck_assert(data_feed_random(a, &f, &r1) == 0);
    ck_assert(data_feed_random(b, &f, &r2) == 0);
    for (int i = 0; i < 8 * a->T; i++) {
        ck_assert_int_eq(a->tokens[i], b->tokens[i]);
        ck_assert_int_eq(a->mask[i], b->mask[i]);
    }
    batch_free(a);
    batch_free(b);
    dataset_free(d);
    unlink(path);
}
END_TEST

// A limit serves only the first sequences of a sequential pass.
START_TEST(test_feed_limit) {
    char path[128];
    dataset *d = five_sequences(path, sizeof path);
    data_feed f = {.data = d, .limit = 3};
    batch *b = batch_create(2, data_feed_width(d));
    rng r;
    rng_seed(&r, 1);
    int scored = 0;
    while (data_feed_sequential(b, &f, &r) == 0)
        for (int i = 0; i < 2 * b->T; i++) scored += b->mask[i];
    ck_assert_int_eq(scored, 1 + 2 + 3);
    batch_free(b);
    dataset_free(d);
    unlink(path);
}
END_TEST

// Sliding windows over one sequence of 11 tokens (10 targets), window 4, stride 2: windows
// start at inputs 0, 2, 4, 6 and score targets 0-3, then 4-5, 6-7, 8-9 (the last two of each
// later window), every target once, with window-relative positions; then -1. With stride =
// window the windows do not overlap and every window scores all it holds.
START_TEST(test_feed_sliding_windows) {
    char path[128], err[256];
    snprintf(path, sizeof path, "/tmp/posbench_slide_%d.pbds", (int)getpid());
    const char *names[16] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b",
                             "c", "d", "e", "f"};
    dataset_writer *w = dataset_writer_open(path, "test", "", 1, 16, names, err, sizeof err);
    ck_assert_msg(w != NULL, "%s", err);
    uint16_t tok[11];
    uint8_t mask[11];
    for (int t = 0; t < 11; t++) tok[t] = (uint16_t)t, mask[t] = t < 10;
    ck_assert(dataset_writer_append(w, tok, mask, 11, err, sizeof err) == 0);
    ck_assert(dataset_writer_close(w, err, sizeof err) == 0);
    dataset *d = dataset_load(path, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    data_slide s;
    data_slide_start(&s, d, 0, 4, 2);
    batch *b = batch_create(8, 4);
    rng r;
    rng_seed(&r, 1);
    ck_assert_int_eq(data_feed_sliding(b, &s, &r), 0);
    static const int first[4] = {0, 2, 4, 6}, scored_from[4] = {0, 2, 2, 2};
    int total = 0;
    for (int row = 0; row < 4; row++)
        for (int t = 0; t < 4; t++) {
            const int i = row * 4 + t;
            ck_assert_int_eq(b->tokens[i], first[row] + t);
            ck_assert_int_eq(b->targets[i], first[row] + t + 1);
            ck_assert_float_eq(b->pos[i], (float)t);
            ck_assert_int_eq(b->mask[i], t >= scored_from[row]);
            total += b->mask[i];
        }
    for (int i = 16; i < 32; i++) ck_assert_int_eq(b->mask[i], 0);  // padding rows
    ck_assert_int_eq(total, 10);
    ck_assert_int_eq(data_feed_sliding(b, &s, &r), -1);
    data_slide_start(&s, d, 0, 4, 4);
    ck_assert_int_eq(data_feed_sliding(b, &s, &r), 0);
    total = 0;
    for (int i = 0; i < 32; i++) total += b->mask[i];
    ck_assert_int_eq(total, 10);
    ck_assert_int_eq(b->tokens[8], 8);  // third window: inputs 8, 9 and padding
    ck_assert_int_eq(b->mask[9], 1);
    ck_assert_int_eq(b->mask[10], 0);
    batch_free(b);
    dataset_free(d);
    unlink(path);
}
END_TEST

Suite *suite_data_feed(void) {
    Suite *s = suite_create("data_feed");
    TCase *tc = tcase_create("data_feed");
    tcase_add_test(tc, test_feed_sequential_covers_all);
    tcase_add_test(tc, test_feed_random_deterministic);
    tcase_add_test(tc, test_feed_limit);
    tcase_add_test(tc, test_feed_sliding_windows);
    suite_add_tcase(s, tc);
    return s;
}
