#include "harness/model/model.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "harness/base/errors.h"
#include "harness/base/rng.h"
#include "harness/model/attention.h"
#include "harness/model/layers.h"

// Tensors start on 64-byte boundaries so vector loads of a row never split a cache line.
#define ALIGN_FLOATS 16

static size_t add_tensor(model *m, size_t *cursor, const char *name, init_kind init, int ndim,
                         int d0, int d1, int d2) {
    tensor_info *t = &m->tensors[m->n_tensors++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = ndim;
    t->dims[0] = d0, t->dims[1] = d1, t->dims[2] = d2;
    t->size = (size_t)d0 * (ndim > 1 ? d1 : 1) * (ndim > 2 ? d2 : 1);
    t->offset = *cursor;
    t->init = init;
    t->decay = init == INIT_NORMAL || init == INIT_RESIDUAL;
    *cursor += (t->size + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
    return t->offset;
}

size_t machine_memory_bytes(void) {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? (size_t)pages * (size_t)page : 0;
}

int memory_fits(size_t need, const char *what, char *err, size_t errlen) {
    const size_t have = machine_memory_bytes();
    if (have == 0 || need <= have) return 0;
    const double gib = 1024.0 * 1024.0 * 1024.0;
    return set_error(err, errlen, "%s need %.1f GiB, more than this machine's %.1f GiB", what,
                     need / gib, have / gib);
}

int model_check(const model_config *cfg, const char *pe_name, const char *pe_options,
                pe *encoding, char *err, size_t errlen) {
    const model_config c = *cfg;
    if (c.vocab < 2 || c.d_model < 1 || c.n_layers < 1 || c.n_heads < 1)
        return set_error(err, errlen,
                         "model: vocab >= 2, d_model, n_layers and n_heads >= 1 required");
    if (c.d_model % c.n_heads != 0)
        return set_error(err, errlen, "model: d_model %d is not divisible by n_heads %d",
                         c.d_model, c.n_heads);
    pe_shape shape = {c.n_layers, c.n_heads, c.d_model / c.n_heads, c.d_model, c.bidirectional};
    return pe_configure(encoding, pe_name, pe_options, &shape, err, errlen);
}

model *model_create(const model_config *cfg, const char *pe_name, const char *pe_options,
                    char *err, size_t errlen) {
    const model_config c = *cfg;
    pe encoding;
    if (model_check(&c, pe_name, pe_options, &encoding, err, errlen) != 0) return NULL;
    model *m = calloc(1, sizeof *m);
    if (!m) {
        set_error(err, errlen, "model: out of memory");
        return NULL;
    }
    m->cfg = c;
    m->pe = encoding;
    const int V = c.vocab, C = c.d_model, L = c.n_layers, ln = c.norm == NORM_LAYER;
    size_t at = 0;
    m->off_wte = add_tensor(m, &at, "wte", INIT_NORMAL, 2, V, C, 0);
    m->off_ln1w = add_tensor(m, &at, "ln1_w", INIT_ONES, 2, L, C, 0);
    if (ln) m->off_ln1b = add_tensor(m, &at, "ln1_b", INIT_ZEROS, 2, L, C, 0);
    m->off_qkv = add_tensor(m, &at, "qkv_w", INIT_NORMAL, 3, L, 3 * C, C);
    m->off_proj = add_tensor(m, &at, "proj_w", INIT_RESIDUAL, 3, L, C, C);
    m->off_ln2w = add_tensor(m, &at, "ln2_w", INIT_ONES, 2, L, C, 0);
    if (ln) m->off_ln2b = add_tensor(m, &at, "ln2_b", INIT_ZEROS, 2, L, C, 0);
    m->off_fc1 = add_tensor(m, &at, "fc1_w", INIT_NORMAL, 3, L, 4 * C, C);
    m->off_fc2 = add_tensor(m, &at, "fc2_w", INIT_RESIDUAL, 3, L, C, 4 * C);
    m->off_lnfw = add_tensor(m, &at, "lnf_w", INIT_ONES, 1, C, 0, 0);
    if (ln) m->off_lnfb = add_tensor(m, &at, "lnf_b", INIT_ZEROS, 1, C, 0, 0);
    m->off_head = add_tensor(m, &at, "head_w", INIT_NORMAL, 2, V, C, 0);
    size_t n_pe = pe_n_params(&m->pe);
    if (n_pe) m->off_pe = add_tensor(m, &at, "pe", INIT_ENCODING, 1, (int)n_pe, 0, 0);
    m->n_params = at;
    char what[160];
    snprintf(what, sizeof what, "model: %zu parameters with their gradients and AdamW moments", at);
    if (memory_fits(4 * at * sizeof(float), what, err, errlen) != 0) {
        free(m);
        return NULL;
    }
    m->params = calloc(4 * at, sizeof(float));
    if (!m->params) {
        set_error(err, errlen, "model: cannot allocate %zu parameters", at);
        free(m);
        return NULL;
    }
    m->grads = m->params + at;
    m->adam_m = m->grads + at;
    m->adam_v = m->adam_m + at;
    return m;
}

void model_free(model *m) {
    if (!m) return;
    free(m->params);
    free(m);
}

void model_init(model *m, uint64_t seed, float std) {
    rng r;
    rng_seed(&r, seed);
    const float resid_std = std / sqrtf(2.0f * m->cfg.n_layers);
    memset(m->params, 0, m->n_params * sizeof(float));
    for (int i = 0; i < m->n_tensors; i++) {
        const tensor_info *t = &m->tensors[i];
        float *p = m->params + t->offset;
        switch (t->init) {
        case INIT_NORMAL:
        case INIT_RESIDUAL: {
            float s = t->init == INIT_RESIDUAL ? resid_std : std;
            for (size_t j = 0; j < t->size; j++) p[j] = s * rng_normal(&r);
            break;
        }
        case INIT_ONES:
            for (size_t j = 0; j < t->size; j++) p[j] = 1.0f;
            break;
        case INIT_ZEROS:
            break;
        case INIT_ENCODING:
            if (m->pe.ops->init) m->pe.ops->init(&m->pe, p, &r);
            break;
        }
    }
}

void model_zero_grad(model *m) { memset(m->grads, 0, m->n_params * sizeof(float)); }

batch *batch_create(int B, int T) {
    batch *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    size_t n = (size_t)B * T;
    b->B = B, b->T = T;
    b->tokens = calloc(n, sizeof *b->tokens);
    b->targets = calloc(n, sizeof *b->targets);
    b->mask = calloc(n, sizeof *b->mask);
    b->pos = calloc(n, sizeof *b->pos);
    b->len = malloc((size_t)B * sizeof *b->len);
    if (!b->tokens || !b->targets || !b->mask || !b->pos || !b->len) {
        batch_free(b);
        return NULL;
    }
    batch_default_positions(b);
    for (int i = 0; i < B; i++) b->len[i] = T;
    return b;
}

void batch_free(batch *b) {
    if (!b) return;
    free(b->tokens);
    free(b->targets);
    free(b->mask);
    free(b->pos);
    free(b->len);
    free(b);
}

void batch_pad_row(batch *b, int row) {
    size_t o = (size_t)row * b->T;
    memset(b->mask + o, 0, (size_t)b->T);
    memset(b->tokens + o, 0, (size_t)b->T * sizeof *b->tokens);
    memset(b->targets + o, 0, (size_t)b->T * sizeof *b->targets);
    for (int t = 0; t < b->T; t++) b->pos[o + t] = (float)t;
    b->len[row] = b->T;
}

void batch_default_positions(batch *b) {
    for (int i = 0; i < b->B; i++)
        for (int t = 0; t < b->T; t++) b->pos[(size_t)i * b->T + t] = (float)t;
}
