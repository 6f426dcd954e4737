#include "capture.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *read_all(const char *path) {
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(fread(buf, 1, (size_t)n, f), n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

int run_captured(int (*cmd)(int, char **), const char *const *args, char **out) {
    char *argv[64];
    int argc = 0;
    while (args[argc] && argc < 63) argv[argc] = strdup(args[argc]), argc++;
    argv[argc] = NULL;
    char cap[64];
    snprintf(cap, sizeof cap, "/tmp/posbench_capture_%d.txt", (int)getpid());
    fflush(stdout);
    fflush(stderr);
    const int fd = open(cap, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int saved_out = dup(1), saved_err = dup(2);
    ck_assert(fd >= 0 && saved_out >= 0 && saved_err >= 0);
    dup2(fd, 1);
    dup2(fd, 2);
    const int rc = cmd(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(fd);
    close(saved_out);
    close(saved_err);
    *out = read_all(cap);
    unlink(cap);
    for (int i = 0; i < argc; i++) free(argv[i]);
    return rc;
}
