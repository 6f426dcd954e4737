// The book corpus (which books, which split) and the byte-level datasets cut from it; the
// rules are in tasks/books.h.
#include "books.h"
#include "harness/base/dirs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/base/errors.h"
#include "harness/base/rng.h"
#include "tasks/dataset.h"

static const char *const SPLIT_NAMES[BOOKS_N_SPLITS] = {"train", "validation", "test"};

const char *books_split_name(int split) {
    return split >= 0 && split < BOOKS_N_SPLITS ? SPLIT_NAMES[split] : "?";
}

void books_byte_name(int b, char out[5]) {
    if (b >= 0x20 && b <= 0x7e) snprintf(out, 5, "%c", b);
    else if (b == '\n') snprintf(out, 5, "\\n");
    else if (b == '\t') snprintf(out, 5, "\\t");
    else if (b == '\r') snprintf(out, 5, "\\r");
    else snprintf(out, 5, "\\x%02x", b & 0xff);
}

// ---- the corpus ---------------------------------------------------------------------------

// A growing list of owned strings.
typedef struct strlist {
    char **s;
    int n, cap;
} strlist;

static void strlist_free(strlist *l) {
    for (int i = 0; i < l->n; i++) free(l->s[i]);
    free(l->s);
    *l = (strlist){0};
}

