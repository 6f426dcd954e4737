// Checkpoints round-trip exactly, read the previous version, keep an encoding name of 40
// characters, and refuse truncated, corrupt and wrong-version files.
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/base/hash.h"
#include "harness/model/checkpoint.h"
#include "harness/train/token_file.h"
#include "suites.h"

#ifndef PB_FIXTURE_DIR
#define PB_FIXTURE_DIR "build/fixtures"
#endif

static model *small_model(const char *enc, const char *opts) {
    model_config cfg = {.vocab = 13, .d_model = 16, .n_layers = 2, .n_heads = 2};
    char err[256];
    model *m = model_create(&cfg, enc, opts, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    model_init(m, 4, MODEL_INIT_STD);
    return m;
}

static char *temp_path(const char *suffix) {
    static char buf[256];
    snprintf(buf, sizeof buf, "/tmp/posbench_test_%d_%s", (int)getpid(), suffix);
    return buf;
}

START_TEST(test_checkpoint_roundtrip) {
    model *m = small_model("pope", "delta_init=zero");
    for (size_t i = 0; i < m->n_params; i++) m->params[i] += 0.001f * (float)(i % 17);
    char err[256], *path = temp_path("rt.ckpt");
    ck_assert_msg(checkpoint_save(m, path, err, sizeof err) == 0, "%s", err);
    model *r = checkpoint_load(path, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_str_eq(r->pe.ops->name, "pope");
    ck_assert_int_eq(r->n_params, m->n_params);
    ck_assert(memcmp(r->params, m->params, m->n_params * sizeof(float)) == 0);
    char a[256], b[256];
    pe_format_options(&m->pe, a, sizeof a);
    pe_format_options(&r->pe, b, sizeof b);
    ck_assert_str_eq(a, b);
    model_free(m);
    model_free(r);
    unlink(path);
}
END_TEST

static unsigned char *read_all(const char *path, size_t *n);

// A bidirectional model's file is version 3 and reads back bidirectional; a causal model's
// stays version 2 (bytes 8..11 after the magic).
START_TEST(test_checkpoint_attention) {
    for (int bidirectional = 0; bidirectional < 2; bidirectional++) {
        model_config cfg = {.vocab = 13, .d_model = 16, .n_layers = 2, .n_heads = 2,
                            .bidirectional = bidirectional};
        char err[256], *path = temp_path("attn.ckpt");
        model *m = model_create(&cfg, "alibi", NULL, err, sizeof err);
        ck_assert_msg(m != NULL, "%s", err);
        model_init(m, 4, MODEL_INIT_STD);
        ck_assert_msg(checkpoint_save(m, path, err, sizeof err) == 0, "%s", err);
        size_t n;
        unsigned char *bytes = read_all(path, &n);
        uint32_t version;
        memcpy(&version, bytes + 8, 4);
        ck_assert_uint_eq(version, bidirectional ? 3 : 2);
        free(bytes);
        model *r = checkpoint_load(path, err, sizeof err);
        ck_assert_msg(r != NULL, "%s", err);
        ck_assert_int_eq(r->cfg.bidirectional, bidirectional);
        ck_assert_int_eq(r->pe.shape.bidirectional, bidirectional);
        ck_assert(memcmp(r->params, m->params, m->n_params * sizeof(float)) == 0);
        model_free(m);
        model_free(r);
        unlink(path);
    }
}
END_TEST

static unsigned char *read_all(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(*n);
    ck_assert_uint_eq(fread(buf, 1, *n, f), *n);
    fclose(f);
    return buf;
}

// Header offsets (checkpoint.h): the version after the 8-byte magic, the encoding name after
// the version, the shape (5 x u32) and n_tensors.
enum { VERSION_AT = 8, NAME_AT = 8 + 4 + 5 * 4 + 4, NAME_V1 = 32, NAME_V2 = 64 };

// Rewrites a checkpoint of the current version as version 1 wrote it, field by field as
// checkpoint.h describes that version: version 1, a 32-byte encoding name, a new checksum.
static void write_version_1(const char *from, const char *to) {
    size_t n;
    unsigned char *v2 = read_all(from, &n);
    const uint32_t v2_version = 2, v1_version = 1;
    ck_assert(memcmp(v2 + VERSION_AT, &v2_version, 4) == 0);
    ck_assert_msg(strlen((const char *)v2 + NAME_AT) < NAME_V1, "name too long for version 1");
    const size_t body = n - 8, v1_body = body - (NAME_V2 - NAME_V1);
    unsigned char *v1 = malloc(v1_body + 8);
    memcpy(v1, v2, NAME_AT + NAME_V1);
    memcpy(v1 + VERSION_AT, &v1_version, 4);
    memcpy(v1 + NAME_AT + NAME_V1, v2 + NAME_AT + NAME_V2, body - NAME_AT - NAME_V2);
    const uint64_t sum = fnv1a_update(FNV1A_BASIS, v1, v1_body);
    memcpy(v1 + v1_body, &sum, 8);
    FILE *f = fopen(to, "wb");
    ck_assert_uint_eq(fwrite(v1, 1, v1_body + 8, f), v1_body + 8);
    fclose(f);
    free(v1);
    free(v2);
}

// final.ckpt files of earlier results are version 1: they load, to the same model.
START_TEST(test_checkpoint_reads_version_1) {
    model *m = small_model("alibi", NULL);
    char err[256], v2_path[256], v1_path[256];
    snprintf(v2_path, sizeof v2_path, "%s", temp_path("v2.ckpt"));
    snprintf(v1_path, sizeof v1_path, "%s", temp_path("v1.ckpt"));
    ck_assert_msg(checkpoint_save(m, v2_path, err, sizeof err) == 0, "%s", err);
    write_version_1(v2_path, v1_path);
    model *r = checkpoint_load(v1_path, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_str_eq(r->pe.ops->name, "alibi");
    ck_assert_int_eq(r->n_params, m->n_params);
    ck_assert(memcmp(r->params, m->params, m->n_params * sizeof(float)) == 0);
    // Cut inside the shorter header: truncated, as for the current version.
    ck_assert(truncate(v1_path, NAME_AT + NAME_V1 + 10) == 0);
    ck_assert_ptr_null(checkpoint_load(v1_path, err, sizeof err));
    ck_assert_msg(strstr(err, "truncated checkpoint") != NULL, "%s", err);
    model_free(r);
    model_free(m);
    unlink(v1_path);
    unlink(v2_path);
}
END_TEST

// An encoding name of 40 characters (a plugin's may have up to 63) is stored whole and
// loads back to the same encoding and weights.
START_TEST(test_checkpoint_keeps_a_long_plugin_name) {
    char err[512];
    const pe_ops *ops = pe_load_plugin(PB_FIXTURE_DIR "/long_name_pe.so", err, sizeof err);
    ck_assert_msg(ops != NULL, "%s", err);
    ck_assert_uint_eq(strlen(ops->name), 40);
    model *m = small_model(ops->name, NULL);
    char *path = temp_path("long.ckpt");
    ck_assert_msg(checkpoint_save(m, path, err, sizeof err) == 0, "%s", err);
    size_t n;
    unsigned char *bytes = read_all(path, &n);
    ck_assert_str_eq((const char *)bytes + NAME_AT, ops->name);
    free(bytes);
    model *r = checkpoint_load(path, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_ptr_eq(r->pe.ops, ops);
    ck_assert_int_eq(r->n_params, m->n_params);
    ck_assert(memcmp(r->params, m->params, m->n_params * sizeof(float)) == 0);
    model_free(r);
    model_free(m);
    unlink(path);
}
END_TEST

static long file_size(const char *path) {
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

START_TEST(test_checkpoint_refuses_damage) {
    model *m = small_model("rope", NULL);
    char err[256], *path = temp_path("bad.ckpt");
    ck_assert(checkpoint_save(m, path, err, sizeof err) == 0);
    long n = file_size(path);
    // A flipped byte in the weights: checksum.
    FILE *f = fopen(path, "r+b");
    fseek(f, n / 2, SEEK_SET);
    int c = fgetc(f);
    fseek(f, n / 2, SEEK_SET);
    fputc(c ^ 0x40, f);
    fclose(f);
    ck_assert_ptr_null(checkpoint_load(path, err, sizeof err));
    ck_assert_msg(strstr(err, "checksum mismatch") != NULL, "%s", err);
    // Truncated.
    ck_assert(checkpoint_save(m, path, err, sizeof err) == 0);
    ck_assert(truncate(path, n - 100) == 0);
    ck_assert_ptr_null(checkpoint_load(path, err, sizeof err));
    ck_assert_msg(strstr(err, "truncated checkpoint") != NULL, "%s", err);
    // Wrong version.
    ck_assert(checkpoint_save(m, path, err, sizeof err) == 0);
    f = fopen(path, "r+b");
    fseek(f, 8, SEEK_SET);
    fputc(9, f);
    fclose(f);
    ck_assert_ptr_null(checkpoint_load(path, err, sizeof err));
    ck_assert_msg(strstr(err, "checkpoint version 9, this posbench reads versions 1 to 3"), "%s",
                  err);
    // Not a checkpoint.
    f = fopen(path, "wb");
    fputs("hello", f);
    fclose(f);
    ck_assert_ptr_null(checkpoint_load(path, err, sizeof err));
    ck_assert_msg(strstr(err, "bad magic") != NULL, "%s", err);
    unlink(path);
    model_free(m);
}
END_TEST

// The token-file loss equals model_forward on the same sequences, and bad tokens are refused
// with file:line:column.
START_TEST(test_token_file_loss) {
    model *m = small_model("rope", NULL);
    char err[256], *path = temp_path("tokens.txt");
    FILE *f = fopen(path, "w");
    fputs("1 2 3 4 5\n\n7 8 9\n", f);
    fclose(f);
    double loss;
    long n;
    ck_assert_msg(token_file_loss(m, path, 1, &loss, &n, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(n, 6);
    // The same by hand: two batches, every position scored.
    const int32_t seqs[2][5] = {{1, 2, 3, 4, 5}, {7, 8, 9}};
    const int lens[2] = {5, 3};
    double sum = 0;
    for (int s = 0; s < 2; s++) {
        batch *b = batch_create(1, lens[s] - 1);
        acts *a = acts_create(m, 1, lens[s] - 1, 0, 1);
        for (int t = 0; t < lens[s] - 1; t++) {
            b->tokens[t] = seqs[s][t];
            b->targets[t] = seqs[s][t + 1];
            b->mask[t] = 1;
        }
        sum += model_forward(m, a, b, NULL, NULL) * (lens[s] - 1);
        batch_free(b);
        acts_free(a);
    }
    ck_assert_double_eq_tol(loss, sum / 6, 1e-9);
    f = fopen(path, "w");
    fputs("1 2\n3 x 4\n", f);
    fclose(f);
    ck_assert_int_eq(token_file_loss(m, path, 1, &loss, &n, err, sizeof err), -1);
    char expected[300];
    snprintf(expected, sizeof expected, "%s:2:3: expected a token id in [0, 13)", path);
    ck_assert_str_eq(err, expected);
    unlink(path);
    model_free(m);
}
END_TEST

Suite *suite_checkpoint(void) {
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("checkpoint");
    tcase_add_test(tc, test_checkpoint_roundtrip);
    tcase_add_test(tc, test_checkpoint_attention);
    tcase_add_test(tc, test_checkpoint_reads_version_1);
    tcase_add_test(tc, test_checkpoint_keeps_a_long_plugin_name);
    tcase_add_test(tc, test_checkpoint_refuses_damage);
    tcase_add_test(tc, test_token_file_loss);
    suite_add_tcase(s, tc);
    return s;
}
