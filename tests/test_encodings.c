// Tests of the PE plugins. Generic contracts (registry sanity, gradients of every hook,
// accumulation, long positions, option round trip) run as loop tests over pe_registry, so a
// new encoding is checked without a new test; each encoding's defining property (papers.md)
// is checked against a direct double-precision formula.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encodings/encoding.h"
#include "gradcheck.h"
#include "harness/base/options.h"
#include "harness/base/rng.h"
#include "suites.h"

#define NL 2
#define NH 2
#define MAXT 8
#define MAXD 20
#define MAXW (2 * MAXD)
#define MAXSCRATCH (2 * MAXT * (MAXT > MAXD ? MAXT : MAXD))

static int n_registered(void) {
    int n = 0;
    while (pe_registry[n]) n++;
    return n;
}

// One head of one sequence with everything a hook needs, plus scratch for the logits.
typedef struct fixture {
    pe e;
    int T, D, W, layer, head;
    float pos[MAXT], q[MAXT * MAXD], k[MAXT * MAXD], w[MAXT * MAXT];
    float *params;
    size_t np;
    float qo[MAXT * MAXW], ko[MAXT * MAXW], s[MAXT * MAXT];
    float scratch[MAXSCRATCH];  // the hooks' scratch (encoding.h)
} fixture;

static const float default_pos[MAXT] = {3, 4, 7, 8, 12, 13, 20, 21};

static void fixture_init_dim(fixture *f, const char *name, const char *opts, int layer,
                             int head, unsigned seed, int D) {
    memset(f, 0, sizeof *f);
    pe_shape shape = {NL, NH, D, NH * D};
    char err[256];
    ck_assert_msg(pe_configure(&f->e, name, opts, &shape, err, sizeof err) == 0, "%s", err);
    f->T = 7;
    f->D = D;
    f->W = pe_qk_width(&f->e);
    ck_assert_int_le(f->W, MAXW);
    ck_assert_uint_le(pe_scratch_floats(&f->e, MAXT), MAXSCRATCH);
    f->layer = layer;
    f->head = head;
    memcpy(f->pos, default_pos, sizeof f->pos);
    gc_fill(f->q, MAXT * MAXD, seed, 1.0f);
    gc_fill(f->k, MAXT * MAXD, seed + 100, 1.0f);
    gc_fill(f->w, MAXT * MAXT, seed + 200, 1.0f);
    f->np = pe_n_params(&f->e);
    f->params = calloc(f->np + 1, sizeof(float));
    ck_assert_ptr_nonnull(f->params);
    if (f->e.ops->init) {
        rng r;
        rng_seed(&r, seed);
        f->e.ops->init(&f->e, f->params, &r);
    }
}

// D = 8 unless a test needs the wide-vector paths of a hook.
static void fixture_init(fixture *f, const char *name, const char *opts, int layer, int head,
                         unsigned seed) {
    fixture_init_dim(f, name, opts, layer, head, seed, 8);
}

// The logits of the fixture's head, j <= i, composed as the attention core does (encoding.h):
// q/k transform, then the score hook or q'.k'/sqrt(D) (double accumulation), then the bias.
static void logits(fixture *f) {
    const pe_ops *o = f->e.ops;
    const int T = f->T, D = f->D, W = f->W;
    if (o->qk_forward) {
        o->qk_forward(&f->e, f->params, f->layer, f->head, f->pos, T, f->q, f->k, f->qo, f->ko, f->scratch);
    } else {
        memcpy(f->qo, f->q, sizeof(float) * T * D);
        memcpy(f->ko, f->k, sizeof(float) * T * D);
    }
    if (o->score_forward) {
        o->score_forward(&f->e, f->params, f->layer, f->head, f->pos, T, W, f->qo, f->ko, f->s, f->scratch);
    } else {
        for (int i = 0; i < T; i++)
            for (int j = 0; j <= i; j++) {
                double acc = 0.0;
                for (int c = 0; c < W; c++) acc += (double)f->qo[i * W + c] * f->ko[j * W + c];
                f->s[i * T + j] = (float)(acc / sqrt((double)D));
            }
    }
    if (o->bias_forward) o->bias_forward(&f->e, f->params, f->layer, f->head, f->pos, T, f->s, f->scratch);
}

// loss = sum_{j <= i} w_ij * s_ij, in double.
static double loss(void *ctx) {
    fixture *f = ctx;
    logits(f);
    double l = 0.0;
    for (int i = 0; i < f->T; i++)
        for (int j = 0; j <= i; j++) l += (double)f->w[i * f->T + j] * f->s[i * f->T + j];
    return l;
}

