// make bench: training throughput (forward + backward + AdamW) per model shape and encoding.
// Prints tokens/s (median of several timed runs), model GFLOP/s, the fraction of the
// machine's measured FMA peak, and peak resident memory. Each configuration runs in its own
// child process so that its peak memory is its own.
#include <immintrin.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>

#include "harness/base/rng.h"
#include "harness/model/layers.h"
#include "harness/model/model.h"
#include "harness/train/train.h"

// scored: positions per sequence that carry a target (0: all of them). The head runs on the
// scored rows only, so at the main job's shape it costs 8 rows per sequence, not T.
typedef struct shape {
    int d_model, n_layers, n_heads, T, B, vocab, scored;
} shape;

static const shape SHAPES[] = {
    {64, 2, 4, 65, 32, 65, 8},  // the main job (experiments/indirect_indexing.yaml)
    {128, 2, 4, 128, 32, 256, 0},
    {256, 4, 8, 256, 16, 256, 0},
};

static int scored_per_row(const shape *s) { return s->scored > 0 ? s->scored : s->T; }

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#if defined(__AVX512F__)
#define PEAK_LANES 16
#else
#define PEAK_LANES 8
#endif

// FMA throughput of all cores: independent accumulators hide the FMA latency.
static double measure_peak_gflops(void) {
    double best = 0;
    for (int rep = 0; rep < 3; rep++) {
        const long iters = 20000000;
        double t0 = now();
        float sink = 0;
#pragma omp parallel reduction(+ : sink)
        {
#if defined(__AVX512F__)
            __m512 acc[12], x = _mm512_set1_ps(1.0000001f), y = _mm512_set1_ps(0.9999999f);
            for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps((float)i);
            for (long it = 0; it < iters; it++)
                for (int i = 0; i < 12; i++) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
            for (int i = 0; i < 12; i++) sink += _mm512_reduce_add_ps(acc[i]);
#else
            __m256 acc[12], x = _mm256_set1_ps(1.0000001f), y = _mm256_set1_ps(0.9999999f);
            for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps((float)i);
            for (long it = 0; it < iters; it++)
                for (int i = 0; i < 12; i++) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
            float tmp[8];
            for (int i = 0; i < 12; i++) {
                _mm256_storeu_ps(tmp, acc[i]);
                for (int j = 0; j < 8; j++) sink += tmp[j];
            }
#endif
        }
        double dt = now() - t0;
        double gflops = 2.0 * PEAK_LANES * 12 * iters * omp_get_max_threads() / dt / 1e9;
        if (sink == 12345.0f) puts("");  // keeps the loop alive
        if (gflops > best) best = gflops;
    }
    return best;
}

// Model FLOPs per trained token (PaLM, appendix B): 6 per matmul weight (forward 2, backward
// 4) plus 12 L T C for attention scores and weighted values; embeddings and norms excluded.
// Counted as computed: the head's weights, and the last layer's past its attention
// (projection and MLP, 9 C^2), for the scored fraction of the tokens only, the rows they
// run on (model_forward).
static double flops_per_token(const shape *s) {
    double C = s->d_model, L = s->n_layers, scored = (double)scored_per_row(s) / s->T;
    double matmul_weights = (L - 1) * 12 * C * C + 3 * C * C + 9 * C * C * scored +
                            (double)s->vocab * C * scored;
    return 6 * matmul_weights + 12 * L * s->T * C;
}

typedef struct lm_ctx {
    int vocab, scored;
} lm_ctx;

// Random tokens and targets; `scored` positions per row carry a target, spread evenly and
// ending at the last position (0: every position).
static int lm_batch(batch *b, void *ctx, rng *r) {
    const lm_ctx *c = ctx;
    const int every = c->scored > 0 ? b->T / c->scored : 1;
    for (int i = 0; i < b->B * b->T; i++) {
        const int from_end = b->T - 1 - i % b->T;
        b->tokens[i] = (int32_t)rng_below(r, (uint32_t)c->vocab);
        b->targets[i] = (int32_t)rng_below(r, (uint32_t)c->vocab);
        b->mask[i] = c->scored <= 0 || (from_end % every == 0 && from_end / every < c->scored);
    }
    return 0;
}

// The shape's model with the encoding, initialised (NULL after printing why).
static model *bench_model(const shape *s, const char *encoding) {
    model_config cfg = {s->vocab, s->d_model, s->n_layers, s->n_heads, NORM_RMS, 0};
    char err[256];
    model *m = model_create(&cfg, encoding, NULL, err, sizeof err);
    if (!m)
        fprintf(stderr, "bench: %s\n", err);
    else
        model_init(m, 1, MODEL_INIT_STD);
    return m;
}

