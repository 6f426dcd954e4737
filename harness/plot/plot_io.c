// File helpers of `posbench plot` (plot_io.h).
#include "harness/plot/plot_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/base/errors.h"

int plot_out_close(atomic_file *o, int ok, char *err, size_t errlen) {
    if (!o->f) return 0;
    if (!ok) {
        atomic_file_abandon(o);
        return 0;
    }
    return atomic_file_commit(o, err, errlen);
}

void plot_block_header(FILE *f, int block, const char *label, const char *columns) {
    if (block > 0) fputs("\n\n", f);
    fputc('"', f);
    for (const char *p = label; *p; p++) fputc(*p == '"' ? '\'' : *p, f);
    fprintf(f, "\"  # %s\n", columns);
}

int plot_words_add(char *buf, size_t len, const char *word) {
    if (!*word) return -1;  // an empty word would shift every later one
    size_t used = strlen(buf);
    const size_t need = used + (used > 0) + strlen(word) + 1;
    if (need > len) return -1;
    if (used) buf[used++] = ' ';
    for (const char *p = word; *p; p++) buf[used++] = (*p == ' ' || *p == '\t') ? '_' : *p;
    buf[used] = '\0';
    return 0;
}


int plot_number(const char *text, double *x) {
    char *end;
    if (!*text) return -1;
    *x = strtod(text, &end);
    return *end ? -1 : 0;
}
