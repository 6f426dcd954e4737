// The generic encoding checks (pe_check.h). Logits are composed as the attention core
// composes the hooks (encoding.h): q/k transform, then the score hook or q'.k'/sqrt(D), then
// the bias; the checked loss is sum over the pairs attention reads (j <= i, or every j in a
// bidirectional model) of w_ij s_ij with fixed random weights w.
#include "encodings/pe_check.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "encodings/encoding.h"
#include "harness/base/errors.h"
#include "harness/base/rng.h"

#define N_LAYERS 2
#define N_HEADS 2
#define NEAR_T 7
#define LONG_T 640   // 10x a training length of 64
#define FD_H 1e-2
#define FD_FLOOR 3e-2
#define SHIFT_TOL 1e-4  // relative to the largest logit: float angles of shifted positions
#define SUM_TOL 1e-6    // a float sum's rounding, relative to its terms, with margin
#define PAIR_TOL 1e-5   // one logit computed in two float orders

static const float near_pos[8] = {3, 4, 7, 8, 12, 13, 20, 21};
static const float far_pos[8] = {0, 1, 4096, 10000, 20000, 30000, 40959, 40960};

void pe_check_fill(float *x, size_t n, unsigned seed) {
    unsigned s = seed * 2654435761u + 12345u;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (float)((s >> 8) * (2.0 / 16777216.0) - 1.0);
    }
}

float *pe_check_params(const pe *e, unsigned seed) {
    float *p = calloc(pe_n_params(e) + 1, sizeof(float));
    if (p && e->ops->init) {
        rng r;
        rng_seed(&r, seed);
        e->ops->init(e, p, &r);
    }
    return p;
}

// ---- The fixture ---------------------------------------------------------------------------

int pe_check_head_create(pe_check_head *h, const pe *e, float *params, int T, int layer,
                         int head, unsigned seed) {
    const int D = e->shape.head_dim, W = pe_qk_width(e);
    const size_t TT = (size_t)T * T, TD = (size_t)T * D, TW = (size_t)T * W;
    const size_t sc = pe_scratch_floats(e, T);
    *h = (pe_check_head){.e = e, .T = T, .D = D, .W = W, .layer = layer, .head = head,
                         .np = pe_n_params(e), .params = params};
    h->mem = calloc(T + 2 * TD + 3 * TT + 4 * TW + sc + 1, sizeof(float));
    if (!h->mem) return -1;
    float *p = h->mem;
    h->pos = p, p += T;
    h->q = p, p += TD;
    h->k = p, p += TD;
    h->w = p, p += TT;
    h->s = p, p += TT;
    h->ds = p, p += TT;
    h->qo = p, p += TW;
    h->ko = p, p += TW;
    h->dqo = p, p += TW;
    h->dko = p, p += TW;
    h->scratch = p;
    pe_check_fill(h->q, TD, seed);
    pe_check_fill(h->k, TD, seed + 100);
    pe_check_fill(h->w, TT, seed + 200);
    for (int t = 0; t < T; t++) h->pos[t] = T <= 8 ? near_pos[t] : (float)t;
    return 0;
}

void pe_check_head_free(pe_check_head *h) {
    free(h->mem);
    h->mem = NULL;
}

static void dot_product_logits(pe_check_head *h) {
    const int T = h->T, W = h->W;
    for (int i = 0; i < T; i++)
        for (int j = 0; j < pe_keys_end(h->e, i, T); j++) {
            double acc = 0.0;
            for (int c = 0; c < W; c++)
                acc += (double)h->qo[(size_t)i * W + c] * h->ko[(size_t)j * W + c];
            h->s[(size_t)i * T + j] = (float)(acc / sqrt((double)h->D));
        }
}

void pe_check_logits(pe_check_head *h) {
    const pe_ops *o = h->e->ops;
    const int T = h->T;
    if (o->qk_forward) {
        o->qk_forward(h->e, h->params, h->layer, h->head, h->pos, T, h->q, h->k, h->qo, h->ko,
                      h->scratch);
    } else {
        memcpy(h->qo, h->q, sizeof(float) * T * h->D);
        memcpy(h->ko, h->k, sizeof(float) * T * h->D);
    }
    if (o->score_forward)
        o->score_forward(h->e, h->params, h->layer, h->head, h->pos, T, h->W, h->qo, h->ko,
                         h->s, h->scratch);
    else
        dot_product_logits(h);
    if (o->bias_forward && !h->no_bias)
        o->bias_forward(h->e, h->params, h->layer, h->head, h->pos, T, h->s, h->scratch);
}

