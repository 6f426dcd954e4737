#include "harness/train/train.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "harness/base/errors.h"

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double train_step(model *m, acts *a, const batch *b, const train_config *tc, int step,
                  double *gnorm) {
    model_zero_grad(m);
    // The masks are a function of the seed and the step, so a resumed run draws the same.
    acts_set_dropout(a, tc->dropout, rng_mix(tc->data_seed ^ rng_mix((uint64_t)step)));
    double loss = model_forward(m, a, b, NULL, NULL);
    model_backward(m, a, b);
    double norm = clip_grad_norm(m->grads, m->n_params, tc->clip);
    if (gnorm) *gnorm = norm;
    if (!isfinite(loss) || !isfinite(norm)) return loss + norm;  // NaN or Inf: caller stops
    float lr = lr_at(&tc->schedule, step);
    for (int i = 0; i < m->n_tensors; i++) {
        const tensor_info *t = &m->tensors[i];
        adamw_update(m->params + t->offset, m->grads + t->offset, m->adam_m + t->offset,
                     m->adam_v + t->offset, t->size, &tc->opt, lr, step + 1, t->decay);
    }
    if (m->pe.ops->project) m->pe.ops->project(&m->pe, m->params + m->off_pe);
    return loss;
}

uint64_t train_data_seed(uint64_t model_seed) { return model_seed * 2 + 1; }

// Every parallel region and BLAS call of this process uses n threads from here on: a run
// asked to use one thread must not spin a second one that a parallel run needs.
static void use_threads(int n) {
    omp_set_num_threads(n);
    openblas_set_num_threads(n);
}

static void format_eta(char *buf, size_t len, double seconds) {
    int s = (int)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, len, "%dh%02dm", s / 3600, s / 60 % 60);
    else
        snprintf(buf, len, "%dm%02ds", s / 60, s % 60);
}

// The activations of (B, T) next to the model already in memory.
static int activations_fit(const model *m, int B, int T, int training, char *err,
                           size_t errlen) {
    char what[160];
    snprintf(what, sizeof what, "%s: activations for a batch of %d x %d tokens",
             training ? "train" : "evaluate", B, T);
    return memory_fits(acts_bytes(m, B, T, training) + 4 * m->n_params * sizeof(float), what,
                       err, errlen);
}

