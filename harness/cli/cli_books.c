// `posbench books build` (dataset files from a book corpus) and `posbench books synth`
// (a synthetic corpus in the PG-19 layout); the rules live in tasks/books.h.
#include "harness/cli/cli_books.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli/cli_args.h"
#include "tasks/books.h"
#include "tasks/dataset.h"

static const char USAGE[] =
    "usage: posbench books build (--corpus DIR | --files F1,F2,...) --seq-len L\n"
    "                            [--eval-mult K1,K2,...] [--split V,T] [--seed S] -o OUTDIR\n"
    "       posbench books synth -o DIR [--books-per-split N] [--bytes B] [--seed S]\n"
    "Byte-level language modelling on long books, for length extrapolation (PG-19 style).\n"
    "`posbench books build --help` and `posbench books synth --help` describe each.\n";

static const char BUILD_USAGE[] =
    "usage: posbench books build (--corpus DIR | --files F1,F2,...) --seq-len L\n"
    "                            [--eval-mult K1,K2,...] [--split V,T] [--seed S] -o OUTDIR\n"
    "Cuts books into byte-level dataset files (vocabulary: the 256 byte values):\n"
    "  OUTDIR/train.pbds              training books in chunks of L+1 bytes (L scored)\n"
    "  OUTDIR/validation-<K*L>.pbds   validation books in windows of K*L+1 bytes, per K\n"
    "  OUTDIR/test-<K*L>.pbds         test books, likewise\n"
    "Windows never overlap or span two books; each book's tail shorter than a window is\n"
    "dropped. Splits are by book: a DIR with train/, validation/ and test/ (the PG-19 layout)\n"
    "keeps them; a flat DIR of .txt books or a --files list is split by the seed: sorted,\n"
    "shuffled, then max(1, n*T/100) books to test, max(1, n*V/100) to validation, the rest\n"
    "to train.\n"
    "  --corpus DIR      a directory of .txt books (PG-19 layout or flat)\n"
    "  --files F1,...    the books, as a comma-separated list of files\n"
    "  --seq-len L       training length, 1 to 16777215                       (required)\n"
    "  --eval-mult LIST  evaluation lengths as multiples of L, increasing     (1,2,4,8,10)\n"
    "  --split V,T       validation and test percentages, 0 to 90 (flat/files) (5,5)\n"
    "  --seed S          split seed, 0 to 2^64-1                              (0)\n"
    "  -o, --output DIR  output directory, created if missing                 (required)\n"
    "The default real corpus: tools/kjv_corpus.sh builds build/corpora/kjv.\n";

static const char SYNTH_USAGE[] =
    "usage: posbench books synth -o DIR [--books-per-split N] [--bytes B] [--seed S]\n"
    "Writes synthetic books (invented cast, numbered chapters referring back to earlier ones,\n"
    "a small sentence grammar) as DIR/{train,validation,test}/book-NNNN.txt, the PG-19\n"
    "layout that `posbench books build --corpus DIR` reads. Same options, same bytes.\n"
    "  --books-per-split N  books in each split, 1 to 10000          (4)\n"
    "  --bytes B            approximate size of each book, 1000 to 2^30 (262144)\n"
    "  --seed S             generator seed, 0 to 2^64-1              (0)\n"
    "  -o, --output DIR     output directory, created if missing     (required)\n";

// "a,b,c" of integers in [lo, hi] into out (at most max); the count, or -1 with a message.
static int parse_int_list(const char *cmd, const char *opt, const char *s, int lo, int hi,
                          int *out, int max) {
    int n = 0;
    const char *p = s;
    for (;;) {
        char *end;
        errno = 0;
        const long v = strtol(p, &end, 10);
        if (!isdigit((unsigned char)*p) || errno == ERANGE || v < lo || v > hi ||
            (*end && *end != ',') || n == max) {
            fprintf(stderr,
                    "posbench: %s: %s expects up to %d integers in [%d, %d] separated by "
                    "commas, got '%s'\n",
                    cmd, opt, max, lo, hi, s);
            return -1;
        }
        out[n++] = (int)v;
        if (!*end) return n;
        p = end + 1;
    }
}