static int strlist_push(strlist *l, char *s, char *err, size_t errlen) {
    if (!s) goto oom;
    if (l->n == l->cap) {
        const int cap = l->cap ? 2 * l->cap : 64;
        char **p = realloc(l->s, (size_t)cap * sizeof *p);
        if (!p) goto oom;
        l->s = p;
        l->cap = cap;
    }
    l->s[l->n++] = s;
    return 0;
oom:
    free(s);
    set_error(err, errlen, "out of memory listing books");
    return -1;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// dir + "/" + name (no doubled slash), malloc'ed; NULL when out of memory.
static char *join(const char *dir, const char *name) {
    const size_t a = strlen(dir), b = strlen(name);
    const int slash = a > 0 && dir[a - 1] != '/';
    char *p = malloc(a + (size_t)slash + b + 1);
    if (p) snprintf(p, a + (size_t)slash + b + 1, "%s%s%s", dir, slash ? "/" : "", name);
    return p;
}

// Checks that path is a regular file we can open, so errors come before any file is written.
static int check_readable(const char *path, char *err, size_t errlen) {
    struct stat st;
    FILE *f;
    if (stat(path, &st) != 0 || !(f = fopen(path, "rb"))) {
        set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    fclose(f);
    if (!S_ISREG(st.st_mode)) {
        set_error(err, errlen, "%s: not a regular file", path);
        return -1;
    }
    return 0;
}

// Appends dir's books (regular, non-hidden *.txt files), sorted, to out.
static int list_books(const char *dir, strlist *out, char *err, size_t errlen) {
    DIR *d = opendir(dir);
    if (!d) {
        set_error(err, errlen, "%s: cannot open directory: %s", dir, strerror(errno));
        return -1;
    }
    const int first = out->n;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        const size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len <= 4 || strcmp(e->d_name + len - 4, ".txt") != 0)
            continue;
        char *path = join(dir, e->d_name);
        struct stat st;
        if (path && stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        rc = strlist_push(out, path, err, errlen);
        if (rc == 0) rc = check_readable(out->s[out->n - 1], err, errlen);
    }
    closedir(d);
    if (rc == 0 && out->n > first)
        qsort(out->s + first, (size_t)(out->n - first), sizeof *out->s, cmp_str);
    return rc;
}

// Moves the paths of `l` (emptied) into c, book i in split[i], grouped by split, each group in
// name order.
static int corpus_take(books_corpus *c, strlist *l, const int *split, char *err,
                       size_t errlen) {
    c->paths = malloc((size_t)l->n * sizeof *c->paths);
    c->split = malloc((size_t)l->n * sizeof *c->split);
    if (!c->paths || !c->split) {
        free(c->paths);
        free(c->split);
        c->paths = NULL;
        c->split = NULL;
        set_error(err, errlen, "out of memory listing books");
        return -1;
    }
    int k = 0;
    for (int s = 0; s < BOOKS_N_SPLITS; s++) {
        const int start = k;
        for (int i = 0; i < l->n; i++)
            if (split[i] == s) c->paths[k] = l->s[i], c->split[k] = s, k++;
        if (k > start) qsort(c->paths + start, (size_t)(k - start), sizeof *c->paths, cmp_str);
        c->n_per_split[s] = k - start;
    }
    c->n_books = k;
    free(l->s);
    *l = (strlist){0};
    return 0;
}

static int check_pct(int valid_pct, int test_pct, char *err, size_t errlen) {
    if (valid_pct < 0 || valid_pct > 90 || test_pct < 0 || test_pct > 90) {
        set_error(err, errlen, "split percentages must be in [0, 90], got valid_pct=%d test_pct=%d",
                  valid_pct, test_pct);
        return -1;
    }
    return 0;
}

// The seeded rule of books.h over the sorted paths of l.
static int corpus_seeded(books_corpus *c, strlist *l, uint64_t seed, int valid_pct,
                         int test_pct, char *err, size_t errlen) {
    const int n = l->n;
    if (n < 3) {
        set_error(err, errlen,
                  "%d book%s cannot fill the train, validation and test splits (need at least 3)",
                  n, n == 1 ? "" : "s");
        return -1;
    }
    int n_test = n * test_pct / 100, n_valid = n * valid_pct / 100;
    if (n_test < 1) n_test = 1;
    if (n_valid < 1) n_valid = 1;
    if (n_test + n_valid >= n) {
        set_error(err, errlen,
                  "valid_pct=%d and test_pct=%d leave no training book among %d books",
                  valid_pct, test_pct, n);
        return -1;
    }
    int *order = malloc((size_t)n * sizeof *order), *split = malloc((size_t)n * sizeof *split);
    if (!order || !split) {
        free(order);
        free(split);
        set_error(err, errlen, "out of memory listing books");
        return -1;
    }
    rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) order[i] = i;
    for (int i = n - 1; i > 0; i--) {
        const int j = (int)rng_below(&r, (uint32_t)i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int i = 0; i < n; i++)
        split[order[i]] = i < n_test ? BOOKS_TEST : i < n_test + n_valid ? BOOKS_VALIDATION
                                                                          : BOOKS_TRAIN;
    const int rc = corpus_take(c, l, split, err, errlen);
    free(order);
    free(split);
    c->valid_pct = valid_pct;
    c->test_pct = test_pct;
    return rc;
}

int books_corpus_from_dir(books_corpus *c, const char *dir, uint64_t seed, int valid_pct,
                          int test_pct, char *err, size_t errlen) {
    *c = (books_corpus){.seed = seed};
    if (check_pct(valid_pct, test_pct, err, errlen)) return -1;
    struct stat st;
    if (stat(dir, &st) != 0) {
        set_error(err, errlen, "%s: cannot open directory: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        set_error(err, errlen, "%s: not a directory", dir);
        return -1;
    }
    char *sub[BOOKS_N_SPLITS] = {0};
    strlist l = {0};
    int *split = NULL, pg19 = 0, rc = -1;
    for (int s = 0; s < BOOKS_N_SPLITS; s++) {
        if (!(sub[s] = join(dir, SPLIT_NAMES[s]))) {
            set_error(err, errlen, "out of memory listing books");
            goto done;
        }
        pg19 |= stat(sub[s], &st) == 0;
    }
    if (!pg19) {
        if (list_books(dir, &l, err, errlen)) goto done;
        if (l.n == 0) {
            set_error(err, errlen, "%s: no .txt books (empty corpus)", dir);
            goto done;
        }
        rc = corpus_seeded(c, &l, seed, valid_pct, test_pct, err, errlen);
        goto done;
    }
    for (int s = 0; s < BOOKS_N_SPLITS; s++) {
        if (stat(sub[s], &st) != 0 || !S_ISDIR(st.st_mode)) {
            set_error(err, errlen,
                      "%s: missing (the PG-19 layout needs train/, validation/ and test/)",
                      sub[s]);
            goto done;
        }
        const int before = l.n;
        if (list_books(sub[s], &l, err, errlen)) goto done;
        if (l.n == before) {
            set_error(err, errlen, "%s: no .txt books (every split needs at least one book)",
                      sub[s]);
            goto done;
        }
        int *p = realloc(split, (size_t)l.n * sizeof *p);
        if (!p) {
            set_error(err, errlen, "out of memory listing books");
            goto done;
        }
        split = p;
        for (int i = before; i < l.n; i++) split[i] = s;
    }
    rc = corpus_take(c, &l, split, err, errlen);
    c->pg19 = 1;
done:
    free(split);
    strlist_free(&l);  // whatever corpus_take did not take
    for (int s = 0; s < BOOKS_N_SPLITS; s++) free(sub[s]);
    if (rc) books_corpus_free(c);
    return rc;
}

int books_corpus_from_files(books_corpus *c, const char *const *files, int n, uint64_t seed,
                            int valid_pct, int test_pct, char *err, size_t errlen) {
    *c = (books_corpus){.seed = seed};
    if (check_pct(valid_pct, test_pct, err, errlen)) return -1;
    if (n < 1) {
        set_error(err, errlen, "no books given (empty corpus)");
        return -1;
    }
    strlist l = {0};
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        char *p = strdup(files[i]);
        rc = strlist_push(&l, p, err, errlen);
        if (rc == 0) rc = check_readable(files[i], err, errlen);
    }
    if (rc == 0) {
        qsort(l.s, (size_t)l.n, sizeof *l.s, cmp_str);
        for (int i = 1; i < l.n; i++)
            if (strcmp(l.s[i - 1], l.s[i]) == 0) {
                set_error(err, errlen, "%s: listed twice", l.s[i]);
                rc = -1;
                break;
            }
    }
    if (rc == 0) rc = corpus_seeded(c, &l, seed, valid_pct, test_pct, err, errlen);
    strlist_free(&l);
    if (rc) books_corpus_free(c);
    return rc;
}

void books_corpus_free(books_corpus *c) {
    if (!c) return;
    for (int i = 0; i < c->n_books; i++) free(c->paths[i]);
    free(c->paths);
    free(c->split);
    const uint64_t seed = c->seed;
    *c = (books_corpus){.seed = seed};
}

// ---- the datasets -------------------------------------------------------------------------

int books_check_lengths(int seq_len, const int *mult, int n_mult, char *err, size_t errlen) {
    if (seq_len < 1 || (uint64_t)seq_len + 1 > DATASET_MAX_LEN) {
        set_error(err, errlen, "seq_len must be in [1, %u], got %d", DATASET_MAX_LEN - 1,
                  seq_len);
        return -1;
    }
    if (n_mult < 1 || n_mult > BOOKS_MAX_MULT) {
        set_error(err, errlen, "between 1 and %d evaluation multipliers are needed, got %d",
                  BOOKS_MAX_MULT, n_mult);
        return -1;
    }
    for (int i = 0; i < n_mult; i++) {
        if (mult[i] < 1) {
            set_error(err, errlen, "evaluation multiplier %d must be at least 1", mult[i]);
            return -1;
        }
        if (i > 0 && mult[i] <= mult[i - 1]) {
            set_error(err, errlen, "evaluation multipliers must be increasing, got %d after %d",
                      mult[i], mult[i - 1]);
            return -1;
        }
        if ((uint64_t)mult[i] * (uint64_t)seq_len + 1 > DATASET_MAX_LEN) {
            set_error(err, errlen,
                      "evaluation multiplier %d: windows of %llu tokens exceed the dataset "
                      "limit of %u",
                      mult[i], (unsigned long long)mult[i] * (unsigned long long)seq_len + 1,
                      DATASET_MAX_LEN);
            return -1;
        }
    }
    return 0;
}

// Scratch for one window: bytes as read, as token ids, and the mask.
typedef struct window {
    size_t len;
    unsigned char *bytes;
    uint16_t *tokens;
    uint8_t *mask;
} window;

// Cuts every book of `split` into windows of w->len bytes and appends them to wr, filling rep.
static int write_split(const books_corpus *c, int split, window *w, dataset_writer *wr,
                       books_file_report *rep, char *err, size_t errlen) {
    for (int b = 0; b < c->n_books; b++) {
        if (c->split[b] != split) continue;
        FILE *f = fopen(c->paths[b], "rb");
        if (!f) {
            set_error(err, errlen, "%s: cannot open: %s", c->paths[b], strerror(errno));
            return -1;
        }
        uint64_t got = 0;
        for (;;) {
            const size_t n = fread(w->bytes, 1, w->len, f);
            if (n < w->len) {
                rep->bytes_dropped += n;  // the tail shorter than a window
                break;
            }
            for (size_t i = 0; i < n; i++) w->tokens[i] = w->bytes[i];
            if (dataset_writer_append(wr, w->tokens, w->mask, n, err, errlen)) {
                fclose(f);
                return -1;
            }
            got++;
        }
        const int bad = ferror(f);
        fclose(f);
        if (bad) {
            set_error(err, errlen, "%s: read error", c->paths[b]);
            return -1;
        }
        rep->n_seqs += got;
        if (got) rep->books_used++;
        else rep->books_skipped++;
    }
    return 0;
}

// Writes one file: the books of `split` cut into windows of mult * L + 1 bytes.
static int write_file(const books_corpus *c, int split, int mult, int seq_len,
                      const char *options_base, const char *outdir, const char *const *vocab,
                      books_file_report *rep, char *err, size_t errlen) {
    char name[64], options[512];
    *rep = (books_file_report){.split = split, .mult = mult, .seq_len = mult * seq_len + 1};
    if (split == BOOKS_TRAIN) snprintf(name, sizeof name, "train.pbds");
    else snprintf(name, sizeof name, "%s-%d.pbds", SPLIT_NAMES[split], mult * seq_len);
    char *path = join(outdir, name);
    window w = {.len = (size_t)mult * (size_t)seq_len + 1};
    w.bytes = malloc(w.len);
    w.tokens = malloc(w.len * sizeof *w.tokens);
    w.mask = malloc(w.len);
    int rc = -1;
    if (!path || !w.bytes || !w.tokens || !w.mask) {
        set_error(err, errlen, "out of memory for windows of %zu bytes", w.len);
        goto done;
    }
    snprintf(rep->path, sizeof rep->path, "%s", path);
    memset(w.mask, 1, w.len - 1);
    w.mask[w.len - 1] = 0;
    snprintf(options, sizeof options, "%s,part=%s,mult=%d", options_base, SPLIT_NAMES[split],
             mult);
    dataset_writer *wr = dataset_writer_open(path, BOOKS_TASK, options, c->seed, BOOKS_VOCAB,
                                             vocab, err, errlen);
    if (!wr) goto done;
    if (write_split(c, split, &w, wr, rep, err, errlen)) {
        dataset_writer_abort(wr);
        goto done;
    }
    if (split == BOOKS_TRAIN && rep->n_seqs == 0) {
        dataset_writer_abort(wr);
        set_error(err, errlen,
                  "no training chunk: every training book is shorter than seq_len + 1 = %zu "
                  "bytes (empty corpus)",
                  w.len);
        goto done;
    }
    rc = dataset_writer_close(wr, err, errlen);
done:
    free(path);
    free(w.bytes);
    free(w.tokens);
    free(w.mask);
    return rc;
}

int books_build(const books_corpus *c, int seq_len, const int *mult, int n_mult,
                const char *outdir, books_report *report, char *err, size_t errlen) {
    if (books_check_lengths(seq_len, mult, n_mult, err, errlen)) return -1;
    for (int s = 0; s < BOOKS_N_SPLITS; s++)
        if (c->n_per_split[s] < 1) {
            set_error(err, errlen, "the %s split has no book", SPLIT_NAMES[s]);
            return -1;
        }
    if (make_dirs(outdir, err, errlen)) return -1;
    char names[BOOKS_VOCAB][5];
    const char *vocab[BOOKS_VOCAB];
    for (int b = 0; b < BOOKS_VOCAB; b++) books_byte_name(b, names[b]), vocab[b] = names[b];

    char base[256], list[128] = "";
    size_t used = 0;
    for (int i = 0; i < n_mult && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%d", i ? ";" : "", mult[i]);
    if (c->pg19)
        snprintf(base, sizeof base, "seq_len=%d,eval_mult=%s,split=pg19", seq_len, list);
    else
        snprintf(base, sizeof base, "seq_len=%d,eval_mult=%s,split=seeded;valid_pct=%d;test_pct=%d",
                 seq_len, list, c->valid_pct, c->test_pct);

    books_report local;
    books_report *rep = report ? report : &local;
    rep->n_files = 0;
    if (write_file(c, BOOKS_TRAIN, 1, seq_len, base, outdir, vocab, &rep->files[0], err, errlen))
        return -1;
    rep->n_files = 1;
    for (int s = BOOKS_VALIDATION; s <= BOOKS_TEST; s++)
        for (int i = 0; i < n_mult; i++) {
            if (write_file(c, s, mult[i], seq_len, base, outdir, vocab,
                           &rep->files[rep->n_files], err, errlen))
                return -1;
            rep->n_files++;
        }
    return 0;
}
