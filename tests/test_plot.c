// Tests of the plotting layer (plots/*.gp, harness/plot/plot_*.c, harness/cli/cli_plot.c): every
// gnuplot script on a small fixture gives a non-empty PNG and SVG with nothing on gnuplot's
// stderr (warnings fail); `posbench plot` on a fixture results folder writes the expected
// files; a missing gnuplot and bad folders give one clear message. gnuplot is a declared
// dependency (tools/deps.sh installs gnuplot-nox), so these tests require it.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "files.h"
#include "harness/cli/cli_plot.h"
#include "harness/plot/plot_attention.h"
#include "harness/plot/plot_exec.h"
#include "harness/plot/plot_io.h"
#include "harness/plot/plot_series.h"
#include "harness/plot/plot_summary.h"
#include "suites.h"

static char tmpdir[64];

static void setup(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/posbench_plot_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) { remove_tree(tmpdir); }

// Writes tmpdir/rel, creating its folders.
static void put(const char *rel, const char *content) { put_file(tmpdir, rel, content); }

// An image: a real plot is at least a few kB; 500 bytes rules out an empty canvas stub.
static void assert_file(const char *rel, const char *magic) {
    assert_file_min(tmpdir, rel, magic, 500);
}

static const char PNG_MAGIC[] = "\x89PNG";
static const char SVG_MAGIC[] = "<?xml";

// ---- the scripts, one by one -----------------------------------------------------------------

// Fixtures in the shapes `posbench plot` writes (harness/plot/plot_*.h) or, for frequency.csv, the
// shape `posbench freq` writes.
static const char ACCURACY[] =
    "\"rope\"  # x mean lo hi n\n0 14 9 19 3\n3 40 30 50 3\n\n\n"
    "\"pope\"  # x mean lo hi n\n1 95 90 99 3\n4 60 60 60 1\n";
static const char ACCURACY_TICKS[] = "0.5 \"probe_where / train_length\"\n"
                                     "3.5 \"indirect_indexing / train_length\"\n";
static const char EXTRAPOLATION[] =
    "\"rope\"  # length mean lo hi\n32 14 13 15\n64 18 16 20\n128 30 25 35\n\n\n"
    "\"pope\"  # length mean lo hi\n32 13 12.5 13.5\n64 12.7 12 13.4\n128 12.6 12.6 12.6\n";
static const char POSITIONS[] =
    "\"rope\"  # position loss\n0 3.1\n1 2.9\n2 2.7\n3 2.9\n4 3.4\n5 3.9\n\n\n"
    "\"pope\"  # position loss\n0 3.0\n1 2.8\n2 2.6\n3 2.6\n4 2.6\n5 2.5\n";
static const char TRAINING[] =
    "\"rope\"  # step loss\n1 4.2\n2 3.9\n3 3.5\n\n\n"
    "\"\"  # step loss\n1 4.1\n2 3.8\n3 3.6\n\n\n"
    "\"pope\"  # step loss\n1 4.2\n2 3.7\n3 3.1\n";
// Two layers, two heads, tokens a , + (the comma and plus are why tokens are codes).
static const char ATTENTION_DAT[] =
    "# layer head query key prob query_code key_code\n"
    "0 0 0 0 1 97 97\n0 0 1 0 0.3 44 97\n0 0 1 1 0.7 44 44\n"
    "0 0 2 0 0.2 43 97\n0 0 2 1 0.3 43 44\n0 0 2 2 0.5 43 43\n"
    "0 1 0 0 1 97 97\n0 1 1 0 0.9 44 97\n0 1 1 1 0.1 44 44\n"
    "0 1 2 0 0.1 43 97\n0 1 2 1 0.1 43 44\n0 1 2 2 0.8 43 43\n"
    "1 0 0 0 1 97 97\n1 0 1 0 0.5 44 97\n1 0 1 1 0.5 44 44\n"
    "1 0 2 0 0.6 43 97\n1 0 2 1 0.2 43 44\n1 0 2 2 0.2 43 43\n"
    "1 1 0 0 1 97 97\n1 1 1 0 0.4 44 97\n1 1 1 1 0.6 44 44\n"
    "1 1 2 0 0.3 43 97\n1 1 2 1 0.3 43 44\n1 1 2 2 0.4 43 43\n";