// Analytic gradient of loss: dscores = w masked to j <= i, then the backward hooks in reverse
// order. Accumulates into dq, dk (T, D) and dp (n_params).
static void grads(fixture *f, float *dq, float *dk, float *dp) {
    const pe_ops *o = f->e.ops;
    const int T = f->T, D = f->D, W = f->W;
    float ds[MAXT * MAXT] = {0}, dqo[MAXT * MAXW] = {0}, dko[MAXT * MAXW] = {0};
    logits(f);
    for (int i = 0; i < T; i++)
        for (int j = 0; j <= i; j++) ds[i * T + j] = f->w[i * T + j];
    if (o->bias_backward) o->bias_backward(&f->e, f->params, dp, f->layer, f->head, f->pos, T, ds, f->scratch);
    if (o->score_backward) {
        o->score_backward(&f->e, f->params, dp, f->layer, f->head, f->pos, T, W, f->qo, f->ko,
                          ds, dqo, dko, f->scratch);
    } else {
        const float sc = 1.0f / sqrtf((float)D);
        for (int i = 0; i < T; i++)
            for (int j = 0; j <= i; j++)
                for (int c = 0; c < W; c++) {
                    dqo[i * W + c] += ds[i * T + j] * sc * f->ko[j * W + c];
                    dko[j * W + c] += ds[i * T + j] * sc * f->qo[i * W + c];
                }
    }
    if (o->qk_backward) {
        o->qk_backward(&f->e, f->params, dp, f->layer, f->head, f->pos, T, f->q, f->k, dqo, dko,
                       dq, dk, f->scratch);
    } else {
        for (int i = 0; i < T * D; i++) dq[i] += dqo[i], dk[i] += dko[i];
    }
}

// Tolerance. The logits are float, so the loss carries ~5e-7 absolute noise, ~3e-5 in a
// finite difference with h = 1e-2; components below the floor 3e-2 are therefore compared
// absolutely (gradcheck.h). Measured worst: ~6e-4 (PoPE's small delta gradients, noise) and
// the O(h^2) truncation of TAPA's steep cosine. 3e-3 leaves margin, while a dropped factor, a
// wrong sign or a gradient sent to another head's slice fails with errors near 1.
#define GC_H 1e-2
#define GC_FLOOR 3e-2
#define GC_TOL 3e-3

static void check_gradients(const char *name, const char *opts, int layer, int head, int D) {
    fixture f;
    fixture_init_dim(&f, name, opts, layer, head, 7 + layer * 3 + head, D);
    float dq[MAXT * MAXD] = {0}, dk[MAXT * MAXD] = {0};
    float *dp = calloc(f.np + 1, sizeof(float));
    ck_assert_ptr_nonnull(dp);
    grads(&f, dq, dk, dp);
    struct { const char *what; float *x; const float *g; size_t n; } wrt[] = {
        {"q", f.q, dq, (size_t)f.T * f.D},
        {"k", f.k, dk, (size_t)f.T * f.D},
        {"params", f.params, dp, f.np},
    };
    for (int a = 0; a < 3; a++) {
        if (wrt[a].n == 0) continue;
        gc_result r = gradcheck(loss, &f, wrt[a].x, wrt[a].g, wrt[a].n, 1, GC_H, GC_FLOOR);
        char label[96];
        snprintf(label, sizeof label, "%s[%s] D%d L%d H%d d/d%s", name, opts ? opts : "", D,
                 layer, head, wrt[a].what);
        gc_report(label, r);
        ck_assert_msg(r.worst < GC_TOL, "%s: error %g (analytic %g, numeric %g at %zu)", label,
                      r.worst, r.analytic, r.numeric, r.worst_at);
    }
    free(dp);
    free(f.params);
}

START_TEST(test_gradients) {
    check_gradients(pe_registry[_i]->name, NULL, 0, 0, 8);
    check_gradients(pe_registry[_i]->name, NULL, 1, 1, 8);  // catches (layer, head) indexing bugs
}
END_TEST

// Non-default options that take other code paths, and a wider head for vectorised loops.
static const struct { const char *name, *opts; int D; } variants[] = {
    {"rope", "base=500", 8},
    {"pope", "delta_clamp=project,delta_init=zero", 8},
    {"pope", "base=100", 8},
    {"tapa", "theta=0.25,alpha=0.5", 8},
    {"rope", NULL, MAXD},
    {"pope", NULL, MAXD},
    {"tapa", "theta=0.48", MAXD},
};

START_TEST(test_gradients_variants) {
    check_gradients(variants[_i].name, variants[_i].opts, 1, 0, variants[_i].D);
}
END_TEST

// The embedding hook has no (layer, head); its only inputs are params: loss = sum w * x over
// a batch of two sequences, x = 0 before the hook.
#define EMB_N (2 * MAXT * NH * 8)
typedef struct embed_ctx {
    pe e;
    float *params, pos[2 * MAXT], x[EMB_N], w[EMB_N];
} embed_ctx;