// Waits for a child; returns 1 if it failed.
static int child_failed(pid_t pid) {
    int status;
    waitpid(pid, &status, 0);
    return !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}

// Evaluation at a long length (memory bounded at T = 4096): forward only, no
// per-layer attention cache, so memory grows with T x T once per thread, not per layer and
// head. Prints tokens/s, peak RSS and what a kept (L, H, T, T) probability cache would add.
static int bench_eval(const shape *s, const char *encoding, int T) {
    char err[256];
    model *m = bench_model(s, encoding);
    if (!m) return 1;
    lm_ctx ctx = {s->vocab, s->scored};
    int n_batches = 2;
    eval_result res;
    double t0 = now();
    if (evaluate(m, 1, T, n_batches, lm_batch, &ctx, 1, omp_get_max_threads(), &res, err,
                 sizeof err) != 0) {
        fprintf(stderr, "bench: %s\n", err);
        model_free(m);
        return 1;
    }
    double tps = (double)n_batches * T / (now() - t0);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cache_mib = (double)s->n_layers * s->n_heads * T * T * sizeof(float) / (1 << 20);
    printf("evaluate d=%-3d L=%d H=%d T=%d B=1  %-6s %9.0f tok/s, peak RSS %.0f MiB (a kept "
           "L x H x T x T cache alone: %.0f MiB)\n",
           s->d_model, s->n_layers, s->n_heads, T, encoding, tps, ru.ru_maxrss / 1024.0,
           cache_mib);
    fflush(stdout);
    model_free(m);
    return 0;
}

// The ceiling the linear layers alone put on tokens/s: one step's projection, MLP and head
// products (forward, input and weight gradients, at the model's shapes, through
// harness/model/layers.c's matmul_forward and matmul_backward) timed on their own. Attention,
// norms, GELU and AdamW are left out, so no encoding can train faster than this with these
// kernels on this machine.
static double matmul_only_tokens_per_s(const shape *s) {
    const int N = s->B * s->T, C = s->d_model, N_head = s->B * scored_per_row(s);
    const int out[5] = {3 * C, C, 4 * C, C, s->vocab}, in[5] = {C, C, C, 4 * C, C};
    const int per_layer = 4;
    float *x = calloc((size_t)N * 4 * C, sizeof(float)), *y = calloc((size_t)N * 4 * C, sizeof(float));
    float *w = calloc((size_t)4 * C * C > (size_t)s->vocab * C ? (size_t)4 * C * C : (size_t)s->vocab * C,
                      sizeof(float));
    float *dw = calloc((size_t)4 * C * C + (size_t)s->vocab * C, sizeof(float));
    if (!x || !y || !w || !dw) {
        free(x), free(y), free(w), free(dw);
        return 0;
    }
    double best = 1e30;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        for (int l = 0; l < s->n_layers; l++)
            for (int k = 0; k <= per_layer; k++) {
                if (k == per_layer && l != s->n_layers - 1) continue;  // the head, once
                // The last layer past qkv runs on the scored rows only, as the head does.
                const int n = k > 0 && l == s->n_layers - 1 ? N_head : N;
                matmul_forward(y, x, w, n, in[k], out[k]);
                matmul_backward(x, dw, y, x, w, n, in[k], out[k]);
            }
        double dt = now() - t0;
        if (dt < best) best = dt;
    }
    free(x), free(y), free(w), free(dw);
    return N / best;
}

