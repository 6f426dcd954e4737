// Tests of the book pipeline (tasks/books.c, harness/cli/cli_books.c) and the synthetic books
// (tasks/synthetic_books.c), on tiny corpora written to a temporary directory: splits are by
// book and as the rule says, every chunk and window is exact (each file is rebuilt here from
// the books it should come from), masks follow tasks/task.h, outputs are deterministic, bad
// inputs give the documented messages, and synthetic books carry their long-range structure.
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "files.h"
#include "harness/base/rng.h"
#include "harness/cli/cli_books.h"
#include "harness/cli/cli_data.h"
#include "suites.h"
#include "tasks/books.h"
#include "tasks/dataset.h"

// ---- helpers --------------------------------------------------------------------------------

static char tmpdir[64];

static void make_tmpdir(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/posbench_books_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

// tmpdir/rel, in one of a few rotating buffers.
static const char *tpath(const char *rel) {
    static char buf[8][1024];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 1024, "%s/%s", tmpdir, rel);
    return p;
}

static void mkdirs(const char *rel) {
    ck_assert_int_eq(mkdir(tpath(rel), 0777), 0);
}

static void write_bytes(const char *path, const unsigned char *b, size_t n) {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

// A book of n random bytes (every value 0..255 can occur), distinct per tag.
static void write_random_book(const char *rel, size_t n, uint64_t tag) {
    unsigned char *b = malloc(n + 1);
    ck_assert_ptr_nonnull(b);
    rng r;
    rng_seed(&r, tag);
    for (size_t i = 0; i < n; i++) b[i] = (unsigned char)rng_below(&r, 256);
    write_bytes(tpath(rel), b, n);
    free(b);
}

static unsigned char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(*n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, *n, f), *n);
    buf[*n] = '\0';
    fclose(f);
    return buf;
}