static double head_loss(void *ctx) {
    pe_check_head *h = ctx;
    pe_check_logits(h);
    double l = 0.0;
    for (int i = 0; i < h->T; i++)
        for (int j = 0; j < pe_keys_end(h->e, i, h->T); j++)
            l += (double)h->w[(size_t)i * h->T + j] * h->s[(size_t)i * h->T + j];
    return l;
}

static void dot_product_backward(pe_check_head *h) {
    const int T = h->T, W = h->W;
    const float sc = 1.0f / sqrtf((float)h->D);
    for (int i = 0; i < T; i++)
        for (int j = 0; j < pe_keys_end(h->e, i, T); j++) {
            const float g = h->ds[(size_t)i * T + j] * sc;
            for (int c = 0; c < W; c++) {
                h->dqo[(size_t)i * W + c] += g * h->ko[(size_t)j * W + c];
                h->dko[(size_t)j * W + c] += g * h->qo[(size_t)i * W + c];
            }
        }
}

void pe_check_backward(pe_check_head *h, float *dq, float *dk, float *dparams) {
    const pe_ops *o = h->e->ops;
    const int T = h->T, W = h->W;
    pe_check_logits(h);
    memset(h->ds, 0, sizeof(float) * T * T);
    memset(h->dqo, 0, sizeof(float) * T * W);
    memset(h->dko, 0, sizeof(float) * T * W);
    for (int i = 0; i < T; i++)
        for (int j = 0; j < pe_keys_end(h->e, i, T); j++)
            h->ds[(size_t)i * T + j] = h->w[(size_t)i * T + j];
    if (o->bias_backward)
        o->bias_backward(h->e, h->params, dparams, h->layer, h->head, h->pos, T, h->ds,
                         h->scratch);
    if (o->score_backward)
        o->score_backward(h->e, h->params, dparams, h->layer, h->head, h->pos, T, W, h->qo,
                          h->ko, h->ds, h->dqo, h->dko, h->scratch);
    else
        dot_product_backward(h);
    if (o->qk_backward) {
        o->qk_backward(h->e, h->params, dparams, h->layer, h->head, h->pos, T, h->q, h->k,
                       h->dqo, h->dko, dq, dk, h->scratch);
    } else {
        for (size_t i = 0; i < (size_t)T * h->D; i++) dq[i] += h->dqo[i], dk[i] += h->dko[i];
    }
}

// ---- Finite differences --------------------------------------------------------------------

typedef double (*loss_fn)(void *ctx);

typedef struct fd_result {
    double worst, analytic, numeric;
    size_t at;
} fd_result;

// Central difference with the step actually representable in float around x.
static double central(loss_fn f, void *ctx, float *x, double step) {
    const float saved = *x;
    *x = (float)(saved + step);
    const double up = (double)*x - saved, hi = f(ctx);
    *x = (float)(saved - step);
    const double down = saved - (double)*x, lo = f(ctx);
    *x = saved;
    return (hi - lo) / (up + down);
}

// Every component while the differences stay cheap (4 loss evaluations each, each touching
// about `cost` floats, 1e8 floats in all); beyond that 400 components at a stride, so that a
// wide head or a large table still checks in seconds.
static size_t fd_stride(size_t n, size_t cost) {
    size_t budget = (size_t)(1e8 / (4.0 * (double)(cost ? cost : 1)));
    if (budget < 400) budget = 400;
    return n > budget ? n / budget + 1 : 1;
}

// Worst error of grad against Richardson-extrapolated central differences (error O(h^4)),
// relative above FD_FLOOR and absolute below.
static fd_result fd_compare(loss_fn f, void *ctx, float *x, const float *grad, size_t n,
                            size_t cost) {
    fd_result r = {0};
    const size_t stride = fd_stride(n, cost);
    for (size_t i = 0; i < n; i += stride) {
        const double fd = (4.0 * central(f, ctx, x + i, FD_H / 2) - central(f, ctx, x + i, FD_H)) / 3.0;
        const double g = grad[i], e = fabs(g - fd) / fmax(fabs(g) + fabs(fd), FD_FLOOR);
        if (!(e <= r.worst)) r = (fd_result){e, g, fd, i};  // also catches NaN
    }
    return r;
}

// ---- The report ----------------------------------------------------------------------------

