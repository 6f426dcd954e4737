// Tests of the encodings of the four papers (NoPE, RoPE, PoPE, TAPA), each
// defining property checked against a direct double-precision formula, and of the registry
// and the option parser. The generic checks every encoding must pass (gradients,
// accumulation, invariances, long positions, option round trip) are encodings/pe_check.c,
// asserted item by item on every registered encoding in tests/test_encodings_more.c.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encodings/encoding.h"
#include "encodings/pe_check.h"
#include "harness/base/options.h"
#include "harness/base/rng.h"
#include "suites.h"

#define NL 2
#define NH 2
#define MAXT 8
#define MAXD 20

static int n_registered(void) {
    int n = 0;
    while (pe_registry[n]) n++;
    return n;
}

// One configured encoding with its parameters and one head of random q and k at near
// positions (pe_check.h), T positions of width D.
typedef struct fixture {
    pe e;
    float *params;
    pe_check_head h;
} fixture;

static void fixture_init(fixture *f, const char *name, const char *opts, int layer, int head,
                         unsigned seed, int T, int D) {
    pe_shape shape = {NL, NH, D, NH * D, 0};
    char err[256];
    ck_assert_msg(pe_configure(&f->e, name, opts, &shape, err, sizeof err) == 0, "%s", err);
    f->params = pe_check_params(&f->e, seed);
    ck_assert_ptr_nonnull(f->params);
    ck_assert_int_eq(pe_check_head_create(&f->h, &f->e, f->params, T, layer, head, seed), 0);
}

static void fixture_free(fixture *f) {
    pe_check_head_free(&f->h);
    free(f->params);
}

// ---- Registry and options ------------------------------------------------------------------

// What pe_check's contract cannot see from one encoding: the registry finds each entry by its
// name, names are unique, and the canonical options are empty exactly when there are none.
START_TEST(test_registry_contract) {
    const pe_ops *o = pe_registry[_i];
    ck_assert_ptr_eq(pe_find(o->name), o);
    for (int j = 0; j < _i; j++) ck_assert_str_ne(pe_registry[j]->name, o->name);
    pe_shape shape = {NL, NH, 8, NH * 8, 0};
    pe e;
    char err[256], buf[512];
    ck_assert_msg(pe_configure(&e, o->name, NULL, &shape, err, sizeof err) == 0, "%s", err);
    pe_format_options(&e, buf, sizeof buf);
    ck_assert_int_eq(buf[0] == '\0', o->n_options == 0);
}
END_TEST

static void expect_error(const char *name, const char *opts, const char *msg) {
    pe_shape shape = {NL, NH, 8, NH * 8, 0};
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
    pe_shape shape = {NL, NH, 8, NH * 8, 0};
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
    pe_shape bad = {NL, NH, 0, 0, 0};
    ck_assert_int_eq(pe_configure(&e, "nope", NULL, &bad, err, sizeof err), -1);
    ck_assert_int_eq(pe_configure(&e, "ropee", NULL, &shape, err, 8), -1);  // truncated message
    ck_assert_str_eq(err, "unknown");
}
END_TEST

