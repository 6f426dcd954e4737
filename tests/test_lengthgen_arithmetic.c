// The suite's counting and arithmetic tasks (tasks/lengthgen/): even_pairs, cycle_navigation,
// modular_arithmetic, modular_arithmetic_brackets, solve_equation. For each: golden sequences
// checked by hand, a solver of its own over many draws at the default lengths and at long ones
// (tests/lengthgen_check.h), its option errors, and what its file's header promises about the
// distribution. The solvers read token names only, and compute differently from the
// generators: first against last symbol instead of counting pairs, counts of moves instead of
// a walk, a two-stack precedence parser instead of a running sum of products or a value built
// along with the expression, and every candidate x instead of remembering the residue that x
// replaced.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/rng.h"
#include "lengthgen_check.h"
#include "suites.h"

static const char *name_of(const task *t, int id) { return t->ops->token_name(t, id); }

// The id of the token named name (the test fails without one).
static uint16_t id_of(const task *t, const char *name) {
    const int V = t->ops->vocab_size(t);
    for (int id = 0; id < V; id++)
        if (!strcmp(name_of(t, id), name)) return (uint16_t)id;
    ck_abort_msg("%s: no token named '%s'", t->ops->name, name);
    return 0;
}

static int is_residue(const char *s) { return s[0] >= '0' && s[0] <= '9' && !s[1]; }

static uint16_t residue_id(const task *t, int v) {
    const char name[2] = {(char)('0' + v), '\0'};
    return id_of(t, name);
}

static int input_tokens(const task *t, const uint16_t *in, int m) {
    (void)t, (void)in;
    return m;
}

static int modulus_of(const task *t) { return (int)t->opt[2]; }  // after len_min, len_max

// Draws `draws` sequences and returns how many have the token named `name` at index i (-1:
// the last token, the answer of these tasks), for the distribution checks.
static int count_at(const task *t, uint64_t seed, int draws, int i, const char *name) {
    const int max_len = t->ops->max_len(t);
    uint16_t *tok = malloc((size_t)max_len * sizeof *tok);
    uint8_t *mask = malloc((size_t)max_len);
    rng r;
    rng_seed(&r, seed);
    int count = 0;
    for (int s = 0; s < draws; s++) {
        const int len = t->ops->next(t, &r, tok, mask);
        const int at = i < 0 ? len - 1 : i;
        count += at < len && !strcmp(name_of(t, tok[at]), name);
    }
    free(tok), free(mask);
    return count;
}

// ---- a precedence parser for the expressions -----------------------------------------------
// (Plain checks, one assertion per expression: every ck_assert costs a system call.)

enum { MAX_EXPR = 1024 };

static int precedence(char op) { return op == 'u' ? 3 : op == '*' ? 2 : op == '(' ? 0 : 1; }

// Applies op to the top of the value stack; 0, or -1 when it holds too few values.
static int apply(char op, int *vals, int *nv, int m) {
    if (*nv < (op == 'u' ? 1 : 2)) return -1;
    if (op == 'u') {
        vals[*nv - 1] = (m - vals[*nv - 1]) % m;
        return 0;
    }
    const int b = vals[--*nv], a = vals[*nv - 1];
    vals[*nv - 1] = op == '+' ? (a + b) % m : op == '-' ? (a - b + m) % m : a * b % m;
    return 0;
}

// The value mod m of in[0..len) by two stacks (values, pending operators): a '-' where an
// operand is due is a unary minus ('u', binding tightest), * binds tighter than + and -, which
// go left to right. An 'x' token has the value x. -1 for a malformed expression.
static int evaluate(const task *t, const uint16_t *in, int len, int m, int x) {
    int vals[MAX_EXPR], nv = 0, no = 0, operand_due = 1;
    char ops[MAX_EXPR];
    if (len > MAX_EXPR) return -1;
    for (int i = 0; i < len; i++) {
        const char *s = name_of(t, in[i]);
        const char c = s[0];
        if (s[1]) return -1;
        if (is_residue(s) || c == 'x') {
            const int v = c == 'x' ? x : c - '0';
            if (!operand_due || v >= m) return -1;
            vals[nv++] = v;
            operand_due = 0;
        } else if (c == '(' || (c == '-' && operand_due)) {
            if (!operand_due) return -1;
            ops[no++] = c == '(' ? '(' : 'u';
        } else if (c == ')') {
            if (operand_due) return -1;
            while (no > 0 && ops[no - 1] != '(')
                if (apply(ops[--no], vals, &nv, m)) return -1;
            if (no == 0) return -1;  // unmatched ')'
            no--;
        } else {
            if (operand_due || !strchr("+-*", c)) return -1;
            while (no > 0 && precedence(ops[no - 1]) >= precedence(c))
                if (apply(ops[--no], vals, &nv, m)) return -1;
            ops[no++] = c;
            operand_due = 1;
        }
    }
    if (operand_due) return -1;
    while (no > 0)
        if (ops[no - 1] == '(' || apply(ops[--no], vals, &nv, m)) return -1;
    return nv == 1 ? vals[0] : -1;
}

