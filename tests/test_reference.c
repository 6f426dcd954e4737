// posbench's evaluation against an independent implementation: tools/reference.py, a float64
// PyTorch model written from docs/model.md alone, computed the loss and accuracy of tiny
// trained checkpoints (every built-in encoding, both norms, RoPE's scalings) on datasets at
// the training length and at 4x it, and tools/make_reference_fixtures.sh wrote them to
// tests/fixtures/reference/expected.csv. Here the C path of `posbench eval CKPT FILE.pbds`
// (evaluate over data_feed_sequential, batches of RUN_EVAL_BATCH) must give the same loss
// within 1e-5 relative, the same accuracy and the same number of scored positions. No Python
// is needed: the reference's numbers are in the fixture.
#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encodings/encoding.h"
#include "harness/base/csv.h"
#include "harness/experiment/run.h"
#include "harness/model/checkpoint.h"
#include "harness/train/data_feed.h"
#include "harness/train/train.h"
#include "suites.h"
#include "tasks/dataset.h"

#define REFERENCE_DIR "tests/fixtures/reference"
#define LOSS_RTOL 1e-5

// How far posbench's numbers for one row are from the reference's: 0 when they agree, else
// a message in msg.
static int check_row(const char *ckpt, const char *data, double want_loss, double want_acc,
                     long want_scored, double *rel, char *msg, size_t len) {
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s", REFERENCE_DIR, ckpt);
    model *m = checkpoint_load(path, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    snprintf(path, sizeof path, "%s/%s", REFERENCE_DIR, data);
    dataset *d = dataset_load(path, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    data_feed feed = {.data = d};
    eval_result er;
    ck_assert_msg(evaluate(m, RUN_EVAL_BATCH, data_feed_width(d), INT_MAX, data_feed_sequential,
                           &feed, 0, 1, &er, err, sizeof err) == 0,
                  "%s", err);
    *rel = fabs(er.loss - want_loss) / fabs(want_loss);
    int bad = !(*rel <= LOSS_RTOL) || fabs(er.accuracy - want_acc) > 1e-9 ||
              er.n_scored != want_scored;
    if (bad)
        snprintf(msg, len,
                 "%s on %s: posbench loss %.9g accuracy %.9g over %ld, reference %.9g %.9g "
                 "over %ld (loss relative difference %.2e)\n",
                 ckpt, data, er.loss, er.accuracy, er.n_scored, want_loss, want_acc,
                 want_scored, *rel);
    dataset_free(d);
    model_free(m);
    return bad;
}

START_TEST(test_eval_matches_reference) {
    csv_reader c;
    char err[512];
    ck_assert_msg(csv_open(&c, REFERENCE_DIR "/expected.csv",
                           "checkpoint,data,loss,accuracy,scored", CSV_PLAIN, err,
                           sizeof err) == 0,
                  "%s", err);
    char *f[5], failures[8192] = "", msg[512];
    double worst = 0;
    int rows = 0, bad = 0, rc;
    while ((rc = csv_next(&c, f, 5, err, sizeof err)) == 1) {
        double rel;
        if (check_row(f[0], f[1], strtod(f[2], NULL), strtod(f[3], NULL), strtol(f[4], NULL, 10),
                      &rel, msg, sizeof msg)) {
            bad++;
            strncat(failures, msg, sizeof failures - strlen(failures) - 1);
        }
        if (rel > worst) worst = rel;
        rows++;
    }
    csv_close(&c);
    ck_assert_msg(rc == 0, "%s", err);
    printf("reference: %d checkpoint/dataset pairs, worst loss relative difference %.2e\n", rows,
           worst);
    ck_assert_msg(bad == 0, "%d of %d pairs differ from the reference:\n%s", bad, rows, failures);
}
END_TEST

// The fixture covers every built-in encoding under both norms, so that a new encoding or a
// changed one is noticed: regenerate with tools/make_reference_fixtures.sh.
START_TEST(test_reference_covers_every_encoding) {
    csv_reader c;
    char err[512];
    ck_assert_msg(csv_open(&c, REFERENCE_DIR "/expected.csv",
                           "checkpoint,data,loss,accuracy,scored", CSV_PLAIN, err,
                           sizeof err) == 0,
                  "%s", err);
    int n_enc = 0;
    while (pe_registry[n_enc]) n_enc++;
    int *seen = calloc((size_t)n_enc * 2, sizeof *seen);
    char *f[5];
    int rc;
    while ((rc = csv_next(&c, f, 5, err, sizeof err)) == 1) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", REFERENCE_DIR, f[0]);
        model *m = checkpoint_load(path, err, sizeof err);
        ck_assert_msg(m != NULL, "%s", err);
        for (int i = 0; i < n_enc; i++)
            if (!strcmp(m->pe.ops->name, pe_registry[i]->name)) seen[2 * i + (int)m->cfg.norm] = 1;
        model_free(m);
    }
    csv_close(&c);
    ck_assert_msg(rc == 0, "%s", err);
    for (int i = 0; i < 2 * n_enc; i++)
        ck_assert_msg(seen[i], "%s has no %s checkpoint with %s: run "
                      "tools/make_reference_fixtures.sh", REFERENCE_DIR "/expected.csv",
                      pe_registry[i / 2]->name, i % 2 ? "LayerNorm" : "RMSNorm");
    free(seen);
}
END_TEST

Suite *suite_reference(void) {
    Suite *s = suite_create("reference");
    TCase *tc = tcase_create("reference");
    tcase_add_test(tc, test_eval_matches_reference);
    tcase_add_test(tc, test_reference_covers_every_encoding);
    suite_add_tcase(s, tc);
    return s;
}
