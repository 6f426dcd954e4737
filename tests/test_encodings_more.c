// The generic checks (encodings/pe_check.c) asserted item by item on every registered
// encoding and on option paths the defaults do not take; the facts of sinusoidal, learned,
// alibi, t5, kerple, xpos and RoPE's scaling options, each against a hand-written table or a
// direct double-precision formula; and encoding plugins loaded from shared objects.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "encodings/encoding.h"
#include "encodings/pe_check.h"
#include "harness/cli/cli_check_encoding.h"
#include "harness/cli/cli_train.h"
#include "suites.h"

#ifndef PB_FIXTURE_DIR
#define PB_FIXTURE_DIR "build/fixtures"
#endif
#define EXAMPLE_SO PB_FIXTURE_DIR "/example_pe.so"
#define BROKEN_SO PB_FIXTURE_DIR "/broken_pe.so"

static int n_registered(void) {
    int n = 0;
    while (pe_registry[n]) n++;
    return n;
}

static void configure(pe *e, const char *name, const char *opts, int n_heads, int head_dim) {
    pe_shape shape = {2, n_heads, head_dim, n_heads * head_dim, 0};
    char err[256];
    ck_assert_msg(pe_configure(e, name, opts, &shape, err, sizeof err) == 0, "%s", err);
}

// ---- The generic checks, on every encoding and on non-default options ---------------------

// Asserts that check `item` ran and passed; `label` names the encoding, options and width.
static void expect_pass(const pe_check_report *r, const char *label, const char *item) {
    const pe_check_item *it = pe_check_find(r, item);
    ck_assert_msg(it != NULL, "%s: check '%s' did not run", label, item);
    ck_assert_msg(it->status == PE_CHECK_PASS, "%s: check '%s' %s: %s", label, item,
                  it->status == PE_CHECK_FAIL ? "failed" : "was skipped", it->detail);
}

// The checks an encoding's hooks, parameters, options and declared invariances call for.
static void expect_applicable_pass(const pe_check_report *r, const char *label, const pe *e) {
    const pe_ops *o = e->ops;
    const int attention = o->qk_forward || o->score_forward || o->bias_forward;
    const int params = pe_n_params(e) > 0;
    expect_pass(r, label, "contract");
    expect_pass(r, label, "options round trip");
    if (o->n_options) expect_pass(r, label, "non-default options round trip");
    if (attention) {
        expect_pass(r, label, "gradient dq");
        expect_pass(r, label, "gradient dk");
        expect_pass(r, label, "backward accumulates");
    }
    if (attention && params) expect_pass(r, label, "gradient dparams (attention)");
    if (o->bias_forward) expect_pass(r, label, "bias adds to logits");
    if (o->embed_forward) expect_pass(r, label, "embed backward accumulates");
    if (o->embed_forward && params) expect_pass(r, label, "gradient dparams (embed)");
    if (!o->embed_forward && (o->invariances & PE_SHIFT_INVARIANT))
        expect_pass(r, label, "shift invariance");
    if (!o->embed_forward && (o->invariances & PE_POSITION_FREE))
        expect_pass(r, label, "position free");
    expect_pass(r, label, "long positions finite");
}

// Runs pe_check: no item may fail, and every check that applies must have run and passed.
static void expect_checks_pass(const char *name, const char *opts, int head_dim) {
    pe_check_report r;
    char err[256], label[320];
    ck_assert_msg(pe_check_run(&r, name, opts, head_dim, err, sizeof err) == 0, "%s", err);
    snprintf(label, sizeof label, "%s(%s) D%d", name, r.options, head_dim);
    if (r.n_failed) pe_check_print(stderr, &r);
    for (int i = 0; i < r.n; i++)
        ck_assert_msg(r.items[i].status != PE_CHECK_FAIL, "%s: check '%s' failed (%.2e, limit "
                      "%.1e): %s", label, r.items[i].name, r.items[i].worst, r.items[i].tol,
                      r.items[i].detail);
    pe e;
    configure(&e, name, opts, 2, head_dim);
    expect_applicable_pass(&r, label, &e);
    // The measured errors, for the record (make test prints them).
    for (int i = 0; i < r.n; i++)
        if (r.items[i].tol > 0 && strncmp(r.items[i].name, "gradient", 8) == 0)
            fprintf(stderr, "check %-48s %-28s %.2e\n", label, r.items[i].name, r.items[i].worst);
}

