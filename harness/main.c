// posbench command line: a table of subcommands, each with its own --help.
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "cli_data.h"
#include "model.h"
#include "token_file.h"
#include "toy_task.h"
#include "train.h"

static int error(const char *msg) {
    fprintf(stderr, "posbench: %s\n", msg);
    return 2;
}

// Strict number parsing: the whole argument must be a number within [lo, hi].
static int parse_int(const char *opt, const char *s, long lo, long hi, int *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "posbench: --%s expects an integer in [%ld, %ld], got '%s'\n", opt, lo,
                hi, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int parse_float(const char *opt, const char *s, double lo, double hi, float *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "posbench: --%s expects a number in [%g, %g], got '%s'\n", opt, lo, hi, s);
        return -1;
    }
    *out = (float)v;
    return 0;
}

typedef struct toy_ctx {
    int n_symbols, offset;
} toy_ctx;

static int toy_next(batch *b, void *ctx, rng *r) {
    const toy_ctx *t = ctx;
    toy_copy_batch(b, t->n_symbols, t->offset, r);
    return 0;
}

static const char TRAIN_USAGE[] =
    "usage: posbench train [options]\n"
    "Trains a model on the copy-at-offset toy task (at every position t >= offset, output the\n"
    "symbol seen `offset` positions earlier) and reports held-out accuracy.\n"
    "  --encoding NAME        nope | rope | pope | tapa            (rope)\n"
    "  --encoding-options S   e.g. 'base=10000,delta_init=zero'    (defaults)\n"
    "  --symbols N            distinct symbols                     (16)\n"
    "  --offset K             copy distance                        (3)\n"
    "  --seq-len T            training sequence length             (32)\n"
    "  --eval-len T[,T...]    evaluation lengths, comma-separated  (= seq-len)\n"
    "  --batch B              sequences per step                   (32)\n"
    "  --d-model C --layers L --heads H                            (64, 2, 4)\n"
    "  --norm rms|layer                                            (rms)\n"
    "  --steps N --lr X --lr-min X --warmup N                      (500, 1e-3, 1e-4, 50)\n"
    "  --beta1 X --beta2 X --weight-decay X --clip X               (0.9, 0.99, 0.01, 1.0)\n"
    "  --seed S               model init and data seed             (1)\n"
    "  --threads N            OpenMP threads                       (all cores)\n"
    "  --save FILE            write a checkpoint when done\n";

