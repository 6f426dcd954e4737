#include "harness/cli/cli_train.h"

#include <getopt.h>
#include <limits.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/atomic_file.h"
#include "harness/base/errors.h"
#include "harness/experiment/config.h"
#include "harness/experiment/run.h"
#include "harness/model/checkpoint.h"
#include "harness/model/model.h"
#include "harness/train/data_feed.h"
#include "harness/train/toy_task.h"
#include "harness/train/train.h"

// The defaults in brackets are the experiment file's (posbench config prints them all).
static void usage(void) {
#define D(path) config_default_number(path)
    printf(
        "usage: posbench train [--data FILE [--eval-data FILE,...]] [options]\n"
        "Trains a model and reports held-out loss and accuracy at the scored positions. With\n"
        "--data, on a dataset file (posbench gen); otherwise on the copy-at-offset toy task (at\n"
        "every position t >= offset, output the symbol seen `offset` positions earlier). The\n"
        "model and training options default to an experiment file's defaults and take the same\n"
        "values (posbench config lists them).\n"
        "  --data FILE            training sequences, drawn uniformly with replacement\n"
        "  --eval-data F[,F...]   evaluation files, every sequence once (up to 8)\n"
        "  --eval-every N         also evaluate on the first file every N steps (0: at the end)\n"
        "  --encoding NAME        see posbench list encodings          (rope)\n"
        "  --encoding-options S   e.g. 'base=10000,delta_init=zero'    (defaults)\n"
        "  --encoding-plugin F.so load an encoding from a shared object (posbench check-encoding\n"
        "                         --help); --encoding then defaults to the plugin's name\n"
        "  --batch B              sequences per step                   (%g)\n"
        "  --d-model C --layers L --heads H                            (%g, %g, %g)\n"
        "  --norm rms|layer                                            (rms)\n"
        "  --steps N --lr X --lr-min X --warmup N                      (%g, %g, %g, %g)\n"
        "  --beta1 X --beta2 X --weight-decay X --clip X               (%g, %g, %g, %g)\n"
        "  --seed S               model init and data seed             (1)\n"
        "  --threads N            OpenMP threads                       (%g)\n"
        "  --save FILE            write a checkpoint when done (checked writable first)\n"
        "toy task only:\n"
        "  --symbols N            distinct symbols                     (16)\n"
        "  --offset K             copy distance                        (3)\n"
        "  --seq-len T            training sequence length             (32)\n"
        "  --eval-len T[,T...]    evaluation lengths, comma-separated  (= seq-len)\n",
        D("training.batch"), D("model.d_model"), D("model.layers"), D("model.heads"),
        D("training.steps"), D("training.lr"), D("training.lr_min"), D("training.warmup"),
        D("training.beta1"), D("training.beta2"), D("training.weight_decay"),
        D("training.clip"), D("training.threads"));
#undef D
}

#define MAX_EVAL 8

typedef struct train_args {
    model_config mc;
    train_config tc;
    const char *encoding, *enc_opts, *save, *data;
    const pe_ops *plugin;  // the last --encoding-plugin, whose name --encoding defaults to
    const char *eval_files[MAX_EVAL];
    int n_eval_files;
    int offset, eval_lens[MAX_EVAL], n_eval_lens, seed, toy_flags, eval_every;
    int encoding_set;
    char eval_list[4096];  // --eval-data, split in place
} train_args;

// Prints "posbench: train: <message>" and returns 2, the usage-error exit status.
static int bad_arg(const char *fmt, const char *what) {
    fprintf(stderr, "posbench: train: ");
    fprintf(stderr, fmt, what);
    fputc('\n', stderr);
    return 2;
}

// Loads an --encoding-plugin at once, so that its encoding is known to every later check.
static int load_plugin(const char *path, train_args *a) {
    char err[512];
    if (!(a->plugin = pe_load_plugin(path, err, sizeof err))) {
        fprintf(stderr, "posbench: %s\n", err);
        return 1;
    }
    return 0;
}

