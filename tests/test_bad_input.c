// The bad-input matrix: every way a user or a full disk can hand posbench bad input,
// one table row each, with the exact exit status and the exact one-line message. Each row is
// its own test (tcase_add_loop_test), so a failure names the case. The statuses follow
// harness/cli/main.c: 2 for a command that cannot work as written (flags, experiment files),
// 1 for data, files or a machine that fail a well-formed command.
//
// Inputs live in one mkdtemp folder; "%D" in a row (file, content, argv, expected message)
// stands for it, so the messages that name files are still compared whole.
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "files.h"
#include "harness/cli/cli_books.h"
#include "harness/cli/cli_config.h"
#include "harness/cli/cli_data.h"
#include "harness/cli/cli_inspect.h"
#include "harness/cli/cli_run.h"
#include "harness/cli/cli_score.h"
#include "suites.h"

// How the expected text is compared with everything the command printed.
typedef enum {
    WHOLE,   // the whole output is the expected line
    LINE,    // one line of the output is exactly the expected line (commands that also
             // print progress, e.g. `run`, whose timings vary)
    PREFIX,  // one line starts with the expected text (the rest depends on the machine)
} match;

// How the input file is made before the command runs.
typedef enum {
    NONE,     // the command's input is made by the fixture (or is deliberately missing)
    TEXT,     // file gets content
    DATASET,  // file gets a copy of a valid dataset, then the damage
    CKPT,     // the finished run's final.ckpt gets a copy of its valid checkpoint, then damage
} prep;

typedef struct bad_case {
    const char *name;
    prep prep;
    const char *file;     // TEXT and DATASET: the file to write
    const char *content;  // TEXT: the file's bytes (NUL-terminated)
    long cut;             // DATASET, CKPT: keep only the first cut bytes (-1: all)
    long at;              // DATASET, CKPT: XOR the byte at this offset with flip (-1: none)
    int flip;
    const char *argv[12];
    int status;
    match match;
    const char *expect;
    long fsize;         // > 0: run in a child whose files may not grow past fsize bytes
    const char *absent[2];  // files that must not exist afterwards
} bad_case;

// Row shorthands: the input, then the command.
#define TXT(file, content) TEXT, file, content, -1, -1, 0
#define DS(cut, at, flip) DATASET, "%D/bad.pbds", NULL, cut, at, flip
#define CK(cut, at, flip) CKPT, NULL, NULL, cut, at, flip
#define NOPREP NONE, NULL, NULL, -1, -1, 0
#define CONFIG(file) {"config", file, NULL}

// A minimal valid experiment's lines, for the rows that break one thing.
#define EXP "experiment: x\n"
#define TASK "task: {name: indirect_indexing}\n"
#define TINY_MODEL "model: {d_model: 16, layers: 1, heads: 2}\n"