// modular_arithmetic and modular_arithmetic_brackets: the expression's value.
static int expression_solve(const task *t, const uint16_t *in, int m, uint16_t *out,
                            int *scored) {
    const int v = evaluate(t, in, m, modulus_of(t), 0);
    ck_assert_msg(v >= 0, "%s: a malformed expression", t->ops->name);
    out[0] = residue_id(t, v);
    *scored = 1;
    return 1;
}

// ---- even_pairs ----------------------------------------------------------------------------

// Each a-b or b-a change flips the side, so an odd number of changes is exactly a string
// whose first and last symbols differ.
static int even_pairs_solve(const task *t, const uint16_t *in, int m, uint16_t *out,
                            int *scored) {
    int ab = 1;
    for (int i = 0; i < m; i++)
        ab &= !strcmp(name_of(t, in[i]), "a") || !strcmp(name_of(t, in[i]), "b");
    ck_assert(ab);
    out[0] = id_of(t, in[0] != in[m - 1] ? "1" : "0");
    *scored = 1;
    return 1;
}

START_TEST(test_even_pairs) {
    task t = lengthgen_configure("even_pairs", "len_min=4,len_max=8");
    // By hand: bbabaaa changes at b-a, a-b, b-a: 3, odd; bbbbbbba once, at b-a: odd;
    // aaaaba twice, at a-b and b-a: even.
    static const char *const golden[] = {"bbabaaa|[1]", "bbbbbbba|[1]", "aaaaba|[0]"};
    lengthgen_check_golden(&t, 1, golden, 3);
    t = lengthgen_configure("even_pairs", NULL);
    ck_assert_int_eq(t.ops->vocab_size(&t), 5);
    ck_assert_int_eq(t.ops->max_len(&t), 42);
    ck_assert_int_eq(lengthgen_check_solver(&t, 2, 3000, even_pairs_solve, input_tokens), 42);
    t = lengthgen_configure("even_pairs", "len_min=450,len_max=500");
    ck_assert_int_eq(lengthgen_check_solver(&t, 3, 600, even_pairs_solve, input_tokens), 502);
}
END_TEST

// A single symbol has no pair (always 0); from 2 symbols on the classes are balanced.
START_TEST(test_even_pairs_classes) {
    task t = lengthgen_configure("even_pairs", "len_min=1,len_max=1");
    ck_assert_int_eq(count_at(&t, 4, 200, -1, "0"), 200);
    t = lengthgen_configure("even_pairs", "len_min=2,len_max=40");
    const int odd = count_at(&t, 5, 4000, -1, "1");
    ck_assert_msg(odd > 1850 && odd < 2150, "%d odd in 4000", odd);
}
END_TEST

// ---- cycle_navigation ------------------------------------------------------------------------

// The end is (forward moves - backward moves) mod C, whatever their order.
static int cycle_solve(const task *t, const uint16_t *in, int m, uint16_t *out, int *scored) {
    const int c = (int)t->opt[2];
    int forward = 0, back = 0, stay = 0;
    for (int i = 0; i < m; i++) {
        const char *s = name_of(t, in[i]);
        forward += !strcmp(s, "+"), back += !strcmp(s, "-"), stay += !strcmp(s, "=");
    }
    ck_assert_int_eq(forward + back + stay, m);
    out[0] = residue_id(t, ((forward - back) % c + c) % c);
    *scored = 1;
    return 1;
}

