// The generic encoding checks (pe_check.h). Logits are composed as the attention core
// composes the hooks (encoding.h): q/k transform, then the score hook or q'.k'/sqrt(D), then
// the bias; the checked loss is sum_{j <= i} w_ij s_ij with fixed random weights w.
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
#define MAX_FD 400   // finite-difference components per tensor; strided beyond
#define FD_H 1e-2
#define FD_FLOOR 3e-2
#define SHIFT_TOL 1e-4  // relative to the largest logit: float angles of shifted positions

static const float near_pos[8] = {3, 4, 7, 8, 12, 13, 20, 21};
static const float far_pos[8] = {0, 1, 4096, 10000, 20000, 30000, 40959, 40960};

void pe_check_fill(float *x, size_t n, unsigned seed) {
    unsigned s = seed * 2654435761u + 12345u;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (float)((s >> 8) * (2.0 / 16777216.0) - 1.0);
    }
}

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

void pe_check_logits(pe_check_head *h) {
    const pe_ops *o = h->e->ops;
    const int T = h->T, D = h->D, W = h->W;
    if (o->qk_forward) {
        o->qk_forward(h->e, h->params, h->layer, h->head, h->pos, T, h->q, h->k, h->qo, h->ko,
                      h->scratch);
    } else {
        memcpy(h->qo, h->q, sizeof(float) * T * D);
        memcpy(h->ko, h->k, sizeof(float) * T * D);
    }
    if (o->score_forward) {
        o->score_forward(h->e, h->params, h->layer, h->head, h->pos, T, W, h->qo, h->ko, h->s,
                         h->scratch);
    } else {
        for (int i = 0; i < T; i++)
            for (int j = 0; j <= i; j++) {
                double acc = 0.0;
                for (int c = 0; c < W; c++)
                    acc += (double)h->qo[(size_t)i * W + c] * h->ko[(size_t)j * W + c];
                h->s[(size_t)i * T + j] = (float)(acc / sqrt((double)D));
            }
    }
    if (o->bias_forward && !h->no_bias)
        o->bias_forward(h->e, h->params, h->layer, h->head, h->pos, T, h->s, h->scratch);
}

static double head_loss(void *ctx) {
    pe_check_head *h = ctx;
    pe_check_logits(h);
    double l = 0.0;
    for (int i = 0; i < h->T; i++)
        for (int j = 0; j <= i; j++) l += (double)h->w[(size_t)i * h->T + j] * h->s[(size_t)i * h->T + j];
    return l;
}