// Splits a comma-separated list in place (s is modified); the count, or -1 on an empty item.
static int split_files(char *s, char **out, int max) {
    int n = 0;
    for (char *p = s;; p++) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (!*p || n == max) return -1;
        out[n++] = p;
        if (!comma) return n;
        p = comma;
    }
}

static void print_report(const books_corpus *c, const books_report *r) {
    if (c->pg19)
        printf("splits     PG-19 layout, as given\n");
    else
        printf("splits     seeded (seed %llu): validation %d%%, test %d%%, at least 1 book each\n",
               (unsigned long long)c->seed, c->valid_pct, c->test_pct);
    printf("books      train %d, validation %d, test %d\n", c->n_per_split[BOOKS_TRAIN],
           c->n_per_split[BOOKS_VALIDATION], c->n_per_split[BOOKS_TEST]);
    for (int i = 0; i < r->n_files; i++) {
        const books_file_report *f = &r->files[i];
        printf("%s: %llu %s of %d tokens from %llu books (%llu too short, skipped), "
               "%llu bytes dropped%s\n",
               f->path, (unsigned long long)f->n_seqs,
               f->split == BOOKS_TRAIN ? "chunks" : "windows", f->seq_len,
               (unsigned long long)f->books_used, (unsigned long long)f->books_skipped,
               (unsigned long long)f->bytes_dropped,
               f->n_seqs ? "" : " (warning: no book is long enough)");
    }
}

#define MAX_FILES 1000000