static double embed_loss(void *ctx) {
    embed_ctx *c = ctx;
    memset(c->x, 0, sizeof c->x);
    c->e.ops->embed_forward(&c->e, c->params, c->pos, 2, MAXT, c->x);
    double l = 0.0;
    for (int i = 0; i < EMB_N; i++) l += (double)c->w[i] * c->x[i];
    return l;
}

START_TEST(test_embed_gradients) {
    fixture f;
    fixture_init(&f, pe_registry[_i]->name, NULL, 0, 0, 5);
    if (f.e.ops->embed_forward && f.np > 0) {
        embed_ctx c = {.e = f.e, .params = f.params};
        for (int t = 0; t < MAXT; t++) c.pos[t] = default_pos[t], c.pos[MAXT + t] = 100.0f + t;
        gc_fill(c.w, EMB_N, 9, 1.0f);
        float *dp = calloc(f.np, sizeof(float));
        ck_assert_ptr_nonnull(dp);
        f.e.ops->embed_backward(&f.e, f.params, dp, c.pos, 2, MAXT, c.w);
        gc_result r = gradcheck(embed_loss, &c, f.params, dp, f.np, 1, GC_H, GC_FLOOR);
        gc_report(f.e.ops->name, r);
        ck_assert_double_lt(r.worst, GC_TOL);
        free(dp);
    }
    free(f.params);
}
END_TEST

// Backward hooks must add to dq, dk and dparams, not overwrite them.
START_TEST(test_backward_accumulates) {
    fixture f;
    fixture_init(&f, pe_registry[_i]->name, NULL, 1, 1, 3);
    float dq1[MAXT * MAXD] = {0}, dk1[MAXT * MAXD] = {0};
    float dq2[MAXT * MAXD] = {0}, dk2[MAXT * MAXD] = {0};
    float *dp1 = calloc(f.np + 1, sizeof(float)), *dp2 = calloc(f.np + 1, sizeof(float));
    ck_assert(dp1 && dp2);
    grads(&f, dq1, dk1, dp1);
    grads(&f, dq2, dk2, dp2);
    grads(&f, dq2, dk2, dp2);
    for (int i = 0; i < f.T * f.D; i++) {
        ck_assert_float_eq_tol(dq2[i], 2 * dq1[i], 1e-6f * (1 + fabsf(dq1[i])));
        ck_assert_float_eq_tol(dk2[i], 2 * dk1[i], 1e-6f * (1 + fabsf(dk1[i])));
    }
    for (size_t i = 0; i < f.np; i++)
        ck_assert_float_eq_tol(dp2[i], 2 * dp1[i], 1e-6f * (1 + fabsf(dp1[i])));
    free(dp1);
    free(dp2);
    free(f.params);
}
END_TEST

// Evaluation up to 10x a 4096 context: logits and gradients stay finite.
START_TEST(test_long_positions) {
    static const float far[MAXT] = {0, 1, 4096, 10000, 20000, 30000, 40959, 40960};
    fixture f;
    fixture_init(&f, pe_registry[_i]->name, NULL, 1, 0, 21);
    f.T = MAXT;
    memcpy(f.pos, far, sizeof far);
    float dq[MAXT * MAXD] = {0}, dk[MAXT * MAXD] = {0};
    float *dp = calloc(f.np + 1, sizeof(float));
    ck_assert_ptr_nonnull(dp);
    grads(&f, dq, dk, dp);
    for (int i = 0; i < f.T; i++)
        for (int j = 0; j <= i; j++) ck_assert_msg(isfinite(f.s[i * f.T + j]), "s[%d][%d]", i, j);
    for (int i = 0; i < f.T * f.D; i++) ck_assert(isfinite(dq[i]) && isfinite(dk[i]));
    for (size_t i = 0; i < f.np; i++) ck_assert(isfinite(dp[i]));
    free(dp);
    free(f.params);
}
END_TEST

// ---- Registry and options ------------------------------------------------------------------

static int n_choices(const char *choices) {
    int n = 1;
    for (const char *p = choices; *p; p++) n += *p == '|';
    return n;
}

