// Answer accuracy by group (inspect.h: groups.csv): the set scored batch by batch as the run
// scored it, each answer counted under the group its task reads from the tokens before it.
#include <stdlib.h>
#include <string.h>

#include "harness/analysis/inspect.h"
#include "harness/base/errors.h"
#include "harness/experiment/run.h"

typedef struct {
    int group;
    long n, correct;
    double no_lookup;  // sum over the answers of the task's no_lookup_chance
} group_count;

// Counts by group, kept sorted by group: tasks have a few dozen groups at most.
typedef struct {
    int n, cap;
    group_count *items;
} group_counts;

static int count_answer(group_counts *g, int group, int correct, double no_lookup) {
    int i = 0;
    while (i < g->n && g->items[i].group < group) i++;
    if (i == g->n || g->items[i].group != group) {
        if (g->n == g->cap) {
            const int cap = g->cap ? 2 * g->cap : 32;
            void *p = realloc(g->items, (size_t)cap * sizeof *g->items);
            if (!p) return -1;
            g->items = p;
            g->cap = cap;
        }
        memmove(g->items + i + 1, g->items + i, (size_t)(g->n - i) * sizeof *g->items);
        g->items[i] = (group_count){group, 0, 0, 0};
        g->n++;
    }
    g->items[i].n++;
    g->items[i].correct += correct;
    g->items[i].no_lookup += no_lookup;
    return 0;
}

int inspect_groups(inspected *x, size_t n_examples, FILE *out, char *err, size_t errlen) {
    const task *t = x->task;
    if (!t || !t->ops->answer_group)
        return set_error(err, errlen, "task '%s' has no answer groups", x->cfg.task);
    if (n_examples == 0 || n_examples > x->n) n_examples = x->n;
    const int B = RUN_EVAL_BATCH, T = x->width;
    batch *b = batch_create(B, T);
    acts *a = b ? acts_create(x->m, B, T, 0, 1) : NULL;
    group_counts g = {0};
    int rc = 0, valid[RUN_EVAL_BATCH];
    if (!a) rc = set_error(err, errlen, "out of memory for %d sequences of %d tokens", B, T);
    for (size_t first = 0; rc == 0 && first < n_examples; first += B) {
        inspect_fill_batch(x, b, first, valid);
        model_forward(x->m, a, b, NULL, NULL);
        const int32_t *rows;
        int M;
        const int32_t *pred = acts_row_predictions(a, &rows, &M);
        for (int k = 0; rc == 0 && k < M; k++) {
            // Row r of the batch is sequence first + r; its position t predicts token t + 1.
            const size_t i = first + (size_t)(rows[k] / T);
            if (i >= n_examples) continue;
            const uint16_t *tokens = x->pool->tokens + i * (size_t)x->pool->max_len;
            const int answer = rows[k] % T + 1;
            int group;
            if (t->ops->answer_group(t, tokens, answer, &group) &&
                count_answer(&g, group, pred[k] == b->targets[rows[k]],
                             t->ops->no_lookup_chance(t, tokens, answer)))
                rc = set_error(err, errlen, "out of memory");
        }
    }
    for (int k = 0; rc == 0 && k < g.n; k++)
        fprintf(out, "%s,%s,%d,%ld,%ld,%.6g,%.6g\n", x->set, t->ops->group_name,
                g.items[k].group, g.items[k].n, g.items[k].correct,
                (double)g.items[k].correct / g.items[k].n, g.items[k].no_lookup / g.items[k].n);
    free(g.items);
    acts_free(a);
    batch_free(b);
    return rc;
}