static const char FREQUENCY[] = "layer,frequency,mass\n"
                                "0,0,0.5\n0,1,0.3\n0,2,0.15\n0,3,0.05\n"
                                "1,0,0.1\n1,1,0.2\n1,2,0.3\n1,3,0.4\n";

static const struct {
    const char *script, *data, *extra_file, *extra;  // extra: another -e string variable
    const char *encodings, *number_name, *number;
} SCRIPTS[] = {
    {"accuracy.gp", ACCURACY, ACCURACY_TICKS, "ticks", "rope pope", NULL, NULL},
    {"extrapolation.gp", EXTRAPOLATION, NULL, NULL, "rope pope", "train_len", "32"},
    {"positions.gp", POSITIONS, NULL, NULL, "rope pope", "train_len", "3"},
    {"training.gp", TRAINING, NULL, NULL, "rope rope pope", NULL, NULL},
    {"attention.gp", ATTENTION_DAT, NULL, NULL, NULL, NULL, NULL},
    {"frequency.gp", FREQUENCY, NULL, NULL, NULL, NULL, NULL},
};

START_TEST(test_script) {
    char gnuplot[4096], scripts[4096], err[4096], script[4200], data[200], extra[200],
        out[200];
    ck_assert_msg(plot_find_gnuplot(gnuplot, sizeof gnuplot) == 0,
                  "gnuplot is not installed (make deps installs gnuplot-nox)");
    ck_assert_msg(plot_find_scripts(NULL, scripts, sizeof scripts, err, sizeof err) == 0, "%s",
                  err);
    snprintf(script, sizeof script, "%s/%s", scripts, SCRIPTS[_i].script);
    put("data.txt", SCRIPTS[_i].data);
    snprintf(data, sizeof data, "%s/data.txt", tmpdir);
    snprintf(out, sizeof out, "%s/out", tmpdir);
    plot_var v[8] = {{"data", data, 0}, {"out", out, 0}, {"title", "fixture: it's a test", 0}};
    int n = 3;
    if (SCRIPTS[_i].extra_file) {
        put("extra.txt", SCRIPTS[_i].extra_file);
        snprintf(extra, sizeof extra, "%s/extra.txt", tmpdir);
        v[n++] = (plot_var){SCRIPTS[_i].extra, extra, 0};
    }
    if (SCRIPTS[_i].encodings) v[n++] = (plot_var){"encodings", SCRIPTS[_i].encodings, 0};
    if (SCRIPTS[_i].number_name)
        v[n++] = (plot_var){SCRIPTS[_i].number_name, SCRIPTS[_i].number, 1};
    ck_assert_msg(plot_run_script(gnuplot, script, v, n, err, sizeof err) == 0,
                  "%s: gnuplot said: %s", SCRIPTS[_i].script, err);
    assert_file("out.png", PNG_MAGIC);
    assert_file("out.svg", SVG_MAGIC);
}
END_TEST

// gnuplot's warnings go to stderr with exit status 0: they must count as failures.
START_TEST(test_script_warning_fails) {
    char gnuplot[4096], scripts[4096], err[4096], script[4200], data[200], out[200];
    ck_assert_int_eq(plot_find_gnuplot(gnuplot, sizeof gnuplot), 0);
    ck_assert_int_eq(plot_find_scripts(NULL, scripts, sizeof scripts, err, sizeof err), 0);
    snprintf(script, sizeof script, "%s/positions.gp", scripts);
    put("data.txt", "\"rope\"  # position loss\n0 nan\n1 nan\n");  // no valid point
    snprintf(data, sizeof data, "%s/data.txt", tmpdir);
    snprintf(out, sizeof out, "%s/out", tmpdir);
    const plot_var v[] = {{"data", data, 0}, {"out", out, 0}, {"encodings", "rope", 0}};
    ck_assert_int_eq(plot_run_script(gnuplot, script, v, 3, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "warning") || strstr(err, "invalid") || strstr(err, "undefined"),
                  "%s", err);
    // A missing variable is the script's own one-line error.
    ck_assert_int_eq(plot_run_script(gnuplot, script, v, 2, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "positions.gp: set data, encodings and out"), "%s", err);
}
END_TEST