START_TEST(test_registry_contract) {
    const pe_ops *o = pe_registry[_i];
    ck_assert_ptr_nonnull(o->name);
    ck_assert_ptr_nonnull(o->summary);
    ck_assert_ptr_eq(pe_find(o->name), o);
    for (int j = 0; j < _i; j++) ck_assert_str_ne(pe_registry[j]->name, o->name);
    ck_assert(o->n_options >= 0 && o->n_options <= PE_MAX_OPTIONS);
    for (int i = 0; i < o->n_options; i++) {
        const pe_option_spec *s = &o->options[i];
        ck_assert_ptr_nonnull(s->name);
        for (int j = 0; j < i; j++) ck_assert_str_ne(o->options[j].name, s->name);
        ck_assert_msg(s->min <= s->default_value && s->default_value <= s->max, "%s", s->name);
        if (s->choices) {  // an enumeration: the value is a word index
            ck_assert(s->min == 0 && s->max == n_choices(s->choices) - 1);
            ck_assert(s->default_value == floor(s->default_value));
        }
    }
    // Hooks come in forward/backward pairs; parameters come with an init.
    ck_assert((o->embed_forward == NULL) == (o->embed_backward == NULL));
    ck_assert((o->qk_forward == NULL) == (o->qk_backward == NULL));
    ck_assert((o->bias_forward == NULL) == (o->bias_backward == NULL));
    ck_assert((o->score_forward == NULL) == (o->score_backward == NULL));
    ck_assert(o->n_params == NULL || o->init != NULL);
}
END_TEST

// The canonical option string reads back to the same values, for defaults and for a
// non-default value of every option (a third of the range, or the last choice).
START_TEST(test_options_round_trip) {
    const pe_ops *o = pe_registry[_i];
    pe_shape shape = {NL, NH, 8, NH * 8};
    char err[256], buf[512], custom[512] = "";
    for (int pass = 0; pass < 2; pass++) {
        pe a, b;
        ck_assert_msg(pe_configure(&a, o->name, pass ? custom : NULL, &shape, err, sizeof err) == 0,
                      "%s", err);
        pe_format_options(&a, buf, sizeof buf);
        ck_assert_msg(pe_configure(&b, o->name, buf, &shape, err, sizeof err) == 0, "%s", err);
        for (int i = 0; i < o->n_options; i++) ck_assert(a.opt[i] == b.opt[i]);
        if (pass == 0) {
            ck_assert_int_eq((int)strlen(buf) == 0, o->n_options == 0);
            for (int i = 0; i < o->n_options; i++) {
                const pe_option_spec *s = &o->options[i];
                size_t n = strlen(custom);
                const char *last = s->choices ? strrchr(s->choices, '|') : NULL;
                if (s->choices)
                    snprintf(custom + n, sizeof custom - n, "%s%s=%s", i ? "," : "", s->name,
                             last ? last + 1 : s->choices);
                else
                    snprintf(custom + n, sizeof custom - n, "%s%s=%.17g", i ? "," : "", s->name,
                             s->min + (s->max - s->min) / 3);
            }
        }
    }
}
END_TEST

static void expect_error(const char *name, const char *opts, const char *msg) {
    pe_shape shape = {NL, NH, 8, NH * 8};
    pe e = {0};
    char err[256];
    ck_assert_int_eq(pe_configure(&e, name, opts, &shape, err, sizeof err), -1);
    ck_assert_ptr_null(e.ops);  // out untouched on failure
    ck_assert_str_eq(err, msg);
}

// Merging evaluation-time options over trained ones: base's items not overridden, in order,
// then over's; malformed items and overflow are refused.
START_TEST(test_options_merge) {
    char out[64];
    ck_assert_int_eq(options_merge("base=10000,scaling=none,factor=1", "factor=10,scaling=yarn",
                                   out, sizeof out), 0);
    ck_assert_str_eq(out, "base=10000,factor=10,scaling=yarn");
    ck_assert_int_eq(options_merge("base=10", "orig_len=128", out, sizeof out), 0);
    ck_assert_str_eq(out, "base=10,orig_len=128");
    ck_assert_int_eq(options_merge("", "a=1", out, sizeof out), 0);
    ck_assert_str_eq(out, "a=1");
    ck_assert_int_eq(options_merge("a=1,ab=2", "a=3", out, sizeof out), 0);
    ck_assert_str_eq(out, "ab=2,a=3");
    ck_assert_int_eq(options_merge(NULL, NULL, out, sizeof out), 0);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(options_merge("a=1", "factor", out, sizeof out), -1);
    ck_assert_int_eq(options_merge("a=1", "b=2", out, 6), -1);
}
END_TEST