// Rows leave the trailing fields (fsize, absent) out when they do not use them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const bad_case cases[] = {
    // Malformed YAML.
    {"yaml_tab_indent", TXT("%D/tab.yaml", EXP "task:\n\tname: indirect_indexing\n"),
     CONFIG("%D/tab.yaml"), 2, WHOLE, "posbench: %D/tab.yaml:3:1: tab character (indent with spaces)"},
    {"yaml_unclosed_quote", TXT("%D/quote.yaml", "experiment: \"x\n" TASK), CONFIG("%D/quote.yaml"), 2,
     WHOLE, "posbench: %D/quote.yaml:3:1: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar)"},
    {"yaml_duplicate_key", TXT("%D/dup.yaml", EXP "experiment: y\n" TASK), CONFIG("%D/dup.yaml"), 2,
     WHOLE, "posbench: %D/dup.yaml:2:1: duplicate key 'experiment' (first at 1:1)"},
    {"yaml_empty_file", TXT("%D/empty.yaml", ""), CONFIG("%D/empty.yaml"), 2, WHOLE,
     "posbench: %D/empty.yaml:1:1: empty file (expected a mapping)"},
    {"yaml_invalid_utf8", TXT("%D/utf8.yaml", EXP TASK "# caf\xe9 au lait\n"), CONFIG("%D/utf8.yaml"), 2,
     WHOLE, "posbench: %D/utf8.yaml:3:6: byte 0xe9 is not valid UTF-8 here (invalid trailing UTF-8 "
     "octet); YAML files are UTF-8"},
    {"yaml_invalid_utf8_leading", TXT("%D/utf8b.yaml", "experiment: x\xff\xfe\n" TASK),
     CONFIG("%D/utf8b.yaml"), 2, WHOLE, "posbench: %D/utf8b.yaml:1:14: byte 0xff is not valid UTF-8 "
     "here (invalid leading UTF-8 octet); YAML files are UTF-8"},
    {"yaml_two_documents", TXT("%D/two.yaml", EXP TASK "---\n" EXP TASK), CONFIG("%D/two.yaml"), 2,
     WHOLE, "posbench: %D/two.yaml:4:1: more than one YAML document (an experiment file holds one)"},
    {"yaml_missing_file", NOPREP, CONFIG("%D/nothere.yaml"), 2, WHOLE,
     "posbench: %D/nothere.yaml: cannot open: No such file or directory"},
    // Keys, types and values.
    {"unknown_key_suggestion", TXT("%D/key.yaml", EXP TASK "model: {d_modle: 16}\n"), CONFIG("%D/key.yaml"),
     2, WHOLE, "posbench: %D/key.yaml:3:9: model: unknown key 'd_modle' (did you mean 'd_model'?)"},
    {"wrong_type_integer", TXT("%D/int.yaml", EXP TASK "model: {d_model: abc}\n"), CONFIG("%D/int.yaml"),
     2, WHOLE, "posbench: %D/int.yaml:3:18: model.d_model: expected an integer, got 'abc'"},
    {"wrong_type_mapping", TXT("%D/map.yaml", EXP TASK "model: 5\n"), CONFIG("%D/map.yaml"), 2, WHOLE,
     "posbench: %D/map.yaml:3:8: model: expected a mapping, got a scalar"},
    {"wrong_type_list", TXT("%D/list.yaml", EXP TASK "model: {layers: [1, 2]}\n"), CONFIG("%D/list.yaml"),
     2, WHOLE, "posbench: %D/list.yaml:3:17: model.layers: expected a scalar, got a list"},
    {"negative_size", TXT("%D/neg.yaml", EXP TASK "model: {d_model: -16}\n"), CONFIG("%D/neg.yaml"), 2,
     WHOLE, "posbench: %D/neg.yaml:3:18: model.d_model: must be >= 1, got -16"},
    {"zero_size", TXT("%D/zero.yaml", EXP TASK "training: {batch: 0}\n"), CONFIG("%D/zero.yaml"), 2,
     WHOLE, "posbench: %D/zero.yaml:3:19: training.batch: must be >= 1, got 0"},
    {"d_model_not_divisible", TXT("%D/div.yaml", EXP TASK "model: {d_model: 18, heads: 4}\n"),
     CONFIG("%D/div.yaml"), 2, WHOLE,
     "posbench: %D/div.yaml:3:29: model.d_model: 18 is not divisible by model.heads = 4"},
    {"rope_odd_head_dim", TXT("%D/odd.yaml", EXP TASK "model: {d_model: 12, heads: 4, encoding: rope}\n"),
     CONFIG("%D/odd.yaml"), 2, WHOLE,
     "posbench: %D/odd.yaml:3:42: encoding 'rope': head_dim 3 not supported (rotary embedding, pairs "
     "rotated by pos*base^(-2i/D); head_dim must be even)"},
    {"sweep_too_many_runs",
     TXT("%D/sweep.yaml", EXP TASK "sweep:\n  seed: [1,2,3,4,5,6,7,8,9,10,11]\n"
                          "  training.lr: [1,2,3,4,5,6,7,8,9,10,11]\n"
                          "  training.batch: [1,2,3,4,5,6,7,8,9,10,11]\n"
                          "  model.layers: [1,2,3,4,5,6,7,8,9,10,11]\n"),
     CONFIG("%D/sweep.yaml"), 2, WHOLE,
     "posbench: %D/sweep.yaml:4:3: sweep: 14641 runs (the product of its value counts), more than 10000"},
    {"sweep_repeated_seed",
     TXT("%D/seeds.yaml", EXP TASK "sweep:\n  model.encoding: [rope, pope]\n  seed: [1, 2, 1]\n"),
     CONFIG("%D/seeds.yaml"), 2, WHOLE,
     "posbench: %D/seeds.yaml:5:16: sweep: seed: value '1' gives the same runs as '1' (a value "
     "listed twice)"},
    {"sweep_same_value_written_twice",
     TXT("%D/lrs.yaml", EXP TASK "sweep:\n  training.lr: [1.0e-3, 0.001]\n"),
     CONFIG("%D/lrs.yaml"), 2, WHOLE,
     "posbench: %D/lrs.yaml:4:25: sweep: training.lr: value '0.001' gives the same runs as "
     "'1.0e-3' (a value listed twice)"},
    {"lr_min_above_lr", TXT("%D/lr.yaml", EXP TASK "training: {lr: 1.0e-3, lr_min: 1.0e-2}\n"),
     CONFIG("%D/lr.yaml"), 2, WHOLE,
     "posbench: %D/lr.yaml:3:32: training.lr_min: 0.01 is greater than training.lr = 0.001"},
    {"missing_experiment", TXT("%D/noexp.yaml", TASK), CONFIG("%D/noexp.yaml"), 2, WHOLE,
     "posbench: %D/noexp.yaml:1:1: missing required key 'experiment'"},
    {"missing_task", TXT("%D/notask.yaml", EXP), CONFIG("%D/notask.yaml"), 2, WHOLE,
     "posbench: %D/notask.yaml:1:1: missing required key 'task'"},
    {"unknown_encoding", TXT("%D/enc.yaml", EXP TASK "model: {encoding: ropee}\n"), CONFIG("%D/enc.yaml"),
     2, WHOLE, "posbench: %D/enc.yaml:3:19: unknown encoding 'ropee' (did you mean 'rope'?)"},
    {"unknown_task", TXT("%D/task.yaml", EXP "task: {name: indirect_indexin}\n"), CONFIG("%D/task.yaml"),
     2, WHOLE, "posbench: %D/task.yaml:2:14: unknown task 'indirect_indexin' (did you mean 'indirect_indexing'?)"},
    {"gen_unknown_task", NOPREP, {"gen", "nosuch", "--seed", "1", "-n", "1", "-o", "%D/g.pbds", NULL},
     2, PREFIX, "posbench: unknown task 'nosuch' (known: indirect_indexing, probe_where, probe_what, "},
    {"gen_unknown_task_option", NOPREP,
     {"gen", "indirect_indexing", "--options", "bogus=1", "--seed", "1", "-n", "1", "-o", "%D/g.pbds", NULL},
     2, WHOLE, "posbench: task 'indirect_indexing': unknown option 'bogus' (known: alphabet, len_min, "
     "len_max, shift_max, allow_zero, sampling, distinct, queries)"},
    // Sizes whose memory exceeds the machine: refused before allocating (the rest of the line
    // names this machine's memory).
    // Checked for every run before any starts (exit 2, nothing trained), naming the run.
    {"model_exceeds_memory",
     TXT("%D/big.yaml", "experiment: big\n" TASK "model: {d_model: 65536, layers: 64, heads: 64}\n"),
     {"run", "%D/big.yaml", "--results", "%D/res_big", "-j", "1", NULL}, 2, PREFIX,
     "posbench: run: 3136c0c4e53c4c9d: model: 3298551857152 parameters with their gradients and "
     "AdamW moments need 49152.3 GiB, more than this machine's "},
    // An evaluation length the encoding cannot serve is found before training, not after it.
    {"eval_length_beyond_encoding",
     TXT("%D/long.yaml", EXP "task: {name: indirect_indexing, options: {len_min: 6, len_max: 10, "
         "shift_max: 3}}\nmodel: {d_model: 16, layers: 1, heads: 2, encoding: learned, "
         "encoding_options: {max_len: 32, beyond: error}}\nevaluation:\n  sets: [{name: test}, "
         "{name: long, options: {len_min: 30, len_max: 40}}]\n"),
     {"run", "%D/long.yaml", "--results", "%D/res_long", NULL}, 2, WHOLE,
     "posbench: run: b345c1673dc626eb: evaluation set long (46 positions): encoding 'learned' "
     "(max_len=32,beyond=error): a sequence of 46 positions exceeds the 32 it supports\n"
     "posbench: run: nothing was started", 0, {"%D/res_long/x/runs"}},
    {"books_corpus_not_found",
     TXT("%D/nobooks.yaml", EXP "task: {name: books, options: {corpus: %D/nocorpus, seq_len: 16}}\n"
                            TINY_MODEL),
     {"run", "%D/nobooks.yaml", "--results", "%D/res_nobooks", NULL}, 2, LINE,
     "posbench: run: nothing was started"},
    // Book corpora.
    {"books_corpus_missing", NOPREP,
     {"books", "build", "--corpus", "%D/nocorpus", "--seq-len", "16", "-o", "%D/books_out", NULL}, 1,
     WHOLE, "posbench: %D/nocorpus: cannot open directory: No such file or directory"},
    {"books_corpus_empty", NOPREP,
     {"books", "build", "--corpus", "%D/emptycorpus", "--seq-len", "16", "-o", "%D/books_out", NULL}, 1,
     WHOLE, "posbench: %D/emptycorpus: no .txt books (empty corpus)"},
    {"books_run_empty_corpus",
     TXT("%D/books.yaml", EXP "task: {name: books, options: {corpus: %D/emptycorpus, seq_len: 16}}\n"
                          TINY_MODEL),
     {"run", "%D/books.yaml", "--results", "%D/res_books", "-j", "1", NULL}, 1, LINE,
     "posbench: %D/emptycorpus: no .txt books (empty corpus)"},
    // Books are byte-level (a vocabulary of the 256 byte values): bytes that are not UTF-8
    // are ordinary input and must be ACCEPTED (exit 0), not refused.
    {"books_non_utf8_accepted", NOPREP,
     {"books", "build", "--corpus", "%D/latin1", "--seq-len", "16", "--eval-mult", "1", "-o",
      "%D/latin1_out", NULL},
     0, LINE, "books      train 1, validation 1, test 1"},
    {"books_corpus_and_files", NOPREP,
     {"books", "build", "--corpus", "%D/latin1", "--files", "%D/latin1/b1.txt", "--seq-len", "16",
      "-o", "%D/books_out", NULL},
     2, WHOLE, "posbench: books build: give --corpus DIR or --files F1,..., not both"},
    // Dataset files.
    {"dataset_empty", TXT("%D/empty.pbds", ""), {"show", "%D/empty.pbds", NULL}, 1, WHOLE,
     "posbench: %D/empty.pbds: truncated dataset"},
    {"dataset_not_a_dataset", TXT("%D/text.pbds", "hello world, this is text\n"),
     {"show", "%D/text.pbds", NULL}, 1, WHOLE, "posbench: %D/text.pbds: not a posbench dataset (bad magic)"},
    {"dataset_truncated", DS(500, -1, 0), {"show", "%D/bad.pbds", NULL}, 1, WHOLE,
     "posbench: %D/bad.pbds: truncated dataset"},
    {"dataset_byte_flipped", DS(-1, 300, 0x01), {"show", "%D/bad.pbds", NULL}, 1, WHOLE,
     "posbench: %D/bad.pbds: checksum mismatch (file is corrupt)"},
    // The version is the u32 after the 8-byte magic (tasks/dataset.h): 1 becomes 2.
    {"dataset_wrong_version", DS(-1, 8, 0x03), {"show", "%D/bad.pbds", NULL}, 1, WHOLE,
     "posbench: %D/bad.pbds: dataset version 2, this posbench reads version 1"},
    {"dataset_missing", NOPREP, {"show", "%D/nothere.pbds", NULL}, 1, WHOLE,
     "posbench: %D/nothere.pbds: cannot open: No such file or directory"},
    {"dataset_is_a_folder", NOPREP, {"show", "%D/emptycorpus", NULL}, 1, WHOLE,
     "posbench: %D/emptycorpus: not a regular file"},
    // The finished run's evaluation sets (here, before the rows below damage its checkpoint).
    {"groups_unknown_set", NOPREP, {"groups", "%D/run", "--set", "longer", NULL}, 1, WHOLE,
     "posbench: %D/run: the run has no evaluation set 'longer'"},
    // Checkpoints, loaded by `attn` from the finished run's final.ckpt.
    {"checkpoint_truncated", CK(100, -1, 0), {"attn", "%D/run", NULL}, 1, WHOLE,
     "posbench: %D/run: %D/run/final.ckpt: truncated checkpoint"},
    {"checkpoint_byte_flipped", CK(-1, 2000, 0x55), {"attn", "%D/run", NULL}, 1, WHOLE,
     "posbench: %D/run: %D/run/final.ckpt: checksum mismatch (file is corrupt)"},
    // The version is the u32 after the 8-byte magic (harness/model/checkpoint.h): 2 becomes 7.
    {"checkpoint_wrong_version", CK(-1, 8, 0x05), {"attn", "%D/run", NULL}, 1, WHOLE,
     "posbench: %D/run: %D/run/final.ckpt: checkpoint version 7, this posbench reads versions 1 "
     "to 3"},
    {"checkpoint_not_a_checkpoint", TXT("%D/run/final.ckpt", "not a checkpoint\n"), {"attn", "%D/run", NULL},
     1, WHOLE, "posbench: %D/run: %D/run/final.ckpt: not a posbench checkpoint (bad magic)"},
    // Cut inside the version field: reported as truncated, not as some version read from
    // memory the read never filled.
    {"checkpoint_cut_in_version", CK(10, -1, 0), {"attn", "%D/run", NULL}, 1, WHOLE,
     "posbench: %D/run: %D/run/final.ckpt: truncated checkpoint"},
    {"checkpoint_freq_truncated", CK(100, -1, 0), {"freq", "%D/run", NULL}, 1, WHOLE,
     "posbench: %D/run: %D/run/final.ckpt: truncated checkpoint"},
    {"attn_no_such_run", NOPREP, {"attn", "%D/norun", NULL}, 1, WHOLE,
     "posbench: %D/norun: no such folder"},
    {"checkpoint_groups_truncated", CK(100, -1, 0), {"groups", "%D/run", NULL}, 1, WHOLE,
     "posbench: %D/run: %D/run/final.ckpt: truncated checkpoint"},
    {"groups_not_a_run", NOPREP, {"groups", "%D/emptycorpus", NULL}, 1, WHOLE,
     "posbench: %D/emptycorpus: not a run folder (no config.yaml) nor an experiment folder "
     "(no runs/)"},
    // Where results go: a path below a regular file cannot be a folder (chmod would not stop
    // root), and a full disk.
    {"score_missing_experiment", NOPREP, {"score", "%D/nothere.yaml", NULL}, 2, WHOLE,
     "posbench: %D/nothere.yaml: cannot open: No such file or directory"},
    {"results_below_a_file", NOPREP, {"run", "%D/ok.yaml", "--results", "%D/afile/sub", NULL}, 1, WHOLE,
     "posbench: run: %D/afile/sub/tiny: cannot create folder: Not a directory"},
    {"disk_full_gen", NOPREP, {"gen", "indirect_indexing", "--seed", "1", "-n", "50", "-o", "%D/full.pbds", NULL},
     1, WHOLE, "posbench: %D/full.pbds.tmp: write failed: File too large", 512,
     {"%D/full.pbds", "%D/full.pbds.tmp"}},
    // Command-line flags.
    {"run_unknown_option", NOPREP, {"run", "%D/ok.yaml", "--bogus", NULL}, 2, WHOLE,
     "posbench: run: unknown or incomplete option '--bogus' (see --help)"},
    {"run_missing_value", NOPREP, {"run", "%D/ok.yaml", "-j", NULL}, 2, WHOLE,
     "posbench: run: unknown or incomplete option '-j' (see --help)"},
    {"run_jobs_zero", NOPREP, {"run", "%D/ok.yaml", "-j", "0", NULL}, 2, WHOLE,
     "posbench: run: -j expects an integer in [1, 1024], got '0'"},
    {"run_jobs_negative", NOPREP, {"run", "%D/ok.yaml", "-j", "-3", NULL}, 2, WHOLE,
     "posbench: run: -j expects an integer in [1, 1024], got '-3'"},
    {"run_only_unknown_id", NOPREP,
     {"run", "%D/ok.yaml", "--results", "%D/res_only", "--only", "0123456789abcdef", NULL}, 2, WHOLE,
     "posbench: run: %D/ok.yaml has no run with id '0123456789abcdef' (posbench jobs lists them)"},
    {"run_two_files", NOPREP, {"run", "%D/ok.yaml", "%D/ok.yaml", NULL}, 2, WHOLE,
     "posbench: run: expects one experiment file (see --help)"},
    {"gen_count_zero", NOPREP, {"gen", "indirect_indexing", "--seed", "1", "-n", "0", "-o", "%D/g.pbds", NULL},
     2, WHOLE, "posbench: gen: -n expects an integer in [1, 1099511627776], got '0'"},
    {"gen_count_negative", NOPREP,
     {"gen", "indirect_indexing", "--seed", "1", "-n", "-5", "-o", "%D/g.pbds", NULL}, 2, WHOLE,
     "posbench: gen: -n expects an integer in [1, 1099511627776], got '-5'"},
    {"gen_seed_negative", NOPREP,
     {"gen", "indirect_indexing", "--seed", "-1", "-n", "5", "-o", "%D/g.pbds", NULL}, 2, WHOLE,
     "posbench: gen: --seed expects an integer in [0, 18446744073709551615], got '-1'"},
    {"gen_missing_output", NOPREP, {"gen", "indirect_indexing", "--seed", "1", "-n", "5", NULL}, 2, WHOLE,
     "posbench: gen: -o FILE is required (see --help)"},
    {"show_count_negative", NOPREP, {"show", "%D/good.pbds", "-n", "-1", NULL}, 2, WHOLE,
     "posbench: show: -n expects an integer in [0, 1099511627776], got '-1'"},
    {"groups_examples_negative", NOPREP, {"groups", "%D/run", "--examples", "-3", NULL}, 2,
     WHOLE, "posbench: groups: --examples expects an integer >= 1, not '-3'"},
};
#pragma GCC diagnostic pop