void pe_check_backward(pe_check_head *h, float *dq, float *dk, float *dp) {
    const pe_ops *o = h->e->ops;
    const int T = h->T, D = h->D, W = h->W;
    pe_check_logits(h);
    memset(h->ds, 0, sizeof(float) * T * T);
    memset(h->dqo, 0, sizeof(float) * T * W);
    memset(h->dko, 0, sizeof(float) * T * W);
    for (int i = 0; i < T; i++)
        for (int j = 0; j <= i; j++) h->ds[(size_t)i * T + j] = h->w[(size_t)i * T + j];
    if (o->bias_backward)
        o->bias_backward(h->e, h->params, dp, h->layer, h->head, h->pos, T, h->ds, h->scratch);
    if (o->score_backward) {
        o->score_backward(h->e, h->params, dp, h->layer, h->head, h->pos, T, W, h->qo, h->ko,
                          h->ds, h->dqo, h->dko, h->scratch);
    } else {
        const float sc = 1.0f / sqrtf((float)D);
        for (int i = 0; i < T; i++)
            for (int j = 0; j <= i; j++) {
                const float g = h->ds[(size_t)i * T + j] * sc;
                for (int c = 0; c < W; c++) {
                    h->dqo[(size_t)i * W + c] += g * h->ko[(size_t)j * W + c];
                    h->dko[(size_t)j * W + c] += g * h->qo[(size_t)i * W + c];
                }
            }
    }
    if (o->qk_backward) {
        o->qk_backward(h->e, h->params, dp, h->layer, h->head, h->pos, T, h->q, h->k, h->dqo,
                       h->dko, dq, dk, h->scratch);
    } else {
        for (size_t i = 0; i < (size_t)T * D; i++) dq[i] += h->dqo[i], dk[i] += h->dko[i];
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

// Worst error of grad against Richardson-extrapolated central differences (error O(h^4)),
// relative above FD_FLOOR and absolute below, over at most MAX_FD components.
static fd_result fd_compare(loss_fn f, void *ctx, float *x, const float *grad, size_t n) {
    fd_result r = {0};
    const size_t stride = n > MAX_FD ? n / MAX_FD + 1 : 1;
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

static int all_finite(const float *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

float *pe_check_params(const pe *e, unsigned seed) {
    const size_t np = pe_n_params(e);
    float *p = calloc(np + 1, sizeof(float));
    if (p && e->ops->init) {
        rng r;
        rng_seed(&r, seed);
        e->ops->init(e, p, &r);
    }
    return p;
}

// ---- The checks ----------------------------------------------------------------------------

static int has_attention_hooks(const pe_ops *o) {
    return o->qk_forward || o->score_forward || o->bias_forward;
}

static void check_contract(pe_check_report *r, const pe *e) {
    char why[200] = "";
    int bad = pe_validate_ops(e->ops, why, sizeof why) != 0;
    if (!bad && !e->ops->qk_forward && pe_qk_width(e) != e->shape.head_dim) {
        bad = 1;
        snprintf(why, sizeof why, "qk_width %d != head_dim %d without a q/k transform",
                 pe_qk_width(e), e->shape.head_dim);
    }
    add(r, "contract", bad ? PE_CHECK_FAIL : PE_CHECK_PASS, 0, 0, "%s",
        bad ? why : "hooks paired, options valid");
}

static void check_options(pe_check_report *r, const pe *e) {
    char buf[512], why[256];
    pe back;
    pe_format_options(e, buf, sizeof buf);
    int bad = pe_configure(&back, e->ops->name, buf, &e->shape, why, sizeof why) != 0;
    for (int i = 0; !bad && i < e->ops->n_options; i++) bad = back.opt[i] != e->opt[i];
    if (!bad) snprintf(why, sizeof why, "'%.200s' reads back", buf);
    add(r, "options round trip", bad ? PE_CHECK_FAIL : PE_CHECK_PASS, 0, 0, "%s", why);
}

// Gradients of the attention-level hooks with respect to q, k and the parameters, at the
// first and last (layer, head) slices, so that a slice indexed wrongly shows up.
static int check_attention_gradients(pe_check_report *r, const pe *e, float *params) {
    if (!has_attention_hooks(e->ops)) {
        add(r, "gradients q/k/params", PE_CHECK_SKIP, 0, 0, "no attention-level hook");
        return 0;
    }
    fd_result worst[3] = {{0}};
    char where[3][32] = {"", "", ""};
    const int slices[2][2] = {{0, 0}, {N_LAYERS - 1, N_HEADS - 1}};
    for (int s = 0; s < 2; s++) {
        pe_check_head h;
        if (pe_check_head_create(&h, e, params, NEAR_T, slices[s][0], slices[s][1], 7 + 4 * s) != 0)
            return -1;
        const size_t TD = (size_t)h.T * h.D;
        float *g = calloc(2 * TD + h.np + 1, sizeof(float));
        if (!g) {
            pe_check_head_free(&h);
            return -1;
        }
        pe_check_backward(&h, g, g + TD, g + 2 * TD);
        // The bias hook sees neither q nor k (encoding.h), so it is left out of their finite
        // differences: a bias of ~10 would otherwise add float rounding of ~1e-6 per logit,
        // which the difference quotient turns into errors near the tolerance.
        h.no_bias = 1;
        fd_result f[3] = {fd_compare(head_loss, &h, h.q, g, TD),
                          fd_compare(head_loss, &h, h.k, g + TD, TD), {0, 0, 0, 0}};
        h.no_bias = 0;
        f[2] = fd_compare(head_loss, &h, params, g + 2 * TD, h.np);
        for (int a = 0; a < 3; a++)
            if (s == 0 || !(f[a].worst <= worst[a].worst)) {
                worst[a] = f[a];
                snprintf(where[a], sizeof where[a], "L%d H%d", slices[s][0], slices[s][1]);
            }
        free(g);
        pe_check_head_free(&h);
    }
    add_fd(r, "gradient dq", worst[0], where[0]);
    add_fd(r, "gradient dk", worst[1], where[1]);
    if (pe_n_params(e))
        add_fd(r, "gradient dparams (attention)", worst[2], where[2]);
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
    if (np) add_fd(r, "gradient dparams (embed)", fd_compare(embed_loss, &c, params, g1, np), "B2 T8");
    else add(r, "gradient dparams (embed)", PE_CHECK_SKIP, 0, 0, "no parameters");
    // Accumulation: two backward calls give twice one.
    e->ops->embed_backward(e, params, g2, c.pos, B, T, c.w);
    e->ops->embed_backward(e, params, g2, c.pos, B, T, c.w);
    double worst = 0;
    for (size_t i = 0; i < np; i++)
        worst = fmax(worst, fabs(g2[i] - 2 * g1[i]) / (1 + fabs(g1[i])));
    add(r, "embed backward accumulates", worst < 1e-6 ? PE_CHECK_PASS : PE_CHECK_FAIL, worst,
        1e-6, "2 calls vs 2x one call");
    free(mem);
    return 0;
}

static int check_accumulates(pe_check_report *r, const pe *e, float *params) {
    if (!has_attention_hooks(e->ops)) return 0;
    pe_check_head h;
    if (pe_check_head_create(&h, e, params, NEAR_T, N_LAYERS - 1, N_HEADS - 1, 3) != 0) return -1;
    const size_t TD = (size_t)h.T * h.D, n = 2 * TD + h.np;
    float *g1 = calloc(2 * n + 1, sizeof(float)), *g2 = g1 ? g1 + n : NULL;
    if (!g1) {
        pe_check_head_free(&h);
        return -1;
    }
    pe_check_backward(&h, g1, g1 + TD, g1 + 2 * TD);
    pe_check_backward(&h, g2, g2 + TD, g2 + 2 * TD);
    pe_check_backward(&h, g2, g2 + TD, g2 + 2 * TD);
    double worst = 0;
    for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs(g2[i] - 2 * g1[i]) / (1 + fabs(g1[i])));
    add(r, "backward accumulates", worst < 1e-6 ? PE_CHECK_PASS : PE_CHECK_FAIL, worst, 1e-6,
        "dq, dk, dparams: 2 calls vs 2x one call");
    free(g1);
    pe_check_head_free(&h);
    return 0;
}

// Largest |difference| of the causal logits of two runs, relative to the largest logit.
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
        for (int j = 0; j <= i; j++) {
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

static int check_invariances(pe_check_report *r, const pe *e, float *params) {
    const unsigned inv = e->ops->invariances;
    struct { unsigned flag; const char *name, *what; void (*move)(float *, int); } list[] = {
        {PE_SHIFT_INVARIANT, "shift invariance", "all positions + 1000", shift_by_1000},
        {PE_POSITION_FREE, "position free", "positions reversed", reverse},
    };
    for (int k = 0; k < 2; k++) {
        if (!(inv & list[k].flag) || e->ops->embed_forward) {
            add(r, list[k].name, PE_CHECK_SKIP, 0, 0,
                inv & list[k].flag ? "declared, but an input hook is not checked here"
                                   : "not declared");
            continue;
        }
        pe_check_head h;
        if (pe_check_head_create(&h, e, params, NEAR_T, N_LAYERS - 1, N_HEADS - 1, 31) != 0) return -1;
        const double d = logit_change(&h, list[k].move);
        add(r, list[k].name, d < SHIFT_TOL ? PE_CHECK_PASS : PE_CHECK_FAIL, d, SHIFT_TOL,
            "logits with %s, relative to the largest", list[k].what);
        pe_check_head_free(&h);
    }
    return 0;
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
    int finite = 1;
    char what[128] = "";
    for (int pass = 0; pass < 2 && has_attention_hooks(e->ops); pass++) {
        pe_check_head h;
        if (pe_check_head_create(&h, e, params, pass ? 8 : LONG_T, N_LAYERS - 1, 0, 21) != 0) return -1;
        if (pass) memcpy(h.pos, far_pos, sizeof far_pos);
        const size_t TD = (size_t)h.T * h.D;
        float *g = calloc(2 * TD + h.np + 1, sizeof(float));
        if (!g) {
            pe_check_head_free(&h);
            return -1;
        }
        pe_check_backward(&h, g, g + TD, g + 2 * TD);
        int ok = all_finite(g, 2 * TD + h.np);
        for (int i = 0; ok && i < h.T; i++) ok = all_finite(h.s + (size_t)i * h.T, i + 1);
        if (!ok && finite) snprintf(what, sizeof what, "non-finite logits or gradients at %s",
                                    pass ? "positions up to 40960" : "640 positions");
        finite &= ok;
        free(g);
        pe_check_head_free(&h);
    }
    if (e->ops->embed_forward) {
        const int T = LONG_T;
        const size_t n = (size_t)T * e->shape.d_model;
        float *mem = calloc(T + 2 * n + pe_n_params(e) + 1, sizeof(float));
        if (!mem) return -1;
        float *pos = mem, *x = mem + T, *w = x + n, *g = w + n;
        for (int t = 0; t < T; t++) pos[t] = t < 8 ? far_pos[t] : (float)t;
        pe_check_fill(w, n, 5);
        e->ops->embed_forward(e, params, pos, 1, T, x);
        e->ops->embed_backward(e, params, g, pos, 1, T, w);
        if (!all_finite(x, n) || !all_finite(g, pe_n_params(e))) {
            if (finite) snprintf(what, sizeof what, "non-finite input signal or gradient");
            finite = 0;
        }
        free(mem);
    }
    add(r, "long positions finite", finite ? PE_CHECK_PASS : PE_CHECK_FAIL, 0, 0, "%s",
        finite ? "640 positions and positions up to 40960" : what);
    return 0;
}

int pe_check_run(pe_check_report *out, const char *name, const char *options, int head_dim,
                 char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    pe e;
    const pe_shape shape = {N_LAYERS, N_HEADS, head_dim, N_HEADS * head_dim};
    if (pe_configure(&e, name, options, &shape, err, errlen) != 0) return -1;
    snprintf(out->encoding, sizeof out->encoding, "%s", name);
    pe_format_options(&e, out->options, sizeof out->options);
    float *params = pe_check_params(&e, 1);
    if (!params) return set_error(err, errlen, "check-encoding: out of memory");
    check_contract(out, &e);
    check_options(out, &e);
    int rc = check_attention_gradients(out, &e, params);
    if (!rc) rc = check_embed(out, &e, params);
    if (!rc) rc = check_accumulates(out, &e, params);
    if (!rc) rc = check_invariances(out, &e, params);
    if (!rc) rc = check_long(out, &e, params);
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
    fprintf(f, "  %-30s %-6s %-9s %-9s %s\n", "check", "result", "worst", "limit", "detail");
    for (int i = 0; i < r->n; i++) {
        const pe_check_item *it = &r->items[i];
        char worst[16] = "-", tol[16] = "-";
        if (it->tol > 0) {
            snprintf(worst, sizeof worst, "%.2e", it->worst);
            snprintf(tol, sizeof tol, "%.1e", it->tol);
        }
        fprintf(f, "  %-30s %-6s %-9s %-9s %s\n", it->name, status[it->status], worst, tol,
                it->detail);
    }
    if (r->n_failed)
        fprintf(f, "%d of %d checks failed\n", r->n_failed, r->n);
    else
        fprintf(f, "all %d checks passed\n", r->n);
}
