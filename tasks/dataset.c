// Dataset files (layout in dataset.h): a streaming writer and a whole-file reader.
// Integers are encoded byte by byte, so the format is little-endian on every host.
#include "dataset.h"
#include "harness/base/errors.h"
#include "harness/base/hash.h"
#include "harness/base/read_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char MAGIC[8] = {'P', 'B', 'D', 'A', 'T', 'A', '\r', '\n'};
#define END_MARK 0xFFFFFFFFu
static void le_store(unsigned char *p, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t le_load(const unsigned char *p, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

// ---- writer -----------------------------------------------------------------------------

struct dataset_writer {
    FILE *f;
    char *path, *tmp;
    uint64_t hash, count;
    int vocab_size, failed, saved_errno;
    unsigned char *scratch;  // one encoded sequence
    size_t scratch_cap;
};

// Hashes and writes; the first failure is remembered and reported by close.
static void put(dataset_writer *w, const void *data, size_t n) {
    if (w->failed) return;
    w->hash = fnv1a_update(w->hash, data, n);
    if (fwrite(data, 1, n, w->f) != n) w->failed = 1, w->saved_errno = errno;
}

static void put_int(dataset_writer *w, uint64_t v, int bytes) {
    unsigned char b[8];
    le_store(b, v, bytes);
    put(w, b, (size_t)bytes);
}

static char *dup_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void writer_free(dataset_writer *w) {
    if (!w) return;
    free(w->path);
    free(w->tmp);
    free(w->scratch);
    free(w);
}

dataset_writer *dataset_writer_open(const char *path, const char *task, const char *options,
                                    uint64_t seed, int vocab_size, const char *const *vocab,
                                    char *err, size_t errlen) {
    if (vocab_size < 1 || vocab_size > DATASET_MAX_VOCAB) {
        set_error(err, errlen, "%s: vocabulary of %d tokens (a dataset holds 1 to %d)", path,
             vocab_size, DATASET_MAX_VOCAB);
        return NULL;
    }
    if (strlen(task) > 0xFFFF || strlen(options) > 0xFFFF) {
        set_error(err, errlen, "%s: task name or options longer than 65535 bytes", path);
        return NULL;
    }
    for (int i = 0; i < vocab_size; i++) {
        size_t n = vocab[i] ? strlen(vocab[i]) : 0;
        if (n < 1 || n > 255) {
            set_error(err, errlen, "%s: token %d needs a name of 1 to 255 bytes", path, i);
            return NULL;
        }
    }
    dataset_writer *w = calloc(1, sizeof *w);
    if (!w) goto oom;
    w->path = dup_string(path);
    w->tmp = malloc(strlen(path) + 5);
    if (!w->path || !w->tmp) goto oom;
    sprintf(w->tmp, "%s.tmp", path);
    w->hash = FNV1A_BASIS;
    w->vocab_size = vocab_size;
    w->f = fopen(w->tmp, "wb");
    if (!w->f) {
        set_error(err, errlen, "%s: cannot create: %s", w->tmp, strerror(errno));
        writer_free(w);
        return NULL;
    }
    put(w, MAGIC, sizeof MAGIC);
    put_int(w, DATASET_VERSION, 4);
    put_int(w, strlen(task), 2);
    put(w, task, strlen(task));
    put_int(w, strlen(options), 2);
    put(w, options, strlen(options));
    put_int(w, seed, 8);
    put_int(w, (uint64_t)vocab_size, 4);
    for (int i = 0; i < vocab_size; i++) {
        put_int(w, strlen(vocab[i]), 1);
        put(w, vocab[i], strlen(vocab[i]));
    }
    return w;
oom:
    set_error(err, errlen, "%s: out of memory", path);
    writer_free(w);
    return NULL;
}

int dataset_writer_append(dataset_writer *w, const uint16_t *tokens, const uint8_t *mask,
                          size_t len, char *err, size_t errlen) {
    if (len < 1 || len > DATASET_MAX_LEN)
        return set_error(err, errlen, "%s: sequence %llu has %zu tokens (1 to %u allowed)", w->path,
                    (unsigned long long)w->count, len, DATASET_MAX_LEN);
    for (size_t i = 0; i < len; i++) {
        if (tokens[i] >= w->vocab_size)
            return set_error(err, errlen, "%s: sequence %llu: token id %u outside the vocabulary of %d",
                        w->path, (unsigned long long)w->count, tokens[i], w->vocab_size);
        if (mask[i] > 1)
            return set_error(err, errlen, "%s: sequence %llu: mask value %u (0 or 1 allowed)", w->path,
                        (unsigned long long)w->count, mask[i]);
    }
    if (mask[len - 1])
        return set_error(err, errlen, "%s: sequence %llu: the last token is marked as scored, but it "
                    "has no next token to predict", w->path, (unsigned long long)w->count);
    const size_t need = 4 + 3 * len;
    if (need > w->scratch_cap) {
        unsigned char *p = realloc(w->scratch, need);
        if (!p) return set_error(err, errlen, "%s: out of memory", w->path);
        w->scratch = p, w->scratch_cap = need;
    }
    unsigned char *p = w->scratch;
    le_store(p, len, 4);
    for (size_t i = 0; i < len; i++) le_store(p + 4 + 2 * i, tokens[i], 2);
    memcpy(p + 4 + 2 * len, mask, len);
    put(w, p, need);
    if (w->failed)
        return set_error(err, errlen, "%s: write failed: %s", w->tmp, strerror(w->saved_errno));
    w->count++;
    return 0;
}

uint64_t dataset_writer_count(const dataset_writer *w) { return w->count; }

int dataset_writer_close(dataset_writer *w, char *err, size_t errlen) {
    put_int(w, END_MARK, 4);
    put_int(w, w->count, 8);
    unsigned char sum[8];
    le_store(sum, w->hash, 8);
    if (!w->failed && fwrite(sum, 1, 8, w->f) != 8) w->failed = 1, w->saved_errno = errno;
    if (fclose(w->f) != 0 && !w->failed) w->failed = 1, w->saved_errno = errno;
    if (!w->failed && rename(w->tmp, w->path) != 0) w->failed = 1, w->saved_errno = errno;
    int rc = 0;
    if (w->failed) {
        rc = set_error(err, errlen, "%s: write failed: %s", w->path, strerror(w->saved_errno));
        remove(w->tmp);
    }
    writer_free(w);
    return rc;
}

void dataset_writer_abort(dataset_writer *w) {
    if (!w) return;
    fclose(w->f);
    remove(w->tmp);
    writer_free(w);
}

// ---- reader -----------------------------------------------------------------------------

// A bounds-checked cursor over the file's bytes.
typedef struct cursor {
    const unsigned char *p;
    size_t n, at;
} cursor;

static int take(cursor *c, size_t k, const unsigned char **out) {
    if (c->n - c->at < k) return -1;
    *out = c->p + c->at;
    c->at += k;
    return 0;
}

static int take_int(cursor *c, int bytes, uint64_t *v) {
    const unsigned char *q;
    if (take(c, (size_t)bytes, &q)) return -1;
    *v = le_load(q, bytes);
    return 0;
}

// A copy of k bytes as a NUL-terminated string, or NULL.
static char *copy_string(const unsigned char *q, size_t k) {
    char *s = malloc(k + 1);
    if (!s) return NULL;
    memcpy(s, q, k);
    s[k] = '\0';
    return s;
}

// Where the parts are, found by the first pass.
typedef struct layout {
    const unsigned char *task, *options, *vocab, *records;
    size_t task_len, options_len, sum_at;
    uint64_t seed, vocab_size, n_seqs, n_tokens, count;
} layout;

// The first pass: walks the structure without trusting it, so that a short file reports
// "truncated" and an implausible length reports corruption. 0, or -1 with err set.
static int scan(const char *path, const unsigned char *buf, size_t size, layout *L, char *err,
                size_t errlen) {
    cursor c = {buf, size, 0};
    const unsigned char *q;
    uint64_t v;
    if (size < sizeof MAGIC ? memcmp(buf, MAGIC, size) != 0 : memcmp(buf, MAGIC, 8) != 0)
        return set_error(err, errlen, "%s: not a posbench dataset (bad magic)", path);
    if (size < sizeof MAGIC + 4) goto truncated;
    c.at = sizeof MAGIC;
    take_int(&c, 4, &v);
    if (v != DATASET_VERSION)
        return set_error(err, errlen, "%s: dataset version %llu, this posbench reads version %d", path,
                    (unsigned long long)v, DATASET_VERSION);
    if (take_int(&c, 2, &v) || take(&c, v, &L->task)) goto truncated;
    L->task_len = v;
    if (take_int(&c, 2, &v) || take(&c, v, &L->options)) goto truncated;
    L->options_len = v;
    if (take_int(&c, 8, &L->seed) || take_int(&c, 4, &L->vocab_size)) goto truncated;
    L->vocab = c.p + c.at;
    for (uint64_t i = 0; i < L->vocab_size; i++)
        if (take_int(&c, 1, &v) || take(&c, v, &q)) goto truncated;
    L->records = c.p + c.at;
    L->n_seqs = L->n_tokens = 0;
    for (;;) {
        if (take_int(&c, 4, &v)) goto truncated;
        if (v == END_MARK) break;
        if (v < 1 || v > DATASET_MAX_LEN) goto corrupt;
        if (take(&c, 3 * v, &q)) goto truncated;
        L->n_seqs++, L->n_tokens += v;
    }
    if (take_int(&c, 8, &L->count)) goto truncated;
    L->sum_at = c.at;
    if (take_int(&c, 8, &v)) goto truncated;
    // Checksum first: if corruption made the walk end early, that is what to report.
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    // (The fuzzing build skips this, or mutated files would never get past it to the
    // value checks, which must hold on their own.)
    if (fnv1a_update(FNV1A_BASIS, buf, L->sum_at) != v) goto corrupt;
#endif
    if (c.at != size)
        return set_error(err, errlen, "%s: trailing bytes after the checksum", path);
    return 0;
truncated:
    // The walk ran out of data. If the file still ends in a trailer (an end mark, which no
    // token id or mask byte can form, then count and checksum), a length field inside it was
    // damaged; otherwise the end is missing.
    if (size >= sizeof MAGIC + 4 + 20 && le_load(buf + size - 20, 4) == END_MARK) goto corrupt;
    return set_error(err, errlen, "%s: truncated dataset", path);
corrupt:
    return set_error(err, errlen, "%s: checksum mismatch (file is corrupt)", path);
}

// The values a correct writer never produces (checked after the checksum matched).
static int check_values(const char *path, const layout *L, char *err, size_t errlen) {
    if (L->vocab_size < 1 || L->vocab_size > DATASET_MAX_VOCAB)
        return set_error(err, errlen, "%s: vocabulary of %llu tokens (1 to %d allowed)", path,
                    (unsigned long long)L->vocab_size, DATASET_MAX_VOCAB);
    if (L->count != L->n_seqs)
        return set_error(err, errlen, "%s: trailer counts %llu sequences, the file holds %llu", path,
                    (unsigned long long)L->count, (unsigned long long)L->n_seqs);
    if (memchr(L->task, 0, L->task_len) || memchr(L->options, 0, L->options_len))
        return set_error(err, errlen, "%s: NUL byte in the task name or options", path);
    const unsigned char *q = L->vocab;
    for (uint64_t i = 0; i < L->vocab_size; i++, q += 1 + q[0])
        if (q[0] == 0 || memchr(q + 1, 0, q[0]))
            return set_error(err, errlen, "%s: token %llu has an empty or invalid name", path,
                        (unsigned long long)i);
    q = L->records;
    for (uint64_t s = 0; s < L->n_seqs; s++) {
        const size_t len = (size_t)le_load(q, 4);
        const unsigned char *tok = q + 4, *m = tok + 2 * len;
        for (size_t i = 0; i < len; i++) {
            if (le_load(tok + 2 * i, 2) >= L->vocab_size)
                return set_error(err, errlen, "%s: sequence %llu: token id %llu outside the "
                            "vocabulary of %llu", path, (unsigned long long)s,
                            (unsigned long long)le_load(tok + 2 * i, 2),
                            (unsigned long long)L->vocab_size);
            if (m[i] > 1 || (i == len - 1 && m[i]))
                return set_error(err, errlen, "%s: sequence %llu: invalid mask at token %zu", path,
                            (unsigned long long)s, i);
        }
        q = m + len;
    }
    return 0;
}

void dataset_free(dataset *d) {
    if (!d) return;
    if (d->vocab)
        for (int i = 0; i < d->vocab_size; i++) free(d->vocab[i]);
    free(d->vocab);
    free(d->task);
    free(d->options);
    free(d->offsets);
    free(d->tokens);
    free(d->mask);
    free(d);
}

// The second pass: copies a verified file into its arrays.
static dataset *build(const layout *L) {
    dataset *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->seed = L->seed;
    d->vocab_size = (int)L->vocab_size;
    d->n_seqs = L->n_seqs;
    d->n_tokens = L->n_tokens;
    d->task = copy_string(L->task, L->task_len);
    d->options = copy_string(L->options, L->options_len);
    d->vocab = calloc((size_t)d->vocab_size, sizeof *d->vocab);
    d->offsets = malloc((d->n_seqs + 1) * sizeof *d->offsets);
    d->tokens = malloc((d->n_tokens ? d->n_tokens : 1) * sizeof *d->tokens);
    d->mask = malloc(d->n_tokens ? d->n_tokens : 1);
    if (!d->task || !d->options || !d->vocab || !d->offsets || !d->tokens || !d->mask) goto oom;
    const unsigned char *q = L->vocab;
    for (int i = 0; i < d->vocab_size; i++, q += 1 + q[0])
        if (!(d->vocab[i] = copy_string(q + 1, q[0]))) goto oom;
    q = L->records;
    size_t at = 0;
    for (size_t s = 0; s < d->n_seqs; s++) {
        const size_t len = (size_t)le_load(q, 4);
        d->offsets[s] = at;
        for (size_t i = 0; i < len; i++) d->tokens[at + i] = (uint16_t)le_load(q + 4 + 2 * i, 2);
        memcpy(d->mask + at, q + 4 + 2 * len, len);
        at += len;
        q += 4 + 3 * len;
    }
    d->offsets[d->n_seqs] = at;
    return d;
oom:
    dataset_free(d);
    return NULL;
}

dataset *dataset_load(const char *path, char *err, size_t errlen) {
    size_t size = 0;
    unsigned char *buf = (unsigned char *)read_file(path, &size, err, errlen);
    if (!buf) return NULL;
    layout L = {0};
    dataset *d = NULL;
    if (scan(path, buf, size, &L, err, errlen) == 0 &&
        check_values(path, &L, err, errlen) == 0) {
        d = build(&L);
        if (!d) set_error(err, errlen, "%s: out of memory", path);
    }
    free(buf);
    return d;
}