START_TEST(test_options_parse) {
    pe_shape shape = {NL, NH, 8, NH * 8};
    pe e;
    char err[256], buf[256];
    ck_assert_int_eq(pe_configure(&e, "rope", NULL, &shape, err, sizeof err), 0);
    ck_assert_double_eq(pe_opt(&e, "base"), 10000);
    ck_assert_int_eq(pe_configure(&e, "rope", " base = 500 ,", &shape, err, sizeof err), 0);
    ck_assert_double_eq(pe_opt(&e, "base"), 500);
    ck_assert_int_eq(pe_configure(&e, "pope", "", &shape, err, sizeof err), 0);
    ck_assert_double_eq(pe_opt(&e, "delta_init"), 0);
    ck_assert_double_eq(pe_opt(&e, "delta_clamp"), 0);
    pe_format_options(&e, buf, sizeof buf);
    ck_assert_str_eq(buf, "base=10000,delta_init=uniform,delta_clamp=forward");
    ck_assert_int_eq(
        pe_configure(&e, "pope", "delta_clamp=project,delta_init=zero,base=1e9", &shape, err,
                     sizeof err), 0);
    ck_assert_double_eq(pe_opt(&e, "delta_init"), 1);
    ck_assert_double_eq(pe_opt(&e, "delta_clamp"), 1);
    pe_format_options(&e, buf, sizeof buf);
    ck_assert_str_eq(buf, "base=1e+09,delta_init=zero,delta_clamp=project");
    ck_assert_int_eq(pe_configure(&e, "tapa", "alpha=0.25", &shape, err, sizeof err), 0);
    ck_assert_double_eq(pe_opt(&e, "theta"), 0.5);
    ck_assert_double_eq(pe_opt(&e, "alpha"), 0.25);
    pe_format_options(&e, buf, 8);  // truncates safely
    ck_assert_str_eq(buf, "theta=0");
    ck_assert_int_eq(pe_configure(&e, "nope", NULL, &shape, err, sizeof err), 0);
    pe_format_options(&e, buf, sizeof buf);
    ck_assert_str_eq(buf, "");

    expect_error("ropee", NULL, "unknown encoding 'ropee' (did you mean 'rope'?)");
    expect_error("tpaa", NULL, "unknown encoding 'tpaa' (did you mean 'tapa'?)");  // distance 2
    expect_error("xyzzy", NULL,
                 "unknown encoding 'xyzzy' (known: nope, rope, pope, tapa, sinusoidal, learned, "
                 "alibi, t5, kerple, xpos)");
    expect_error("rope", "bse=3", "encoding 'rope': unknown option 'bse' (did you mean 'base'?)");
    expect_error("rope", "bsae=3", "encoding 'rope': unknown option 'bsae' (did you mean 'base'?)");
    expect_error("rope", "frobnicate=1",
                 "encoding 'rope': unknown option 'frobnicate' (known: base, scaling, factor, "
                 "orig_len, alpha, beta)");
    expect_error("nope", "base=1", "encoding 'nope': unknown option 'base' (it takes no options)");
    expect_error("pope", "delta_init=foo",
                 "encoding 'pope': option 'delta_init' must be one of uniform|zero, got 'foo'");
    expect_error("pope", "delta_init=1",  // choices take words, not indices
                 "encoding 'pope': option 'delta_init' must be one of uniform|zero, got '1'");
    expect_error("rope", "base=-1", "encoding 'rope': option 'base' = -1 out of range [1, 1e9]");
    expect_error("rope", "base=2e9", "encoding 'rope': option 'base' = 2e9 out of range [1, 1e9]");
    expect_error("tapa", "alpha=3", "encoding 'tapa': option 'alpha' = 3 out of range [0, 2]");
    expect_error("rope", "base=12x", "encoding 'rope': option 'base' needs a number, got '12x'");
    expect_error("rope", "base=nan", "encoding 'rope': option 'base' needs a number, got 'nan'");
    expect_error("rope", "base", "encoding 'rope': option 'base' needs a value (base=...)");
    expect_error("rope", "base=2,base=3", "encoding 'rope': option 'base' given twice");
    pe_shape bad = {NL, NH, 0, 0};
    ck_assert_int_eq(pe_configure(&e, "nope", NULL, &bad, err, sizeof err), -1);
    ck_assert_int_eq(pe_configure(&e, "ropee", NULL, &shape, err, 8), -1);  // truncated message
    ck_assert_str_eq(err, "unknown");
}
END_TEST

// Shape limits: RoPE needs pairs; TAPA needs both parts non-empty; PoPE has one frequency per
// component (papers.md: "D frequencies, not D/2"), so any head_dim works.
START_TEST(test_options_head_dim) {
    pe e;
    char err[256];
    pe_shape s = {NL, NH, 7, NH * 7};
    ck_assert_int_eq(pe_configure(&e, "rope", NULL, &s, err, sizeof err), -1);
    // The reason comes from the plugin's summary (registry.c): check the frame and the gist.
    ck_assert_ptr_eq(strstr(err, "encoding 'rope': head_dim 7 not supported ("), err);
    ck_assert_ptr_nonnull(strstr(err, "head_dim must be even)"));
    ck_assert_int_eq(pe_configure(&e, "pope", NULL, &s, err, sizeof err), 0);
    ck_assert_int_eq(pe_qk_width(&e), 14);
    ck_assert_int_eq(pe_configure(&e, "tapa", NULL, &s, err, sizeof err), 0);
    ck_assert_int_eq(pe_qk_width(&e), 7);
    s.head_dim = 1;
    ck_assert_int_eq(pe_configure(&e, "tapa", NULL, &s, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "encoding 'tapa': head_dim 1 not supported"));
    s.head_dim = 4;
    ck_assert_int_eq(pe_configure(&e, "tapa", "theta=0.1", &s, err, sizeof err), -1);
    ck_assert_int_eq(pe_configure(&e, "tapa", "theta=0.25", &s, err, sizeof err), 0);
}
END_TEST