START_TEST(test_cycle_navigation) {
    task t = lengthgen_configure("cycle_navigation", "len_min=4,len_max=8");
    // By hand (mod 5): ===+--= is 0+0+0+1-1-1+0 = -1 = 4; =++++=+- is 1+1+1+1+1-1 = 4;
    // --==== is -2 = 3.
    static const char *const golden[] = {"===+--=|[4]", "=++++=+-|[4]", "--====|[3]"};
    lengthgen_check_golden(&t, 1, golden, 3);
    t = lengthgen_configure("cycle_navigation", NULL);
    ck_assert_int_eq(t.ops->vocab_size(&t), 9);  // 0-4, - = +, |
    ck_assert_int_eq(t.ops->max_len(&t), 42);
    ck_assert_int_eq(lengthgen_check_solver(&t, 2, 3000, cycle_solve, input_tokens), 42);
    t = lengthgen_configure("cycle_navigation", "len_min=450,len_max=500");
    ck_assert_int_eq(lengthgen_check_solver(&t, 3, 600, cycle_solve, input_tokens), 502);
    t = lengthgen_configure("cycle_navigation", "cycle_length=3");
    ck_assert_int_eq(t.ops->vocab_size(&t), 7);
    ck_assert_int_eq(lengthgen_check_solver(&t, 4, 2000, cycle_solve, input_tokens), 42);
    t = lengthgen_configure("cycle_navigation", "cycle_length=10,len_min=450,len_max=500");
    ck_assert_int_eq(lengthgen_check_solver(&t, 5, 600, cycle_solve, input_tokens), 502);
}
END_TEST

// ---- modular_arithmetic ----------------------------------------------------------------------

// modular_arithmetic draws n - 1 tokens for an even n (the suite's expressions have odd
// lengths), so no input tells n from n - 1 and lengthgen_check_solver cannot see every n.
// Its solver check runs on a view counting operands instead: the view with len_min = a,
// len_max = b is the task drawing n in [2a - 1, 2b], which gives k = (tokens + 1) / 2 operands
// for each k in [a, b] (from n = 2k - 1 and n = 2k).
static task real_task(const task *view) {
    task t = *view;
    t.ops = task_find("modular_arithmetic");
    t.opt[0] = 2 * view->opt[0] - 1;
    t.opt[1] = 2 * view->opt[1];
    return t;
}
static int view_vocab_size(const task *v) {
    const task t = real_task(v);
    return t.ops->vocab_size(&t);
}
static const char *view_token_name(const task *v, int id) {
    const task t = real_task(v);
    return t.ops->token_name(&t, id);
}
static int view_max_len(const task *v) {
    const task t = real_task(v);
    return t.ops->max_len(&t);
}
static int view_next(const task *v, rng *r, uint16_t *tokens, uint8_t *mask) {
    const task t = real_task(v);
    return t.ops->next(&t, r, tokens, mask);
}
static const task_ops by_operands = {.name = "modular_arithmetic (n = operands)",
                                     .vocab_size = view_vocab_size,
                                     .token_name = view_token_name,
                                     .max_len = view_max_len,
                                     .next = view_next};

// The view of modular_arithmetic configured with options (len_min odd, len_max even).
static task operands_view(const char *options) {
    task t = lengthgen_configure("modular_arithmetic", options);
    const int lo = (int)t.opt[0], hi = (int)t.opt[1];
    ck_assert(lo % 2 == 1 && hi % 2 == 0);
    t.ops = &by_operands;
    t.opt[0] = (lo + 1) / 2;
    t.opt[1] = hi / 2;
    return t;
}

static int operands(const task *t, const uint16_t *in, int m) {
    (void)t, (void)in;
    return (m + 1) / 2;
}

START_TEST(test_modular_arithmetic) {
    task t = lengthgen_configure("modular_arithmetic", "len_min=3,len_max=9");
    // By hand (mod 5): 2-1*0+1 = 2-0+1 = 3; 2*4*3-4+2 = 24-4+2 = 22 = 2; 0-2 = -2 = 3.
    static const char *const golden[] = {"2-1*0+1|[3]", "2*4*3-4+2|[2]", "0-2|[3]"};
    lengthgen_check_golden(&t, 1, golden, 3);
    t = lengthgen_configure("modular_arithmetic", NULL);
    ck_assert_int_eq(t.ops->vocab_size(&t), 9);  // 0-4, + - *, |
    ck_assert_int_eq(t.ops->max_len(&t), 41);    // n = 40 draws 39 tokens
    t = operands_view(NULL);
    ck_assert_int_eq(lengthgen_check_solver(&t, 2, 3000, expression_solve, operands), 41);
    t = operands_view("len_min=449,len_max=500");
    ck_assert_int_eq(lengthgen_check_solver(&t, 3, 600, expression_solve, operands), 501);
    t = operands_view("modulus=7,len_min=1,len_max=60");
    ck_assert_int_eq(lengthgen_check_solver(&t, 4, 2000, expression_solve, operands), 61);
    t = operands_view("modulus=2,len_min=449,len_max=500");
    ck_assert_int_eq(lengthgen_check_solver(&t, 5, 600, expression_solve, operands), 501);
}
END_TEST

