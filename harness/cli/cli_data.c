// `posbench gen`, `posbench show` and `posbench list tasks`: building dataset files from a
// task and showing what is in them.
#include "harness/cli/cli_data.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cli/cli_args.h"
#include "harness/cli/cli_books.h"
#include "tasks/dataset.h"
#include "tasks/task.h"

static const char GEN_USAGE[] =
    "usage: posbench gen TASK [--options K=V,...] --seed S -n N -o FILE\n"
    "Writes N sequences of TASK (posbench list tasks) to the dataset FILE. The file records the\n"
    "task, its canonical options and the seed: the same three give the same bytes.\n"
    "  --options S    task options, e.g. 'len_min=10,len_max=20'   (defaults)\n"
    "  --seed S       generator seed, 0 to 2^64-1                  (required)\n"
    "  -n, --count N  number of sequences                          (required)\n"
    "  -o, --output F dataset file, written atomically             (required)\n"
    "posbench gen books ... is posbench books build ... (datasets cut from a corpus).\n";

// Progress on stderr for big datasets: in place on a terminal, else a line per 10%.
static void progress(uint64_t done, uint64_t n, void *ctx) {
    const int live = *(const int *)ctx;
    if (n < 100000) return;
    if (live && (done % 10000 == 0 || done == n))
        fprintf(stderr, "\rposbench: gen: %llu / %llu sequences%s", (unsigned long long)done,
                (unsigned long long)n, done == n ? "\n" : "");
    else if (!live && (done % (n / 10) == 0 || done == n))
        fprintf(stderr, "posbench: gen: %llu / %llu sequences\n", (unsigned long long)done,
                (unsigned long long)n);
}

int cmd_gen(int argc, char **argv) {
    // The books datasets come from a corpus, not a generator: `gen books ...` is
    // `books build ...`, so every dataset is reachable from gen.
    if (argc >= 2 && !strcmp(argv[1], "books")) {
        char *build[64] = {"books", "build"};
        int n = 2;
        for (int i = 2; i < argc && n < 63; i++) build[n++] = argv[i];
        build[n] = NULL;
        return cmd_books(n, build);
    }
    static const struct option opts[] = {{"options", 1, 0, 'O'}, {"seed", 1, 0, 'S'},
                                         {"count", 1, 0, 'n'},   {"output", 1, 0, 'o'},
                                         {"help", 0, 0, 'h'},    {0, 0, 0, 0}};
    const char *options = NULL, *out = NULL;
    uint64_t seed = 0, n = 0;
    int have_seed = 0, have_n = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hn:o:", opts, NULL)) != -1) {
        switch (c) {
        case 'O': options = optarg; break;
        case 'S':
            if (cli_parse_u64("gen", "--seed", optarg, 0, UINT64_MAX, &seed)) return 2;
            have_seed = 1;
            break;
        case 'n':
            if (cli_parse_u64("gen", "-n", optarg, 1, 1ull << 40, &n)) return 2;
            have_n = 1;
            break;
        case 'o': out = optarg; break;
        case 'h': fputs(GEN_USAGE, stdout); return 0;
        default: return cli_bad_option("gen", argv[optind - 1]);
        }
    }
    if (cli_one_argument("gen", argc, argv, optind, "no task named (posbench list tasks)"))
        return 2;
    const char *missing = !have_seed ? "--seed S" : !have_n ? "-n N" : !out ? "-o FILE" : NULL;
    if (missing) {
        fprintf(stderr, "posbench: gen: %s is required (see --help)\n", missing);
        return 2;
    }
    char err[512];
    int live = isatty(fileno(stderr));
    task t;
    if (task_configure(&t, argv[optind], options, err, sizeof err) != 0) {
        fprintf(stderr, "posbench: %s\n", err);
        return 2;
    }
    if (task_write_dataset(&t, seed, n, out, progress, &live, err, sizeof err) != 0) {
        fprintf(stderr, "posbench: %s\n", err);
        return 1;
    }
    char canon[1024];
    task_format_options(&t, canon, sizeof canon);
    printf("wrote %llu sequences of %s(%s), seed %llu, to %s\n", (unsigned long long)n,
           t.ops->name, canon, (unsigned long long)seed, out);
    return 0;
}