// ---- Defining properties (papers.md) -------------------------------------------------------

static const float far_pos[MAXT] = {0, 3, 17, 1001, 4097, 29999, 39993, 40960};

static double softplus_d(double x) { return x > 20 ? x : log1p(exp(x)); }

// Scores that depend on m - n only do not change when every position shifts.
static const char *const relative[] = {"nope", "rope", "pope", "tapa"};

START_TEST(test_shift_invariance) {
    fixture f;
    fixture_init(&f, relative[_i], NULL, 1, 1, 31);
    float s0[MAXT * MAXT];
    logits(&f);
    memcpy(s0, f.s, sizeof s0);
    float scale = 1e-3f;
    for (int i = 0; i < f.T; i++)
        for (int j = 0; j <= i; j++) scale = fmaxf(scale, fabsf(s0[i * f.T + j]));
    for (int t = 0; t < f.T; t++) f.pos[t] += 1000.0f;
    logits(&f);
    for (int i = 0; i < f.T; i++)
        for (int j = 0; j <= i; j++)
            ck_assert_float_eq_tol(f.s[i * f.T + j], s0[i * f.T + j], 1e-4f * scale);
    free(f.params);
}
END_TEST

START_TEST(test_nope_ignores_positions) {
    fixture f;
    fixture_init(&f, "nope", NULL, 0, 0, 41);
    float s0[MAXT * MAXT];
    logits(&f);
    memcpy(s0, f.s, sizeof s0);
    static const float perm[MAXT] = {21, 3, 13, 7, 20, 8, 4, 12};
    memcpy(f.pos, perm, sizeof perm);
    logits(&f);
    for (int i = 0; i < f.T; i++)
        for (int j = 0; j <= i; j++) ck_assert(f.s[i * f.T + j] == s0[i * f.T + j]);
    free(f.params);
}
END_TEST

// papers.md: s = Re(sum_i q~_i conj(k~_i) e^{j (m-n) theta_i}) / sqrt(D), at far positions so
// that a float angle (off by up to ~2e-3 rad at 40960) fails. Tolerance 2e-6 of the
// Cauchy-Schwarz bound of the logit; float rounding measures below 1e-7.
START_TEST(test_rope_complex_form) {
    fixture f;
    fixture_init(&f, "rope", NULL, 0, 0, 51);
    f.T = MAXT;
    memcpy(f.pos, far_pos, sizeof far_pos);
    logits(&f);
    const int D = f.D, T = f.T;
    for (int i = 0; i < T; i++)
        for (int j = 0; j <= i; j++) {
            double ref = 0, bound = 0;
            for (int p = 0; p < D / 2; p++) {
                double a = f.q[i * D + 2 * p], b = f.q[i * D + 2 * p + 1];
                double c = f.k[j * D + 2 * p], d = f.k[j * D + 2 * p + 1];
                double phi = ((double)f.pos[i] - f.pos[j]) * pow(10000.0, -2.0 * p / D);
                ref += (a * c + b * d) * cos(phi) - (b * c - a * d) * sin(phi);  // Re(...)
                bound += hypot(a, b) * hypot(c, d);
            }
            ck_assert_double_eq_tol(f.s[i * T + j], ref / sqrt(D), 2e-6 * bound / sqrt(D));
        }
    free(f.params);
}
END_TEST

static double norm(const float *x, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += (double)x[i] * x[i];
    return sqrt(s);
}

START_TEST(test_rope_preserves_norm) {
    fixture f;
    fixture_init(&f, "rope", NULL, 0, 0, 61);
    f.T = MAXT;
    memcpy(f.pos, far_pos, sizeof far_pos);
    f.e.ops->qk_forward(&f.e, f.params, 0, 0, f.pos, f.T, f.q, f.k, f.qo, f.ko, f.scratch);
    for (int t = 0; t < f.T; t++) {
        const int o = t * f.D;
        ck_assert_double_eq_tol(norm(f.qo + o, f.D), norm(f.q + o, f.D), 1e-6 * norm(f.q + o, f.D));
        ck_assert_double_eq_tol(norm(f.ko + o, f.D), norm(f.k + o, f.D), 1e-6 * norm(f.k + o, f.D));
    }
    free(f.params);
}
END_TEST