// Even n: n - 1 tokens (the suite's rule); each operator a third of the time.
START_TEST(test_modular_arithmetic_lengths) {
    static const char *const lens[] = {"len_min=1,len_max=1", "len_min=2,len_max=2",
                                       "len_min=6,len_max=6", "len_min=7,len_max=7"};
    static const int tokens[] = {1, 1, 5, 7};
    for (int c = 0; c < 4; c++) {
        task t = lengthgen_configure("modular_arithmetic", lens[c]);
        ck_assert_int_eq(t.ops->max_len(&t), tokens[c] + 2);
        // Every sequence is tokens[c] long: its '|' is there, and nothing follows the answer.
        ck_assert_int_eq(count_at(&t, 6, 100, tokens[c], "|"), 100);
        ck_assert_int_eq(count_at(&t, 6, 100, tokens[c] + 2, "|"), 0);
    }
    task t = lengthgen_configure("modular_arithmetic", "len_min=3,len_max=3");
    static const char *const ops[] = {"+", "-", "*"};
    for (int o = 0; o < 3; o++) {
        const int n = count_at(&t, 7, 6000, 1, ops[o]);
        ck_assert_msg(n > 1800 && n < 2200, "'%s' %d times in 6000", ops[o], n);
    }
}
END_TEST

// ---- modular_arithmetic_brackets -------------------------------------------------------------

START_TEST(test_modular_arithmetic_brackets) {
    task t = lengthgen_configure("modular_arithmetic_brackets", "len_min=5,len_max=14");
    // By hand (mod 5): ((2)*1): (2) and 1, 2*1 = 2; ((-3)+(-1)) = -4 = 1; (2-3) = -1 = 4.
    static const char *const golden[] = {"((2)*1)|[2]", "((-3)+(-1))|[1]", "(2-3)|[4]"};
    lengthgen_check_golden(&t, 4, golden, 3);
    t = lengthgen_configure("modular_arithmetic_brackets", NULL);
    ck_assert_int_eq(t.ops->vocab_size(&t), 11);  // 0-4, + - ( ) *, |
    ck_assert_int_eq(t.ops->max_len(&t), 42);
    ck_assert_int_eq(lengthgen_check_solver(&t, 2, 3000, expression_solve, input_tokens), 42);
    t = lengthgen_configure("modular_arithmetic_brackets", "len_min=450,len_max=500");
    ck_assert_int_eq(lengthgen_check_solver(&t, 3, 600, expression_solve, input_tokens), 502);
    t = lengthgen_configure("modular_arithmetic_brackets", "mult=0,modulus=7");
    ck_assert_int_eq(t.ops->vocab_size(&t), 12);  // 0-6, + - ( ), |: no *
    ck_assert_int_eq(lengthgen_check_solver(&t, 4, 2000, expression_solve, input_tokens), 42);
    t = lengthgen_configure("modular_arithmetic_brackets", "modulus=10,len_min=450,len_max=500");
    ck_assert_int_eq(lengthgen_check_solver(&t, 5, 600, expression_solve, input_tokens), 502);
}
END_TEST