static int cmd_train(int argc, char **argv) {
    model_config mc = {.vocab = 16, .d_model = 64, .n_layers = 2, .n_heads = 4, .norm = NORM_RMS};
    train_config tc = {.steps = 500, .batch_size = 32, .seq_len = 32, .clip = 1.0f,
                       .opt = {1e-3f, 0.9f, 0.99f, 1e-8f, 0.01f}, .log_every = 50,
                       .n_threads = omp_get_max_threads()};
    tc.schedule = (lr_schedule){1e-3f, 1e-4f, 50, 500};
    const char *encoding = "rope", *enc_opts = NULL, *save = NULL;
    int offset = 3, eval_lens[8], n_eval = 0, seed = 1, lr_min_set = 0;
    static const struct option opts[] = {
        {"encoding", 1, 0, 'e'}, {"encoding-options", 1, 0, 'o'}, {"symbols", 1, 0, 'v'},
        {"offset", 1, 0, 'k'},   {"seq-len", 1, 0, 'T'},          {"eval-len", 1, 0, 'E'},
        {"batch", 1, 0, 'B'},    {"d-model", 1, 0, 'C'},          {"layers", 1, 0, 'L'},
        {"heads", 1, 0, 'H'},    {"norm", 1, 0, 'n'},             {"steps", 1, 0, 's'},
        {"lr", 1, 0, 'l'},       {"lr-min", 1, 0, 'm'},           {"warmup", 1, 0, 'w'},
        {"beta1", 1, 0, '1'},    {"beta2", 1, 0, '2'},            {"weight-decay", 1, 0, 'd'},
        {"clip", 1, 0, 'c'},     {"seed", 1, 0, 'S'},             {"threads", 1, 0, 'j'},
        {"save", 1, 0, 'O'},     {"help", 0, 0, 'h'},             {0, 0, 0, 0}};
    int c, bad = 0;
    optind = 1;
    opterr = 0;  // our own one-line message below, naming the command
    while (!bad && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'e': encoding = optarg; break;
        case 'o': enc_opts = optarg; break;
        case 'v': bad = parse_int("symbols", optarg, 2, 1 << 20, &mc.vocab); break;
        case 'k': bad = parse_int("offset", optarg, 0, 1 << 20, &offset); break;
        case 'T': bad = parse_int("seq-len", optarg, 1, 1 << 20, &tc.seq_len); break;
        case 'E':
            n_eval = 0;
            for (char *tok = strtok(optarg, ","); tok && !bad; tok = strtok(NULL, ",")) {
                if (n_eval == 8) bad = error("--eval-len takes at most 8 lengths") != 0;
                else bad = parse_int("eval-len", tok, 1, 1 << 20, &eval_lens[n_eval++]);
            }
            break;
        case 'B': bad = parse_int("batch", optarg, 1, 1 << 16, &tc.batch_size); break;
        case 'C': bad = parse_int("d-model", optarg, 1, 1 << 16, &mc.d_model); break;
        case 'L': bad = parse_int("layers", optarg, 1, 1024, &mc.n_layers); break;
        case 'H': bad = parse_int("heads", optarg, 1, 1024, &mc.n_heads); break;
        case 'n':
            if (!strcmp(optarg, "rms")) mc.norm = NORM_RMS;
            else if (!strcmp(optarg, "layer")) mc.norm = NORM_LAYER;
            else bad = error("--norm expects 'rms' or 'layer'") != 0;
            break;
        case 's': bad = parse_int("steps", optarg, 1, 1 << 30, &tc.steps); break;
        case 'l': bad = parse_float("lr", optarg, 0, 10, &tc.opt.lr); break;
        case 'm': bad = parse_float("lr-min", optarg, 0, 10, &tc.schedule.lr_min); lr_min_set = 1; break;
        case 'w': bad = parse_int("warmup", optarg, 0, 1 << 30, &tc.schedule.warmup_steps); break;
        case '1': bad = parse_float("beta1", optarg, 0, 0.999999, &tc.opt.beta1); break;
        case '2': bad = parse_float("beta2", optarg, 0, 0.999999, &tc.opt.beta2); break;
        case 'd': bad = parse_float("weight-decay", optarg, 0, 10, &tc.opt.weight_decay); break;
        case 'c': bad = parse_float("clip", optarg, 0, 1e9, &tc.clip); break;
        case 'S': bad = parse_int("seed", optarg, 0, 2147483647, &seed); break;
        case 'j': bad = parse_int("threads", optarg, 1, 1024, &tc.n_threads); break;
        case 'O': save = optarg; break;
        case 'h': fputs(TRAIN_USAGE, stdout); return 0;
        default:
            fprintf(stderr, "posbench: train: unknown or incomplete option '%s' (see --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (bad) return 2;
    if (optind < argc) {
        fprintf(stderr, "posbench: train: unexpected argument '%s' (see --help)\n", argv[optind]);
        return 2;
    }
    if (offset >= tc.seq_len) {
        fprintf(stderr, "posbench: --offset %d leaves no target in a sequence of %d\n", offset,
                tc.seq_len);
        return 2;
    }
    if (!lr_min_set) tc.schedule.lr_min = tc.opt.lr / 10;
    tc.schedule.lr_max = tc.opt.lr;
    tc.schedule.total_steps = tc.steps;
    tc.data_seed = (uint64_t)seed * 2 + 1;
    omp_set_num_threads(tc.n_threads);
    char err[512];
    model *m = model_create(&mc, encoding, enc_opts, err, sizeof err);
    if (!m) return error(err);
    model_init(m, (uint64_t)seed);
    char canon[256];
    pe_format_options(&m->pe, canon, sizeof canon);
    printf("model: %s(%s), d_model %d, %d layers, %d heads, %zu parameters\n", m->pe.ops->name,
           canon, mc.d_model, mc.n_layers, mc.n_heads, m->n_params);
    toy_ctx task = {mc.vocab, offset};
    train_result tr;
    if (train(m, &tc, toy_next, &task, NULL, NULL, stdout, &tr, err, sizeof err) != 0) {
        model_free(m);
        return error(err);
    }
    int status = 0;
    if (tr.diverged_at >= 0) {
        fprintf(stderr, "posbench: training diverged at step %d\n", tr.diverged_at);
        status = 1;
    } else {
        if (n_eval == 0) eval_lens[n_eval++] = tc.seq_len;
        for (int i = 0; i < n_eval; i++) {
            eval_result er;
            if (evaluate(m, 64, eval_lens[i], 8, toy_next, &task, 0xe7a1, tc.n_threads, &er, err,
                         sizeof err)) {
                model_free(m);
                return error(err);
            }
            printf("eval at length %4d: loss %.4f  accuracy %6.2f%% (%ld positions)\n",
                   eval_lens[i], er.loss, 100 * er.accuracy, er.n_scored);
        }
        printf("training: %.0f tokens/s\n", tr.tokens_per_s);
    }
    if (save && checkpoint_save(m, save, err, sizeof err) != 0) status = error(err);
    else if (save) printf("saved %s\n", save);
    model_free(m);
    return status;
}

static const char EVAL_USAGE[] =
    "usage: posbench eval CHECKPOINT TOKENS\n"
    "Mean next-token cross-entropy (nats) of a checkpoint on a token file: one sequence per\n"
    "line, token ids separated by spaces; every token after the first is predicted.\n";

static int cmd_eval(int argc, char **argv) {
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(EVAL_USAGE, stdout);
        return 0;
    }
    if (argc != 3) {
        fputs(EVAL_USAGE, stderr);
        return 2;
    }
    char err[512];
    model *m = checkpoint_load(argv[1], err, sizeof err);
    if (!m) return error(err);
    double loss;
    long n;
    int rc = token_file_loss(m, argv[2], omp_get_max_threads(), &loss, &n, err, sizeof err);
    model_free(m);
    if (rc) return error(err);
    printf("mean loss %.6f over %ld tokens\n", loss, n);
    return 0;
}

static int cmd_list(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "tasks")) return list_tasks(stdout);
    if (argc != 2 || strcmp(argv[1], "encodings")) {
        fputs("usage: posbench list encodings|tasks\n", argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
        return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
    }
    for (int i = 0; pe_registry[i]; i++) {
        const pe_ops *e = pe_registry[i];
        printf("%-10s %s\n", e->name, e->summary);
        for (int o = 0; o < e->n_options; o++) {
            const pe_option_spec *s = &e->options[o];
            char def[40];
            options_default_text(s, def, sizeof def);
            if (s->choices)
                printf("           %s: %s (default %s) - %s\n", s->name, s->choices, def, s->help);
            else
                printf("           %s = %g - %s\n", s->name, s->default_value, s->help);
        }
    }
    return 0;
}

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"train", cmd_train, "train a model on the copy-at-offset toy task"},
    {"eval", cmd_eval, "mean loss of a checkpoint on a token file"},
    {"gen", cmd_gen, "generate a task's dataset file"},
    {"show", cmd_show, "print a dataset file's header and examples"},
    {"list", cmd_list, "list encodings or tasks and their options"},
};

static void usage(FILE *out) {
    fputs("usage: posbench COMMAND [options]   (posbench COMMAND --help for its options)\n",
          out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "posbench: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
