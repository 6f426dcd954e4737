#include "harness/analysis/inspect.h"

#include <stdlib.h>
#include <string.h>

#include "harness/base/errors.h"
#include "harness/experiment/run.h"
#include "harness/model/checkpoint.h"

// The run's single resolved config from its config.yaml.
static int load_config(inspected *x, const char *run_dir, char *err, size_t errlen) {
    char path[4096];
    snprintf(path, sizeof path, "%s/config.yaml", run_dir);
    experiment e;
    if (experiment_load(path, &e, err, errlen) != 0) return -1;
    run_config *runs = NULL;
    size_t n = 0;
    int rc = experiment_expand(&e, &runs, &n, err, errlen);
    if (rc == 0 && n != 1)
        rc = set_error(err, errlen, "%s: a run's config has no sweep, this one has %zu runs",
                       path, n);
    if (rc == 0) x->cfg = runs[0];
    free(runs);
    experiment_free(&e);
    return rc;
}

int inspect_open(inspected *x, const char *run_dir, const char *set, char *err, size_t errlen) {
    memset(x, 0, sizeof *x);
    if (load_config(x, run_dir, err, errlen) != 0) return -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/final.ckpt", run_dir);
    if (!(x->m = checkpoint_load(path, err, errlen))) return -1;
    // Books' datasets live in the experiment's data folder, two levels above the run.
    snprintf(path, sizeof path, "%s/../../data", run_dir);
    if (run_data_open(&x->data, &x->cfg, path, 1, err, errlen) != 0) return -1;
    return inspect_select_set(x, set, err, errlen);
}

int inspect_select_set(inspected *x, const char *set, char *err, size_t errlen) {
    int i = 0;
    if (set)
        while (i < x->data.n_evals && strcmp(x->data.evals[i].name, set) != 0) i++;
    if (i == x->data.n_evals)
        return set_error(err, errlen, "the run has no evaluation set '%s'", set);
    const data_source *e = x->source = &x->data.evals[i];
    snprintf(x->set, sizeof x->set, "%s", e->name);
    x->width = e->width;
    x->n = e->n;
    x->task = e->task;
    x->pool = e->pool;
    return 0;
}

void inspect_close(inspected *x) {
    model_free(x->m);
    run_data_free(&x->data);
    memset(x, 0, sizeof *x);
}

void inspect_fill_batch(inspected *x, batch *b, size_t first, int *valid) {
    *x->source->cursor = first;
    x->source->next(b, x->source->ctx, NULL);
    for (int r = 0; r < b->B; r++) {
        const size_t i = first + (size_t)r;
        valid[r] = i >= x->n ? 0 : x->source->length(x->source->ctx, i);
    }
}

// A token as a CSV field: the task's name for it, or for books the byte itself when it is
// printable (its code otherwise), double-quoted with quotes doubled.
static void write_token(const inspected *x, int id, FILE *out) {
    char text[16];
    x->data.source->token_text(x->source, id, text, sizeof text);
    fputc('"', out);
    for (const char *c = text; *c; c++) {
        if (*c == '"') fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

int inspect_attention(inspected *x, size_t k, FILE *out, char *err, size_t errlen) {
    if (k >= x->n)
        return set_error(err, errlen, "set '%s' has %zu examples; there is no example %zu",
                         x->set, x->n, k);
    const int T = x->width, L = x->m->cfg.n_layers, NH = x->m->cfg.n_heads;
    batch *b = batch_create(1, T);
    acts *a = b ? acts_create(x->m, 1, T, 1, 1) : NULL;
    if (!a) {
        batch_free(b);
        return set_error(err, errlen, "out of memory for one sequence of %d tokens", T);
    }
    int n;
    inspect_fill_batch(x, b, k, &n);
    model_forward(x->m, a, b, NULL, NULL);
    fputs("layer,head,query,key,prob,query_token,key_token\n", out);
    for (int l = 0; l < L; l++)
        for (int h = 0; h < NH; h++) {
            const float *att = acts_attention(a, l) + (size_t)h * T * T;
            for (int i = 0; i < n; i++) {
                const int last_key = x->m->cfg.bidirectional ? n - 1 : i;
                for (int j = 0; j <= last_key; j++) {
                    fprintf(out, "%d,%d,%d,%d,%.6g,", l, h, i, j, att[(size_t)i * T + j]);
                    write_token(x, b->tokens[i], out);
                    fputc(',', out);
                    write_token(x, b->tokens[j], out);
                    fputc('\n', out);
                }
            }
        }
    acts_free(a);
    batch_free(b);
    return 0;
}

void frequency_mass_add(const pe *enc, const float *qkv, int N, int C, int NH, double *mass) {
    const int D = C / NH, F = enc->ops->n_frequencies(enc);
    float mag[2 * 512];
    for (int r = 0; r < N; r++)
        for (int h = 0; h < NH; h++)
            for (int part = 0; part < 2; part++) {  // the query, then the key
                const float *x = qkv + (size_t)r * 3 * C + (size_t)part * C + (size_t)h * D;
                enc->ops->frequency_magnitudes(enc, x, mag);
                for (int f = 0; f < F; f++) mass[f] += mag[f];
            }
}

enum { FREQ_BATCH = 16 };

int inspect_frequency(inspected *x, size_t n_examples, FILE *out, char *err, size_t errlen) {
    const pe *enc = &x->m->pe;
    if (!enc->ops->n_frequencies || !enc->ops->frequency_magnitudes)
        return set_error(err, errlen, "encoding '%s' has no frequency bands", enc->ops->name);
    const int T = x->width, L = x->m->cfg.n_layers, C = x->m->cfg.d_model;
    const int NH = x->m->cfg.n_heads, F = enc->ops->n_frequencies(enc);
    if (F > 1024) return set_error(err, errlen, "%d frequency bands: more than 1024", F);
    if (n_examples > x->n) n_examples = x->n;
    batch *b = batch_create(FREQ_BATCH, T);
    acts *a = b ? acts_create(x->m, FREQ_BATCH, T, 1, 1) : NULL;
    double *mass = calloc((size_t)L * F, sizeof *mass);
    int rc = 0;
    if (!a || !mass) rc = set_error(err, errlen, "out of memory for %d sequences of %d tokens",
                                    FREQ_BATCH, T);
    int valid[FREQ_BATCH];
    for (size_t first = 0; rc == 0 && first < n_examples; first += FREQ_BATCH) {
        inspect_fill_batch(x, b, first, valid);
        model_forward(x->m, a, b, NULL, NULL);
        for (int l = 0; l < L; l++)
            for (int r = 0; r < FREQ_BATCH && first + (size_t)r < n_examples; r++)
                frequency_mass_add(enc, acts_qkv(a, l) + (size_t)r * T * 3 * C, valid[r], C, NH,
                                   mass + (size_t)l * F);
    }
    if (rc == 0) {
        fputs("layer,frequency,mass\n", out);
        for (int l = 0; l < L; l++) {
            double total = 0;
            for (int f = 0; f < F; f++) total += mass[(size_t)l * F + f];
            for (int f = 0; f < F; f++)
                fprintf(out, "%d,%d,%.6g\n", l, f, total > 0 ? mass[(size_t)l * F + f] / total : 0);
        }
    }
    free(mass);
    acts_free(a);
    batch_free(b);
    return rc;
}