// The shapes of the short lengths, and op uniform over + - * (mult=1) or + - (mult=0).
START_TEST(test_brackets_shapes) {
    static const char *const shapes[] = {"d", "-d", "(d)", "(-d)"};
    for (int n = 1; n <= 4; n++) {
        char opt[64];
        snprintf(opt, sizeof opt, "len_min=%d,len_max=%d", n, n);
        task t = lengthgen_configure("modular_arithmetic_brackets", opt);
        rng r;
        rng_seed(&r, 8);
        uint16_t tok[8];
        uint8_t mask[8];
        for (int s = 0; s < 50; s++) {
            ck_assert_int_eq(t.ops->next(&t, &r, tok, mask), n + 2);
            for (int i = 0; i < n; i++) {
                const char *want = &shapes[n - 1][i], *got = name_of(&t, tok[i]);
                ck_assert(*want == 'd' ? is_residue(got) : got[0] == *want);
            }
        }
    }
    task t = lengthgen_configure("modular_arithmetic_brackets", "len_min=5,len_max=5");
    static const char *const ops[] = {"+", "-", "*"};
    for (int o = 0; o < 3; o++) {  // (d op d): op at index 2
        const int n = count_at(&t, 9, 6000, 2, ops[o]);
        ck_assert_msg(n > 1800 && n < 2200, "'%s' %d times in 6000", ops[o], n);
    }
    t = lengthgen_configure("modular_arithmetic_brackets", "len_min=5,len_max=5,mult=0");
    ck_assert_int_eq(count_at(&t, 9, 2000, 2, "-") + count_at(&t, 9, 2000, 2, "+"), 2000);
    const int minus = count_at(&t, 9, 2000, 2, "-");
    ck_assert(minus > 900 && minus < 1100);
}
END_TEST

// ---- solve_equation --------------------------------------------------------------------------

// Every x in 0 .. m-1 tried in the left side; exactly one must give the right side. Below 3
// tokens, the suite's filler: residues 0, answer 0.
static int solve_equation_solve(const task *t, const uint16_t *in, int m, uint16_t *out,
                                int *scored) {
    const int mod = modulus_of(t);
    *scored = 1;
    if (m < 3) {
        ck_assert(!strcmp(name_of(t, in[0]), "0") && (m == 1 || !strcmp(name_of(t, in[1]), "0")));
        out[0] = residue_id(t, 0);
        return 1;
    }
    ck_assert_str_eq(name_of(t, in[m - 2]), "=");
    const char *rhs = name_of(t, in[m - 1]);
    ck_assert(is_residue(rhs));
    int solutions = 0, x = -1, malformed = 0;
    for (int v = 0; v < mod; v++) {
        const int left = evaluate(t, in, m - 2, mod, v);
        malformed |= left < 0;
        if (left == rhs[0] - '0') solutions++, x = v;
    }
    ck_assert_msg(!malformed, "solve_equation: a malformed left side");
    ck_assert_int_eq(solutions, 1);
    out[0] = residue_id(t, x);
    return 1;
}

START_TEST(test_solve_equation) {
    task t = lengthgen_configure("solve_equation", "len_min=5,len_max=14");
    // By hand (mod 5): ((-x)--2)=1: -x+2 = 1, x = 1; (4+x)=3: x = -1 = 4;
    // ((-x)+-0)=2: -x = 2, x = -2 = 3.
    static const char *const golden[] = {"((-x)--2)=1|[1]", "(4+x)=3|[4]", "((-x)+-0)=2|[3]"};
    lengthgen_check_golden(&t, 3, golden, 3);
    t = lengthgen_configure("solve_equation", NULL);
    ck_assert_int_eq(t.ops->vocab_size(&t), 12);  // 0-4, + - ( ) x =, |
    ck_assert_int_eq(t.ops->max_len(&t), 42);
    ck_assert_int_eq(lengthgen_check_solver(&t, 2, 3000, solve_equation_solve, input_tokens),
                     42);
    t = lengthgen_configure("solve_equation", "len_min=450,len_max=500");
    ck_assert_int_eq(lengthgen_check_solver(&t, 3, 600, solve_equation_solve, input_tokens),
                     502);
    t = lengthgen_configure("solve_equation", "modulus=2");
    ck_assert_int_eq(lengthgen_check_solver(&t, 4, 2000, solve_equation_solve, input_tokens), 42);
    t = lengthgen_configure("solve_equation", "modulus=10,len_min=450,len_max=500");
    ck_assert_int_eq(lengthgen_check_solver(&t, 5, 600, solve_equation_solve, input_tokens),
                     502);
}
END_TEST