START_TEST(test_checks_every_encoding) { expect_checks_pass(pe_registry[_i]->name, NULL, 8); }
END_TEST

// Option paths the defaults do not take, and a wider head for the vectorised loops.
static const struct { const char *name, *opts; int D; } variants[] = {
    {"rope", "base=500", 8},
    {"rope", "scaling=pi,factor=4", 8},
    {"rope", "scaling=ntk,factor=8", 8},
    {"rope", "scaling=yarn,factor=8,orig_len=16", 8},
    {"rope", NULL, 20},
    {"rope", "scaling=yarn,factor=16,orig_len=64", 20},
    {"pope", "delta_clamp=project,delta_init=zero", 8},
    {"pope", "base=100", 8},
    {"pope", NULL, 20},
    {"tapa", "theta=0.25,alpha=0.5", 8},
    {"tapa", "theta=0.48", 20},
    {"xpos", "scale_base=8", 8},
    {"xpos", NULL, 20},
    {"learned", "max_len=16,beyond=error", 8},
    {"learned", "max_len=10", 20},
    {"sinusoidal", "scale=0.1", 20},
    {"t5", "num_buckets=8,max_distance=12", 8},
    {"t5", NULL, 20},
    {"kerple", NULL, 20},
    {"alibi", NULL, 20},
};

START_TEST(test_checks_variants) {
    expect_checks_pass(variants[_i].name, variants[_i].opts, variants[_i].D);
}
END_TEST

// ---- ALiBi ---------------------------------------------------------------------------------

// The bias at distance 1 is -slope. 8 heads: 2^-1 .. 2^-8. 12 heads (not a power of two):
// the 8-head slopes, then every other slope of 16 heads, 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5.
static const double slopes8[8] = {0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125,
                                  0.00390625};
static const double slopes12[12] = {0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125,
                                    0.00390625, 0.70710678118654752, 0.35355339059327376,
                                    0.17677669529663688, 0.08838834764831844};

static void expect_slopes(int n_heads, const double *expected) {
    pe e;
    configure(&e, "alibi", NULL, n_heads, 8);
    const float pos[3] = {0, 1, 5};
    for (int h = 0; h < n_heads; h++) {
        float s[9] = {0};
        e.ops->bias_forward(&e, NULL, 1, h, pos, 3, s, NULL);
        ck_assert_msg(s[1 * 3 + 0] == -(float)expected[h], "%d heads, head %d: %.9g", n_heads, h,
                      s[3]);
        ck_assert(s[2 * 3 + 0] == -(float)expected[h] * 5.0f);  // linear in distance
        ck_assert(s[2 * 3 + 1] == -(float)expected[h] * 4.0f);
        ck_assert(s[0] == 0.0f && s[4] == 0.0f && s[8] == 0.0f);
    }
}

START_TEST(test_alibi_slopes) {
    expect_slopes(8, slopes8);
    expect_slopes(12, slopes12);
}
END_TEST

// ---- T5 ------------------------------------------------------------------------------------

// Default table (32 buckets, max_distance 128, causal): distances 0-15 are their own bucket;
// bucket 16 + k starts at the distance below; from 113 on everything is bucket 31. Worked by
// hand from 16 + floor(ln(d/16) / ln(8) * 16), e.g. d = 31: ln(1.9375)/ln(8)*16 = 5.09 -> 21.
static const int first_distance[32] = {
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14,  15,
    16, 19, 21, 24, 27, 31, 35, 40, 46, 52, 59, 67, 77, 87, 99, 113};

static int expected_bucket(int d) {
    int b = 0;
    while (b < 31 && first_distance[b + 1] <= d) b++;
    return b;
}