// Strict number parsing: the whole argument must be a number within [lo, hi].
static int parse_int(const char *opt, const char *s, long lo, long hi, int *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "posbench: train: --%s expects an integer in [%ld, %ld], got '%s'\n", opt,
                lo, hi, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

// --OPT's value as the experiment key path takes it: the same type, the same range and the
// same message as in an experiment file.
static int parse_key(const char *opt, const char *path, const char *s, double *out) {
    char msg[256];
    if (config_parse_number(path, s, out, msg, sizeof msg) == 0) return 0;
    fprintf(stderr, "posbench: train: --%s: %s\n", opt, msg);
    return -1;
}

static int parse_key_int(const char *opt, const char *path, const char *s, int *out) {
    double v;
    if (parse_key(opt, path, s, &v) != 0) return -1;
    *out = (int)v;
    return 0;
}

static int parse_key_float(const char *opt, const char *path, const char *s, float *out) {
    double v;
    if (parse_key(opt, path, s, &v) != 0) return -1;
    *out = (float)v;
    return 0;
}

// Returns 0 to train, 1 after --help, 2 on a usage error (message printed).
static int parse_args(int argc, char **argv, train_args *a) {
    // The experiment defaults (harness/experiment/config_schema.c), so that a model trained
    // here is the one an experiment file with the same few keys trains.
#define D(path) config_default_number(path)
    *a = (train_args){.mc = {.vocab = 16, .d_model = (int)D("model.d_model"),
                             .n_layers = (int)D("model.layers"), .n_heads = (int)D("model.heads")},
                      .tc = {.steps = (int)D("training.steps"),
                             .batch_size = (int)D("training.batch"), .seq_len = 32,
                             .clip = (float)D("training.clip"),
                             .opt = {.beta1 = (float)D("training.beta1"),
                                     .beta2 = (float)D("training.beta2"), .eps = 1e-8f,
                                     .weight_decay = (float)D("training.weight_decay")},
                             .log_every = 50, .n_threads = (int)D("training.threads")},
                      .encoding = "rope", .offset = 3, .seed = 1};
    a->tc.schedule = (lr_schedule){(float)D("training.lr"), (float)D("training.lr_min"),
                                   (int)D("training.warmup"), a->tc.steps};
#undef D
    static const struct option opts[] = {
        {"encoding", 1, 0, 'e'}, {"encoding-options", 1, 0, 'o'}, {"symbols", 1, 0, 'v'},
        {"offset", 1, 0, 'k'},   {"seq-len", 1, 0, 'T'},          {"eval-len", 1, 0, 'E'},
        {"batch", 1, 0, 'B'},    {"d-model", 1, 0, 'C'},          {"layers", 1, 0, 'L'},
        {"heads", 1, 0, 'H'},    {"norm", 1, 0, 'n'},             {"steps", 1, 0, 's'},
        {"lr", 1, 0, 'l'},       {"lr-min", 1, 0, 'm'},           {"warmup", 1, 0, 'w'},
        {"beta1", 1, 0, '1'},    {"beta2", 1, 0, '2'},            {"weight-decay", 1, 0, 'd'},
        {"clip", 1, 0, 'c'},     {"seed", 1, 0, 'S'},             {"threads", 1, 0, 'j'},
        {"save", 1, 0, 'O'},     {"data", 1, 0, 'D'},             {"eval-data", 1, 0, 'V'},
        {"eval-every", 1, 0, 'N'}, {"encoding-plugin", 1, 0, 'P'}, {"help", 0, 0, 'h'},
        {0, 0, 0, 0}};
    int c, bad = 0;
    optind = 1;
    opterr = 0;  // our own one-line message below, naming the command
    while (!bad && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'e': a->encoding = optarg, a->encoding_set = 1; break;
        case 'P': bad = load_plugin(optarg, a); break;
        case 'o': a->enc_opts = optarg; break;
        case 'v': bad = parse_int("symbols", optarg, 2, 1 << 16, &a->mc.vocab), a->toy_flags++; break;
        case 'k': bad = parse_int("offset", optarg, 0, 1 << 20, &a->offset), a->toy_flags++; break;
        case 'T': bad = parse_int("seq-len", optarg, 1, 1 << 20, &a->tc.seq_len), a->toy_flags++; break;
        case 'E':
            a->toy_flags++;
            a->n_eval_lens = 0;
            for (char *tok = strtok(optarg, ","); tok && !bad; tok = strtok(NULL, ",")) {
                if (a->n_eval_lens == MAX_EVAL) bad = bad_arg("--eval-len takes at most %s lengths", "8");
                else bad = parse_int("eval-len", tok, 1, 1 << 20, &a->eval_lens[a->n_eval_lens++]);
            }
            break;
        case 'B': bad = parse_key_int("batch", "training.batch", optarg, &a->tc.batch_size); break;
        case 'C': bad = parse_key_int("d-model", "model.d_model", optarg, &a->mc.d_model); break;
        case 'L': bad = parse_key_int("layers", "model.layers", optarg, &a->mc.n_layers); break;
        case 'H': bad = parse_key_int("heads", "model.heads", optarg, &a->mc.n_heads); break;
        case 'n':
            if (!strcmp(optarg, "rms")) a->mc.norm = NORM_RMS;
            else if (!strcmp(optarg, "layer")) a->mc.norm = NORM_LAYER;
            else bad = bad_arg("--norm expects 'rms' or 'layer', got '%s'", optarg);
            break;
        case 's': bad = parse_key_int("steps", "training.steps", optarg, &a->tc.steps); break;
        case 'l': bad = parse_key_float("lr", "training.lr", optarg, &a->tc.schedule.lr_max); break;
        case 'm':
            bad = parse_key_float("lr-min", "training.lr_min", optarg, &a->tc.schedule.lr_min);
            break;
        case 'w':
            bad = parse_key_int("warmup", "training.warmup", optarg, &a->tc.schedule.warmup_steps);
            break;
        case '1': bad = parse_key_float("beta1", "training.beta1", optarg, &a->tc.opt.beta1); break;
        case '2': bad = parse_key_float("beta2", "training.beta2", optarg, &a->tc.opt.beta2); break;
        case 'd':
            bad = parse_key_float("weight-decay", "training.weight_decay", optarg,
                                  &a->tc.opt.weight_decay);
            break;
        case 'c': bad = parse_key_float("clip", "training.clip", optarg, &a->tc.clip); break;
        case 'S': bad = parse_int("seed", optarg, 0, INT_MAX, &a->seed); break;
        case 'j': bad = parse_key_int("threads", "training.threads", optarg, &a->tc.n_threads); break;
        case 'O': a->save = optarg; break;
        case 'D': a->data = optarg; break;
        case 'V':
            snprintf(a->eval_list, sizeof a->eval_list, "%s", optarg);
            a->n_eval_files = 0;
            for (char *tok = strtok(a->eval_list, ","); tok && !bad; tok = strtok(NULL, ",")) {
                if (a->n_eval_files == MAX_EVAL) bad = bad_arg("--eval-data takes at most %s files", "8");
                else a->eval_files[a->n_eval_files++] = tok;
            }
            break;
        case 'N': bad = parse_int("eval-every", optarg, 0, INT_MAX, &a->eval_every); break;
        case 'h': usage(); return 1;
        default: return bad_arg("unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (bad) return 2;
    if (optind < argc) return bad_arg("unexpected argument '%s' (see --help)", argv[optind]);
    if (a->data && a->toy_flags)
        return bad_arg("%s", "--symbols, --offset, --seq-len and --eval-len are for the toy task; "
                             "a dataset file fixes them");
    if (!a->data && a->n_eval_files) return bad_arg("%s", "--eval-data needs --data");
    if (a->eval_every && !a->n_eval_files) return bad_arg("%s", "--eval-every needs --eval-data");
    if (!a->data && a->offset >= a->tc.seq_len) {
        fprintf(stderr, "posbench: train: --offset %d leaves no target in a sequence of %d\n",
                a->offset, a->tc.seq_len);
        return 2;
    }
    if (a->plugin && !a->encoding_set) a->encoding = a->plugin->name;  // --encoding wins
    if (a->tc.schedule.lr_min > a->tc.schedule.lr_max) {  // as an experiment file refuses it
        fprintf(stderr, "posbench: train: --lr-min %g is greater than --lr %g\n",
                a->tc.schedule.lr_min, a->tc.schedule.lr_max);
        return 2;
    }
    a->tc.schedule.total_steps = a->tc.steps;
    a->tc.data_seed = train_data_seed((uint64_t)a->seed);
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

static void print_eval(const char *what, const eval_result *er) {
    printf("eval %s: loss %.4f  accuracy %6.2f%% (%ld positions)\n", what, er->loss,
           100 * er->accuracy, er->n_scored);
}

// Held-out evaluation after training: the toy task at each length, or each eval file.
static int evaluate_all(model *m, const train_args *a, dataset *const *evals, char *err,
                        size_t errlen) {
    const int threads = a->tc.n_threads;
    if (!a->data) {
        toy_ctx toy = {a->mc.vocab, a->offset};
        int n = a->n_eval_lens ? a->n_eval_lens : 1;
        for (int i = 0; i < n; i++) {
            const int T = a->n_eval_lens ? a->eval_lens[i] : a->tc.seq_len;
            eval_result er;
            if (evaluate(m, RUN_EVAL_BATCH, T, 8, toy_next, &toy, 0xe7a1, threads, &er, err,
                         errlen) != 0)
                return -1;
            char what[32];
            snprintf(what, sizeof what, "at length %4d", T);
            print_eval(what, &er);
        }
        return 0;
    }
    for (int i = 0; i < a->n_eval_files; i++) {
        data_feed feed = {.data = evals[i]};
        eval_result er;
        if (evaluate(m, RUN_EVAL_BATCH, data_feed_width(evals[i]), INT_MAX,
                     data_feed_sequential, &feed, 0, threads, &er, err, errlen) != 0)
            return -1;
        print_eval(a->eval_files[i], &er);
    }
    return 0;
}

// Evaluation during training, on the first evaluation file (train.h's step callback).
typedef struct periodic_eval {
    model *m;
    dataset *data;
    int every, threads;
} periodic_eval;

static int eval_during_training(void *ctx, int step, double loss, float lr, double gnorm,
                                double tokens_per_s) {
    periodic_eval *p = ctx;
    if ((step + 1) % p->every != 0) return 0;
    data_feed feed = {.data = p->data};
    eval_result er;
    char err[256];
    if (evaluate(p->m, RUN_EVAL_BATCH, data_feed_width(p->data), INT_MAX, data_feed_sequential,
                 &feed, 0, p->threads, &er, err, sizeof err) == 0)
        printf("step %d: eval loss %.4f  accuracy %6.2f%%\n", step + 1, er.loss,
               100 * er.accuracy);
    return 0;
}

// Loads the training file and every evaluation file before any training, so that a missing
// or mismatched file fails in a second, not after the run.
static int load_data(const train_args *a, dataset **train_set, dataset **evals, char *err,
                     size_t errlen) {
    if (!(*train_set = dataset_load(a->data, err, errlen))) return -1;
    for (int i = 0; i < a->n_eval_files; i++) {
        if (!(evals[i] = dataset_load(a->eval_files[i], err, errlen))) return -1;
        if (evals[i]->vocab_size != (*train_set)->vocab_size)
            return set_error(err, errlen, "%s: vocabulary of %d tokens, %s has %d",
                             a->eval_files[i], evals[i]->vocab_size, a->data,
                             (*train_set)->vocab_size);
    }
    return 0;
}

// What the command line asks for, checked before any data is read or model built: the model
// shape, the encoding with its options, and the toy task's lengths against the positions the
// encoding serves. 0, or -1 with the message: a usage error.
static int check_request(const train_args *a, char *err, size_t errlen) {
    // A checkpoint that cannot be written is found now, not after the training it would keep.
    atomic_file probe;
    char why[512];
    if (a->save && atomic_file_open(&probe, a->save, why, sizeof why) != 0)
        return set_error(err, errlen, "train: --save %s cannot be written (%s)", a->save, why);
    if (a->save) atomic_file_abandon(&probe);
    pe encoding;
    if (model_check(&a->mc, a->encoding, a->enc_opts, &encoding, err, errlen) != 0) return -1;
    if (a->data) return 0;  // a dataset file fixes the lengths
    if (pe_check_length(&encoding, a->tc.seq_len, err, errlen) != 0) return -1;
    for (int i = 0; i < a->n_eval_lens; i++)
        if (pe_check_length(&encoding, a->eval_lens[i], err, errlen) != 0) return -1;
    return 0;
}

// Trains m, evaluates it and saves it (--save): 0, 1 after a divergence (reported; the model
// is still saved), or -1 with the message in err.
static int train_and_report(model *m, const train_args *a, dataset *train_set,
                            dataset *const *evals, char *err, size_t errlen) {
    data_feed feed = {.data = train_set};
    toy_ctx toy = {a->mc.vocab, a->offset};
    periodic_eval periodic = {m, evals[0], a->eval_every, a->tc.n_threads};
    step_fn on_step = a->eval_every ? eval_during_training : NULL;
    train_result tr;
    if ((train_set ? train(m, &a->tc, data_feed_random, &feed, on_step, &periodic, stdout, &tr,
                           err, errlen)
                   : train(m, &a->tc, toy_next, &toy, NULL, NULL, stdout, &tr, err, errlen)) != 0)
        return -1;
    int status = 0;
    if (tr.interrupted) {  // Ctrl-C: keep what was trained (--save), skip the evaluation
        fprintf(stderr, "posbench: train: interrupted after step %d%s\n", tr.steps_done,
                a->save ? "; saving the model as it is" : " (--save would have kept the model)");
        status = 130;
    } else if (tr.diverged_at >= 0) {
        fprintf(stderr, "posbench: train: diverged at step %d\n", tr.diverged_at);
        status = 1;
    } else {
        printf("training: %.0f tokens/s\n", tr.tokens_per_s);
        if (evaluate_all(m, a, evals, err, errlen) != 0) return -1;
    }
    if (a->save) {
        if (checkpoint_save(m, a->save, err, errlen) != 0) return -1;
        printf("saved %s\n", a->save);
    }
    return status;
}

// Set by SIGINT/SIGTERM: training stops after its current step.
static volatile sig_atomic_t train_stop;

static void on_train_signal(int sig) { train_stop = sig; }

// Exit status (harness/cli/main.c): 2 when the command line cannot work (parse_args,
// check_request), 1 when the data, the machine or the training fail it, 130 when stopped
// by Ctrl-C (the model is still saved with --save).
int cmd_train(int argc, char **argv) {
    train_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc) return rc == 1 ? 0 : rc;
    char err[512];
    if (check_request(&a, err, sizeof err) != 0) {
        fprintf(stderr, "posbench: %s\n", err);
        return 2;
    }
    omp_set_num_threads(a.tc.n_threads);
    // Ctrl-C (or SIGTERM) ends training after the current step; --save still writes.
    struct sigaction sa = {.sa_handler = on_train_signal}, old_int, old_term;
    train_stop = 0;
    a.tc.stop = &train_stop;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    dataset *train_set = NULL, *evals[MAX_EVAL] = {0};
    model *m = NULL;
    int status = -1;
    if (a.data) {
        if (load_data(&a, &train_set, evals, err, sizeof err) != 0) goto done;
        a.mc.vocab = train_set->vocab_size;
        a.tc.seq_len = data_feed_width(train_set);
        printf("data: %s, %zu sequences of task %s(%s), batch width %d\n", a.data,
               train_set->n_seqs, train_set->task, train_set->options, a.tc.seq_len);
    }
    if (!(m = model_create(&a.mc, a.encoding, a.enc_opts, err, sizeof err))) goto done;
    model_init(m, (uint64_t)a.seed, MODEL_INIT_STD);
    char canon[256];
    pe_format_options(&m->pe, canon, sizeof canon);
    printf("model: %s(%s), d_model %d, %d layers, %d heads, %zu parameters\n", m->pe.ops->name,
           canon, a.mc.d_model, a.mc.n_layers, a.mc.n_heads, m->n_params);
    status = train_and_report(m, &a, train_set, evals, err, sizeof err);
done:
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    model_free(m);
    dataset_free(train_set);
    for (int i = 0; i < MAX_EVAL; i++) dataset_free(evals[i]);
    if (status >= 0) return status;
    fprintf(stderr, "posbench: %s\n", err);
    return 1;
}