static int cmd_build(int argc, char **argv) {
    static const struct option opts[] = {
        {"corpus", 1, 0, 'C'}, {"files", 1, 0, 'F'}, {"seq-len", 1, 0, 'L'},
        {"eval-mult", 1, 0, 'M'}, {"split", 1, 0, 'P'}, {"seed", 1, 0, 'S'},
        {"output", 1, 0, 'o'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    const char *cmd = "books build", *corpus = NULL, *files = NULL, *out = NULL;
    uint64_t seed = 0, len = 0;
    int mult[BOOKS_MAX_MULT] = BOOKS_DEFAULT_MULT, n_mult = BOOKS_DEFAULT_N_MULT;
    int pct[2] = {5, 5}, have_pct = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'C': corpus = optarg; break;
        case 'F': files = optarg; break;
        case 'L':
            if (cli_parse_u64(cmd, "--seq-len", optarg, 1, DATASET_MAX_LEN - 1, &len)) return 2;
            break;
        case 'M':
            if ((n_mult = parse_int_list(cmd, "--eval-mult", optarg, 1, DATASET_MAX_LEN - 1, mult,
                                         BOOKS_MAX_MULT)) < 0)
                return 2;
            break;
        case 'P':
            if ((c = parse_int_list(cmd, "--split", optarg, 0, 90, pct, 2)) != 2) {
                if (c >= 0)
                    fprintf(stderr, "posbench: %s: --split expects V,T (two percentages)\n",
                            cmd);
                return 2;
            }
            have_pct = 1;
            break;
        case 'S':
            if (cli_parse_u64(cmd, "--seed", optarg, 0, UINT64_MAX, &seed)) return 2;
            break;
        case 'o': out = optarg; break;
        case 'h': fputs(BUILD_USAGE, stdout); return 0;
        default: return cli_bad_option(cmd, argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_extra_argument(cmd, argv[optind]);
    if (corpus && files) {
        fprintf(stderr, "posbench: %s: give --corpus DIR or --files F1,..., not both\n", cmd);
        return 2;
    }
    const char *missing = !corpus && !files ? "--corpus DIR or --files F1,..."
                          : !len            ? "--seq-len L"
                          : !out            ? "-o OUTDIR"
                                            : NULL;
    if (missing) {
        fprintf(stderr, "posbench: %s: %s is required (see --help)\n", cmd, missing);
        return 2;
    }
    char err[1200];
    if (books_check_lengths((int)len, mult, n_mult, err, sizeof err)) {
        fprintf(stderr, "posbench: %s: %s\n", cmd, err);
        return 2;
    }
    books_corpus corp;
    int rc;
    if (corpus) {
        rc = books_corpus_from_dir(&corp, corpus, seed, pct[0], pct[1], err, sizeof err);
        if (rc == 0 && corp.pg19 && have_pct) {
            books_corpus_free(&corp);
            fprintf(stderr, "posbench: %s: --split does not apply to %s, which has the PG-19 "
                            "layout\n", cmd, corpus);
            return 1;  // a fact of the corpus, not of the command line
        }
    } else {
        char *copy = strdup(files);
        char **list = malloc(sizeof *list * (strlen(files) / 2 + 1));
        if (!copy || !list) {
            free(copy);
            free(list);
            fprintf(stderr, "posbench: %s: out of memory\n", cmd);
            return 1;
        }
        const int n = split_files(copy, list, MAX_FILES);
        if (n < 0) {
            fprintf(stderr, "posbench: %s: --files has an empty name in '%s'\n", cmd, files);
            free(copy);
            free(list);
            return 2;
        }
        rc = books_corpus_from_files(&corp, (const char *const *)list, n, seed, pct[0], pct[1],
                                     err, sizeof err);
        free(copy);
        free(list);
    }
    if (rc) {
        fprintf(stderr, "posbench: %s\n", err);
        return 1;
    }
    books_report *rep = malloc(sizeof *rep);
    if (!rep) {
        books_corpus_free(&corp);
        fprintf(stderr, "posbench: %s: out of memory\n", cmd);
        return 1;
    }
    rc = books_build(&corp, (int)len, mult, n_mult, out, rep, err, sizeof err);
    if (rc) fprintf(stderr, "posbench: %s\n", err);
    else print_report(&corp, rep);
    free(rep);
    books_corpus_free(&corp);
    return rc ? 1 : 0;
}

static int cmd_synth(int argc, char **argv) {
    static const struct option opts[] = {{"books-per-split", 1, 0, 'N'}, {"bytes", 1, 0, 'B'},
                                         {"seed", 1, 0, 'S'},            {"output", 1, 0, 'o'},
                                         {"help", 0, 0, 'h'},            {0, 0, 0, 0}};
    const char *cmd = "books synth", *out = NULL;
    uint64_t seed = 0, n = 4, bytes = 262144;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'N':
            if (cli_parse_u64(cmd, "--books-per-split", optarg, 1, 10000, &n)) return 2;
            break;
        case 'B':
            if (cli_parse_u64(cmd, "--bytes", optarg, 1000, 1u << 30, &bytes)) return 2;
            break;
        case 'S':
            if (cli_parse_u64(cmd, "--seed", optarg, 0, UINT64_MAX, &seed)) return 2;
            break;
        case 'o': out = optarg; break;
        case 'h': fputs(SYNTH_USAGE, stdout); return 0;
        default: return cli_bad_option(cmd, argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_extra_argument(cmd, argv[optind]);
    if (!out) {
        fprintf(stderr, "posbench: %s: -o DIR is required (see --help)\n", cmd);
        return 2;
    }
    char err[1200];
    if (books_synth_corpus(out, (int)n, (size_t)bytes, seed, err, sizeof err)) {
        fprintf(stderr, "posbench: %s\n", err);
        return 1;
    }
    printf("wrote %llu synthetic books per split (train, validation, test) of about %llu bytes "
           "to %s, seed %llu\n",
           (unsigned long long)n, (unsigned long long)bytes, out, (unsigned long long)seed);
    return 0;
}

int cmd_books(int argc, char **argv) {
    if (argc < 2) {
        fputs("posbench: books: no subcommand (build or synth; see --help)\n", stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (!strcmp(argv[1], "build")) return cmd_build(argc - 1, argv + 1);
    if (!strcmp(argv[1], "synth")) return cmd_synth(argc - 1, argv + 1);
    fprintf(stderr, "posbench: books: unknown subcommand '%s' (build or synth)\n", argv[1]);
    return 2;
}
