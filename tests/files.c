#include "files.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "harness/cli/cli_plot.h"

void remove_tree(const char *path) {
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        for (struct dirent *e; d && (e = readdir(d));) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            remove_tree(sub);
        }
        if (d) closedir(d);
    }
    remove(path);
}

void put_file(const char *dir, const char *rel, const char *content) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(path, 0777);
        *s = '/';
    }
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(content, f);
    ck_assert_int_eq(fclose(f), 0);
}

void put_finished_run(const char *dir, const char *id, const char *point_rows, const char *name,
                      const char *content, const char *status) {
    char rel[256], text[1024];
    snprintf(rel, sizeof rel, "exp/runs/%s/point.csv", id);
    snprintf(text, sizeof text, "key,value\n%s", point_rows);
    put_file(dir, rel, text);
    snprintf(rel, sizeof rel, "exp/runs/%s/%s", id, name);
    put_file(dir, rel, content);
    if (status) {
        snprintf(rel, sizeof rel, "exp/runs/%s/status", id);
        put_file(dir, rel, status);
    }
    snprintf(rel, sizeof rel, "exp/runs/%s/done", id);
    put_file(dir, rel, "");
}

char *slurp_file(const char *dir, const char *rel) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s was not written", path);
    char *buf = calloc(1 << 16, 1);
    ck_assert_ptr_nonnull(buf);
    const size_t n = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

void assert_file_min(const char *dir, const char *rel, const char *magic, long min_size) {
    char path[1024], head[64] = "";
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s was not written", path);
    struct stat st;
    ck_assert_int_eq(fstat(fileno(f), &st), 0);
    ck_assert_msg(st.st_size >= min_size, "%s has only %ld bytes", path, (long)st.st_size);
    const size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = '\0';
    ck_assert_msg(n >= strlen(magic) && !memcmp(head, magic, strlen(magic)),
                  "%s does not start with %s", path, magic);
}

void assert_plot_renders(const char *dir, const char *name) {
    char exp[1024], line[2200], rel[128], *out;
    snprintf(exp, sizeof exp, "%s/exp", dir);
    const char *args[] = {"plot", exp, NULL};
    const int rc = run_captured(cmd_plot, args, &out);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
    snprintf(line, sizeof line, "wrote %s/%s.png and %s/%s.svg\n", exp, name, exp, name);
    ck_assert_msg(strstr(out, line), "missing '%s' in:\n%s", line, out);
    free(out);
    snprintf(rel, sizeof rel, "exp/%s.png", name);
    assert_file_min(dir, rel, "\x89PNG", 500);
    snprintf(rel, sizeof rel, "exp/%s.svg", name);
    assert_file_min(dir, rel, "<?xml", 500);
}
