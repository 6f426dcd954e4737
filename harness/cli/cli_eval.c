#include "harness/cli/cli_eval.h"

#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "harness/base/errors.h"
#include "harness/experiment/run.h"
#include "harness/model/checkpoint.h"
#include "harness/train/data_feed.h"
#include "harness/train/token_file.h"
#include "harness/train/train.h"
#include "tasks/dataset.h"

static const char USAGE[] =
    "usage: posbench eval CHECKPOINT TOKENS|DATASET.pbds\n"
    "Mean next-token cross-entropy (nats) of a checkpoint on a token file: one sequence per\n"
    "line, token ids separated by spaces; every token after the first is predicted.\n"
    "On a dataset file (posbench gen, posbench books): the loss and accuracy over the\n"
    "positions the dataset scores (a task's answers; books: every byte after the first),\n"
    "as a run scores its evaluation sets.\n";

static int fail(const char *msg) {
    fprintf(stderr, "posbench: eval: %s\n", msg);
    return 1;
}

static int eval_dataset(model *m, const char *path) {
    char err[512];
    dataset *d = dataset_load(path, err, sizeof err);
    if (!d) return fail(err);
    int rc = 0;
    if (d->vocab_size > m->cfg.vocab - m->cfg.bidirectional) {
        set_error(err, sizeof err, "%s: %d token kinds, more than the model's vocabulary of %d",
                  path, d->vocab_size, m->cfg.vocab);
        rc = fail(err);
    } else {
        // A bidirectional model reads the answers at its placeholder, its last token id.
        data_feed feed = {.data = d, .reading = {m->cfg.bidirectional, m->cfg.vocab - 1}};
        eval_result er;
        if (evaluate(m, RUN_EVAL_BATCH, data_feed_width(d), INT_MAX, data_feed_sequential, &feed,
                     0, omp_get_max_threads(), &er, err, sizeof err) != 0)
            rc = fail(err);
        else
            printf("mean loss %.6f, accuracy %.6f over %ld scored tokens of %zu sequences\n",
                   er.loss, er.accuracy, er.n_scored, d->n_seqs);
    }
    dataset_free(d);
    return rc;
}

int cmd_eval(int argc, char **argv) {
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (argc != 3) {
        fputs(USAGE, stderr);
        return 2;
    }
    char err[512];
    model *m = checkpoint_load(argv[1], err, sizeof err);
    if (!m) return fail(err);
    const size_t len = strlen(argv[2]);
    int rc;
    if (len > 5 && !strcmp(argv[2] + len - 5, ".pbds")) {
        rc = eval_dataset(m, argv[2]);
    } else {
        double loss;
        long n;
        rc = token_file_loss(m, argv[2], omp_get_max_threads(), &loss, &n, err, sizeof err);
        if (rc) rc = fail(err);
        else printf("mean loss %.6f over %ld tokens\n", loss, n);
    }
    model_free(m);
    return rc;
}