static char root[] = "/tmp/posbench_bad_XXXXXX";

// in with every "%D" replaced by the temp folder.
static void subst(const char *in, char *out, size_t len) {
    size_t used = 0;
    for (const char *p = in; *p && used + 1 < len; p++) {
        if (p[0] == '%' && p[1] == 'D') {
            used += (size_t)snprintf(out + used, len - used, "%s", root);
            p++;
        } else {
            out[used++] = *p;
        }
    }
    out[used < len ? used : len - 1] = '\0';
}

static void write_bytes(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    ck_assert_int_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

// The whole file, malloc'd; its size in *n.
static unsigned char *read_bytes(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(*n + 1);
    ck_assert_int_eq(fread(buf, 1, *n, f), *n);
    fclose(f);
    return buf;
}

static int (*command(const char *name))(int, char **) {
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } table[] = {{"config", cmd_config}, {"run", cmd_run},   {"gen", cmd_gen},   {"show", cmd_show},
                 {"books", cmd_books},   {"attn", cmd_attn}, {"freq", cmd_freq},
                 {"groups", cmd_groups}, {"score", cmd_score}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(name, table[i].name)) return table[i].run;
    ck_abort_msg("no command %s", name);
    return NULL;
}

// The fixture, made once before the cases fork: a valid dataset and a finished run (for the
// damaged copies), an empty corpus, a corpus of non-UTF-8 books and a regular file to put
// results under.
static void make_fixture(void) {
    ck_assert_ptr_nonnull(mkdtemp(root));
    char path[1024], good[512], *out;
    subst("%D/good.pbds", good, sizeof good);
    const char *gen[] = {"gen", "indirect_indexing", "--seed", "1", "-n", "5", "-o", good, NULL};
    ck_assert_int_eq(run_captured(cmd_gen, gen, &out), 0);
    free(out);
    subst("%D/ok.yaml", path, sizeof path);
    const char ok[] = "experiment: tiny\n" TASK TINY_MODEL
                      "training: {steps: 2, batch: 4, warmup: 1}\n"
                      "evaluation: {examples: 4, every: 0}\n";
    write_bytes(path, ok, strlen(ok));
    char results[512];
    subst("%D/res", results, sizeof results);
    const char *run[] = {"run", path, "--results", results, "-j", "1", NULL};
    ck_assert_int_eq(run_captured(cmd_run, run, &out), 0);
    free(out);
    // The one run's folder, whose name is its id: reached as %D/run.
    snprintf(path, sizeof path, "%s/tiny/runs", results);
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    char run_dir[1300] = "";
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') snprintf(run_dir, sizeof run_dir, "%s/%s", path, e->d_name);
    closedir(d);
    subst("%D/run", path, sizeof path);
    ck_assert_int_eq(symlink(run_dir, path), 0);
    char ckpt[1400];
    snprintf(ckpt, sizeof ckpt, "%s/final.ckpt", run_dir);
    size_t n;
    unsigned char *bytes = read_bytes(ckpt, &n);
    subst("%D/good.ckpt", path, sizeof path);
    write_bytes(path, bytes, n);
    free(bytes);
    subst("%D/emptycorpus", path, sizeof path);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    // Three books (a flat corpus splits them train/validation/test) of Latin-1 and stray
    // bytes: none of it is UTF-8.
    subst("%D/latin1", path, sizeof path);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    for (int b = 1; b <= 3; b++) {
        unsigned char text[600];
        for (int i = 0; i < (int)sizeof text; i++) text[i] = (unsigned char)(0x80 + (i * 7 + b) % 128);
        char book[1100];
        snprintf(book, sizeof book, "%s/b%d.txt", path, b);
        write_bytes(book, text, sizeof text);
    }
    subst("%D/afile", path, sizeof path);
    write_bytes(path, "", 0);
}