static pe_check_item *add(pe_check_report *r, const char *name, int status, double worst,
                          double tol, const char *fmt, ...) {
    if (r->n == PE_CHECK_MAX_ITEMS) return NULL;
    pe_check_item *it = &r->items[r->n++];
    snprintf(it->name, sizeof it->name, "%s", name);
    it->status = status;
    it->worst = worst;
    it->tol = tol;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->detail, sizeof it->detail, fmt, ap);
    va_end(ap);
    r->n_failed += status == PE_CHECK_FAIL;
    return it;
}

static void add_fd(pe_check_report *r, const char *name, fd_result f, const char *where) {
    const int ok = f.worst < PE_CHECK_GRAD_TOL;
    add(r, name, ok ? PE_CHECK_PASS : PE_CHECK_FAIL, f.worst, PE_CHECK_GRAD_TOL,
        "%s: analytic %.6e numeric %.6e at %zu", where, f.analytic, f.numeric, f.at);
}

// Largest |a - 2 b| relative to 1 + |b|: a backward called twice against once.
static double twice_error(const float *a, const float *b, size_t n) {
    double worst = 0;
    for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs(a[i] - 2 * b[i]) / (1 + fabs(b[i])));
    return worst;
}

static int all_finite(const float *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

// ---- The contract and the options ----------------------------------------------------------

static int has_attention_hooks(const pe_ops *o) {
    return o->qk_forward || o->score_forward || o->bias_forward;
}

static int n_choices(const char *choices) {
    int n = 1;
    for (const char *p = choices; *p; p++) n += *p == '|';
    return n;
}

// What pe_validate_ops leaves out: an enumerated option holds a word index, so its range is
// [0, words - 1] and its default a whole number.
static int check_choices(const pe_ops *o, char *why, size_t len) {
    for (int i = 0; i < o->n_options; i++) {
        const pe_option_spec *s = &o->options[i];
        if (s->choices && (s->min != 0 || s->max != n_choices(s->choices) - 1 ||
                           s->default_value != floor(s->default_value))) {
            snprintf(why, len, "option '%s': choices '%s' need the range [0, %d] and a whole "
                     "default", s->name, s->choices, n_choices(s->choices) - 1);
            return -1;
        }
    }
    return 0;
}

static void check_contract(pe_check_report *r, const pe *e) {
    char why[200] = "";
    int bad = pe_validate_ops(e->ops, why, sizeof why) != 0 ||
              check_choices(e->ops, why, sizeof why) != 0;
    if (!bad && !e->ops->qk_forward && pe_qk_width(e) != e->shape.head_dim) {
        bad = 1;
        snprintf(why, sizeof why, "qk_width %d != head_dim %d without a q/k transform",
                 pe_qk_width(e), e->shape.head_dim);
    }
    add(r, "contract", bad ? PE_CHECK_FAIL : PE_CHECK_PASS, 0, 0, "%s",
        bad ? why : "hooks paired, options valid");
}

// Formats e's options and reads them back: 0 when every value survives, else -1 with why.
static int round_trip(const pe *e, char *why, size_t len) {
    char text[512];
    pe back;
    pe_format_options(e, text, sizeof text);
    if (pe_configure(&back, e->ops->name, text, &e->shape, why, len) != 0) return -1;
    for (int i = 0; i < e->ops->n_options; i++)
        if (back.opt[i] != e->opt[i]) {
            snprintf(why, len, "'%.120s' reads back %s = %.17g, not %.17g", text,
                     e->ops->options[i].name, back.opt[i], e->opt[i]);
            return -1;
        }
    snprintf(why, len, "'%.150s' reads back", text);
    return 0;
}

// Appends "name=value" for a value of s other than its default: a third of the range (two
// thirds where that is the default), or the last choice (the first where that is the default).
static void append_other_value(const pe_option_spec *s, char *text, size_t len) {
    const size_t n = strlen(text);
    const char *sep = n ? "," : "";
    if (!s->choices) {
        double v = s->min + (s->max - s->min) / 3;
        if (v == s->default_value) v = s->min + 2 * (s->max - s->min) / 3;
        snprintf(text + n, len - n, "%s%s=%.17g", sep, s->name, v);
        return;
    }
    const char *last = strrchr(s->choices, '|');
    if (last && s->default_value == n_choices(s->choices) - 1)
        snprintf(text + n, len - n, "%s%s=%.*s", sep, s->name,
                 (int)strcspn(s->choices, "|"), s->choices);
    else
        snprintf(text + n, len - n, "%s%s=%s", sep, s->name, last ? last + 1 : s->choices);
}

// The configured options round trip, and so does a non-default value of every option: the
// canonical form leaves quiet options out only at their defaults.
static void check_options(pe_check_report *r, const pe *e) {
    char why[256], text[512] = "";
    int bad = round_trip(e, why, sizeof why) != 0;
    add(r, "options round trip", bad ? PE_CHECK_FAIL : PE_CHECK_PASS, 0, 0, "%s", why);
    if (e->ops->n_options == 0) return;
    for (int i = 0; i < e->ops->n_options; i++)
        append_other_value(&e->ops->options[i], text, sizeof text);
    pe other;
    if (pe_configure(&other, e->ops->name, text, &e->shape, why, sizeof why) != 0) {
        add(r, "non-default options round trip", PE_CHECK_SKIP, 0, 0, "refused here: %s", why);
        return;
    }
    bad = round_trip(&other, why, sizeof why) != 0;
    add(r, "non-default options round trip", bad ? PE_CHECK_FAIL : PE_CHECK_PASS, 0, 0, "%s",
        why);
}

// ---- Gradients -----------------------------------------------------------------------------

// Floats of one gradient buffer of h, laid out dq | dk | dparams.
static size_t grad_floats(const pe_check_head *h) { return 2 * (size_t)h->T * h->D + h->np; }

// A head and `copies` zeroed gradient buffers for it: 0, or -1 when memory runs out.
static int head_with_grads(pe_check_head *h, const pe *e, float *params, int T, int layer,
                           int head, unsigned seed, int copies, float **g) {
    if (pe_check_head_create(h, e, params, T, layer, head, seed) != 0) return -1;
    *g = calloc(copies * grad_floats(h) + 1, sizeof(float));
    if (*g) return 0;
    pe_check_head_free(h);
    return -1;
}

static void head_with_grads_free(pe_check_head *h, float *g) {
    free(g);
    pe_check_head_free(h);
}

static void backward_into(pe_check_head *h, float *g) {
    const size_t TD = (size_t)h->T * h->D;
    pe_check_backward(h, g, g + TD, g + 2 * TD);
}

// The finite differences of one head against its analytic gradients: dq, dk, dparams.
static int head_fd(const pe *e, float *params, int layer, int head, unsigned seed,
                   fd_result f[3]) {
    pe_check_head h;
    float *g;
    if (head_with_grads(&h, e, params, NEAR_T, layer, head, seed, 1, &g) != 0) return -1;
    const size_t TD = (size_t)h.T * h.D, cost = (size_t)h.T * (h.T + 4) * h.W;
    backward_into(&h, g);
    // The bias hook sees neither q nor k (encoding.h), so it is left out of their finite
    // differences (check_bias_adds covers it): a bias of ~10 would otherwise add float
    // rounding of ~1e-6 per logit, which the difference quotient turns into errors near the
    // tolerance.
    h.no_bias = 1;
    f[0] = fd_compare(head_loss, &h, h.q, g, TD, cost);
    f[1] = fd_compare(head_loss, &h, h.k, g + TD, TD, cost);
    h.no_bias = 0;
    f[2] = fd_compare(head_loss, &h, params, g + 2 * TD, h.np, cost);
    head_with_grads_free(&h, g);
    return 0;
}

// Gradients of the attention-level hooks with respect to q, k and the parameters, at the
// first, the last and an asymmetric (layer, head) slice, so that a slice indexed wrongly
// (another slice, or layer and head swapped) shows up.
static int check_attention_gradients(pe_check_report *r, const pe *e, float *params) {
    if (!has_attention_hooks(e->ops)) {
        add(r, "gradients q/k/params", PE_CHECK_SKIP, 0, 0, "no attention-level hook");
        return 0;
    }
    fd_result worst[3] = {{0}};
    char where[3][32] = {"", "", ""};
    static const int slices[3][2] = {{0, 0}, {N_LAYERS - 1, 0}, {N_LAYERS - 1, N_HEADS - 1}};
    for (int s = 0; s < 3; s++) {
        fd_result f[3];
        if (head_fd(e, params, slices[s][0], slices[s][1], 7 + 4 * s, f) != 0) return -1;
        for (int a = 0; a < 3; a++)
            if (s == 0 || !(f[a].worst <= worst[a].worst)) {
                worst[a] = f[a];
                snprintf(where[a], sizeof where[a], "L%d H%d", slices[s][0], slices[s][1]);
            }
    }
    add_fd(r, "gradient dq", worst[0], where[0]);
    add_fd(r, "gradient dk", worst[1], where[1]);
    if (pe_n_params(e)) add_fd(r, "gradient dparams (attention)", worst[2], where[2]);
    return 0;
}

// The bias hook must add to the logits it is given: bias(s) = s + bias(0) up to the rounding
// of one float sum. The q/k finite differences leave the bias out, so a hook that overwrote
// or scaled the logits would pass there.
static int check_bias_adds(pe_check_report *r, const pe *e, float *params) {
    if (!e->ops->bias_forward) return 0;
    pe_check_head h;
    if (pe_check_head_create(&h, e, params, NEAR_T, N_LAYERS - 1, 0, 17) != 0) return -1;
    const int T = h.T;
    memcpy(h.s, h.w, sizeof(float) * T * T);  // random logits
    memset(h.ds, 0, sizeof(float) * T * T);
    e->ops->bias_forward(e, params, h.layer, h.head, h.pos, T, h.s, h.scratch);
    e->ops->bias_forward(e, params, h.layer, h.head, h.pos, T, h.ds, h.scratch);  // bias alone
    double worst = 0;
    for (int i = 0; i < T; i++)
        for (int j = 0; j < pe_keys_end(e, i, T); j++) {
            const size_t o = (size_t)i * T + j;
            const double terms = fabs(h.w[o]) + fabs(h.ds[o]);
            const double err = fabs(h.s[o] - ((double)h.w[o] + h.ds[o])) / fmax(terms, 1e-30);
            if (!(err <= worst)) worst = err;  // also catches NaN
        }
    add(r, "bias adds to logits", worst < SUM_TOL ? PE_CHECK_PASS : PE_CHECK_FAIL, worst,
        SUM_TOL, "L%d H%d: bias(s) - s against bias(0), relative", h.layer, h.head);
    pe_check_head_free(&h);
    return 0;
}

// The input hook: x (B, T, C) = 0 plus the signal, loss = sum w * x.
typedef struct embed_ctx {
    const pe *e;
    float *params, *pos, *x, *w;
    int B, T;
} embed_ctx;

static double embed_loss(void *ctx) {
    embed_ctx *c = ctx;
    const size_t n = (size_t)c->B * c->T * c->e->shape.d_model;
    memset(c->x, 0, n * sizeof(float));
    c->e->ops->embed_forward(c->e, c->params, c->pos, c->B, c->T, c->x);
    double l = 0.0;
    for (size_t i = 0; i < n; i++) l += (double)c->w[i] * c->x[i];
    return l;
}

// Gradient of the input hook's parameters over a batch of two sequences, and accumulation.
static int check_embed(pe_check_report *r, const pe *e, float *params) {
    if (!e->ops->embed_forward) {
        add(r, "gradient dparams (embed)", PE_CHECK_SKIP, 0, 0, "no input hook");
        return 0;
    }
    const int B = 2, T = 8;
    const size_t n = (size_t)B * T * e->shape.d_model, np = pe_n_params(e);
    float *mem = calloc(B * T + 2 * n + 2 * np + 2, sizeof(float));
    if (!mem) return -1;
    embed_ctx c = {e, params, mem, mem + B * T, mem + B * T + n, B, T};
    float *g1 = c.w + n, *g2 = g1 + np + 1;
    for (int t = 0; t < T; t++) c.pos[t] = near_pos[t], c.pos[T + t] = 100.0f + t;
    pe_check_fill(c.w, n, 9);
    e->ops->embed_backward(e, params, g1, c.pos, B, T, c.w);
    if (np)
        add_fd(r, "gradient dparams (embed)", fd_compare(embed_loss, &c, params, g1, np, n),
               "B2 T8");
    else
        add(r, "gradient dparams (embed)", PE_CHECK_SKIP, 0, 0, "no parameters");
    e->ops->embed_backward(e, params, g2, c.pos, B, T, c.w);
    e->ops->embed_backward(e, params, g2, c.pos, B, T, c.w);
    const double worst = twice_error(g2, g1, np);
    add(r, "embed backward accumulates", worst < 1e-6 ? PE_CHECK_PASS : PE_CHECK_FAIL, worst,
        1e-6, "2 calls vs 2x one call");
    free(mem);
    return 0;
}

static int check_accumulates(pe_check_report *r, const pe *e, float *params) {
    if (!has_attention_hooks(e->ops)) return 0;
    pe_check_head h;
    float *g1;
    if (head_with_grads(&h, e, params, NEAR_T, N_LAYERS - 1, N_HEADS - 1, 3, 2, &g1) != 0)
        return -1;
    const size_t n = grad_floats(&h);
    float *g2 = g1 + n;
    backward_into(&h, g1);
    backward_into(&h, g2);
    backward_into(&h, g2);
    const double worst = twice_error(g2, g1, n);
    add(r, "backward accumulates", worst < 1e-6 ? PE_CHECK_PASS : PE_CHECK_FAIL, worst, 1e-6,
        "dq, dk, dparams: 2 calls vs 2x one call");
    head_with_grads_free(&h, g1);
    return 0;
}

// ---- Invariances ---------------------------------------------------------------------------

// Largest |difference| of the logits attention reads in two runs, relative to the largest.
static double logit_change(pe_check_head *h, void (*move)(float *pos, int T)) {
    const size_t TT = (size_t)h->T * h->T;
    float *s0 = malloc(TT * sizeof(float));
    if (!s0) return INFINITY;
    pe_check_logits(h);
    memcpy(s0, h->s, TT * sizeof(float));
    double scale = 1e-3, diff = 0;
    move(h->pos, h->T);
    pe_check_logits(h);
    for (int i = 0; i < h->T; i++)
        for (int j = 0; j < pe_keys_end(h->e, i, h->T); j++) {
            const size_t o = (size_t)i * h->T + j;
            scale = fmax(scale, fabs(s0[o]));
            diff = fmax(diff, isfinite(h->s[o]) ? fabs(h->s[o] - s0[o]) : INFINITY);
        }
    free(s0);
    return diff / scale;
}

static void shift_by_1000(float *pos, int T) {
    for (int t = 0; t < T; t++) pos[t] += 1000.0f;
}

static void reverse(float *pos, int T) {
    for (int t = 0; t < T / 2; t++) {
        const float x = pos[t];
        pos[t] = pos[T - 1 - t], pos[T - 1 - t] = x;
    }
}

// A declared invariance, on the logits of one head. Shifted positions change float angles,
// hence a tolerance; an encoding free of positions must give the same logits bit for bit.
static int check_invariances(pe_check_report *r, const pe *e, float *params) {
    const unsigned inv = e->ops->invariances;
    struct { unsigned flag; const char *name, *what; void (*move)(float *, int); double tol; }
    list[] = {
        {PE_SHIFT_INVARIANT, "shift invariance", "all positions + 1000", shift_by_1000, SHIFT_TOL},
        {PE_POSITION_FREE, "position free", "positions reversed", reverse, 0},
    };
    for (int k = 0; k < 2; k++) {
        if (!(inv & list[k].flag) || e->ops->embed_forward) {
            add(r, list[k].name, PE_CHECK_SKIP, 0, 0,
                inv & list[k].flag ? "declared, but an input hook is not checked here"
                                   : "not declared");
            continue;
        }
        pe_check_head h;
        if (pe_check_head_create(&h, e, params, NEAR_T, N_LAYERS - 1, N_HEADS - 1, 31) != 0)
            return -1;
        const double d = logit_change(&h, list[k].move), tol = list[k].tol;
        const int ok = tol > 0 ? d < tol : d == 0;
        if (tol > 0)
            add(r, list[k].name, ok ? PE_CHECK_PASS : PE_CHECK_FAIL, d, tol,
                "logits with %s, relative to the largest", list[k].what);
        else
            add(r, list[k].name, ok ? PE_CHECK_PASS : PE_CHECK_FAIL, 0, 0,
                ok ? "logits with %s: the same bit for bit"
                   : "logits with %s: changed by %.2e of the largest", list[k].what, d);
        pe_check_head_free(&h);
    }
    return 0;
}

// ---- Long positions ------------------------------------------------------------------------

// Logits and gradients of one head at 640 positions (pass 0) or at 8 far ones (pass 1):
// 1 when all finite, 0 when not, -1 when memory runs out.
static int head_finite(const pe *e, float *params, int pass) {
    pe_check_head h;
    float *g;
    if (head_with_grads(&h, e, params, pass ? 8 : LONG_T, N_LAYERS - 1, 0, 21, 1, &g) != 0)
        return -1;
    if (pass) memcpy(h.pos, far_pos, sizeof far_pos);
    backward_into(&h, g);
    int ok = all_finite(g, grad_floats(&h));
    for (int i = 0; ok && i < h.T; i++)
        ok = all_finite(h.s + (size_t)i * h.T, (size_t)pe_keys_end(e, i, h.T));
    head_with_grads_free(&h, g);
    return ok;
}

// The input hook's signal and gradient at 640 positions, the first 8 of them far.
static int embed_finite(const pe *e, float *params) {
    const int T = LONG_T;
    const size_t n = (size_t)T * e->shape.d_model;
    float *mem = calloc(T + 2 * n + pe_n_params(e) + 1, sizeof(float));
    if (!mem) return -1;
    float *pos = mem, *x = mem + T, *w = x + n, *g = w + n;
    for (int t = 0; t < T; t++) pos[t] = t < 8 ? far_pos[t] : (float)t;
    pe_check_fill(w, n, 5);
    e->ops->embed_forward(e, params, pos, 1, T, x);
    e->ops->embed_backward(e, params, g, pos, 1, T, w);
    const int ok = all_finite(x, n) && all_finite(g, pe_n_params(e));
    free(mem);
    return ok;
}

// 10x a training length of 64 (positions 0..639), and 8 positions up to 40960: logits and
// gradients must stay finite (no error, no Inf/NaN).
static int check_long(pe_check_report *r, const pe *e, float *params) {
    const int limit = e->ops->max_positions ? e->ops->max_positions(e) : 0;
    if (limit > 0 && limit < LONG_T) {
        char why[256];
        const int refused = pe_check_length(e, LONG_T, why, sizeof why) != 0 &&
                            pe_check_length(e, limit, why, sizeof why) == 0;
        add(r, "max_positions enforced", refused ? PE_CHECK_PASS : PE_CHECK_FAIL, 0, 0,
            "%d positions refused, %d accepted", LONG_T, limit);
    }
    static const char *const why[3] = {"non-finite logits or gradients at 640 positions",
                                       "non-finite logits or gradients at positions up to 40960",
                                       "non-finite input signal or gradient"};
    int bad = -1;  // the first pass that is not finite
    for (int pass = 0; pass < 3 && bad < 0; pass++) {
        int ok = 1;
        if (pass < 2 && has_attention_hooks(e->ops)) ok = head_finite(e, params, pass);
        if (pass == 2 && e->ops->embed_forward) ok = embed_finite(e, params);
        if (ok < 0) return -1;
        if (!ok) bad = pass;
    }
    if (bad < 0)
        add(r, "long positions finite", PE_CHECK_PASS, 0, 0,
            "640 positions and positions up to 40960");
    else
        add(r, "long positions finite", PE_CHECK_FAIL, 0, 0, "%s", why[bad]);
    return 0;
}

// ---- The run -------------------------------------------------------------------------------

// In a bidirectional model, the logit of a key after its query must be what the causal form
// gives that pair with the key placed first (positions are data: a two-row head [key j,
// query i] asks for logit(q_i at pos[i], k_j at pos[j])), and the logits of earlier keys the
// causal ones, unless the encoding declares a form of its own for later keys
// (PE_DIRECTIONAL). Run at near positions and at consecutive ones (tables keyed by i - j).
// A hook that forgets the keys after the query fails here.
static int check_later_keys(pe_check_report *r, const pe *causal, const pe *both,
                            float *params) {
    if (causal->ops->invariances & PE_DIRECTIONAL) {
        add(r, "later keys: causal form of the pair", PE_CHECK_SKIP, 0, 0,
            "declared: keys after the query have a form of their own");
        return 0;
    }
    pe_check_head hc, hb, pair;
    const int T = NEAR_T;
    if (pe_check_head_create(&hc, causal, params, T, N_LAYERS - 1, N_HEADS - 1, 9) != 0)
        return -1;
    if (pe_check_head_create(&hb, both, params, T, N_LAYERS - 1, N_HEADS - 1, 9) != 0) {
        pe_check_head_free(&hc);
        return -1;
    }
    if (pe_check_head_create(&pair, causal, params, 2, N_LAYERS - 1, N_HEADS - 1, 9) != 0) {
        pe_check_head_free(&hc), pe_check_head_free(&hb);
        return -1;
    }
    const int D = hb.D;
    double worst = 0;
    int wi = 0, wj = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            for (int t = 0; t < T; t++) hc.pos[t] = hb.pos[t] = (float)t;
        pe_check_logits(&hc);
        pe_check_logits(&hb);
        for (int i = 0; i < T; i++)
            for (int j = 0; j < T; j++) {
                float want = hc.s[i * T + j];
                if (j > i) {
                    memcpy(pair.q, hb.q + j * D, D * sizeof(float));
                    memcpy(pair.k, hb.k + j * D, D * sizeof(float));
                    memcpy(pair.q + D, hb.q + i * D, D * sizeof(float));
                    memcpy(pair.k + D, hb.k + i * D, D * sizeof(float));
                    pair.pos[0] = hb.pos[j], pair.pos[1] = hb.pos[i];
                    pe_check_logits(&pair);
                    want = pair.s[1 * 2 + 0];
                }
                const double err = fabs((double)hb.s[i * T + j] - want) / (1.0 + fabs(want));
                if (!(err <= worst)) worst = err, wi = i, wj = j;  // also catches NaN
            }
    }
    add(r, "later keys: causal form of the pair", worst < PAIR_TOL ? PE_CHECK_PASS : PE_CHECK_FAIL,
        worst, PAIR_TOL, "worst at (%d, %d), relative to 1 + |logit|", wi, wj);
    pe_check_head_free(&hc), pe_check_head_free(&hb), pe_check_head_free(&pair);
    return 0;
}