START_TEST(test_t5_buckets) {
    pe e;
    configure(&e, "t5", NULL, 2, 8);
    const int T = 201, N = 32;
    float *params = calloc(pe_n_params(&e), sizeof(float));
    float *s = calloc((size_t)T * T, sizeof(float)), pos[201];
    ck_assert(params && s);
    ck_assert_uint_eq(pe_n_params(&e), 2 * 2 * N);
    float *b = params + (1 * 2 + 1) * N;  // layer 1, head 1: the bias is the bucket index
    for (int k = 0; k < N; k++) b[k] = (float)k;
    for (int t = 0; t < T; t++) pos[t] = (float)t;
    e.ops->bias_forward(&e, params, 1, 1, pos, T, s, NULL);
    for (int j = 0; j <= 200; j++) {
        const int d = 200 - j;
        ck_assert_msg(s[200 * T + j] == (float)expected_bucket(d), "distance %d: bucket %g", d,
                      s[200 * T + j]);
    }
    // Spot values of the table itself, and far distances in the last bucket.
    ck_assert_int_eq(expected_bucket(15), 15);
    ck_assert_int_eq(expected_bucket(18), 16);
    ck_assert_int_eq(expected_bucket(31), 21);
    ck_assert_int_eq(expected_bucket(112), 30);
    ck_assert_int_eq(expected_bucket(200), 31);
    const float far[3] = {0, 5000, 40960};
    memset(s, 0, 9 * sizeof(float));
    e.ops->bias_forward(&e, params, 1, 1, far, 3, s, NULL);
    ck_assert(s[3] == 31.0f && s[6] == 31.0f && s[7] == 31.0f && s[8] == 0.0f);
    free(params);
    free(s);
}
END_TEST

// ---- RoPE scaling --------------------------------------------------------------------------

#define RT 6
#define RD 8
static const float rope_pos[RT] = {0, 4, 12, 100, 4000, 40000};

typedef struct rot {
    float q[RT * RD], k[RT * RD], qo[RT * RD], ko[RT * RD], scratch[2 * RT * RD];
} rot;

static void rotate(rot *r, const char *name, const char *opts, const float *pos) {
    pe e;
    configure(&e, name, opts, 2, RD);
    for (int i = 0; i < RT * RD; i++) {
        r->q[i] = (float)sin(1.0 + i * 0.7);
        r->k[i] = (float)cos(2.0 + i * 1.3);
    }
    e.ops->qk_forward(&e, NULL, 0, 0, pos, RT, r->q, r->k, r->qo, r->ko, r->scratch);
}

static void expect_same(const rot *a, const rot *b, float tol) {
    for (int i = 0; i < RT * RD; i++) {
        ck_assert_msg(fabsf(a->qo[i] - b->qo[i]) <= tol, "q' %d: %.9g vs %.9g", i, a->qo[i], b->qo[i]);
        ck_assert_msg(fabsf(a->ko[i] - b->ko[i]) <= tol, "k' %d: %.9g vs %.9g", i, a->ko[i], b->ko[i]);
    }
}

// PI at factor s is RoPE at positions / s: exactly, when the division is exact in float.
START_TEST(test_rope_pi_scales_positions) {
    rot a, b;
    float scaled[RT];
    for (int t = 0; t < RT; t++) scaled[t] = rope_pos[t] / 4.0f;
    rotate(&a, "rope", "scaling=pi,factor=4", rope_pos);
    rotate(&b, "rope", NULL, scaled);
    expect_same(&a, &b, 0.0f);
    static const float thirds[RT] = {0, 3, 12, 99, 3999, 39999};
    for (int t = 0; t < RT; t++) scaled[t] = thirds[t] / 3.0f;  // integers: exact
    rotate(&a, "rope", "scaling=pi,factor=3", thirds);
    rotate(&b, "rope", NULL, scaled);
    expect_same(&a, &b, 2e-6f);  // theta/3 and p/3 round differently in double
}
END_TEST

// Every scaling method is plain RoPE at factor 1, bit for bit; xPos without its scale too.
START_TEST(test_scalings_reduce_to_rope) {
    static const char *const same[] = {"scaling=pi,factor=1", "scaling=ntk,factor=1",
                                       "scaling=yarn,factor=1", "scaling=yarn,factor=1,orig_len=8"};
    rot ref, r;
    rotate(&ref, "rope", NULL, rope_pos);
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        rotate(&r, "rope", same[i], rope_pos);
        expect_same(&r, &ref, 0.0f);
    }
    rotate(&r, "xpos", "scale_base=0", rope_pos);
    expect_same(&r, &ref, 0.0f);
}
END_TEST