// The filler below 3 tokens, the shortest equation, and the suite's choice of the residue
// that becomes x: in "(a op b)=v" a position of "(a op b)" is drawn and the first residue at
// or after it taken, wrapping: ( a -> a, op b -> b, ) -> a, so a 3 times in 5.
START_TEST(test_solve_equation_unknown) {
    task t = lengthgen_configure("solve_equation", "len_min=1,len_max=2");
    static const char *const filler[] = {"0|[0]", "00|[0]", "0|[0]"};
    lengthgen_check_golden(&t, 2, filler, 3);
    t = lengthgen_configure("solve_equation", "len_min=3,len_max=3");
    ck_assert_int_eq(count_at(&t, 10, 100, 0, "x"), 100);
    t = lengthgen_configure("solve_equation", "len_min=7,len_max=7");
    const int a = count_at(&t, 11, 5000, 1, "x"), b = count_at(&t, 11, 5000, 3, "x");
    ck_assert_int_eq(a + b, 5000);
    ck_assert_msg(a > 2850 && a < 3150, "x replaced a %d times in 5000", a);
}
END_TEST

// ---- options -------------------------------------------------------------------------------

START_TEST(test_arithmetic_options) {
    static const struct {
        const char *task, *options, *err;
    } bad[] = {
        {"even_pairs", "modulus=5",
         "task 'even_pairs': unknown option 'modulus' (known: len_min, len_max)"},
        {"modular_arithmetic", "modulus=1",
         "task 'modular_arithmetic': option 'modulus' = 1 out of range [2, 10]"},
        {"modular_arithmetic", "modulus=5.5",
         "task 'modular_arithmetic': option 'modulus' = 5.5 must be an integer"},
        {"modular_arithmetic", "len_min=3,len_max=2",
         "task 'modular_arithmetic': len_min = 3 > len_max = 2"},
        {"cycle_navigation", "cycle_length=11",
         "task 'cycle_navigation': option 'cycle_length' = 11 out of range [2, 10]"},
        {"cycle_navigation", "cycle_length=2.5",
         "task 'cycle_navigation': option 'cycle_length' = 2.5 must be an integer"},
        {"modular_arithmetic_brackets", "mult=2",
         "task 'modular_arithmetic_brackets': option 'mult' must be one of 0|1, got '2'"},
        {"modular_arithmetic_brackets", "modulus=0",
         "task 'modular_arithmetic_brackets': option 'modulus' = 0 out of range [2, 10]"},
        {"modular_arithmetic_brackets", "modulus=4.25",
         "task 'modular_arithmetic_brackets': option 'modulus' = 4.25 must be an integer"},
        {"solve_equation", "modulus=12",
         "task 'solve_equation': option 'modulus' = 12 out of range [2, 10]"},
        {"solve_equation", "modulus=3.5",
         "task 'solve_equation': option 'modulus' = 3.5 must be an integer"},
        {"solve_equation", "len_max=7.5",
         "task 'solve_equation': option 'len_max' = 7.5 must be an integer"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        task t;
        char err[256];
        ck_assert_int_eq(task_configure(&t, bad[i].task, bad[i].options, err, sizeof err), -1);
        ck_assert_str_eq(err, bad[i].err);
    }
}
END_TEST

// Each solver test takes about a second (every check of the helper is a system call); the
// timeout leaves room for a loaded machine.
static TCase *solver_case(const char *name) {
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 30);
    return tc;
}

Suite *suite_lengthgen_arithmetic(void) {
    Suite *s = suite_create("lengthgen_arithmetic");
    TCase *tc = solver_case("even_pairs");
    tcase_add_test(tc, test_even_pairs);
    tcase_add_test(tc, test_even_pairs_classes);
    suite_add_tcase(s, tc);
    tc = solver_case("cycle_navigation");
    tcase_add_test(tc, test_cycle_navigation);
    suite_add_tcase(s, tc);
    tc = solver_case("modular_arithmetic");
    tcase_add_test(tc, test_modular_arithmetic);
    tcase_add_test(tc, test_modular_arithmetic_lengths);
    suite_add_tcase(s, tc);
    tc = solver_case("modular_arithmetic_brackets");
    tcase_add_test(tc, test_modular_arithmetic_brackets);
    tcase_add_test(tc, test_brackets_shapes);
    suite_add_tcase(s, tc);
    tc = solver_case("solve_equation");
    tcase_add_test(tc, test_solve_equation);
    tcase_add_test(tc, test_solve_equation_unknown);
    suite_add_tcase(s, tc);
    tc = tcase_create("options");
    tcase_add_test(tc, test_arithmetic_options);
    suite_add_tcase(s, tc);
    return s;
}
