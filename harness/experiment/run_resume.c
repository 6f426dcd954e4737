#include "harness/experiment/run_resume.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/atomic_file.h"
#include "harness/base/errors.h"
#include "harness/base/hash.h"
#include "harness/base/read_file.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "run_resume.c assumes a little-endian host, as checkpoint.c does"
#endif

static const char MAGIC[8] = {'P', 'B', 'R', 'E', 'S', 'U', 'M', 'E'};
enum { VERSION = 1, ID_LEN = 16 };

static void path_of(char *buf, size_t len, const char *dir) {
    snprintf(buf, len, "%s/" RUN_RESUME_FILE, dir);
}

// A stream that also hashes what it writes.
typedef struct {
    FILE *f;
    uint64_t hash;
} hashed_out;

static void out(hashed_out *o, const void *p, size_t n) {
    o->hash = fnv1a_update(o->hash, p, n);
    fwrite(p, 1, n, o->f);
}

int run_resume_save(const char *dir, const char *id, const model *m, const run_resume *r,
                    char *err, size_t errlen) {
    char path[4200];
    path_of(path, sizeof path, dir);
    atomic_file a;
    if (atomic_file_open(&a, path, err, errlen) != 0) return -1;
    hashed_out o = {a.f, FNV1A_BASIS};
    const uint32_t version = VERSION;
    const int32_t head[2] = {r->steps_done, r->solved_streak};
    const uint64_t n = m->n_params, lens[2] = {r->train_len, r->eval_len};
    char id_field[ID_LEN] = {0};
    memcpy(id_field, id, strnlen(id, ID_LEN));
    out(&o, MAGIC, sizeof MAGIC);
    out(&o, &version, sizeof version);
    out(&o, id_field, ID_LEN);
    out(&o, head, sizeof head);
    out(&o, r->data.s, sizeof r->data.s);
    out(&o, &n, sizeof n);
    out(&o, m->params, n * sizeof(float));
    out(&o, m->adam_m, n * sizeof(float));
    out(&o, m->adam_v, n * sizeof(float));
    out(&o, &lens[0], sizeof lens[0]);
    out(&o, r->train_csv, r->train_len);
    out(&o, &lens[1], sizeof lens[1]);
    out(&o, r->eval_csv, r->eval_len);
    const uint64_t sum = o.hash;
    fwrite(&sum, 1, sizeof sum, a.f);
    return atomic_file_commit(&a, err, errlen);
}

// A cursor over the file's bytes. Fields sit at any offset, so they are copied out (memcpy),
// never read through a cast pointer.
typedef struct {
    const char *p, *end;
    int short_read;
} cursor;

// The next n bytes (NULL past the end, remembered in short_read).
static const char *take(cursor *c, size_t n) {
    if (c->short_read || (size_t)(c->end - c->p) < n) {
        c->short_read = 1;
        return NULL;
    }
    const char *at = c->p;
    c->p += n;
    return at;
}

static void get(cursor *c, void *dst, size_t n) {
    const char *at = take(c, n);
    if (at) memcpy(dst, at, n);
}

int run_resume_load(const char *dir, const char *id, model *m, run_resume *r, char *err,
                    size_t errlen) {
    char path[4200];
    path_of(path, sizeof path, dir);
    FILE *probe = fopen(path, "rb");
    if (!probe) return 0;
    fclose(probe);
    size_t size;
    char *buf = read_file(path, &size, err, errlen);
    if (!buf) return -1;
    int rc = -1;
    uint64_t sum = 0;
    if (size >= sizeof sum) memcpy(&sum, buf + size - sizeof sum, sizeof sum);
    if (size < sizeof sum || fnv1a_update(FNV1A_BASIS, buf, size - sizeof sum) != sum) {
        set_error(err, errlen, "%s: truncated or damaged (checksum mismatch)", path);
        free(buf);
        return -1;
    }
    cursor c = {buf, buf + size - sizeof sum, 0};
    char magic[sizeof MAGIC] = {0}, id_field[ID_LEN] = {0};
    uint32_t version = 0;
    int32_t head[2] = {0, 0};
    uint64_t state[4] = {0}, n = 0, train_len = 0, eval_len = 0;
    get(&c, magic, sizeof magic);
    get(&c, &version, sizeof version);
    get(&c, id_field, ID_LEN);
    get(&c, head, sizeof head);
    get(&c, state, sizeof state);
    get(&c, &n, sizeof n);
    if (c.short_read || memcmp(magic, MAGIC, sizeof MAGIC) || version != VERSION) {
        set_error(err, errlen, "%s: not a posbench resume file of version %d", path, VERSION);
        goto done;
    }
    if (strncmp(id_field, id, ID_LEN) || n != m->n_params) {
        set_error(err, errlen, "%s: written for another run (%.16s, %llu parameters)", path,
                  id_field, (unsigned long long)n);
        goto done;
    }
    const size_t bytes = m->n_params * sizeof(float);
    const char *params = take(&c, bytes), *mom1 = take(&c, bytes), *mom2 = take(&c, bytes);
    get(&c, &train_len, sizeof train_len);
    const char *train = take(&c, train_len);
    get(&c, &eval_len, sizeof eval_len);
    const char *eval = take(&c, eval_len);
    if (c.short_read || c.p != c.end || head[0] < 1) {
        set_error(err, errlen, "%s: malformed", path);
        goto done;
    }
    char *train_copy = malloc(train_len + 1), *eval_copy = malloc(eval_len + 1);
    if (!train_copy || !eval_copy) {
        free(train_copy), free(eval_copy);
        set_error(err, errlen, "%s: out of memory", path);
        goto done;
    }
    memcpy(train_copy, train, train_len);
    memcpy(eval_copy, eval, eval_len);
    memcpy(m->params, params, bytes);
    memcpy(m->adam_m, mom1, bytes);
    memcpy(m->adam_v, mom2, bytes);
    *r = (run_resume){.steps_done = head[0], .solved_streak = head[1],
                      .train_csv = train_copy, .eval_csv = eval_copy,
                      .train_len = train_len, .eval_len = eval_len};
    memcpy(r->data.s, state, sizeof r->data.s);
    rc = 1;
done:
    free(buf);
    return rc;
}

void run_resume_free(run_resume *r) {
    free(r->train_csv);
    free(r->eval_csv);
    r->train_csv = r->eval_csv = NULL;
}

void run_resume_remove(const char *dir) {
    char path[4200];
    path_of(path, sizeof path, dir);
    remove(path);
}