// papers.md: s = sum_c softplus(q_c) softplus(k_c) cos((m-n) theta_c - delta_c) / sqrt(D),
// at layer 0 head 1 (a slice indexed head-major instead of layer-major would differ) and far
// positions.
// Tolerance as for RoPE: 2e-6 of sum_c mu_q,c mu_k,c / sqrt(D).
START_TEST(test_pope_direct_form) {
    fixture f;
    fixture_init(&f, "pope", NULL, 0, 1, 71);
    f.T = MAXT;
    memcpy(f.pos, far_pos, sizeof far_pos);
    logits(&f);
    const int D = f.D, T = f.T;
    const float *delta = f.params + (0 * NH + 1) * D;
    for (int i = 0; i < T; i++)
        for (int j = 0; j <= i; j++) {
            double ref = 0, bound = 0;
            for (int c = 0; c < D; c++) {
                double mu = softplus_d(f.q[i * D + c]) * softplus_d(f.k[j * D + c]);
                double th = pow(10000.0, -(double)c / D);
                ref += mu * cos(((double)f.pos[i] - f.pos[j]) * th - delta[c]);
                bound += mu;
            }
            ck_assert_double_eq_tol(f.s[i * T + j], ref / sqrt(D), 2e-6 * bound / sqrt(D));
        }
    free(f.params);
}
END_TEST

// delta_clamp=forward: a delta of +1 acts as 0 and gets no gradient; -7 acts as -2 pi.
START_TEST(test_pope_clamp_forward) {
    fixture f;
    fixture_init(&f, "pope", "delta_init=zero", 1, 1, 81);
    const size_t at = (1 * NH + 1) * f.D + 3, below = at + 2;
    f.params[below] = (float)(-2 * M_PI);
    float s0[MAXT * MAXT];
    logits(&f);
    memcpy(s0, f.s, sizeof s0);
    f.params[at] = 1.0f;
    f.params[below] = -7.0f;
    float dq[MAXT * MAXD] = {0}, dk[MAXT * MAXD] = {0}, *dp = calloc(f.np, sizeof(float));
    ck_assert_ptr_nonnull(dp);
    grads(&f, dq, dk, dp);  // also recomputes the logits
    for (int i = 0; i < f.T; i++)
        for (int j = 0; j <= i; j++) ck_assert(f.s[i * f.T + j] == s0[i * f.T + j]);
    ck_assert(dp[at] == 0.0f && dp[below] == 0.0f);
    ck_assert(dp[at + 1] != 0.0f);  // an in-range delta of the same head does get gradient
    float saved[MAXT * MAXT];
    ck_assert_uint_le(f.np, MAXT * MAXT);
    memcpy(saved, f.params, f.np * sizeof(float));
    f.e.ops->project(&f.e, f.params);  // forward mode: project leaves delta alone
    ck_assert(memcmp(saved, f.params, f.np * sizeof(float)) == 0);
    free(dp);
    free(f.params);
}
END_TEST

// delta_clamp=project: the forward uses delta as is; project clips into [-2 pi, 0].
START_TEST(test_pope_clamp_project) {
    fixture f;
    fixture_init(&f, "pope", "delta_init=zero,delta_clamp=project", 0, 1, 91);
    const size_t at = (0 * NH + 1) * f.D + 5;
    float s0[MAXT * MAXT];
    logits(&f);
    memcpy(s0, f.s, sizeof s0);
    f.params[at] = 1.0f;
    f.params[at + 1] = -7.0f;
    f.params[at + 2] = -1.5f;
    logits(&f);
    ck_assert(f.s[6 * f.T + 2] != s0[6 * f.T + 2]);
    f.e.ops->project(&f.e, f.params);
    ck_assert(f.params[at] == 0.0f);
    ck_assert(f.params[at + 1] == (float)(-2 * M_PI));
    ck_assert(f.params[at + 2] == -1.5f);
    free(f.params);
}
END_TEST

START_TEST(test_pope_init) {
    pe_shape shape = {4, 4, 32, 128};
    pe e;
    char err[256];
    rng r;
    ck_assert_int_eq(pe_configure(&e, "pope", NULL, &shape, err, sizeof err), 0);
    size_t n = pe_n_params(&e);
    ck_assert_uint_eq(n, 4 * 4 * 32);
    float *p = malloc(n * sizeof(float));
    ck_assert_ptr_nonnull(p);
    rng_seed(&r, 1);
    e.ops->init(&e, p, &r);
    double lo = 0, hi = -7, mean = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert(p[i] >= (float)(-2 * M_PI) && p[i] <= 0.0f);
        lo = fmin(lo, p[i]), hi = fmax(hi, p[i]), mean += p[i] / (double)n;
    }
    ck_assert(lo < -6.0 && hi > -0.3 && fabs(mean + M_PI) < 0.2);
    ck_assert_int_eq(pe_configure(&e, "pope", "delta_init=zero", &shape, err, sizeof err), 0);
    e.ops->init(&e, p, &r);
    for (size_t i = 0; i < n; i++) ck_assert(p[i] == 0.0f);
    free(p);
}
END_TEST

