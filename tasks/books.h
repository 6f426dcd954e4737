// Length extrapolation, PG-19 style: a byte-level language-modelling dataset cut from long
// books (tasks/books.c), and a generator of synthetic books (tasks/synthetic_books.c).
//
// Corpus. A directory in the PG-19 layout (train/, validation/, test/, one .txt per book:
// the real PG-19 works as is), or a flat directory of .txt books, or a list of files. In a
// directory only regular files named *.txt count (not hidden ones, not subdirectories).
// Books are processed in bytewise name order (strcmp of the path) within each split.
//
// Splits are by book, never by chunk. With the PG-19 layout its three folders are the
// splits. Otherwise (flat directory or file list) the seeded rule: sort the n paths bytewise,
// shuffle them with rng_seed(seed) and a Fisher-Yates pass (i from n-1 down to 1, swap i with
// rng_below(i + 1)); then the first n_test = max(1, n * test_pct / 100) books (integer
// division) are test, the next n_valid = max(1, n * valid_pct / 100) validation, the rest
// train. Defaults valid_pct = test_pct = 5. Fewer than 3 books, or percentages that leave no
// training book, are an error.
//
// Sequences. Vocabulary: the 256 byte values, token id = byte. Training: each training book is
// cut into consecutive non-overlapping chunks of exactly L + 1 bytes from its first byte
// (chunk i is bytes [i(L+1), (i+1)(L+1))), so each chunk scores L positions (mask 1 everywhere
// but the last token); the tail shorter than a chunk is dropped, and chunks never span two
// books. Evaluation: for each multiplier k (default 1,2,4,8,10) the validation books and the
// test books are cut the same way into windows of k*L + 1 bytes (k*L scored positions); a
// book shorter than one window contributes nothing and is counted as skipped.
//
// Files, in OUTDIR: train.pbds, validation-<k*L>.pbds and test-<k*L>.pbds (tasks/dataset.h,
// task "books"), each written to a temporary name and renamed. The header's options string
// records everything that shaped the file, e.g.
//   "seq_len=128,eval_mult=1;2;4;8;10,split=pg19,part=test,mult=4"
//   "seq_len=128,eval_mult=1;2;4;8;10,split=seeded;valid_pct=5;test_pct=5,part=train,mult=1"
// and its seed is the split seed (unused, but recorded, with the PG-19 layout).
#ifndef POSBENCH_BOOKS_H
#define POSBENCH_BOOKS_H

#include <stddef.h>
#include <stdint.h>

enum { BOOKS_TRAIN, BOOKS_VALIDATION, BOOKS_TEST, BOOKS_N_SPLITS };
#define BOOKS_MAX_MULT 16
#define BOOKS_VOCAB 256

// The task name under which an experiment trains on a corpus of books, and the defaults of
// its options (corpus, seq_len, eval_mult), here as a task's defaults are in its own table.
#define BOOKS_TASK "books"
#define BOOKS_DEFAULT_CORPUS "build/corpora/kjv"
#define BOOKS_DEFAULT_SEQ_LEN 128
#define BOOKS_DEFAULT_MULT {1, 2, 4, 8, 10}
#define BOOKS_DEFAULT_N_MULT 5

// "train", "validation", "test".
const char *books_split_name(int split);
// The printable name of byte b (0..255) into out: the character itself for printable ASCII
// (0x20..0x7e), "\n", "\t", "\r", else "\xNN" (lowercase hex, as `posbench show` prints).
void books_byte_name(int b, char out[5]);

// The books and their splits. Created by books_corpus_from_dir / books_corpus_from_files,
// freed by books_corpus_free. Books are grouped by split, each group in name order.
typedef struct books_corpus {
    int n_books;
    char **paths;  // n_books paths, owned
    int *split;    // split of each book
    int pg19;      // 1: the splits came from the PG-19 folders; 0: from the seeded rule
    int valid_pct, test_pct;  // the seeded rule's percentages (0 when pg19)
    uint64_t seed;
    int n_per_split[BOOKS_N_SPLITS];
} books_corpus;

// Reads a directory: the PG-19 layout when any of train/, validation/, test/ exists in it,
// else a flat directory. valid_pct/test_pct (0..90) apply to the seeded rule only.
// 0, or -1 with a one-line message in err (corpus left empty, nothing to free).
int books_corpus_from_dir(books_corpus *c, const char *dir, uint64_t seed, int valid_pct,
                          int test_pct, char *err, size_t errlen);
// A list of n files, split with the seeded rule. Every file must be a readable regular file,
// listed once.
int books_corpus_from_files(books_corpus *c, const char *const *files, int n, uint64_t seed,
                            int valid_pct, int test_pct, char *err, size_t errlen);
void books_corpus_free(books_corpus *c);

// What was written to one file.
typedef struct books_file_report {
    char path[1024];
    int split, mult;        // the file's split and multiplier (1 for train)
    int seq_len;            // tokens per sequence: mult * L + 1
    uint64_t n_seqs;        // chunks or windows written
    uint64_t books_used;    // books that gave at least one sequence
    uint64_t books_skipped; // books shorter than one sequence
    uint64_t bytes_dropped; // tails (and skipped books) not written
} books_file_report;

typedef struct books_report {
    int n_files;  // 1 + 2 * n_mult
    books_file_report files[1 + 2 * BOOKS_MAX_MULT];
} books_report;

// Checks L (>= 1) and the multipliers (1 to BOOKS_MAX_MULT of them, strictly increasing,
// each >= 1, each window k*L + 1 within DATASET_MAX_LEN). 0, or -1 with a message.
int books_check_lengths(int seq_len, const int *mult, int n_mult, char *err, size_t errlen);

// Writes every file of the corpus into outdir (created if missing; its parent must exist),
// reading one book at a time and holding one window in memory. Fails on a training set with
// no chunk (an empty corpus in effect). report may be NULL. 0, or -1 with err.
int books_build(const books_corpus *c, int seq_len, const int *mult, int n_mult,
                const char *outdir, books_report *report, char *err, size_t errlen);


// Synthetic books (tasks/synthetic_books.c): plain ASCII text with long-range structure, a
// pure function of (seed, index, bytes). A cast of invented names (each with a trade and a
// home town) is introduced in chapter 1; every chapter has a numbered heading "CHAPTER n",
// records one event ("NAME found the ADJ NOUN in PLACE.") and refers back to events of
// earlier chapters word for word ("As told in chapter k, ..."); sentences come from a small
// grammar over the cast; the last chapter brings back the first character introduced.
// Each book is about `bytes` long (it stops at the first sentence that reaches it, then adds
// a short last chapter). Writes book number `index` to path (temp name + rename).
int books_synth_book(const char *path, uint64_t seed, int index, size_t bytes, char *err,
                     size_t errlen);
// Writes books_per_split books into each of dir/train, dir/validation, dir/test (created;
// dir itself is created if missing), named book-NNNN.txt, numbered across splits (train
// first) so no two books are alike. 0, or -1 with err.
int books_synth_corpus(const char *dir, int books_per_split, size_t bytes, uint64_t seed,
                       char *err, size_t errlen);

#endif