// Direct double-precision rotation of pair i by angle p * theta[i], times m.
static void expect_rotation(const rot *r, const double *theta, double m, double tol) {
    for (int t = 0; t < RT; t++)
        for (int i = 0; i < RD / 2; i++) {
            const int o = t * RD + 2 * i;
            const double a = rope_pos[t] * theta[i], c = cos(a), s = sin(a);
            ck_assert_double_eq_tol(r->qo[o], m * (r->q[o] * c - r->q[o + 1] * s), tol);
            ck_assert_double_eq_tol(r->qo[o + 1], m * (r->q[o] * s + r->q[o + 1] * c), tol);
            ck_assert_double_eq_tol(r->ko[o], m * (r->k[o] * c - r->k[o + 1] * s), tol);
        }
}

// NTK-aware: base * s^(D/(D-2)); the highest frequency stays 1, the lowest is divided by s.
START_TEST(test_rope_ntk_formula) {
    rot r;
    rotate(&r, "rope", "scaling=ntk,factor=8", rope_pos);
    double theta[RD / 2];
    const double b = 10000.0 * pow(8.0, RD / (RD - 2.0));
    for (int i = 0; i < RD / 2; i++) theta[i] = pow(b, -2.0 * i / RD);
    ck_assert_double_eq_tol(theta[RD / 2 - 1], pow(10000.0, -2.0 * (RD / 2 - 1) / RD) / 8, 1e-15);
    expect_rotation(&r, theta, 1.0, 4e-6);
}
END_TEST

// YaRN's frequencies in double: theta / s below alpha, theta above beta, ramped between.
static void yarn_theta(double L, double s, double alpha, double beta, double *theta) {
    for (int i = 0; i < RD / 2; i++) {
        const double th = pow(10000.0, -2.0 * i / RD), ratio = L * th / (2 * M_PI);
        double g = (ratio - alpha) / (beta - alpha);
        g = g < 0 ? 0 : g > 1 ? 1 : g;
        theta[i] = (1 - g) * th / s + g * th;
    }
}

// YaRN with L = 64, s = 4, alpha 1, beta 32, D = 8: theta = 1, 0.1, 0.01, 0.001, so
// r = L theta / 2pi = 10.19, 1.02, 0.10, 0.01: pair 0 is ramped (g = 0.296), pair 1 barely
// (g = 0.0006), pairs 2-3 fully interpolated (theta / 4); logits grow by (0.1 ln 4 + 1)^2.
START_TEST(test_rope_yarn_formula) {
    rot r;
    double theta[RD / 2];
    rotate(&r, "rope", "scaling=yarn,factor=4,orig_len=64", rope_pos);
    yarn_theta(64, 4, 1, 32, theta);
    ck_assert_double_eq_tol(theta[3], 0.001 / 4, 1e-12);
    ck_assert(theta[0] > 0.25 && theta[0] < 1.0);
    expect_rotation(&r, theta, 0.1 * log(4.0) + 1.0, 1e-5);
    // beta below the highest ratio: that pair keeps its frequency exactly.
    rotate(&r, "rope", "scaling=yarn,factor=4,orig_len=64,alpha=1,beta=2", rope_pos);
    yarn_theta(64, 4, 1, 2, theta);
    ck_assert(theta[0] == 1.0);
    expect_rotation(&r, theta, 0.1 * log(4.0) + 1.0, 1e-5);
}
END_TEST

// RoPE's scaling options are quiet: at their defaults they stay out of the canonical form (run
// ids and configs written without them keep their text), and they appear once set.
START_TEST(test_rope_quiet_options) {
    pe e;
    char buf[256];
    configure(&e, "rope", NULL, 2, 8);
    pe_format_options(&e, buf, sizeof buf);
    ck_assert_str_eq(buf, "base=10000");
    configure(&e, "rope", "factor=4,scaling=pi", 2, 8);
    pe_format_options(&e, buf, sizeof buf);
    ck_assert_str_eq(buf, "base=10000,scaling=pi,factor=4");
    pe back;
    configure(&back, "rope", buf, 2, 8);
    ck_assert(memcmp(back.opt, e.opt, sizeof e.opt) == 0);
}
END_TEST

