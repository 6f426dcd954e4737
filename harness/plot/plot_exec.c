// gnuplot for `posbench plot` (plot_exec.h).
#include "harness/plot/plot_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/base/errors.h"

// Where `make install` would put the scripts; overridden by the Makefile from PREFIX.
#ifndef POSBENCH_PLOTS_DIR
#define POSBENCH_PLOTS_DIR "/usr/local/share/posbench/plots"
#endif

int plot_find_gnuplot(char *path, size_t len) {
    const char *env = getenv("PATH");
    if (!env || !*env) return -1;
    for (const char *p = env; *p;) {
        const size_t n = strcspn(p, ":");
        // An empty PATH entry means the current folder.
        snprintf(path, len, "%.*s/gnuplot", (int)(n ? n : 1), n ? p : ".");
        if (access(path, X_OK) == 0) return 0;
        p += n + (p[n] == ':');
    }
    return -1;
}

static int has_scripts(const char *dir) {
    char probe[PATH_MAX + 16];
    snprintf(probe, sizeof probe, "%s/colors.gp", dir);
    return access(probe, R_OK) == 0;
}

int plot_find_scripts(const char *dir, char *out, size_t len, char *err, size_t errlen) {
    if (dir) {
        snprintf(out, len, "%s", dir);
        return has_scripts(out) ? 0
                                : set_error(err, errlen, "%s: no gnuplot scripts there (no colors.gp)",
                                            dir);
    }
    char exe[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        // Beside it in a checkout (posbench, build/posbench) or in an install (bin/posbench
        // with share/posbench/plots, wherever the install was moved).
        static const char *const up[] = {"/plots", "/../plots", "/../../plots",
                                         "/../share/posbench/plots"};
        for (int i = 0; i < 4; i++) {
            snprintf(out, len, "%s%s", exe, up[i]);
            if (has_scripts(out)) return 0;
        }
    }
    snprintf(out, len, "%s", POSBENCH_PLOTS_DIR);
    if (has_scripts(out)) return 0;
    return set_error(err, errlen,
                     "cannot find the gnuplot scripts (plots/ next to the posbench executable, "
                     "or %s); name their folder with --scripts DIR",
                     POSBENCH_PLOTS_DIR);
}

// Appends the -e text of one variable: name='value' with ' doubled (gnuplot's escape in
// single quotes), or name=number.
static int append_var(char *buf, size_t len, size_t *used, const plot_var *v) {
    int w = snprintf(buf + *used, len - *used, "%s=%s", v->name, v->number ? v->value : "'");
    if (w < 0 || (size_t)w >= len - *used) return -1;
    *used += (size_t)w;
    if (!v->number) {
        for (const char *p = v->value; *p; p++) {
            if (*used + 3 >= len) return -1;
            if (*p == '\'') buf[(*used)++] = '\'';
            buf[(*used)++] = *p;
        }
        if (*used + 2 >= len) return -1;
        buf[(*used)++] = '\'';
    }
    if (*used + 2 >= len) return -1;
    buf[(*used)++] = ';';
    buf[(*used)++] = ' ';
    buf[*used] = '\0';
    return 0;
}

int plot_run_script(const char *gnuplot, const char *script, const plot_var *vars, int n_vars,
                    char *err, size_t errlen) {
    enum { VARS_LEN = 16384 };
    char *text = malloc(VARS_LEN);
    if (!text) return set_error(err, errlen, "out of memory");
    size_t used = 0;
    text[0] = '\0';
    for (int i = 0; i < n_vars; i++)
        if (append_var(text, VARS_LEN, &used, &vars[i])) {
            free(text);
            return set_error(err, errlen, "%s: variables too long", script);
        }
    int fds[2];
    if (pipe(fds) != 0) {
        free(text);
        return set_error(err, errlen, "pipe: %s", strerror(errno));
    }
    fflush(stdout);
    fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        free(text);
        return set_error(err, errlen, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        // Child: stderr into the pipe, stdout discarded (scripts print nothing on success).
        const int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        char *const args[] = {(char *)"gnuplot", (char *)"-e", text, (char *)script, NULL};
        execv(gnuplot, args);
        dprintf(2, "cannot run %s: %s\n", gnuplot, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    free(text);
    // Keep the start of stderr for the message, read the rest to let gnuplot finish.
    size_t got = 0, total = 0;
    char chunk[4096];
    for (ssize_t r; (r = read(fds[0], chunk, sizeof chunk)) != 0;) {
        if (r < 0) {
            if (errno == EINTR) continue;
            break;
        }
        total += (size_t)r;
        for (ssize_t k = 0; k < r && err && got + 1 < errlen; k++) err[got++] = chunk[k];
    }
    close(fds[0]);
    if (err && errlen) err[got < errlen ? got : errlen - 1] = '\0';
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return set_error(err, errlen, "waitpid: %s", strerror(errno));
    if (total > 0) {
        while (got > 0 && (err[got - 1] == '\n' || err[got - 1] == ' ')) err[--got] = '\0';
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return set_error(err, errlen, "gnuplot %s failed (%s %d)", script,
                         WIFEXITED(status) ? "exit status" : "signal",
                         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return 0;
}