static const char SHOW_USAGE[] =
    "usage: posbench show FILE [-n K]\n"
    "Prints a dataset's header (task, options, seed, vocabulary, counts) and its first K\n"
    "sequences (default 3) with tokens by name; each scored answer is shown as [answer].\n";

// A token name as printable text (control and non-ASCII bytes as \xHH).
static void put_name(FILE *out, const char *s) {
    for (; *s; s++) {
        const unsigned char ch = (unsigned char)*s;
        if (isprint(ch)) fputc(ch, out);
        else fprintf(out, "\\x%02x", ch);
    }
}

// One sequence: names run together when every name is one character (readable letters),
// else separated by spaces. A token that is the target of a scored position is [bracketed],
// unless every token after the first is (language modelling): then the text runs together
// unmarked, which reads as text.
static void show_sequence(FILE *out, const dataset *d, size_t s, int compact) {
    const size_t a = d->offsets[s], b = d->offsets[s + 1];
    int every = b - a > 1;
    for (size_t i = a; i + 1 < b && every; i++) every = d->mask[i];
    fprintf(out, "#%zu (%zu tokens%s): ", s, b - a, every ? ", every one after the first scored" : "");
    for (size_t i = a; i < b; i++) {
        const int answer = !every && i > a && d->mask[i - 1];
        if (every) compact = 1;
        if (i > a && !compact) fputc(' ', out);
        if (answer) fputc('[', out);
        put_name(out, d->vocab[d->tokens[i]]);
        if (answer) fputc(']', out);
    }
    fputc('\n', out);
}

int cmd_show(int argc, char **argv) {
    static const struct option opts[] = {{"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    uint64_t k = 3;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hn:", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (cli_parse_u64("show", "-n", optarg, 0, 1ull << 40, &k)) return 2;
            break;
        case 'h': fputs(SHOW_USAGE, stdout); return 0;
        default: return cli_bad_option("show", argv[optind - 1]);
        }
    }
    if (cli_one_argument("show", argc, argv, optind, "no dataset file named (see --help)"))
        return 2;
    char err[512];
    dataset *d = dataset_load(argv[optind], err, sizeof err);
    if (!d) {
        fprintf(stderr, "posbench: %s\n", err);
        return 1;
    }
    size_t scored = 0, min_len = SIZE_MAX, max_len = 0;
    for (size_t i = 0; i < d->n_tokens; i++) scored += d->mask[i];
    for (size_t s = 0; s < d->n_seqs; s++) {
        const size_t len = d->offsets[s + 1] - d->offsets[s];
        if (len < min_len) min_len = len;
        if (len > max_len) max_len = len;
    }
    int compact = 1;
    for (int i = 0; i < d->vocab_size; i++) compact &= strlen(d->vocab[i]) == 1;
    printf("file       %s\n", argv[optind]);
    printf("task       %s\n", d->task);
    printf("options    %s\n", d->options);
    printf("seed       %llu\n", (unsigned long long)d->seed);
    printf("vocabulary %d tokens\n", d->vocab_size);
    if (d->n_seqs)
        printf("sequences  %zu (%zu tokens, lengths %zu to %zu, %zu scored positions)\n",
               d->n_seqs, d->n_tokens, min_len, max_len, scored);
    else
        printf("sequences  0\n");
    for (size_t s = 0; s < d->n_seqs && s < k; s++) show_sequence(stdout, d, s, compact);
    dataset_free(d);
    return 0;
}

int list_tasks(FILE *out) {
    for (int i = 0; task_registry[i]; i++) {
        const task_ops *t = task_registry[i];
        fprintf(out, "%-18s %s\n", t->name, t->summary);
        for (int o = 0; o < t->n_options; o++) {
            const option_spec *s = &t->options[o];
            char def[40];
            options_default_text(s, def, sizeof def);
            if (s->choices)
                fprintf(out, "                   %s: %s (default %s) - %s\n", s->name,
                        s->choices, def, s->help);
            else
                fprintf(out, "                   %s = %s - %s\n", s->name, def, s->help);
        }
    }
    return 0;
}