// ---- xPos ----------------------------------------------------------------------------------

// s(m, n) = sum_i zeta_i^((m-n)/sb) Re(q~_i conj(k~_i) e^{j (m-n) theta_i}) / sqrt(D), in
// double, with a short scale_base so that the decay is strong (zeta^(~5)).
START_TEST(test_xpos_formula) {
    pe e;
    configure(&e, "xpos", "scale_base=40", 2, RD);
    static const float pos[RT] = {0, 3, 17, 60, 150, 210};
    rot r;
    for (int i = 0; i < RT * RD; i++) {
        r.q[i] = (float)sin(1.0 + i * 0.7);
        r.k[i] = (float)cos(2.0 + i * 1.3);
    }
    e.ops->qk_forward(&e, NULL, 1, 1, pos, RT, r.q, r.k, r.qo, r.ko, r.scratch);
    for (int m = 0; m < RT; m++)
        for (int n = 0; n <= m; n++) {
            double got = 0, ref = 0, bound = 0;
            for (int c = 0; c < RD; c++) got += (double)r.qo[m * RD + c] * r.ko[n * RD + c];
            for (int i = 0; i < RD / 2; i++) {
                const double a = r.q[m * RD + 2 * i], b = r.q[m * RD + 2 * i + 1];
                const double c = r.k[n * RD + 2 * i], d = r.k[n * RD + 2 * i + 1];
                const double rel = (double)pos[m] - pos[n];
                const double phi = rel * pow(10000.0, -2.0 * i / RD);
                const double zeta = (2.0 * i / RD + 0.4) / 1.4;
                ref += pow(zeta, rel / 40) * ((a * c + b * d) * cos(phi) - (b * c - a * d) * sin(phi));
                bound += hypot(a, b) * hypot(c, d);
            }
            ck_assert_double_eq_tol(got, ref, 2e-6 * bound);
        }
}
END_TEST

// ---- Sinusoidal ----------------------------------------------------------------------------

// PE(p, 2i) = sin(p / 10000^(2i/C)), PE(p, 2i+1) = cos(...), added to x; an odd C leaves the
// last channel with the sine only.
START_TEST(test_sinusoidal_formula) {
    static const float pos[5] = {0, 1, 7, 1000, 40960};
    for (int C = 15; C <= 16; C++) {
        pe e;
        pe_shape shape = {1, 1, C, C, 0};
        char err[256];
        ck_assert_msg(pe_configure(&e, "sinusoidal", NULL, &shape, err, sizeof err) == 0, "%s", err);
        float x[5 * 16];
        for (int i = 0; i < 5 * C; i++) x[i] = 0.5f;
        e.ops->embed_forward(&e, NULL, pos, 1, 5, x);
        for (int t = 0; t < 5; t++)
            for (int c = 0; c < C; c++) {
                const double a = pos[t] / pow(10000.0, 2.0 * (c / 2) / C);
                const double ref = 0.5 + (c % 2 ? cos(a) : sin(a));
                ck_assert_msg(fabs(x[t * C + c] - ref) < 1e-6, "C %d pos %g channel %d: %.9g vs %.9g",
                              C, pos[t], c, x[t * C + c], ref);
            }
    }
}
END_TEST

// ---- Learned -------------------------------------------------------------------------------