// ---- shaping ---------------------------------------------------------------------------------

START_TEST(test_csv_split) {
    char line[] = "0,1,\"a,b\",\"say \"\"hi\"\"\",,x\r\n";
    char *f[8];
    ck_assert_int_eq(csv_split(line, f, 8), 6);
    ck_assert_str_eq(f[2], "a,b");
    ck_assert_str_eq(f[3], "say \"hi\"");
    ck_assert_str_eq(f[4], "");
    ck_assert_str_eq(f[5], "x");
    char open_quote[] = "1,\"a";
    ck_assert_int_eq(csv_split(open_quote, f, 8), -1);
    char many[] = "1,2,3";
    ck_assert_int_gt(csv_split(many, f, 2), 2);
    char comma[] = "\",\"";
    ck_assert_int_eq(csv_split(comma, f, 8), 1);
    ck_assert_str_eq(f[0], ",");
}
END_TEST

// attention.csv's quoted tokens become byte codes; a row above the diagonal is refused.
// Options swept within one encoding get shades of its colour: the second distinct
// rope(...) is rope~1, the third rope~2, whatever comes between; a name met again keeps its
// shade; plots/colors.gp turns each into a colour of its own, rope's hue kept.
START_TEST(test_option_shades) {
    plot_blocks b = {0};
    const char *names[] = {"rope", "rope(base=500)", "pope", "rope(base=500)", "rope(base=50)",
                           "pope(delta_init=zero)"};
    for (int i = 0; i < 6; i++) ck_assert_int_eq(plot_blocks_add(&b, names[i], 1), 0);
    ck_assert_str_eq(b.encodings, "rope rope~1 pope rope~1 rope~2 pope~1");
    char cmd[600];
    snprintf(cmd, sizeof cmd,
             "gnuplot -e 'load \"plots/colors.gp\"; print sprintf(\"%%06X %%06X %%06X %%06X\", "
             "enc_color(\"rope\"), enc_color(\"rope~1\"), enc_color(\"rope~2\"), "
             "enc_color(\"pope\"))' 2>&1");
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    char line[128] = "";
    ck_assert_ptr_nonnull(fgets(line, sizeof line, p));
    pclose(p);
    // rope 1F77B4; ~1 darker (x 0.62 per channel); ~2 lighter (halfway-ish to white).
    ck_assert_str_eq(line, "1F77B4 13496F 83B4D5 D62728\n");
}
END_TEST