static void remove_fixture(void) { remove_tree(root); }

// Makes the case's input file.
static void prepare(const bad_case *c) {
    char path[1024], text[4096];
    if (c->prep == NONE) return;
    if (c->prep == TEXT) {
        subst(c->file, path, sizeof path);
        subst(c->content, text, sizeof text);
        write_bytes(path, text, strlen(text));
        return;
    }
    char src[1024];
    subst(c->prep == DATASET ? "%D/good.pbds" : "%D/good.ckpt", src, sizeof src);
    subst(c->prep == DATASET ? c->file : "%D/run/final.ckpt", path, sizeof path);
    size_t n;
    unsigned char *bytes = read_bytes(src, &n);
    if (c->at >= 0) {
        ck_assert((size_t)c->at < n);
        bytes[c->at] ^= (unsigned char)c->flip;
    }
    if (c->cut >= 0) {
        ck_assert((size_t)c->cut < n);
        n = (size_t)c->cut;
    }
    write_bytes(path, bytes, n);
    free(bytes);
}

// run_captured in a child whose files may not grow past limit bytes, with SIGXFSZ ignored
// so that a write fails with EFBIG (as on a full disk) instead of killing the process.
static int run_limited(int (*cmd)(int, char **), const char *const *args, long limit, char **out) {
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {(rlim_t)limit, (rlim_t)limit};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(99);
        char *text;
        int rc = run_captured(cmd, args, &text);
        size_t left = strlen(text);
        for (const char *p = text; left > 0;) {  // a pipe is not a file: no limit applies
            ssize_t w = write(fds[1], p, left);
            if (w <= 0) break;
            p += w, left -= (size_t)w;
        }
        _exit(rc);
    }
    close(fds[1]);
    size_t len = 0, cap = 256;
    char *buf = malloc(cap);
    for (ssize_t r; (r = read(fds[0], buf + len, cap - len - 1)) > 0;) {
        len += (size_t)r;
        if (cap - len < 2) buf = realloc(buf, cap *= 2);
    }
    buf[len] = '\0';
    close(fds[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    *out = buf;
    ck_assert_msg(WIFEXITED(status), "child killed by signal %d", WTERMSIG(status));
    return WEXITSTATUS(status);
}

// Whether some line of out equals want (or starts with it, for PREFIX).
static int has_line(const char *out, const char *want, match m) {
    const size_t n = strlen(want);
    for (const char *line = out; *line;) {
        const char *end = strchr(line, '\n');
        const size_t len = end ? (size_t)(end - line) : strlen(line);
        if (m == PREFIX ? len >= n && !strncmp(line, want, n) : len == n && !strncmp(line, want, n))
            return 1;
        if (!end) break;
        line = end + 1;
    }
    return 0;
}

START_TEST(test_bad_input) {
    const bad_case *c = &cases[_i];
    prepare(c);
    char argv_buf[12][1024];
    const char *args[12];
    int argc = 0;
    for (; c->argv[argc]; argc++) {
        subst(c->argv[argc], argv_buf[argc], sizeof argv_buf[argc]);
        args[argc] = argv_buf[argc];
    }
    args[argc] = NULL;
    char *out;
    int (*cmd)(int, char **) = command(args[0]);
    const int rc = c->fsize > 0 ? run_limited(cmd, args, c->fsize, &out) : run_captured(cmd, args, &out);
    char want[4096];
    subst(c->expect, want, sizeof want);
    ck_assert_msg(rc == c->status, "%s: exit status %d, expected %d; output:\n%s", c->name, rc,
                  c->status, out);
    if (c->match == WHOLE) {
        char line[4100];
        snprintf(line, sizeof line, "%s\n", want);
        ck_assert_msg(!strcmp(out, line), "%s: printed\n%s\nexpected\n%s", c->name, out, line);
    } else {
        ck_assert_msg(has_line(out, want, c->match), "%s: no line %s\n%s\nin\n%s", c->name,
                      c->match == PREFIX ? "starting with" : "equal to", want, out);
    }
    for (int k = 0; k < 2 && c->absent[k]; k++) {
        char path[1024];
        subst(c->absent[k], path, sizeof path);
        ck_assert_msg(access(path, F_OK) != 0, "%s: %s was left behind", c->name, path);
    }
    free(out);
}
END_TEST

Suite *suite_bad_input(void) {
    Suite *s = suite_create("bad_input");
    TCase *tc = tcase_create("bad_input");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, make_fixture, remove_fixture);
    tcase_add_loop_test(tc, test_bad_input, 0, (int)(sizeof cases / sizeof cases[0]));
    suite_add_tcase(s, tc);
    return s;
}