// clamp: positions >= max_len use the last row, negative ones row 0; error: the harness
// check refuses longer sequences, and the hooks still never read past the table.
START_TEST(test_learned_policy) {
    pe e;
    configure(&e, "learned", "max_len=4", 1, 3);  // d_model 3
    ck_assert_uint_eq(pe_n_params(&e), 4 * 3);
    float params[12];
    for (int i = 0; i < 12; i++) params[i] = (float)(10 * (i / 3) + i % 3);  // row r: 10r + c
    static const float pos[6] = {-2, 0, 2.7f, 3, 4, 1000};
    static const int row[6] = {0, 0, 2, 3, 3, 3};
    float x[18] = {0}, dp[12] = {0}, dx[18];
    e.ops->embed_forward(&e, params, pos, 1, 6, x);
    for (int t = 0; t < 6; t++)
        for (int c = 0; c < 3; c++) ck_assert(x[t * 3 + c] == (float)(10 * row[t] + c));
    for (int i = 0; i < 18; i++) dx[i] = 1.0f;
    e.ops->embed_backward(&e, params, dp, pos, 1, 6, dx);
    for (int c = 0; c < 3; c++) {
        ck_assert(dp[0 * 3 + c] == 2.0f && dp[1 * 3 + c] == 0.0f);
        ck_assert(dp[2 * 3 + c] == 1.0f && dp[3 * 3 + c] == 3.0f);
    }
    char err[256];
    ck_assert_int_eq(pe_check_length(&e, 100000, err, sizeof err), 0);  // clamp: no limit
    configure(&e, "learned", "max_len=4,beyond=error", 1, 3);
    ck_assert_int_eq(pe_check_length(&e, 4, err, sizeof err), 0);
    ck_assert_int_eq(pe_check_length(&e, 5, err, sizeof err), -1);
    ck_assert_str_eq(err, "encoding 'learned' (max_len=4,beyond=error): a sequence of 5 "
                          "positions exceeds the 4 it supports");
    memset(x, 0, sizeof x);
    e.ops->embed_forward(&e, params, pos, 1, 6, x);  // still clamps
    ck_assert(x[5 * 3] == 30.0f);
    pe r;
    configure(&r, "rope", NULL, 2, 8);
    ck_assert_int_eq(pe_check_length(&r, 1 << 30, err, sizeof err), 0);
}
END_TEST

// ---- KERPLE --------------------------------------------------------------------------------

// -r1 ln(1 + r2 |m-n|) with the (layer, head) slice's own r1, r2; project keeps them >= 0.01.
START_TEST(test_kerple_formula) {
    pe e;
    configure(&e, "kerple", NULL, 3, 8);
    ck_assert_uint_eq(pe_n_params(&e), 2 * 3 * 2);
    float params[12];
    for (int i = 0; i < 12; i++) params[i] = 0.1f + 0.2f * i;
    const int layer = 1, head = 2, at = 2 * (layer * 3 + head);
    static const float pos[4] = {0, 1, 10, 5000};
    float s[16] = {0};
    e.ops->bias_forward(&e, params, layer, head, pos, 4, s, NULL);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j <= i; j++) {
            const double ref = -params[at] * log(1.0 + params[at + 1] * fabs(pos[i] - pos[j]));
            ck_assert_double_eq_tol(s[i * 4 + j], ref, 1e-6 * (1 + fabs(ref)));
        }
    params[3] = -1.0f, params[4] = 0.001f, params[5] = 3.0f;
    e.ops->project(&e, params);
    ck_assert(params[3] == 0.01f && params[4] == 0.01f && params[5] == 3.0f);
}
END_TEST

// ---- Plugins -------------------------------------------------------------------------------

START_TEST(test_plugin_loads_and_passes) {
    char err[512];
    const pe_ops *ops = pe_load_plugin(EXAMPLE_SO, err, sizeof err);
    ck_assert_msg(ops != NULL, "%s", err);
    ck_assert_str_eq(ops->name, "example_logdecay");
    ck_assert_ptr_eq(pe_find("example_logdecay"), ops);
    ck_assert_ptr_eq(pe_plugin_at(0), ops);
    ck_assert_ptr_eq(pe_load_plugin(EXAMPLE_SO, err, sizeof err), ops);  // once only
    ck_assert_ptr_null(pe_plugin_at(1));
    pe e;
    configure(&e, "example_logdecay", "scale=2", 2, 8);
    ck_assert_double_eq(pe_opt(&e, "scale"), 2);  // the plugin reads it through the host
    expect_checks_pass("example_logdecay", NULL, 8);
    expect_checks_pass("example_logdecay", "scale=0.5", 20);
    // The unknown-name message lists plugins too.
    ck_assert_int_eq(pe_configure(&e, "example_logdecy", NULL, &e.shape, err, sizeof err), -1);
    ck_assert_str_eq(err, "unknown encoding 'example_logdecy' (did you mean 'example_logdecay'?)");
}
END_TEST