// Shape limits: RoPE needs pairs; TAPA needs both parts non-empty; PoPE has one frequency per
// component (the PoPE paper: D frequencies, not D/2), so any head_dim works.
START_TEST(test_options_head_dim) {
    pe e;
    char err[256];
    pe_shape s = {NL, NH, 7, NH * 7, 0};
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

// ---- Defining properties (the papers' formulas) -------------------------------------------------

static const float far_pos[MAXT] = {0, 3, 17, 1001, 4097, 29999, 39993, 40960};

static double softplus_d(double x) { return x > 20 ? x : log1p(exp(x)); }

// Scores that depend on m - n only: each declares it, so that pe_check tests the shift
// invariance; NoPE also declares that positions do not matter at all.
static const char *const relative[] = {"nope", "rope", "pope", "tapa"};

START_TEST(test_declared_invariances) {
    ck_assert_msg(pe_find(relative[_i])->invariances & PE_SHIFT_INVARIANT, "%s", relative[_i]);
    ck_assert_int_eq(!!(pe_find(relative[_i])->invariances & PE_POSITION_FREE), _i == 0);
}
END_TEST

// RoPE paper: s = Re(sum_i q~_i conj(k~_i) e^{j (m-n) theta_i}) / sqrt(D), at far positions so
// that a float angle (off by up to ~2e-3 rad at 40960) fails. Tolerance 2e-6 of the
// Cauchy-Schwarz bound of the logit; float rounding measures below 1e-7.
START_TEST(test_rope_complex_form) {
    fixture f;
    fixture_init(&f, "rope", NULL, 0, 0, 51, MAXT, 8);
    pe_check_head *h = &f.h;
    memcpy(h->pos, far_pos, sizeof far_pos);
    pe_check_logits(h);
    const int D = h->D, T = h->T;
    for (int i = 0; i < T; i++)
        for (int j = 0; j <= i; j++) {
            double ref = 0, bound = 0;
            for (int p = 0; p < D / 2; p++) {
                double a = h->q[i * D + 2 * p], b = h->q[i * D + 2 * p + 1];
                double c = h->k[j * D + 2 * p], d = h->k[j * D + 2 * p + 1];
                double phi = ((double)h->pos[i] - h->pos[j]) * pow(10000.0, -2.0 * p / D);
                ref += (a * c + b * d) * cos(phi) - (b * c - a * d) * sin(phi);  // Re(...)
                bound += hypot(a, b) * hypot(c, d);
            }
            ck_assert_double_eq_tol(h->s[i * T + j], ref / sqrt(D), 2e-6 * bound / sqrt(D));
        }
    fixture_free(&f);
}
END_TEST

static double norm(const float *x, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += (double)x[i] * x[i];
    return sqrt(s);
}

START_TEST(test_rope_preserves_norm) {
    fixture f;
    fixture_init(&f, "rope", NULL, 0, 0, 61, MAXT, 8);
    pe_check_head *h = &f.h;
    memcpy(h->pos, far_pos, sizeof far_pos);
    f.e.ops->qk_forward(&f.e, f.params, 0, 0, h->pos, h->T, h->q, h->k, h->qo, h->ko, h->scratch);
    const int D = h->D;
    for (int t = 0; t < h->T; t++) {
        const int o = t * D;
        ck_assert_double_eq_tol(norm(h->qo + o, D), norm(h->q + o, D), 1e-6 * norm(h->q + o, D));
        ck_assert_double_eq_tol(norm(h->ko + o, D), norm(h->k + o, D), 1e-6 * norm(h->k + o, D));
    }
    fixture_free(&f);
}
END_TEST

// PoPE paper: s = sum_c softplus(q_c) softplus(k_c) cos((m-n) theta_c - delta_c) / sqrt(D),
// at layer 0 head 1 (a slice indexed head-major instead of layer-major would differ) and far
// positions.
// Tolerance as for RoPE: 2e-6 of sum_c mu_q,c mu_k,c / sqrt(D).
START_TEST(test_pope_direct_form) {
    fixture f;
    fixture_init(&f, "pope", NULL, 0, 1, 71, MAXT, 8);
    pe_check_head *h = &f.h;
    memcpy(h->pos, far_pos, sizeof far_pos);
    pe_check_logits(h);
    const int D = h->D, T = h->T;
    const float *delta = f.params + (0 * NH + 1) * D;
    for (int i = 0; i < T; i++)
        for (int j = 0; j <= i; j++) {
            double ref = 0, bound = 0;
            for (int c = 0; c < D; c++) {
                double mu = softplus_d(h->q[i * D + c]) * softplus_d(h->k[j * D + c]);
                double th = pow(10000.0, -(double)c / D);
                ref += mu * cos(((double)h->pos[i] - h->pos[j]) * th - delta[c]);
                bound += mu;
            }
            ck_assert_double_eq_tol(h->s[i * T + j], ref / sqrt(D), 2e-6 * bound / sqrt(D));
        }
    fixture_free(&f);
}
END_TEST

// delta_clamp=forward: a delta of +1 acts as 0 and gets no gradient; -7 acts as -2 pi.
START_TEST(test_pope_clamp_forward) {
    fixture f;
    fixture_init(&f, "pope", "delta_init=zero", 1, 1, 81, 7, 8);
    pe_check_head *h = &f.h;
    const size_t at = (1 * NH + 1) * h->D + 3, below = at + 2, TT = (size_t)h->T * h->T;
    const size_t TD = (size_t)h->T * h->D;
    float *s0 = malloc(TT * sizeof(float)), *saved = malloc(h->np * sizeof(float));
    float *dq = calloc(TD, sizeof(float)), *dk = calloc(TD, sizeof(float));
    float *dp = calloc(h->np, sizeof(float));
    ck_assert(s0 && saved && dq && dk && dp);
    f.params[below] = (float)(-2 * M_PI);
    pe_check_logits(h);
    memcpy(s0, h->s, TT * sizeof(float));
    f.params[at] = 1.0f;
    f.params[below] = -7.0f;
    pe_check_backward(h, dq, dk, dp);  // also recomputes the logits
    for (int i = 0; i < h->T; i++)
        for (int j = 0; j <= i; j++) ck_assert(h->s[i * h->T + j] == s0[i * h->T + j]);
    ck_assert(dp[at] == 0.0f && dp[below] == 0.0f);
    ck_assert(dp[at + 1] != 0.0f);  // an in-range delta of the same head does get gradient
    memcpy(saved, f.params, h->np * sizeof(float));
    f.e.ops->project(&f.e, f.params);  // forward mode: project leaves delta alone
    ck_assert(memcmp(saved, f.params, h->np * sizeof(float)) == 0);
    free(s0), free(saved), free(dq), free(dk), free(dp);
    fixture_free(&f);
}
END_TEST

// delta_clamp=project: the forward uses delta as is; project clips into [-2 pi, 0].
START_TEST(test_pope_clamp_project) {
    fixture f;
    fixture_init(&f, "pope", "delta_init=zero,delta_clamp=project", 0, 1, 91, 7, 8);
    pe_check_head *h = &f.h;
    const size_t at = (0 * NH + 1) * h->D + 5;
    pe_check_logits(h);
    const float before = h->s[6 * h->T + 2];
    f.params[at] = 1.0f;
    f.params[at + 1] = -7.0f;
    f.params[at + 2] = -1.5f;
    pe_check_logits(h);
    ck_assert(h->s[6 * h->T + 2] != before);
    f.e.ops->project(&f.e, f.params);
    ck_assert(f.params[at] == 0.0f);
    ck_assert(f.params[at + 1] == (float)(-2 * M_PI));
    ck_assert(f.params[at + 2] == -1.5f);
    fixture_free(&f);
}
END_TEST

START_TEST(test_pope_init) {
    pe_shape shape = {4, 4, 32, 128, 0};
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

// The direct Eq. 12 logit of query i and key j, and its tolerance.
static double tapa_reference(const pe_check_head *h, double alpha, int A, int i, int j,
                             double *tol) {
    const int D = h->D;
    double amp = 0, ph = 0, na = 0, nb = 0;
    for (int c = 0; c < D; c++) {
        double x = (double)h->q[i * D + c] * h->k[j * D + c];
        if (c < A) amp += x, na += fabs(x);
        else ph += x, nb += fabs(x);
    }
    double r = fabs((double)h->pos[i] - h->pos[j]);
    double cr = r > 0 ? 2 * M_PI * pow(r, alpha) : 0;
    // float dot products perturb the argument by ~cr * nb * 1e-7
    *tol = na / sqrt(A) * (1e-6 + 1e-6 * cr * nb);
    return amp / sqrt(A) * cos(cr * ph / sqrt(D - A));
}

START_TEST(test_tapa_eq12) {
    fixture f;
    fixture_init(&f, "tapa", tapa_opts[_i], 0, 0, 101 + _i, MAXT, MAXD);
    pe_check_head *h = &f.h;
    const double alpha = pe_opt(&f.e, "alpha");
    const int A = (int)lround(pe_opt(&f.e, "theta") * h->D), T = h->T;
    // Far positions take the per-pair phase rates; consecutive ones (from 100) the table.
    for (int layout = 0; layout < 2; layout++) {
        if (layout == 0) memcpy(h->pos, far_pos, sizeof far_pos);
        else
            for (int t = 0; t < T; t++) h->pos[t] = 100.0f + t;
        for (int i = 0; i < T * T; i++) h->s[i] = 12345.0f;
        f.e.ops->score_forward(&f.e, NULL, 0, 0, h->pos, T, h->W, h->q, h->k, h->s, h->scratch);
        for (int i = 0; i < T; i++)
            for (int j = 0; j < T; j++) {
                if (j > i) {  // left to the caller's mask
                    ck_assert(h->s[i * T + j] == 12345.0f);
                    continue;
                }
                double tol, ref = tapa_reference(h, alpha, A, i, j, &tol);
                ck_assert_double_eq_tol(h->s[i * T + j], ref, tol);
            }
        for (int i = 0; i < T; i++) {  // r = 0: the amplitude part alone
            double na = 0, amp = 0;
            for (int c = 0; c < A; c++) {
                const double x = (double)h->q[i * h->D + c] * h->k[i * h->D + c];
                amp += x, na += fabs(x);
            }
            ck_assert_double_eq_tol(h->s[i * T + i], amp / sqrt(A), 1e-6 * na / sqrt(A));
        }
    }
    fixture_free(&f);
}
END_TEST

// ---- Bidirectional forms ------------------------------------------------------------------

// T5's encoder form: num_buckets 8 gives each direction 4 (2 exact, 2 log-spaced up to
// max_distance 20); keys after the query use buckets 4..7. Bucket by the formula in t5.c's
// header, computed here in double.
static int t5_bucket(double d, int N, int M) {
    const int E = N / 2;
    const long di = d >= 1 ? (long)d : 0;
    if (di < E) return (int)di;
    if (di >= M) return N - 1;
    const int b = E + (int)(log((double)di / E) / log((double)M / E) * (N - E));
    return b < N - 1 ? b : N - 1;
}

START_TEST(test_t5_bidirectional_buckets) {
    pe_shape shape = {NL, NH, 8, NH * 8, 1};
    pe e;
    char err[256];
    ck_assert_msg(pe_configure(&e, "t5", "num_buckets=8,max_distance=20", &shape, err,
                               sizeof err) == 0, "%s", err);
    float *params = pe_check_params(&e, 3);
    pe_check_head h;
    ck_assert_int_eq(pe_check_head_create(&h, &e, params, 7, 1, 0, 9), 0);
    const int T = h.T;
    memset(h.s, 0, sizeof(float) * T * T);
    e.ops->bias_forward(&e, params, 1, 0, h.pos, T, h.s, h.scratch);
    const float *b = params + (size_t)(1 * NH + 0) * 8;
    int later = 0;
    for (int i = 0; i < T; i++)
        for (int j = 0; j < T; j++) {
            const double d = (double)h.pos[i] - h.pos[j];
            const int k = d >= 0 ? t5_bucket(d, 4, 20) : 4 + t5_bucket(-d, 4, 20);
            later += k >= 4;
            ck_assert_msg(h.s[i * T + j] == b[k], "(%d, %d): bucket %d expected", i, j, k);
        }
    ck_assert_int_eq(later, T * (T - 1) / 2);
    // Two buckets per direction are too few for an exact half: refused bidirectionally only.
    ck_assert_int_eq(pe_configure(&e, "t5", "num_buckets=2,max_distance=20", &shape, err,
                                  sizeof err), -1);
    ck_assert_msg(strstr(err, "head_dim 8 in a bidirectional model not supported") != NULL, "%s",
                  err);
    shape.bidirectional = 0;
    ck_assert_int_eq(pe_configure(&e, "t5", "num_buckets=2,max_distance=20", &shape, err,
                                  sizeof err), 0);
    pe_check_head_free(&h);
    free(params);
}
END_TEST

Suite *suite_encodings(void) {
    Suite *s = suite_create("encodings");
    TCase *tc = tcase_create("registry");
    tcase_add_loop_test(tc, test_registry_contract, 0, n_registered());
    tcase_add_test(tc, test_t5_bidirectional_buckets);
    tcase_add_test(tc, test_options_parse);
    tcase_add_test(tc, test_options_merge);
    tcase_add_test(tc, test_options_head_dim);
    suite_add_tcase(s, tc);

    tc = tcase_create("properties");
    tcase_add_loop_test(tc, test_declared_invariances, 0, sizeof relative / sizeof relative[0]);
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
