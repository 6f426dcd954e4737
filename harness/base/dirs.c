#include "harness/base/dirs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/base/errors.h"

// mkdir of one level; an existing directory is fine, an existing file is not.
static int make_one(const char *path) {
    struct stat st;
    if (mkdir(path, 0777) == 0) return 0;
    if (errno != EEXIST) return -1;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
    errno = ENOTDIR;
    return -1;
}

int make_dirs(const char *path, char *err, size_t errlen) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return set_error(err, errlen, "%.64s...: path too long", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        const int rc = make_one(buf);
        *p = '/';
        if (rc != 0) break;
    }
    if (make_one(buf) != 0)
        return set_error(err, errlen, "%s: cannot create folder: %s", path, strerror(errno));
    return 0;
}

int path_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}
