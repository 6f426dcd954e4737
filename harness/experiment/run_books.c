#include "harness/experiment/run_books.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/base/dirs.h"
#include "harness/base/errors.h"
#include "harness/base/hash.h"

int books_data_options(const char *options, char *corpus, size_t len, books_data *d,
                       char *err, size_t errlen) {
    memset(d, 0, sizeof *d);
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", options);
    corpus[0] = '\0';
    for (char *item = strtok(buf, ","); item; item = strtok(NULL, ",")) {
        char *eq = strchr(item, '=');
        if (!eq) continue;
        *eq = '\0';
        const char *v = eq + 1;
        if (!strcmp(item, "corpus")) snprintf(corpus, len, "%s", v);
        else if (!strcmp(item, "seq_len")) d->seq_len = atoi(v);
        else if (!strcmp(item, "eval_mult"))
            for (const char *p = v; *p && d->n_mult < BOOKS_MAX_MULT; p += strcspn(p, ";"), p += *p == ';')
                d->mult[d->n_mult++] = atoi(p);
    }
    if (!corpus[0] || d->seq_len < 1 || d->n_mult < 1)
        return set_error(err, errlen, "books: incomplete options '%s'", options);
    return books_check_lengths(d->seq_len, d->mult, d->n_mult, err, errlen);
}

// Removes a folder of plain files (a books output folder has no subfolders).
static void remove_flat_dir(const char *dir) {
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char f[4400];
        snprintf(f, sizeof f, "%s/%s", dir, e->d_name);
        unlink(f);
    }
    if (d) closedir(d);
    rmdir(dir);
}

// Builds the datasets into a private folder, then renames it into place. Losing the race to a
// concurrent run is fine: the winner's folder holds the same files, and ours is removed.
static int build(const char *corpus, const books_data *d, const char *dir, char *err,
                 size_t errlen) {
    char tmp[2200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", dir, (int)getpid());
    books_corpus c;
    if (books_corpus_from_dir(&c, corpus, 0, 5, 5, err, errlen) != 0) return -1;
    int rc = books_build(&c, d->seq_len, d->mult, d->n_mult, tmp, NULL, err, errlen);
    books_corpus_free(&c);
    if (rc != 0) {
        remove_flat_dir(tmp);
        return -1;
    }
    if (rename(tmp, dir) != 0) {
        const int lost_race = errno == EEXIST || errno == ENOTEMPTY;
        remove_flat_dir(tmp);
        if (!lost_race) return set_error(err, errlen, "%s: cannot rename: %s", dir, strerror(errno));
    }
    return 0;
}

int books_data_load(books_data *d, const char *options, const char *data_dir, char *err,
                    size_t errlen) {
    memset(d, 0, sizeof *d);
    char corpus[1024], dir[2048], path[2200];
    if (books_data_options(options, corpus, sizeof corpus, d, err, errlen) != 0) return -1;
    if (make_dirs(data_dir, err, errlen) != 0) return -1;
    snprintf(dir, sizeof dir, "%s/books-%016llx", data_dir, (unsigned long long)fnv1a_string(options));
    if (!is_dir(dir) && build(corpus, d, dir, err, errlen) != 0) return -1;
    snprintf(path, sizeof path, "%s/train.pbds", dir);
    if (!(d->train = dataset_load(path, err, errlen))) return -1;
    for (int i = 0; i < d->n_mult; i++) {
        snprintf(path, sizeof path, "%s/test-%d.pbds", dir, d->mult[i] * d->seq_len);
        if (!(d->test[i] = dataset_load(path, err, errlen))) {
            books_data_free(d);
            return -1;
        }
    }
    return 0;
}

void books_data_free(books_data *d) {
    dataset_free(d->train);
    for (int i = 0; i < BOOKS_MAX_MULT; i++) dataset_free(d->test[i]);
    memset(d, 0, sizeof *d);
}