// Eq. 12 in double at near and far distances (cosine argument up to ~20 rad) and at
// consecutive positions (the phase-rate table's path), with D = 20 so
// that dot products take their vector and tail paths, and options where round() and
// truncation of theta*D differ (0.48 * 20 = 9.6) and where |0|^alpha = 0 matters (alpha = 0).
static const char *const tapa_opts[] = {"theta=0.5,alpha=0.1", "theta=0.48,alpha=0",
                                        "theta=0.3,alpha=0.5"};

START_TEST(test_tapa_eq12) {
    fixture f;
    fixture_init_dim(&f, "tapa", tapa_opts[_i], 0, 0, 101 + _i, MAXD);
    f.T = MAXT;
    // Far positions take the per-pair phase rates; consecutive ones (from 100) the table.
    for (int layout = 0; layout < 2; layout++) {
        if (layout == 0) memcpy(f.pos, far_pos, sizeof far_pos);
        else
            for (int t = 0; t < MAXT; t++) f.pos[t] = 100.0f + t;
        for (int i = 0; i < MAXT * MAXT; i++) f.s[i] = 12345.0f;
        f.e.ops->score_forward(&f.e, NULL, 0, 0, f.pos, f.T, f.W, f.q, f.k, f.s, f.scratch);
        const double alpha = pe_opt(&f.e, "alpha");
        const int D = f.D, A = (int)lround(pe_opt(&f.e, "theta") * D), T = f.T;
        for (int i = 0; i < T; i++)
            for (int j = 0; j < T; j++) {
                if (j > i) {  // left to the caller's mask
                    ck_assert(f.s[i * T + j] == 12345.0f);
                    continue;
                }
                double amp = 0, ph = 0, na = 0, nb = 0;
                for (int c = 0; c < D; c++) {
                    double x = (double)f.q[i * D + c] * f.k[j * D + c];
                    if (c < A) amp += x, na += fabs(x);
                    else ph += x, nb += fabs(x);
                }
                double r = fabs((double)f.pos[i] - f.pos[j]);
                double cr = r > 0 ? 2 * M_PI * pow(r, alpha) : 0;
                double ref = amp / sqrt(A) * cos(cr * ph / sqrt(D - A));
                // float dot products perturb the argument by ~cr * nb * 1e-7
                double tol = na / sqrt(A) * (1e-6 + 1e-6 * cr * nb);
                ck_assert_double_eq_tol(f.s[i * T + j], ref, tol);
                if (i == j)
                    ck_assert_double_eq_tol(f.s[i * T + j], amp / sqrt(A), 1e-6 * na / sqrt(A));
            }
    }
    free(f.params);
}
END_TEST

Suite *suite_encodings(void) {
    Suite *s = suite_create("encodings");
    int n = n_registered();
    TCase *tc = tcase_create("registry");
    tcase_add_loop_test(tc, test_registry_contract, 0, n);
    tcase_add_loop_test(tc, test_options_round_trip, 0, n);
    tcase_add_test(tc, test_options_parse);
    tcase_add_test(tc, test_options_merge);
    tcase_add_test(tc, test_options_head_dim);
    suite_add_tcase(s, tc);

    tc = tcase_create("gradients");
    tcase_add_loop_test(tc, test_gradients, 0, n);
    tcase_add_loop_test(tc, test_gradients_variants, 0, sizeof variants / sizeof variants[0]);
    tcase_add_loop_test(tc, test_embed_gradients, 0, n);
    tcase_add_loop_test(tc, test_backward_accumulates, 0, n);
    suite_add_tcase(s, tc);

    tc = tcase_create("properties");
    tcase_add_loop_test(tc, test_long_positions, 0, n);
    tcase_add_loop_test(tc, test_shift_invariance, 0, sizeof relative / sizeof relative[0]);
    tcase_add_test(tc, test_nope_ignores_positions);
    tcase_add_test(tc, test_rope_complex_form);
    tcase_add_test(tc, test_rope_preserves_norm);
    tcase_add_test(tc, test_pope_direct_form);
    tcase_add_loop_test(tc, test_tapa_eq12, 0, sizeof tapa_opts / sizeof tapa_opts[0]);
    suite_add_tcase(s, tc);

    tc = tcase_create("pope_delta");
    tcase_add_test(tc, test_pope_clamp_forward);
    tcase_add_test(tc, test_pope_clamp_project);
    tcase_add_test(tc, test_pope_init);
    suite_add_tcase(s, tc);
    return s;
}