int train(model *m, const train_config *tc, batch_fn next, void *ctx, step_fn on_step,
          void *step_ctx, FILE *progress, train_result *out, char *err, size_t errlen) {
    const int B = tc->batch_size, T = tc->seq_len;
    if (pe_check_length(&m->pe, T, err, errlen) != 0) return -1;
    if (activations_fit(m, B, T, 1, err, errlen) != 0) return -1;
    use_threads(tc->n_threads);
    batch *b = batch_create(B, T);
    acts *a = acts_create(m, B, T, 1, tc->n_threads);
    if (!b || !a) {
        set_error(err, errlen, "train: cannot allocate activations for batch %d x %d", B, T);
        batch_free(b);
        acts_free(a);
        return -1;
    }
    rng r;
    rng_seed(&r, tc->data_seed);
    if (tc->first_step > 0 && tc->resume_data) r = *tc->resume_data;
    const int first = tc->first_step > 0 ? tc->first_step : 0;
    const int live = progress && isatty(fileno(progress));
    const double start = now_seconds();
    double interval_loss = 0.0, last_loss = NAN;
    int interval_n = 0;
    out->diverged_at = -1;
    out->stopped_at = -1;
    out->interrupted = 0;
    out->steps_done = first;
    int rc = 0;
    for (int step = first; step < tc->steps; step++) {
        if (next(b, ctx, &r) != 0) break;
        double gnorm;
        double loss = train_step(m, a, b, tc, step, &gnorm);
        out->steps_done = step + 1;
        if (!isfinite(loss)) {
            out->diverged_at = step;
            last_loss = loss;
            break;
        }
        interval_loss += loss;
        interval_n++;
        double elapsed = now_seconds() - start;
        double tps = (double)(step + 1 - first) * B * T / elapsed;
        int stop = on_step && on_step(step_ctx, step, loss, lr_at(&tc->schedule, step), gnorm, tps);
        if (stop) out->stopped_at = step;
        int last = step + 1 == tc->steps || stop;
        if ((tc->log_every > 0 && (step + 1) % tc->log_every == 0) || last) {
            last_loss = interval_loss / interval_n;
            interval_loss = 0.0;
            interval_n = 0;
            if (progress) {
                char eta[32];
                format_eta(eta, sizeof eta,
                           elapsed / (step + 1 - first) * (tc->steps - step - 1));
                fprintf(progress, "%sstep %6d/%d  loss %.4f  lr %.2e  %8.0f tok/s  ETA %s%s",
                        live ? "\r" : "", step + 1, tc->steps, last_loss,
                        lr_at(&tc->schedule, step), tps, eta, live && !last ? "" : "\n");
                fflush(progress);
            }
        }
        if (stop) break;
        if (tc->checkpoint_every > 0 && tc->checkpoint && (step + 1) % tc->checkpoint_every == 0 &&
            step + 1 < tc->steps && tc->checkpoint(step_ctx, step + 1, &r) != 0) {
            rc = -1;
            break;
        }
        if (tc->stop && *tc->stop) {
            out->interrupted = 1;
            if (progress) fprintf(progress, "%sinterrupted after step %d\n", live ? "\n" : "",
                                  step + 1);
            break;
        }
    }
    if (progress && out->diverged_at >= 0)
        fprintf(progress, "%sdiverged at step %d (loss %g)\n", live ? "\n" : "", out->diverged_at,
                last_loss);
    out->last_loss = last_loss;
    out->tokens_per_s = (out->steps_done - first) * (double)B * T / (now_seconds() - start);
    batch_free(b);
    acts_free(a);
    if (rc) set_error(err, errlen, "train: the checkpoint after step %d failed",
                      out->steps_done);
    return rc;
}

int evaluate_by_position(model *m, int B, int T, int n_batches, batch_fn next, void *ctx,
                         uint64_t seed, int n_threads, eval_result *out, double *loss_sum,
                         long *count, char *err, size_t errlen) {
    if (pe_check_length(&m->pe, T, err, errlen) != 0) return -1;
    if (activations_fit(m, B, T, 0, err, errlen) != 0) return -1;
    use_threads(n_threads);
    batch *b = batch_create(B, T);
    acts *a = acts_create(m, B, T, 0, n_threads);
    if (!b || !a) {
        set_error(err, errlen, "evaluate: cannot allocate activations for batch %d x %d", B, T);
        batch_free(b);
        acts_free(a);
        return -1;
    }
    rng r;
    rng_seed(&r, seed);
    double total = 0.0;
    long correct = 0, scored = 0;
    for (int i = 0; i < n_batches && next(b, ctx, &r) == 0; i++) {
        long c, n;
        double loss = model_forward(m, a, b, &c, &n);
        if (n == 0) continue;
        if (loss_sum) {
            const int32_t *rows;
            int M;
            const float *row_loss = acts_row_losses(a, &rows, &M);
            for (int k = 0; k < M; k++) {
                loss_sum[rows[k] % T] += row_loss[k];
                count[rows[k] % T]++;
            }
        }
        total += loss * n;
        correct += c;
        scored += n;
    }
    out->n_scored = scored;
    out->loss = scored ? total / scored : NAN;
    out->accuracy = scored ? (double)correct / scored : NAN;
    batch_free(b);
    acts_free(a);
    return 0;
}

int evaluate(model *m, int B, int T, int n_batches, batch_fn next, void *ctx, uint64_t seed,
             int n_threads, eval_result *out, char *err, size_t errlen) {
    return evaluate_by_position(m, B, T, n_batches, next, ctx, seed, n_threads, out, NULL, NULL,
                                err, errlen);
}
