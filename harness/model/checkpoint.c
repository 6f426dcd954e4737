#include "harness/model/checkpoint.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/errors.h"
#include "harness/base/hash.h"

static const char MAGIC[8] = {'P', 'B', 'C', 'K', 'P', 'T', '\r', '\n'};
#define NAME_LEN 64
#define NAME_LEN_V1 32
#define OPTIONS_LEN 256
#define TENSOR_NAME_LEN 24

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checkpoint.c assumes a little-endian host; add byte swapping for this platform"
#endif

// A stream with a running FNV-1a hash of every byte that passes through it.
typedef struct hashed_file {
    FILE *f;
    uint64_t hash;
    int failed;
} hashed_file;

static void put(hashed_file *hf, const void *data, size_t n) {
    if (hf->failed) return;
    hf->hash = fnv1a_update(hf->hash, data, n);
    if (fwrite(data, 1, n, hf->f) != n) hf->failed = 1;
}

static void put_u32(hashed_file *hf, uint32_t v) { put(hf, &v, 4); }

static int get(hashed_file *hf, void *data, size_t n) {
    if (fread(data, 1, n, hf->f) != n) return -1;
    hf->hash = fnv1a_update(hf->hash, data, n);
    return 0;
}

static int get_u32(hashed_file *hf, uint32_t *v) { return get(hf, v, 4); }

int checkpoint_save(const model *m, const char *path, char *err, size_t errlen) {
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return set_error(err, errlen, "%s: path too long", path);
    hashed_file hf = {fopen(tmp, "wb"), FNV1A_BASIS, 0};
    if (!hf.f) return set_error(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
    char name[NAME_LEN] = {0}, options[OPTIONS_LEN] = {0};
    snprintf(name, sizeof name, "%s", m->pe.ops->name);
    pe_format_options(&m->pe, options, sizeof options);
    put(&hf, MAGIC, sizeof MAGIC);
    // The oldest version that holds the model: a causal model's file stays version 2, which
    // earlier posbench versions and other readers of the format read.
    const model_config *c = &m->cfg;
    const uint32_t version = c->bidirectional ? CHECKPOINT_VERSION : 2;
    put_u32(&hf, version);
    put_u32(&hf, c->vocab), put_u32(&hf, c->d_model), put_u32(&hf, c->n_layers);
    put_u32(&hf, c->n_heads), put_u32(&hf, c->norm);
    if (version >= 3) put_u32(&hf, (uint32_t)c->bidirectional);
    put_u32(&hf, m->n_tensors);
    put(&hf, name, sizeof name);
    put(&hf, options, sizeof options);
    for (int i = 0; i < m->n_tensors; i++) {
        const tensor_info *t = &m->tensors[i];
        char tname[TENSOR_NAME_LEN] = {0};
        snprintf(tname, sizeof tname, "%s", t->name);
        put(&hf, tname, sizeof tname);
        put_u32(&hf, t->ndim);
        for (int d = 0; d < 3; d++) put_u32(&hf, d < t->ndim ? t->dims[d] : 0);
        put(&hf, m->params + t->offset, t->size * sizeof(float));
    }
    uint64_t sum = hf.hash;
    if (!hf.failed && fwrite(&sum, 8, 1, hf.f) != 1) hf.failed = 1;
    if (fclose(hf.f) != 0) hf.failed = 1;
    if (hf.failed || rename(tmp, path) != 0) {
        set_error(err, errlen, "%s: write failed: %s", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

model *checkpoint_load(const char *path, char *err, size_t errlen) {
    hashed_file hf = {fopen(path, "rb"), FNV1A_BASIS, 0};
    if (!hf.f) {
        set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    model *m = NULL;
    char magic[8], name[NAME_LEN + 1] = {0}, options[OPTIONS_LEN + 1] = {0};
    uint32_t version, shape[5], n_tensors, bidirectional = 0;
    if (get(&hf, magic, 8) || memcmp(magic, MAGIC, 8)) {
        set_error(err, errlen, "%s: not a posbench checkpoint (bad magic)", path);
        goto fail;
    }
    if (get_u32(&hf, &version)) goto truncated;
    if (version < 1 || version > CHECKPOINT_VERSION) {
        set_error(err, errlen, "%s: checkpoint version %u, this posbench reads versions 1 to %d",
                  path, version, CHECKPOINT_VERSION);
        goto fail;
    }
    for (int i = 0; i < 5; i++)
        if (get_u32(&hf, &shape[i])) goto truncated;
    if (version >= 3 && get_u32(&hf, &bidirectional)) goto truncated;
    const size_t name_len = version == 1 ? NAME_LEN_V1 : NAME_LEN;
    if (get_u32(&hf, &n_tensors) || get(&hf, name, name_len) || get(&hf, options, OPTIONS_LEN))
        goto truncated;
    if (shape[4] > 1 || bidirectional > 1 || shape[0] > (1u << 24) || shape[1] > (1u << 16) ||
        shape[2] > 4096 || shape[3] > 4096) {
        set_error(err, errlen, "%s: implausible model shape in header (corrupt file?)", path);
        goto fail;
    }
    model_config cfg = {(int)shape[0], (int)shape[1], (int)shape[2], (int)shape[3],
                        (norm_kind)shape[4], (int)bidirectional};
    char merr[256];
    m = model_create(&cfg, name, options, merr, sizeof merr);
    if (!m) {
        set_error(err, errlen, "%s: %s", path, merr);
        goto fail;
    }
    if ((int)n_tensors != m->n_tensors) {
        set_error(err, errlen, "%s: %u tensors, expected %d for this shape", path, n_tensors,
                  m->n_tensors);
        goto fail;
    }
    for (int i = 0; i < m->n_tensors; i++) {
        const tensor_info *t = &m->tensors[i];
        char tname[TENSOR_NAME_LEN + 1] = {0};
        uint32_t ndim, dims[3];
        if (get(&hf, tname, TENSOR_NAME_LEN) || get_u32(&hf, &ndim)) goto truncated;
        for (int d = 0; d < 3; d++)
            if (get_u32(&hf, &dims[d])) goto truncated;
        int same = !strcmp(tname, t->name) && (int)ndim == t->ndim;
        for (int d = 0; d < t->ndim && same; d++) same = (int)dims[d] == t->dims[d];
        if (!same) {
            set_error(err, errlen, "%s: tensor %d is '%s', expected '%s' with its shape", path, i,
                      tname, t->name);
            goto fail;
        }
        if (get(&hf, m->params + t->offset, t->size * sizeof(float))) goto truncated;
    }
    uint64_t expected = hf.hash, stored;
    if (fread(&stored, 8, 1, hf.f) != 1) goto truncated;
    if (stored != expected) {
        set_error(err, errlen, "%s: checksum mismatch (file is corrupt)", path);
        goto fail;
    }
    if (fgetc(hf.f) != EOF) {
        set_error(err, errlen, "%s: trailing bytes after the checksum", path);
        goto fail;
    }
    fclose(hf.f);
    return m;
truncated:
    set_error(err, errlen, "%s: truncated checkpoint", path);
fail:
    fclose(hf.f);
    model_free(m);
    return NULL;
}