START_TEST(test_plugin_broken_fails) {
    char err[512];
    const pe_ops *ops = pe_load_plugin(BROKEN_SO, err, sizeof err);
    ck_assert_msg(ops != NULL, "%s", err);
    pe_check_report r;
    ck_assert_int_eq(pe_check_run(&r, ops->name, NULL, 8, err, sizeof err), 0);
    // Its bias loops stop at the diagonal: in a bidirectional model later keys go unscored.
    static const char *const wrong[] = {
        "gradient dparams (attention)", "shift invariance",
        "gradient dparams (attention) (bidirectional)", "shift invariance (bidirectional)",
        "later keys: causal form of the pair (bidirectional)"};
    for (int i = 0; i < 5; i++) {
        const pe_check_item *it = pe_check_find(&r, wrong[i]);
        ck_assert_msg(it && it->status == PE_CHECK_FAIL, "%s", wrong[i]);
    }
    ck_assert_int_eq(r.n_failed, 5);
}
END_TEST

START_TEST(test_plugin_errors) {
    char err[512];
    ck_assert_ptr_null(pe_load_plugin(PB_FIXTURE_DIR "/missing.so", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "cannot load encoding plugin: "));
    ck_assert_ptr_nonnull(strstr(err, "missing.so"));
    // A shared object without the symbol (libm is always there).
    ck_assert_ptr_null(pe_load_plugin("libm.so.6", err, sizeof err));
    ck_assert_str_eq(err, "libm.so.6: no symbol 'posbench_encoding' (a const pe_ops)");
    // Built for another pe_ops layout.
    ck_assert_ptr_null(pe_load_plugin(PB_FIXTURE_DIR "/stale_pe.so", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "stale_pe.so: built for pe_ops layout 3, this posbench has 2"));
    ck_assert_ptr_null(pe_plugin_at(0));
    // Structural validation, which the registry's own entries pass too.
    pe_ops bad = {.name = "x y", .summary = "s"};
    ck_assert_int_eq(pe_validate_ops(&bad, err, sizeof err), -1);
    bad.name = "fine";
    bad.n_params = NULL;
    bad.bias_forward = pe_find("alibi")->bias_forward;
    ck_assert_int_eq(pe_validate_ops(&bad, err, sizeof err), -1);
    ck_assert_str_eq(err, "encoding 'fine': a forward hook without its backward");
    for (int i = 0; pe_registry[i]; i++)
        ck_assert_msg(pe_validate_ops(pe_registry[i], err, sizeof err) == 0, "%s", err);
}
END_TEST

// A plugin named without a folder is the file in the current folder (dlopen alone would
// search the library path and not find it).
START_TEST(test_cli_check_encoding_in_current_folder) {
    char cwd[4096], *out = NULL;
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(PB_FIXTURE_DIR), 0);
    const char *here[] = {"check-encoding", "example_pe.so", NULL};
    const int rc = run_captured(cmd_check_encoding, here, &out);
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_msg(rc == 0, "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "encoding example_logdecay(scale=1)"));
    free(out);
}
END_TEST