// Runs one configuration in this process; prints one table row.
static int bench_one(const shape *s, const char *encoding, double peak, int runs) {
    model *m = bench_model(s, encoding);
    if (!m) return 1;
    model_config cfg = m->cfg;
    train_config tc = {.steps = 1 << 30, .batch_size = s->B, .seq_len = s->T, .clip = 1.0f,
                       .opt = {.beta1 = 0.9f, .beta2 = 0.99f, .eps = 1e-8f,
                               .weight_decay = 0.01f},
                       .n_threads = omp_get_max_threads()};
    tc.schedule = (lr_schedule){1e-4f, 1e-5f, 10, 1 << 30};
    batch *b = batch_create(s->B, s->T);
    acts *a = acts_create(m, s->B, s->T, 1, tc.n_threads);
    rng r;
    rng_seed(&r, 1);
    lm_ctx ctx = {cfg.vocab, s->scored};
    lm_batch(b, &ctx, &r);
    // Enough steps per timed run that a small shape's run is not a few milliseconds long.
    const int steps = 3 > (1 << 14) / (s->B * s->T) ? 3 : (1 << 14) / (s->B * s->T);
    double tps[16] = {0};
    int step = 0;
    train_step(m, a, b, &tc, step++, NULL);  // warm-up: page in buffers, BLAS thread pool
    for (int k = 0; k < runs; k++) {
        double t0 = now();
        for (int i = 0; i < steps; i++) train_step(m, a, b, &tc, step++, NULL);
        tps[k] = (double)steps * s->B * s->T / (now() - t0);
    }
    qsort(tps, runs, sizeof tps[0], cmp_double);
    double med = tps[runs / 2];
    double gflops = med * flops_per_token(s) / 1e9;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    char scored[16] = "all";
    if (s->scored > 0) snprintf(scored, sizeof scored, "%d", s->scored);
    printf("d=%-3d L=%d H=%d T=%-3d B=%-2d S=%-3s  %-6s %9.0f %8.1f %6.1f%% %8.0f\n", s->d_model,
           s->n_layers, s->n_heads, s->T, s->B, scored, encoding, med, gflops,
           100 * gflops / peak, ru.ru_maxrss / 1024.0);
    fflush(stdout);
    batch_free(b);
    acts_free(a);
    model_free(m);
    return 0;
}

int main(int argc, char **argv) {
    int runs = 5;
    // Optional: one encoding ("all" for every one), then one shape (an index into SHAPES).
    const char *only = argc > 1 && strcmp(argv[1], "all") != 0 ? argv[1] : NULL;
    const int n_shapes = (int)(sizeof SHAPES / sizeof SHAPES[0]);
    const int one_shape = argc > 2 ? atoi(argv[2]) : -1;
    if (argc > 2 && (one_shape < 0 || one_shape >= n_shapes)) {
        fprintf(stderr, "bench: shape index %s is not in 0..%d\n", argv[2], n_shapes - 1);
        return 2;
    }
    // The peak is measured in a child too: libgomp's threads must not exist before fork().
    double peak = 0;
    int fd[2];
    if (pipe(fd) != 0) return 1;
    if (fork() == 0) {
        double p = measure_peak_gflops();
        if (write(fd[1], &p, sizeof p) != sizeof p) _exit(1);
        _exit(0);
    }
    if (read(fd[0], &peak, sizeof peak) != sizeof peak) return 1;
    wait(NULL);
    printf("posbench bench: %d threads, measured FMA peak %.1f GFLOP/s, OpenBLAS %s kernels; "
           "median of %d runs of max(3, 16384 / (B T)) steps; S = scored positions per "
           "sequence\n",
           omp_get_max_threads(), peak, openblas_get_corename(), runs);
    printf("%-40s %-6s %9s %8s %7s %8s\n", "shape", "pe", "tok/s", "GFLOP/s", "peak", "RSS MiB");
    fflush(stdout);  // children must not inherit (and print again) buffered output
    int failed = 0;
    for (int i = 0; i < n_shapes; i++)
        for (int e = 0; pe_registry[e] && (one_shape < 0 || i == one_shape); e++) {
            if (only && strcmp(only, pe_registry[e]->name)) continue;
            pid_t pid = fork();
            if (pid == 0) _exit(bench_one(&SHAPES[i], pe_registry[e]->name, peak, runs));
            failed |= child_failed(pid);
        }
    for (int i = 0; i < n_shapes; i++) {
        if (one_shape >= 0 && i != one_shape) continue;
        pid_t pid = fork();
        if (pid == 0) {
            const shape *sh = &SHAPES[i];
            double tps = matmul_only_tokens_per_s(sh);
            printf("matmuls alone d=%-3d L=%d T=%-3d B=%-2d S=%-3d: %.0f tok/s at most (%.1f "
                   "GFLOP/s of linear-layer work)\n",
                   sh->d_model, sh->n_layers, sh->T, sh->B, scored_per_row(sh), tps,
                   tps * (flops_per_token(sh) - 12.0 * sh->n_layers * sh->T * sh->d_model) / 1e9);
            fflush(stdout);
            _exit(tps > 0 ? 0 : 1);
        }
        failed |= child_failed(pid);
    }
    const shape *large = &SHAPES[n_shapes - 1];
    for (int e = 0; pe_registry[e] && (one_shape < 0 || one_shape == n_shapes - 1); e++) {
        if (only ? strcmp(only, pe_registry[e]->name) != 0 : e > 0) continue;  // one is enough
        pid_t pid = fork();
        if (pid == 0) _exit(bench_eval(large, pe_registry[e]->name, 4096));
        failed |= child_failed(pid);
    }
    return failed;
}