// The checks of the attention-level hooks again in a bidirectional model, where they also
// fill keys after their query: each item named with " (bidirectional)".
static int check_bidirectional(pe_check_report *r, const pe *causal, float *params) {
    if (!has_attention_hooks(causal->ops)) return 0;
    pe e = *causal;
    e.shape.bidirectional = 1;
    char why[256];
    if (pe_qk_width(&e) < 1 || pe_check_length(&e, 1, why, sizeof why) != 0) {
        add(r, "bidirectional", PE_CHECK_SKIP, 0, 0, "these options have no bidirectional form");
        return 0;
    }
    const int first = r->n;
    int rc = check_later_keys(r, causal, &e, params);
    if (!rc) rc = check_attention_gradients(r, &e, params);
    if (!rc) rc = check_bias_adds(r, &e, params);
    if (!rc) rc = check_accumulates(r, &e, params);
    if (!rc) rc = check_invariances(r, &e, params);
    if (!rc) rc = check_long(r, &e, params);
    for (int i = first; i < r->n; i++) {
        const size_t n = strlen(r->items[i].name);
        snprintf(r->items[i].name + n, sizeof r->items[i].name - n, " (bidirectional)");
    }
    return rc;
}

int pe_check_run(pe_check_report *out, const char *name, const char *options, int head_dim,
                 char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    pe e;
    const pe_shape shape = {N_LAYERS, N_HEADS, head_dim, N_HEADS * head_dim, 0};
    if (pe_configure(&e, name, options, &shape, err, errlen) != 0) return -1;
    snprintf(out->encoding, sizeof out->encoding, "%s", name);
    pe_format_options(&e, out->options, sizeof out->options);
    // Seed 4 keeps PoPE's uniform deltas at least 0.04 from the kinks of its clamp (0 and
    // -2 pi) for head_dim up to 64: a difference quotient (step 1e-2) straddling a kink
    // averages the slopes of both sides and fails a correct gradient.
    float *params = pe_check_params(&e, 4);
    if (!params) return set_error(err, errlen, "check-encoding: out of memory");
    check_contract(out, &e);
    check_options(out, &e);
    int rc = check_attention_gradients(out, &e, params);
    if (!rc) rc = check_bias_adds(out, &e, params);
    if (!rc) rc = check_embed(out, &e, params);
    if (!rc) rc = check_accumulates(out, &e, params);
    if (!rc) rc = check_invariances(out, &e, params);
    if (!rc) rc = check_long(out, &e, params);
    if (!rc) rc = check_bidirectional(out, &e, params);
    free(params);
    if (rc) return set_error(err, errlen, "check-encoding: out of memory");
    return 0;
}

const pe_check_item *pe_check_find(const pe_check_report *r, const char *name) {
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->items[i].name, name)) return &r->items[i];
    return NULL;
}

void pe_check_print(FILE *f, const pe_check_report *r) {
    static const char *const status[] = {"pass", "FAIL", "skip"};
    fprintf(f, "encoding %s(%s)\n", r->encoding, r->options);
    fprintf(f, "  %-52s %-6s %-9s %-9s %s\n", "check", "result", "worst", "limit", "detail");
    for (int i = 0; i < r->n; i++) {
        const pe_check_item *it = &r->items[i];
        char worst[16] = "-", tol[16] = "-";
        if (it->tol > 0) {
            snprintf(worst, sizeof worst, "%.2e", it->worst);
            snprintf(tol, sizeof tol, "%.1e", it->tol);
        }
        fprintf(f, "  %-52s %-6s %-9s %-9s %s\n", it->name, status[it->status], worst, tol,
                it->detail);
    }
    if (r->n_failed)
        fprintf(f, "%d of %d checks failed\n", r->n_failed, r->n);
    else
        fprintf(f, "all %d checks passed\n", r->n);
}