// A swept numeric key (training.lr) gets the metric against it: one block per encoding,
// rows sorted by the key's value whatever summary.csv's order, accuracy in percent, no
// interval for a single seed; model.encoding is not a numeric key.
START_TEST(test_sweep_key_data) {
    put("sweep/summary.csv",
        "model.encoding,training.lr,set,metric,n,n_diverged,mean,sd,ci95_low,ci95_high,min,max\n"
        "rope,0.01,test,accuracy,2,0,0.5,0.1,0.4,0.6,0.4,0.6\n"
        "rope,0.001,test,accuracy,2,0,0.2,0.1,0.1,0.3,0.1,0.3\n"
        "pope,0.001,test,accuracy,2,0,0.9,0,0.9,0.9,0.9,0.9\n"
        "pope,0.01,test,accuracy,1,0,0.7,0,,,0.7,0.7\n"
        "rope,0.01,test,loss,2,0,1,0,1,1,1,1\n");
    char path[256], data[256], err[512];
    snprintf(path, sizeof path, "%s/sweep/summary.csv", tmpdir);
    snprintf(data, sizeof data, "%s/sweep/sweep.dat", tmpdir);
    plot_summary s;
    ck_assert_msg(plot_summary_read(path, "rope", &s, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(plot_summary_key_is_numeric(&s, 0), 0);  // model.encoding
    ck_assert_int_eq(plot_summary_key_is_numeric(&s, 1), 1);
    plot_blocks b;
    plot_panels p;
    ck_assert_msg(plot_write_sweep(&s, 1, "accuracy", data, &b, &p, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_str_eq(b.encodings, "rope pope");
    ck_assert_str_eq(p.sets, "test");
    ck_assert_str_eq(p.counts, "2");
    char *dat = slurp_file(tmpdir, "sweep/sweep.dat");
    ck_assert_str_eq(dat, "\"rope\"  # value mean lo hi n\n0.001 20 10 30 2\n0.01 50 40 60 2\n"
                          "\n\n\"pope\"  # value mean lo hi n\n0.001 90 90 90 2\n0.01 70 70 70 1\n");
    free(dat);
    plot_summary_free(&s);
    // posbench plot draws it (learning.gp with the values on a log x axis), gnuplot silent.
    char dir[128], *out, want[400];
    snprintf(dir, sizeof dir, "%s/sweep", tmpdir);
    const char *args[] = {"plot", dir, NULL};
    const int rc = run_captured(cmd_plot, args, &out);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
    snprintf(want, sizeof want, "wrote %s/sweep_training.lr.png and %s/sweep_training.lr.svg\n",
             dir, dir);
    ck_assert_msg(strstr(out, want), "%s", out);
    free(out);
}
END_TEST

START_TEST(test_attention_shaping) {
    put("attention.csv", "layer,head,query,key,prob,query_token,key_token\n"
                         "0,0,0,0,1,\"a\",\"a\"\n0,0,1,0,0.25,\",\",\"a\"\n"
                         "0,0,1,1,0.75,\",\",\",\"\n");
    char csv[200], dat[200], err[512];
    snprintf(csv, sizeof csv, "%s/attention.csv", tmpdir);
    snprintf(dat, sizeof dat, "%s/attention.dat", tmpdir);
    int n_tokens;
    ck_assert_msg(plot_write_attention(csv, dat, &n_tokens, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(n_tokens, 2);
    FILE *f = fopen(dat, "r");
    ck_assert_ptr_nonnull(f);
    char text[512] = "";
    const size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    ck_assert_str_eq(text, "# layer head query key prob query_code key_code\n"
                           "0 0 0 0 1 97 97\n0 0 1 0 0.25 44 97\n0 0 1 1 0.75 44 44\n");
    // A bidirectional model's query 0 also sees key 2: three positions.
    put("attention.csv", "layer,head,query,key,prob,query_token,key_token\n"
                         "0,0,0,0,0.5,\"a\",\"a\"\n0,0,0,2,0.5,\"a\",\"b\"\n");
    ck_assert_msg(plot_write_attention(csv, dat, &n_tokens, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(n_tokens, 3);
    put("attention.csv", "layer,head,query,key,prob,query_token,key_token\n"
                         "0,0,0,-1,1,\"a\",\"b\"\n");
    ck_assert_int_eq(plot_write_attention(csv, dat, &n_tokens, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "attention.csv:2: malformed layer, head, query, key or prob"),
                  "%s", err);
}
END_TEST

// ---- posbench plot on a results folder -------------------------------------------------------

// A books-like experiment: 2 encodings x 2 seeds, sets len_32 and len_64 (training length 32),
// every run with train.csv and positions.csv, one run with attention.csv and frequency.csv,
// and an unfinished run (no done marker) whose broken files must not be read.
static void put_results(void) {
    put("exp/summary.csv",
        "model.encoding,set,metric,n,n_diverged,mean,sd,ci95_low,ci95_high,min,max\n"
        "rope,len_32,loss,2,0,2.6,0.1,1.7,3.5,2.5,2.7\n"
        "rope,len_32,accuracy,2,0,0.3,0.01,0.2,0.4,0.29,0.31\n"
        "rope,len_32,perplexity,2,0,13.5,1,4.5,22.5,12.5,14.5\n"
        "rope,len_64,loss,2,0,3.1,0.1,2.2,4.0,3.0,3.2\n"
        "rope,len_64,accuracy,2,0,0.2,0.01,0.1,0.3,0.19,0.21\n"
        "rope,len_64,perplexity,2,0,22,1,13,31,21,23\n"
        "pope,len_32,loss,2,0,2.5,0.1,1.6,3.4,2.4,2.6\n"
        "pope,len_32,accuracy,2,0,0.32,0.01,0.22,0.42,0.31,0.33\n"
        "pope,len_32,perplexity,2,0,12.2,1,3.2,21.2,11.2,13.2\n"
        "pope,len_64,loss,2,0,2.5,0.1,1.6,3.4,2.4,2.6\n"
        "pope,len_64,accuracy,2,0,0.33,,,,0.33,0.33\n"
        "pope,len_64,perplexity,2,0,12.2,1,3.2,21.2,11.2,13.2\n"
        "rope,len_64,perplexity_beyond,2,0,40,1,30,50,39,41\n"
        "rope,len_128,perplexity_beyond,2,0,400,1,300,500,390,410\n"
        "pope,len_64,perplexity_beyond,2,0,12.5,1,3.5,21.5,11.5,13.5\n"
        "pope,len_128,perplexity_beyond,2,0,12.9,1,3.9,21.9,11.9,13.9\n");
    static const char *const ids[] = {"a1", "b2", "c3", "d4"};
    static const char *const encs[] = {"rope", "rope", "pope", "pope"};
    for (int i = 0; i < 4; i++) {
        char rel[128], text[2048];
        snprintf(rel, sizeof rel, "exp/runs/%s/point.csv", ids[i]);
        snprintf(text, sizeof text, "key,value\nmodel.encoding,%s\nseed,%d\n", encs[i], i % 2);
        put(rel, text);
        snprintf(rel, sizeof rel, "exp/runs/%s/config.yaml", ids[i]);
        snprintf(text, sizeof text,
                 "experiment: exp\ntask:\n  name: books\n"
                 "  options: {corpus: /nonexistent, seq_len: 32, eval_mult: [1, 2]}\n"
                 "model: {encoding: %s}\n",
                 encs[i]);
        put(rel, text);
        snprintf(rel, sizeof rel, "exp/runs/%s/train.csv", ids[i]);
        put(rel, "step,loss,lr,grad_norm,tokens_per_s\n1,5.5,1e-4,2,1000\n2,5.0,2e-4,2,1000\n"
                 "3,4.2,3e-4,2,1000\n");
        snprintf(rel, sizeof rel, "exp/runs/%s/positions.csv", ids[i]);
        size_t used = (size_t)snprintf(text, sizeof text, "set,position,loss,count\n");
        for (int p = 0; p < 32; p++)
            used += (size_t)snprintf(text + used, sizeof text - used, "len_32,%d,%.3f,4\n", p,
                                     3.0 - p * 0.01);
        for (int p = 0; p < 64; p++)
            used += (size_t)snprintf(text + used, sizeof text - used, "len_64,%d,%.3f,4\n", p,
                                     3.0 - p * 0.01 + (i < 2 && p >= 32 ? 0.02 * (p - 32) : 0));
        put(rel, text);
        snprintf(rel, sizeof rel, "exp/runs/%s/done", ids[i]);
        put(rel, "");
    }
    put("exp/runs/a1/attention.csv",
        "layer,head,query,key,prob,query_token,key_token\n"
        "0,0,0,0,1,\"a\",\"a\"\n0,0,1,0,0.25,\",\",\"a\"\n0,0,1,1,0.75,\",\",\",\"\n"
        "0,0,2,0,0.1,\"+\",\"a\"\n0,0,2,1,0.2,\"+\",\",\"\n0,0,2,2,0.7,\"+\",\"+\"\n");
    put("exp/runs/c3/frequency.csv", FREQUENCY);
    put("exp/runs/e5/point.csv", "key,value\nmodel.encoding,pope\nseed,9\n");
    put("exp/runs/e5/train.csv", "not a csv\n");
}

static const char *const EXPECTED[] = {
    "exp/accuracy",           "exp/extrapolation_perplexity", "exp/extrapolation_loss",
    "exp/extrapolation_perplexity_beyond",
    "exp/training",           "exp/positions",                "exp/runs/a1/attention",
    "exp/runs/c3/frequency",
};

START_TEST(test_cli_plot) {
    put_results();
    char dir[128], *out;
    snprintf(dir, sizeof dir, "%s/exp/", tmpdir);  // a trailing slash is fine
    const char *args[] = {"plot", dir, NULL};
    const int rc = run_captured(cmd_plot, args, &out);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
    for (size_t i = 0; i < sizeof EXPECTED / sizeof EXPECTED[0]; i++) {
        char rel[128], line[512];
        snprintf(rel, sizeof rel, "%s.png", EXPECTED[i]);
        assert_file(rel, PNG_MAGIC);
        snprintf(rel, sizeof rel, "%s.svg", EXPECTED[i]);
        assert_file(rel, SVG_MAGIC);
        snprintf(line, sizeof line, "wrote %s/%s.png and %s/%s.svg\n", tmpdir, EXPECTED[i],
                 tmpdir, EXPECTED[i]);
        ck_assert_msg(strstr(out, line), "missing '%s' in:\n%s", line, out);
    }
    ck_assert_msg(strstr(out, "8 plots in "), "%s", out);
    free(out);
    // The data files gnuplot read are kept beside the plots, for a reader to check.
    assert_file_min(tmpdir, "exp/plots/attention_a1.dat", "# layer", 1);
    // Encodings in summary.csv's order (the experiment file's), a cluster per set (x =
    // cluster * 3 + encoding), percent, and no interval for pope at len_64 (summary.csv's
    // empty CI fields): lo = hi = mean.
    char *acc = slurp_file(tmpdir, "exp/plots/accuracy.dat");
    char *ticks = slurp_file(tmpdir, "exp/plots/accuracy_ticks.dat");
    ck_assert_str_eq(acc, "\"rope\"  # x mean lo hi n (percent)\n0 30 20 40 2\n3 20 10 30 2\n"
                          "\n\n\"pope\"  # x mean lo hi n (percent)\n1 32 22 42 2\n4 33 33 33 2\n");
    ck_assert_str_eq(ticks, "0.5 \"len_32\"  # \n3.5 \"len_64\"  # \n");
    free(acc);
    free(ticks);
}
END_TEST

// The installed binary finds plots/ from its own location (/proc/self/exe), not the cwd.
START_TEST(test_binary_finds_scripts) {
    put_results();
    char exe[4096], dir[128];
    ck_assert_ptr_nonnull(realpath("posbench", exe));
    snprintf(dir, sizeof dir, "%s/exp", tmpdir);
    const pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (chdir("/") != 0) _exit(126);
        const int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execl(exe, "posbench", "plot", dir, (char *)NULL);
        _exit(127);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "posbench plot exit %d",
                  WEXITSTATUS(status));
    assert_file("exp/accuracy.png", PNG_MAGIC);
}
END_TEST

START_TEST(test_missing_gnuplot) {
    put_results();
    put("empty/.keep", "");
    char dir[128], path[128], *out;
    snprintf(dir, sizeof dir, "%s/exp", tmpdir);
    snprintf(path, sizeof path, "%s/empty", tmpdir);
    setenv("PATH", path, 1);  // CK_FORK: only this test's process
    const char *args[] = {"plot", dir, NULL};
    ck_assert_int_eq(run_captured(cmd_plot, args, &out), 1);
    ck_assert_str_eq(out, "posbench: plot: gnuplot not found on PATH; install it with: "
                          "apt-get install gnuplot-nox\n");
    free(out);
}
END_TEST

START_TEST(test_bad_folders) {
    char dir[160], *out;
    const char *args[] = {"plot", dir, NULL};
    snprintf(dir, sizeof dir, "%s/nowhere", tmpdir);
    ck_assert_int_eq(run_captured(cmd_plot, args, &out), 1);
    ck_assert_msg(strstr(out, "posbench: plot: ") && strstr(out, "/nowhere: No such file"),
                  "%s", out);
    free(out);
    put("file.txt", "x\n");
    snprintf(dir, sizeof dir, "%s/file.txt", tmpdir);
    ck_assert_int_eq(run_captured(cmd_plot, args, &out), 1);
    ck_assert_msg(strstr(out, "file.txt: not a folder"), "%s", out);
    free(out);
    put("plain/notes.txt", "x\n");
    snprintf(dir, sizeof dir, "%s/plain", tmpdir);
    ck_assert_int_eq(run_captured(cmd_plot, args, &out), 1);
    ck_assert_msg(strstr(out, "plain: not a results folder (no summary.csv and no runs/"),
                  "%s", out);
    free(out);
    // A malformed summary.csv: named with its line, the other plots still made, exit 1.
    put("bad/summary.csv", "model.encoding,set,metric,n,n_diverged,mean,sd,ci95_low,"
                           "ci95_high,min,max\nrope,len_32,loss,2,0,abc,1,1,1,1,1\n");
    put("bad/runs/r1/done", "");
    put("bad/runs/r1/point.csv", "key,value\nmodel.encoding,rope\nseed,1\n");
    put("bad/runs/r1/train.csv", "step,loss,lr,grad_norm,tokens_per_s\n1,4,0,1,1\n2,3,0,1,1\n");
    snprintf(dir, sizeof dir, "%s/bad", tmpdir);
    ck_assert_int_eq(run_captured(cmd_plot, args, &out), 1);
    ck_assert_msg(strstr(out, "bad/summary.csv:2: malformed number"), "%s", out);
    ck_assert_msg(strstr(out, "bad/training.png"), "%s", out);
    free(out);
    // Nothing to draw.
    put("idle/runs/.keep", "");
    snprintf(dir, sizeof dir, "%s/idle", tmpdir);
    ck_assert_int_eq(run_captured(cmd_plot, args, &out), 1);
    ck_assert_msg(strstr(out, "idle: nothing to plot"), "%s", out);
    free(out);
    // Usage errors (exit 2) and --help; the failures above are of the folders (exit 1).
    const char *none[] = {"plot", NULL};
    ck_assert_int_eq(run_captured(cmd_plot, none, &out), 2);
    ck_assert_msg(strstr(out, "no results folder named"), "%s", out);
    free(out);
    const char *help[] = {"plot", "--help", NULL};
    ck_assert_int_eq(run_captured(cmd_plot, help, &out), 0);
    ck_assert_msg(strstr(out, "usage: posbench plot"), "%s", out);
    free(out);
    const char *scripts[] = {"plot", "--scripts", "/nonexistent", dir, NULL};
    ck_assert_int_eq(run_captured(cmd_plot, scripts, &out), 1);
    ck_assert_msg(strstr(out, "/nonexistent: no gnuplot scripts there"), "%s", out);
    free(out);
}
END_TEST

Suite *suite_plot(void) {
    Suite *s = suite_create("plot");
    TCase *scripts = tcase_create("scripts");
    tcase_add_checked_fixture(scripts, setup, teardown);
    tcase_add_loop_test(scripts, test_script, 0, (int)(sizeof SCRIPTS / sizeof SCRIPTS[0]));
    tcase_add_test(scripts, test_script_warning_fails);
    suite_add_tcase(s, scripts);
    TCase *shaping = tcase_create("shaping");
    tcase_add_checked_fixture(shaping, setup, teardown);
    tcase_add_test(shaping, test_csv_split);
    tcase_add_test(shaping, test_option_shades);
    tcase_add_test(shaping, test_sweep_key_data);
    tcase_add_test(shaping, test_attention_shaping);
    suite_add_tcase(s, shaping);
    TCase *cli = tcase_create("cli");
    tcase_add_checked_fixture(cli, setup, teardown);
    tcase_add_test(cli, test_cli_plot);
    tcase_add_test(cli, test_binary_finds_scripts);
    tcase_add_test(cli, test_missing_gnuplot);
    tcase_add_test(cli, test_bad_folders);
    suite_add_tcase(s, cli);
    return s;
}
