// A task's sequences written to a dataset file: the one place that defines how
// (task, options, seed) becomes a file, shared by `posbench gen` and the tests.
#include <stdio.h>
#include <stdlib.h>

#include "dataset.h"
#include "task.h"

#include "harness/base/errors.h"

int task_write_dataset(const task *t, uint64_t seed, uint64_t n, const char *path,
                       task_progress_fn progress, void *ctx, char *err, size_t errlen) {
    const int V = t->ops->vocab_size(t), max_len = t->ops->max_len(t);
    const char **names = malloc((size_t)V * sizeof *names);
    uint16_t *tokens = malloc((size_t)max_len * sizeof *tokens);
    uint8_t *mask = malloc((size_t)max_len);
    dataset_writer *w = NULL;
    int rc = -1;
    if (!names || !tokens || !mask) {
        set_error(err, errlen, "%s: out of memory", path);
        goto done;
    }
    for (int i = 0; i < V; i++) names[i] = t->ops->token_name(t, i);
    char options[1024];
    task_format_options(t, options, sizeof options);
    w = dataset_writer_open(path, t->ops->name, options, seed, V, names, err, errlen);
    if (!w) goto done;
    rng r;
    rng_seed(&r, seed);
    for (uint64_t i = 0; i < n; i++) {
        const int len = t->ops->next(t, &r, tokens, mask);
        if (dataset_writer_append(w, tokens, mask, (size_t)len, err, errlen) != 0) goto done;
        if (progress) progress(i + 1, n, ctx);
    }
    rc = dataset_writer_close(w, err, errlen);
    w = NULL;
done:
    dataset_writer_abort(w);
    free(names);
    free(tokens);
    free(mask);
    return rc;
}