// The CLI: exit 0 with a table for a good plugin, 1 for a broken one, 2 for an unknown name.
START_TEST(test_cli_check_encoding) {
    char *out = NULL;
    const char *good[] = {"check-encoding", EXAMPLE_SO, NULL};
    ck_assert_int_eq(run_captured(cmd_check_encoding, good, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "encoding example_logdecay(scale=1)"));
    ck_assert_ptr_nonnull(strstr(out, "  gradient dparams (attention)                         pass"));
    ck_assert_ptr_nonnull(strstr(out, "  later keys: causal form of the pair (bidirectional)  pass"));
    ck_assert_ptr_nonnull(strstr(out, "all 21 checks passed"));
    free(out);
    const char *broken[] = {"check-encoding", BROKEN_SO, NULL};
    ck_assert_int_eq(run_captured(cmd_check_encoding, broken, &out), 1);
    ck_assert_ptr_nonnull(strstr(out, "  gradient dparams (attention)                         FAIL"));
    ck_assert_ptr_nonnull(strstr(out, "5 of 20 checks failed"));
    free(out);
    const char *unknown[] = {"check-encoding", "ropey", NULL};
    ck_assert_int_eq(run_captured(cmd_check_encoding, unknown, &out), 2);
    ck_assert_ptr_nonnull(strstr(out, "posbench: unknown encoding 'ropey' (did you mean 'rope'?)"));
    free(out);
    const char *builtin[] = {"check-encoding", "t5", "--options", "num_buckets=8,max_distance=20",
                             "--head-dim", "4", NULL};
    ck_assert_int_eq(run_captured(cmd_check_encoding, builtin, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "encoding t5(num_buckets=8,max_distance=20)"));
    free(out);
    const char *help[] = {"check-encoding", "--help", NULL};
    ck_assert_int_eq(run_captured(cmd_check_encoding, help, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: posbench check-encoding NAME|FILE.so"));
    free(out);
}
END_TEST

// posbench train --encoding-plugin: the plugin's name becomes the default encoding, and an
// explicit --encoding still wins.
START_TEST(test_cli_train_plugin) {
    char *out = NULL;
    const char *args[] = {"train", "--encoding-plugin", EXAMPLE_SO, "--steps", "2", "--d-model",
                          "16", "--heads", "2", "--layers", "1", "--batch", "4", "--threads", "1",
                          NULL};
    ck_assert_int_eq(run_captured(cmd_train, args, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "model: example_logdecay(scale=1), d_model 16"));
    free(out);
    const char *named[] = {"train", "--encoding", "alibi", "--encoding-plugin", EXAMPLE_SO,
                           "--steps", "1", "--d-model", "16", "--heads", "2", "--layers", "1",
                           "--batch", "2", "--threads", "1", NULL};
    ck_assert_int_eq(run_captured(cmd_train, named, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "model: alibi(), d_model 16"));
    free(out);
    const char *missing[] = {"train", "--encoding-plugin", PB_FIXTURE_DIR "/missing.so", NULL};
    ck_assert_int_eq(run_captured(cmd_train, missing, &out), 2);
    ck_assert_ptr_nonnull(strstr(out, "posbench: cannot load encoding plugin: "));
    free(out);
}
END_TEST

Suite *suite_encodings_more(void) {
    Suite *s = suite_create("encodings_more");
    TCase *tc = tcase_create("generic_checks");
    tcase_add_loop_test(tc, test_checks_every_encoding, 0, n_registered());
    tcase_add_loop_test(tc, test_checks_variants, 0, sizeof variants / sizeof variants[0]);
    suite_add_tcase(s, tc);

    tc = tcase_create("facts");
    tcase_add_test(tc, test_alibi_slopes);
    tcase_add_test(tc, test_t5_buckets);
    tcase_add_test(tc, test_rope_pi_scales_positions);
    tcase_add_test(tc, test_scalings_reduce_to_rope);
    tcase_add_test(tc, test_rope_ntk_formula);
    tcase_add_test(tc, test_rope_yarn_formula);
    tcase_add_test(tc, test_rope_quiet_options);
    tcase_add_test(tc, test_xpos_formula);
    tcase_add_test(tc, test_sinusoidal_formula);
    tcase_add_test(tc, test_learned_policy);
    tcase_add_test(tc, test_kerple_formula);
    suite_add_tcase(s, tc);

    tc = tcase_create("plugins");
    tcase_add_test(tc, test_plugin_loads_and_passes);
    tcase_add_test(tc, test_plugin_broken_fails);
    tcase_add_test(tc, test_plugin_errors);
    tcase_add_test(tc, test_cli_check_encoding);
    tcase_add_test(tc, test_cli_check_encoding_in_current_folder);
    tcase_add_test(tc, test_cli_train_plugin);
    suite_add_tcase(s, tc);
    return s;
}