static int same_file(const char *a, const char *b) {
    size_t na, nb;
    unsigned char *x = slurp(a, &na), *y = slurp(b, &nb);
    const int same = na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

static dataset *load(const char *path) {
    char err[512];
    dataset *d = dataset_load(path, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    return d;
}

// Rebuilds, independently of books.c, what file `path` must hold: the books of `split` in
// name order, each cut into windows of `win` bytes from its start, tail dropped. Checks every
// token and mask, the vocabulary and the header; returns the number of windows.
static size_t expect_windows(const char *path, const books_corpus *c, int split, size_t win) {
    dataset *d = load(path);
    ck_assert_str_eq(d->task, "books");
    ck_assert_int_eq(d->vocab_size, 256);
    ck_assert_str_eq(d->vocab['a'], "a");
    ck_assert_str_eq(d->vocab['\n'], "\\n");
    ck_assert_str_eq(d->vocab[0xff], "\\xff");
    ck_assert_uint_eq(d->seed, c->seed);
    size_t s = 0;
    const char *prev = NULL;
    for (int b = 0; b < c->n_books; b++) {
        if (c->split[b] != split) continue;
        if (prev) ck_assert_int_lt(strcmp(prev, c->paths[b]), 0);  // name order
        prev = c->paths[b];
        size_t n;
        unsigned char *bytes = slurp(c->paths[b], &n);
        // The book's windows, concatenated, are its bytes up to a tail shorter than a window.
        for (size_t at = 0; at + win <= n; at += win, s++) {
            ck_assert_uint_lt(s, d->n_seqs);
            const size_t o = d->offsets[s];
            ck_assert_uint_eq(d->offsets[s + 1] - o, win);
            for (size_t i = 0; i < win; i++) {
                ck_assert_uint_eq(d->tokens[o + i], bytes[at + i]);
                ck_assert_uint_eq(d->mask[o + i], i + 1 < win);  // every position but the last
            }
        }
        free(bytes);
    }
    ck_assert_uint_eq(s, d->n_seqs);
    dataset_free(d);
    return s;
}

static void corpus_dir(books_corpus *c, const char *dir, uint64_t seed, int vp, int tp) {
    char err[512];
    ck_assert_msg(books_corpus_from_dir(c, dir, seed, vp, tp, err, sizeof err) == 0, "%s", err);
}

static void build(const books_corpus *c, int L, const int *mult, int n_mult, const char *out,
                  books_report *rep) {
    char err[512];
    ck_assert_msg(books_build(c, L, mult, n_mult, out, rep, err, sizeof err) == 0, "%s", err);
}

// The PG-19 fixture: train/{a,b}.txt, validation/c.txt, test/{d,e}.txt and files to ignore.
static void make_pg19(void) {
    mkdirs("pg");
    mkdirs("pg/train");
    mkdirs("pg/validation");
    mkdirs("pg/test");
    write_random_book("pg/train/b.txt", 37, 2);
    write_random_book("pg/train/a.txt", 100, 1);
    write_random_book("pg/validation/c.txt", 250, 3);
    write_random_book("pg/test/d.txt", 90, 4);
    write_random_book("pg/test/e.txt", 20, 5);  // shorter than an 8-token window + 1
    write_random_book("pg/train/notes.md", 50, 6);
    write_random_book("pg/train/.hidden.txt", 50, 7);
    mkdirs("pg/train/sub.txt");
}

// ---- the PG-19 layout --------------------------------------------------------------------

START_TEST(test_pg19_layout) {
    make_tmpdir();
    make_pg19();
    books_corpus c;
    corpus_dir(&c, tpath("pg"), 9, 5, 5);
    ck_assert_int_eq(c.pg19, 1);
    ck_assert_int_eq(c.n_books, 5);
    ck_assert_int_eq(c.n_per_split[BOOKS_TRAIN], 2);
    ck_assert_int_eq(c.n_per_split[BOOKS_VALIDATION], 1);
    ck_assert_int_eq(c.n_per_split[BOOKS_TEST], 2);
    ck_assert_str_eq(c.paths[0], tpath("pg/train/a.txt"));
    ck_assert_str_eq(c.paths[1], tpath("pg/train/b.txt"));
    ck_assert_str_eq(c.paths[2], tpath("pg/validation/c.txt"));
    ck_assert_str_eq(c.paths[3], tpath("pg/test/d.txt"));
    ck_assert_str_eq(c.paths[4], tpath("pg/test/e.txt"));

    const int mult[] = {1, 2, 4, 32};
    books_report rep;
    build(&c, 8, mult, 4, tpath("out"), &rep);
    ck_assert_int_eq(rep.n_files, 9);
    // train: a gives 100 / 9 = 11 chunks (1 byte dropped), b 37 / 9 = 4 (1 dropped).
    ck_assert_uint_eq(expect_windows(tpath("out/train.pbds"), &c, BOOKS_TRAIN, 9), 15);
    ck_assert_str_eq(rep.files[0].path, tpath("out/train.pbds"));
    ck_assert_uint_eq(rep.files[0].n_seqs, 15);
    ck_assert_uint_eq(rep.files[0].bytes_dropped, 2);
    ck_assert_uint_eq(rep.files[0].books_used, 2);
    const char *const val[] = {"out/validation-8.pbds", "out/validation-16.pbds",
                               "out/validation-32.pbds", "out/validation-256.pbds"};
    const char *const test[] = {"out/test-8.pbds", "out/test-16.pbds", "out/test-32.pbds",
                                "out/test-256.pbds"};
    for (int i = 0; i < 4; i++) {
        const size_t win = (size_t)mult[i] * 8 + 1;
        const size_t nv = expect_windows(tpath(val[i]), &c, BOOKS_VALIDATION, win);
        const size_t nt = expect_windows(tpath(test[i]), &c, BOOKS_TEST, win);
        ck_assert_uint_eq(nv, 250 / win);
        ck_assert_uint_eq(nt, 90 / win + 20 / win);
        const books_file_report *rv = &rep.files[1 + i], *rt = &rep.files[5 + i];
        ck_assert_str_eq(rv->path, tpath(val[i]));
        ck_assert_str_eq(rt->path, tpath(test[i]));
        ck_assert_uint_eq(rv->n_seqs, nv);
        ck_assert_uint_eq(rt->n_seqs, nt);
        ck_assert_int_eq(rt->seq_len, (int)win);
        ck_assert_uint_eq(rv->bytes_dropped, 250 % win);
        // e.txt (20 bytes) is too short for windows of 17 and more; with 257 both are.
        ck_assert_uint_eq(rt->books_skipped, (20 < win) + (90 < win));
        ck_assert_uint_eq(rt->bytes_dropped, (20 < win ? 20 : 20 % win) + 90 % win);
    }
    // The header records L, the multipliers and the split rule.
    dataset *d = load(tpath("out/test-16.pbds"));
    ck_assert_str_eq(d->options, "seq_len=8,eval_mult=1;2;4;32,split=pg19,part=test,mult=2");
    dataset_free(d);
    books_corpus_free(&c);
    remove_tree(tmpdir);
}
END_TEST

// ---- a flat directory: the seeded split ----------------------------------------------------

// 20 books flat/book-NN.txt of 40 + 7 * NN random bytes.
static void make_flat(int n) {
    mkdirs("flat");
    for (int i = 0; i < n; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "flat/book-%02d.txt", i);
        write_random_book(rel, 40 + 7 * (size_t)i, 100 + (uint64_t)i);
    }
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// The rule of tasks/books.h, restated: sort, Fisher-Yates with rng_seed(seed), first n_test
// to test, next n_valid to validation.
static int expected_split(const books_corpus *c, uint64_t seed, int n_valid, int n_test,
                          const char *path) {
    const int n = c->n_books;
    char **sorted = malloc((size_t)n * sizeof *sorted);
    int *order = malloc((size_t)n * sizeof *order);
    ck_assert(sorted && order);
    memcpy(sorted, c->paths, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_str);
    rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) order[i] = i;
    for (int i = n - 1; i > 0; i--) {
        const int j = (int)rng_below(&r, (uint32_t)i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    int split = -1;
    for (int i = 0; i < n; i++)
        if (!strcmp(sorted[order[i]], path))
            split = i < n_test ? BOOKS_TEST : i < n_test + n_valid ? BOOKS_VALIDATION : BOOKS_TRAIN;
    free(sorted);
    free(order);
    return split;
}

START_TEST(test_flat_seeded_split) {
    make_tmpdir();
    make_flat(20);
    books_corpus c;
    corpus_dir(&c, tpath("flat"), 1, 10, 5);
    ck_assert_int_eq(c.pg19, 0);
    ck_assert_int_eq(c.n_books, 20);
    // 20 books: max(1, 20*5/100) = 1 test, max(1, 20*10/100) = 2 validation, 17 train.
    ck_assert_int_eq(c.n_per_split[BOOKS_TEST], 1);
    ck_assert_int_eq(c.n_per_split[BOOKS_VALIDATION], 2);
    ck_assert_int_eq(c.n_per_split[BOOKS_TRAIN], 17);
    // Every book exactly once, in the split the rule gives.
    for (int i = 0; i < 20; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "flat/book-%02d.txt", i);
        int found = 0;
        for (int b = 0; b < c.n_books; b++)
            if (!strcmp(c.paths[b], tpath(rel))) {
                found++;
                ck_assert_int_eq(c.split[b], expected_split(&c, 1, 2, 1, c.paths[b]));
            }
        ck_assert_int_eq(found, 1);
    }
    const int mult[] = {1, 3};
    build(&c, 15, mult, 2, tpath("out"), NULL);
    expect_windows(tpath("out/train.pbds"), &c, BOOKS_TRAIN, 16);
    expect_windows(tpath("out/validation-15.pbds"), &c, BOOKS_VALIDATION, 16);
    expect_windows(tpath("out/validation-45.pbds"), &c, BOOKS_VALIDATION, 46);
    expect_windows(tpath("out/test-15.pbds"), &c, BOOKS_TEST, 16);
    expect_windows(tpath("out/test-45.pbds"), &c, BOOKS_TEST, 46);
    dataset *d = load(tpath("out/train.pbds"));
    ck_assert_str_eq(d->options,
                     "seq_len=15,eval_mult=1;3,split=seeded;valid_pct=10;test_pct=5,part=train,"
                     "mult=1");
    // No book's bytes in two splits: the first window of every book occurs in one file only.
    dataset *v = load(tpath("out/validation-15.pbds")), *t = load(tpath("out/test-15.pbds"));
    const dataset *files[3] = {d, v, t};
    for (int b = 0; b < c.n_books; b++) {
        size_t n;
        unsigned char *bytes = slurp(c.paths[b], &n);
        int where = 0;
        for (int f = 0; f < 3; f++) {
            int hit = 0;
            for (size_t s = 0; s < files[f]->n_seqs && !hit; s++) {
                hit = 1;
                for (size_t i = 0; i < 16 && hit; i++)
                    hit = files[f]->tokens[files[f]->offsets[s] + i] == bytes[i];
            }
            where += hit;
        }
        ck_assert_int_eq(where, 1);
        free(bytes);
    }
    dataset_free(d);
    dataset_free(v);
    dataset_free(t);

    // Another seed, another assignment (same sizes).
    books_corpus c2;
    corpus_dir(&c2, tpath("flat"), 2, 10, 5);
    int differ = 0;
    for (int b = 0; b < c.n_books; b++)
        differ |= c2.split[b] != expected_split(&c, 1, 2, 1, c2.paths[b]);
    ck_assert_msg(differ, "seeds 1 and 2 give the same split");
    books_corpus_free(&c2);
    books_corpus_free(&c);
    remove_tree(tmpdir);
}
END_TEST

START_TEST(test_file_list) {
    make_tmpdir();
    make_flat(6);
    const char *files[6];
    for (int i = 0; i < 6; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "flat/book-%02d.txt", 5 - i);  // order given does not matter
        files[i] = strdup(tpath(rel));
    }
    books_corpus c, c2;
    char err[512];
    ck_assert_msg(books_corpus_from_files(&c, files, 6, 3, 20, 20, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_int_eq(c.n_per_split[BOOKS_TEST], 1);        // max(1, 6*20/100 = 1)
    ck_assert_int_eq(c.n_per_split[BOOKS_VALIDATION], 1);
    ck_assert_int_eq(c.n_per_split[BOOKS_TRAIN], 4);
    for (int b = 0; b < 6; b++)
        ck_assert_int_eq(c.split[b], expected_split(&c, 3, 1, 1, c.paths[b]));
    // The same books as a flat directory give the same split.
    corpus_dir(&c2, tpath("flat"), 3, 20, 20);
    for (int b = 0; b < 6; b++) {
        ck_assert_str_eq(c.paths[b], c2.paths[b]);
        ck_assert_int_eq(c.split[b], c2.split[b]);
    }
    books_corpus_free(&c2);
    const int mult[] = {1};
    build(&c, 4, mult, 1, tpath("out"), NULL);
    expect_windows(tpath("out/train.pbds"), &c, BOOKS_TRAIN, 5);
    expect_windows(tpath("out/test-4.pbds"), &c, BOOKS_TEST, 5);
    books_corpus_free(&c);
    for (int i = 0; i < 6; i++) free((char *)files[i]);
    remove_tree(tmpdir);
}
END_TEST

START_TEST(test_determinism) {
    make_tmpdir();
    make_flat(12);
    const int mult[] = {1, 2};
    const char *names[] = {"train.pbds", "validation-10.pbds", "validation-20.pbds",
                           "test-10.pbds", "test-20.pbds"};
    books_corpus c;
    for (int run = 0; run < 3; run++) {
        corpus_dir(&c, tpath("flat"), run < 2 ? 5 : 6, 5, 5);
        build(&c, 10, mult, 2, tpath(run == 0 ? "a" : run == 1 ? "b" : "c"), NULL);
        books_corpus_free(&c);
    }
    for (int i = 0; i < 5; i++) {
        char a[64], b[64];
        snprintf(a, sizeof a, "a/%s", names[i]);
        snprintf(b, sizeof b, "b/%s", names[i]);
        ck_assert_msg(same_file(tpath(a), tpath(b)), "%s differs between runs", names[i]);
    }
    ck_assert(!same_file(tpath("a/train.pbds"), tpath("c/train.pbds")));
    remove_tree(tmpdir);
}
END_TEST

// ---- errors ------------------------------------------------------------------------------

static void expect_dir_error(const char *rel, const char *message_after_tmpdir) {
    books_corpus c;
    char err[512], want[1024];
    ck_assert_int_eq(books_corpus_from_dir(&c, tpath(rel), 1, 5, 5, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s/%s", tmpdir, message_after_tmpdir);
    ck_assert_str_eq(err, want);
}

START_TEST(test_corpus_errors) {
    make_tmpdir();
    mkdirs("empty");
    write_random_book("empty/readme.md", 10, 1);
    expect_dir_error("empty", "empty: no .txt books (empty corpus)");
    expect_dir_error("nope", "nope: cannot open directory: No such file or directory");
    write_random_book("plain.txt", 10, 1);
    expect_dir_error("plain.txt", "plain.txt: not a directory");
    mkdirs("two");
    write_random_book("two/a.txt", 10, 1);
    write_random_book("two/b.txt", 10, 2);
    books_corpus c;
    char err[512];
    ck_assert_int_eq(books_corpus_from_dir(&c, tpath("two"), 1, 5, 5, err, sizeof err), -1);
    ck_assert_str_eq(err, "2 books cannot fill the train, validation and test splits (need at "
                          "least 3)");
    // PG-19 layout with an empty split, then with a missing one.
    mkdirs("pg");
    mkdirs("pg/train");
    mkdirs("pg/validation");
    mkdirs("pg/test");
    write_random_book("pg/train/a.txt", 10, 1);
    write_random_book("pg/test/b.txt", 10, 2);
    expect_dir_error("pg", "pg/validation: no .txt books (every split needs at least one book)");
    ck_assert_int_eq(rmdir(tpath("pg/validation")), 0);
    expect_dir_error("pg", "pg/validation: missing (the PG-19 layout needs train/, validation/ "
                           "and test/)");
    // Percentages leaving no training book.
    make_flat(4);
    ck_assert_int_eq(books_corpus_from_dir(&c, tpath("flat"), 1, 50, 50, err, sizeof err), -1);
    ck_assert_str_eq(err, "valid_pct=50 and test_pct=50 leave no training book among 4 books");
    ck_assert_int_eq(books_corpus_from_dir(&c, tpath("flat"), 1, 91, 5, err, sizeof err), -1);
    ck_assert_str_eq(err, "split percentages must be in [0, 90], got valid_pct=91 test_pct=5");
    // File lists: a missing file, a file listed twice, no file.
    const char *files[3] = {tpath("two/a.txt"), tpath("two/missing.txt"), tpath("two/b.txt")};
    char want[1024];
    ck_assert_int_eq(books_corpus_from_files(&c, files, 3, 1, 5, 5, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s/two/missing.txt: cannot open: No such file or directory",
             tmpdir);
    ck_assert_str_eq(err, want);
    files[1] = files[0];
    ck_assert_int_eq(books_corpus_from_files(&c, files, 3, 1, 5, 5, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s/two/a.txt: listed twice", tmpdir);
    ck_assert_str_eq(err, want);
    ck_assert_int_eq(books_corpus_from_files(&c, files, 0, 1, 5, 5, err, sizeof err), -1);
    ck_assert_str_eq(err, "no books given (empty corpus)");
    remove_tree(tmpdir);
}
END_TEST

START_TEST(test_length_errors) {
    char err[512];
    const int good[] = {1, 2, 4, 8, 10}, zero[] = {0, 1}, down[] = {1, 4, 2},
              huge[] = {1, 1 << 20};
    ck_assert_int_eq(books_check_lengths(128, good, 5, err, sizeof err), 0);
    ck_assert_int_eq(books_check_lengths(0, good, 5, err, sizeof err), -1);
    ck_assert_str_eq(err, "seq_len must be in [1, 16777215], got 0");
    ck_assert_int_eq(books_check_lengths(-3, good, 5, err, sizeof err), -1);
    ck_assert_str_eq(err, "seq_len must be in [1, 16777215], got -3");
    ck_assert_int_eq(books_check_lengths(8, zero, 2, err, sizeof err), -1);
    ck_assert_str_eq(err, "evaluation multiplier 0 must be at least 1");
    ck_assert_int_eq(books_check_lengths(8, down, 3, err, sizeof err), -1);
    ck_assert_str_eq(err, "evaluation multipliers must be increasing, got 2 after 4");
    ck_assert_int_eq(books_check_lengths(8, good, 0, err, sizeof err), -1);
    ck_assert_str_eq(err, "between 1 and 16 evaluation multipliers are needed, got 0");
    ck_assert_int_eq(books_check_lengths(64, huge, 2, err, sizeof err), -1);
    ck_assert_str_eq(err, "evaluation multiplier 1048576: windows of 67108865 tokens exceed the "
                          "dataset limit of 16777216");
}
END_TEST

START_TEST(test_no_training_chunk) {
    make_tmpdir();
    make_flat(3);  // 40, 47 and 54 bytes
    books_corpus c;
    corpus_dir(&c, tpath("flat"), 1, 5, 5);
    char err[512];
    const int mult[] = {1};
    ck_assert_int_eq(books_build(&c, 100, mult, 1, tpath("out"), NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "no training chunk: every training book is shorter than seq_len + 1 = "
                          "101 bytes (empty corpus)");
    ck_assert(access(tpath("out/train.pbds"), F_OK) != 0);
    ck_assert(access(tpath("out/train.pbds.tmp"), F_OK) != 0);
    books_corpus_free(&c);
    remove_tree(tmpdir);
}
END_TEST

// ---- the command ----------------------------------------------------------------------------

static int run(const char *const *args, char **out) {
    return run_captured(cmd_books, args, out);
}

START_TEST(test_cli_synth_build) {
    make_tmpdir();
    char *out;
    const char *synth[] = {"books", "synth", "-o", tpath("syn"), "--books-per-split", "2",
                           "--bytes", "3000", "--seed", "4", NULL};
    ck_assert_int_eq(run(synth, &out), 0);
    free(out);
    ck_assert(access(tpath("syn/test/book-0005.txt"), R_OK) == 0);
    const char *build_args[] = {"books", "build", "--corpus", tpath("syn"), "--seq-len", "64",
                                "--eval-mult", "1,4", "-o", tpath("out"), NULL};
    ck_assert_int_eq(run(build_args, &out), 0);
    ck_assert_msg(strstr(out, "books      train 2, validation 2, test 2\n") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "splits     PG-19 layout, as given\n") != NULL, "%s", out);
    free(out);
    books_corpus c;
    corpus_dir(&c, tpath("syn"), 0, 5, 5);
    expect_windows(tpath("out/train.pbds"), &c, BOOKS_TRAIN, 65);
    expect_windows(tpath("out/validation-256.pbds"), &c, BOOKS_VALIDATION, 257);
    expect_windows(tpath("out/test-64.pbds"), &c, BOOKS_TEST, 65);
    books_corpus_free(&c);
    const char *help[] = {"books", "build", "--help", NULL};
    ck_assert_int_eq(run(help, &out), 0);
    ck_assert(strncmp(out, "usage: posbench books build", 27) == 0);
    free(out);
    remove_tree(tmpdir);
}
END_TEST

START_TEST(test_cli_errors) {
    make_tmpdir();
    mkdirs("empty");
    make_pg19();
    char missing[1024], empty[1024], nofile[1024], split[1024];
    snprintf(missing, sizeof missing,
             "posbench: %s/nope: cannot open directory: No such file or directory\n", tmpdir);
    snprintf(empty, sizeof empty, "posbench: %s/empty: no .txt books (empty corpus)\n", tmpdir);
    snprintf(nofile, sizeof nofile, "posbench: %s/x.txt: cannot open: No such file or directory\n",
             tmpdir);
    snprintf(split, sizeof split,
             "posbench: books build: --split does not apply to %s/pg, which has the PG-19 "
             "layout\n",
             tmpdir);
    // Own copies: tpath's buffers rotate.
    char o[1024], pg[1024], nope[1024], emptydir[1024], x[1024];
    snprintf(o, sizeof o, "%s", tpath("out"));
    snprintf(pg, sizeof pg, "%s", tpath("pg"));
    snprintf(nope, sizeof nope, "%s", tpath("nope"));
    snprintf(emptydir, sizeof emptydir, "%s", tpath("empty"));
    snprintf(x, sizeof x, "%s", tpath("x.txt"));
    struct {
        const char *args[14];
        const char *message;
    } cases[] = {
        {{"books", NULL}, "posbench: books: no subcommand (build or synth; see --help)\n"},
        {{"books", "make", NULL}, "posbench: books: unknown subcommand 'make' (build or synth)\n"},
        {{"books", "build", "--corpus", pg, "--seq-len", "0", "-o", o, NULL},
         "posbench: books build: --seq-len expects an integer in [1, 16777215], got '0'\n"},
        {{"books", "build", "--corpus", pg, "--seq-len", "8x", "-o", o, NULL},
         "posbench: books build: --seq-len expects an integer in [1, 16777215], got '8x'\n"},
        {{"books", "build", "--corpus", pg, "-o", o, NULL},
         "posbench: books build: --seq-len L is required (see --help)\n"},
        {{"books", "build", "--corpus", pg, "--seq-len", "8", NULL},
         "posbench: books build: -o OUTDIR is required (see --help)\n"},
        {{"books", "build", "--seq-len", "8", "-o", o, NULL},
         "posbench: books build: --corpus DIR or --files F1,... is required (see --help)\n"},
        {{"books", "build", "--corpus", pg, "--files", "a.txt", "--seq-len", "8", "-o", o, NULL},
         "posbench: books build: give --corpus DIR or --files F1,..., not both\n"},
        {{"books", "build", "--corpus", nope, "--seq-len", "8", "-o", o, NULL}, missing},
        {{"books", "build", "--corpus", emptydir, "--seq-len", "8", "-o", o, NULL}, empty},
        {{"books", "build", "--files", x, "--seq-len", "8", "-o", o, NULL}, nofile},
        {{"books", "build", "--files", "a.txt,,b.txt", "--seq-len", "8", "-o", o, NULL},
         "posbench: books build: --files has an empty name in 'a.txt,,b.txt'\n"},
        {{"books", "build", "--corpus", pg, "--seq-len", "8", "--split", "5,5", "-o", o, NULL},
         split},
        {{"books", "build", "--corpus", pg, "--seq-len", "8", "--split", "5", "-o", o, NULL},
         "posbench: books build: --split expects V,T (two percentages)\n"},
        {{"books", "build", "--corpus", pg, "--seq-len", "8", "--eval-mult", "1,4,2", "-o", o,
          NULL},
         "posbench: books build: evaluation multipliers must be increasing, got 2 after 4\n"},
        {{"books", "build", "--corpus", pg, "--seq-len", "8", "--eval-mult", "1,x", "-o", o,
          NULL},
         "posbench: books build: --eval-mult expects up to 16 integers in [1, 16777215] "
         "separated by commas, got '1,x'\n"},
        {{"books", "build", "--corpus", pg, "--seq-len", "8", "--bogus", NULL},
         "posbench: books build: unknown or incomplete option '--bogus' (see --help)\n"},
        {{"books", "build", "--corpus", pg, "--seq-len", "8", "-o", o, "extra", NULL},
         "posbench: books build: unexpected argument 'extra' (see --help)\n"},
        {{"books", "synth", NULL}, "posbench: books synth: -o DIR is required (see --help)\n"},
        {{"books", "synth", "-o", o, "--bytes", "10", NULL},
         "posbench: books synth: --bytes expects an integer in [1000, 1073741824], got '10'\n"},
        {{"books", "synth", "-o", o, "--books-per-split", "0", NULL},
         "posbench: books synth: --books-per-split expects an integer in [1, 10000], got '0'\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        // A corpus that fails the command is a runtime failure (exit 1); everything else here
        // is a command line that cannot work (exit 2).
        const char *m = cases[i].message;
        const int of_corpus = m == missing || m == empty || m == nofile || m == split;
        char *out;
        ck_assert_int_eq(run(cases[i].args, &out), of_corpus ? 1 : 2);
        ck_assert_str_eq(out, m);
        free(out);
    }
    ck_assert(access(o, F_OK) != 0);  // nothing was written by a failed command
    remove_tree(tmpdir);
}
END_TEST

// ---- synthetic books ----------------------------------------------------------------------

static char *synth_book(uint64_t seed, int index, size_t bytes, size_t *n) {
    const char *path = tpath("book.txt");
    char err[512];
    ck_assert_msg(books_synth_book(path, seed, index, bytes, err, sizeof err) == 0, "%s", err);
    ck_assert(access(tpath("book.txt.tmp"), F_OK) != 0);
    char *text = (char *)slurp(path, n);
    unlink(path);
    return text;
}

START_TEST(test_synth_deterministic) {
    make_tmpdir();
    size_t na, nb, nc, nd;
    char *a = synth_book(7, 0, 20000, &na), *b = synth_book(7, 0, 20000, &nb),
         *c = synth_book(8, 0, 20000, &nc), *d = synth_book(7, 1, 20000, &nd);
    ck_assert(na == nb && memcmp(a, b, na) == 0);
    ck_assert(na != nc || memcmp(a, c, na) != 0);
    ck_assert(na != nd || memcmp(a, d, na) != 0);
    // About the size asked: at least that, plus a sentence and a short last chapter.
    ck_assert_uint_ge(na, 20000);
    ck_assert_uint_le(na, 20600);
    for (size_t i = 0; i < na; i++)
        ck_assert_msg(a[i] == '\n' || (a[i] >= 0x20 && a[i] <= 0x7e), "byte %zu: %d", i, a[i]);
    free(a);
    free(b);
    free(c);
    free(d);
    // The corpus in PG-19 layout, byte for byte the same with the same seed.
    char err[512];
    ck_assert_msg(books_synth_corpus(tpath("s1"), 1, 2000, 3, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(books_synth_corpus(tpath("s2"), 1, 2000, 3, err, sizeof err) == 0, "%s", err);
    ck_assert(same_file(tpath("s1/train/book-0000.txt"), tpath("s2/train/book-0000.txt")));
    ck_assert(same_file(tpath("s1/validation/book-0001.txt"),
                        tpath("s2/validation/book-0001.txt")));
    ck_assert(same_file(tpath("s1/test/book-0002.txt"), tpath("s2/test/book-0002.txt")));
    ck_assert(!same_file(tpath("s1/train/book-0000.txt"), tpath("s1/test/book-0002.txt")));
    remove_tree(tmpdir);
}
END_TEST

// A fixed seed's first bytes, so that a change to the generator is noticed.
START_TEST(test_synth_golden) {
    make_tmpdir();
    size_t n;
    char *text = synth_book(1, 0, 2000, &n);
    const char *want = "THE CHRONICLE OF NUMAR, BOOK 1\n\nCHAPTER 1\n\n"
                       "Numar was a mason from Thationouthholm. Nastioror was a miller from\n"
                       "Thationouthholm. Papound was a mason from Vibriosholm. Gitatin was a\n";
    ck_assert_uint_eq(n, 2176);
    ck_assert_msg(strncmp(text, want, strlen(want)) == 0, "got:\n%.200s", text);
    free(text);
    remove_tree(tmpdir);
}
END_TEST

// The text with every run of whitespace as one space (undoes line wrapping).
static void unwrap(char *s) {
    char *w = s;
    for (char *r = s; *r; r++) {
        if (isspace((unsigned char)*r)) {
            if (w > s && w[-1] != ' ') *w++ = ' ';
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

// Start of "CHAPTER k " in text, or NULL.
static const char *chapter_at(const char *text, int k) {
    char h[32];
    snprintf(h, sizeof h, "CHAPTER %d ", k);
    return strstr(text, h);
}

START_TEST(test_synth_structure) {
    make_tmpdir();
    size_t n;
    char *text = synth_book(11, 2, 30000, &n);
    unwrap(text);
    // Chapters numbered 1..last, in order.
    int last = 0;
    const char *prev = text;
    while (chapter_at(text, last + 1)) {
        const char *h = chapter_at(text, last + 1);
        ck_assert(h >= prev);
        prev = h;
        last++;
    }
    ck_assert_int_ge(last, 10);
    // The cast is introduced in chapter 1: "NAME was a TRADE from PLACE."
    const char *c1 = chapter_at(text, 1), *c2 = chapter_at(text, 2);
    char first[64] = "", trade[64], place[64];
    ck_assert_int_eq(sscanf(c1, "CHAPTER 1 %63s was a %63s from %63[A-Za-z].", first, trade,
                            place),
                     3);
    // The first name recurs in the last chapter, thousands of bytes later...
    const char *cl = chapter_at(text, last);
    ck_assert_ptr_nonnull(strstr(cl, first));
    ck_assert_int_gt(cl - c2, 20000);
    // ...with the trade and town it was introduced with.
    char want[256];
    snprintf(want, sizeof want, "%s the %s went home to %s.", first, trade, place);
    ck_assert_msg(strstr(cl, want) != NULL, "'%s' not in the last chapter", want);
    // Every "As told in chapter k, EVENT." repeats the event chapter k recorded.
    int refs = 0, far = 0;
    for (const char *p = strstr(text, "As told in chapter "); p;
         p = strstr(p + 1, "As told in chapter ")) {
        int k, used = 0;
        ck_assert_int_eq(sscanf(p, "As told in chapter %d, %n", &k, &used), 1);
        const char *event = p + used, *end = strchr(event, '.');
        ck_assert_ptr_nonnull(end);
        char ev[256];
        snprintf(ev, sizeof ev, "%.*s", (int)(end - event + 1), event);
        const char *ck = chapter_at(text, k), *next = chapter_at(text, k + 1);
        const char *found = strstr(ck, ev);
        ck_assert_msg(found && found < next, "'%s' is not in chapter %d", ev, k);
        ck_assert(ck < p);
        refs++;
        far += p - found > 5000;
    }
    ck_assert_int_ge(refs, last - 1);
    ck_assert_int_ge(far, 1);
    free(text);
    remove_tree(tmpdir);
}
END_TEST

START_TEST(test_byte_names) {
    char names[256][5];
    for (int b = 0; b < 256; b++) {
        books_byte_name(b, names[b]);
        ck_assert(strlen(names[b]) >= 1 && strlen(names[b]) <= 4);
        for (int a = 0; a < b; a++) ck_assert_str_ne(names[a], names[b]);
    }
    ck_assert_str_eq(names['A'], "A");
    ck_assert_str_eq(names[' '], " ");
    ck_assert_str_eq(names['\\'], "\\");
    ck_assert_str_eq(names['\n'], "\\n");
    ck_assert_str_eq(names['\t'], "\\t");
    ck_assert_str_eq(names[0], "\\x00");
    ck_assert_str_eq(names[0x7f], "\\x7f");
    ck_assert_str_eq(names[0xe9], "\\xe9");
}
END_TEST

// `posbench gen books ...` is `posbench books build ...`: the same files.
START_TEST(test_gen_books_alias) {
    char dir[128], corpus[200], a[200], b[200], pa[300], pb[300], *out;
    snprintf(dir, sizeof dir, "/tmp/posbench_genbooks_%d", (int)getpid());
    snprintf(corpus, sizeof corpus, "%s/corpus", dir);
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    char err[256];
    remove_tree(dir);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    ck_assert_msg(books_synth_corpus(corpus, 1, 3000, 2, err, sizeof err) == 0, "%s", err);
    const char *gen[] = {"gen", "books", "--corpus", corpus, "--seq-len", "16", "-o", a, NULL};
    ck_assert_int_eq(run_captured(cmd_gen, gen, &out), 0);
    free(out);
    const char *build[] = {"books", "build", "--corpus", corpus, "--seq-len", "16", "-o", b, NULL};
    ck_assert_int_eq(run_captured(cmd_books, build, &out), 0);
    free(out);
    snprintf(pa, sizeof pa, "%s/train.pbds", a);
    snprintf(pb, sizeof pb, "%s/train.pbds", b);
    dataset *da = dataset_load(pa, err, sizeof err), *db = dataset_load(pb, err, sizeof err);
    ck_assert(da && db);
    ck_assert_int_eq(da->n_tokens, db->n_tokens);
    ck_assert(memcmp(da->tokens, db->tokens, da->n_tokens * sizeof *da->tokens) == 0);
    dataset_free(da);
    dataset_free(db);
    remove_tree(dir);
}
END_TEST

Suite *suite_books(void) {
    Suite *s = suite_create("books");
    TCase *tc = tcase_create("corpus");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_pg19_layout);
    tcase_add_test(tc, test_flat_seeded_split);
    tcase_add_test(tc, test_file_list);
    tcase_add_test(tc, test_determinism);
    tcase_add_test(tc, test_byte_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_corpus_errors);
    tcase_add_test(tc, test_length_errors);
    tcase_add_test(tc, test_no_training_chunk);
    suite_add_tcase(s, tc);
    tc = tcase_create("commands");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_cli_synth_build);
    tcase_add_test(tc, test_cli_errors);
    tcase_add_test(tc, test_gen_books_alias);
    suite_add_tcase(s, tc);
    tc = tcase_create("synthetic");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_synth_deterministic);
    tcase_add_test(tc, test_synth_golden);
    tcase_add_test(tc, test_synth_structure);
    suite_add_tcase(s, tc);
    return s;
}
