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

int plot_csv_split(char *line, char **fields, int max) {
    line[strcspn(line, "\r\n")] = '\0';
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max) return n + 1;  // more fields than asked for: the caller reports it
        if (*p == '"') {
            // Unquote in place: w writes behind r.
            char *w = p, *r = p + 1;
            fields[n++] = w;
            for (;;) {
                if (!*r) return -1;
                if (*r == '"' && r[1] == '"') { *w++ = '"'; r += 2; continue; }
                if (*r == '"') { r++; break; }
                *w++ = *r++;
            }
            if (*r && *r != ',') return -1;  // text after the closing quote
            const int more = *r == ',';
            *w = '\0';
            if (!more) return n;
            p = r + 1;
        } else {
            fields[n++] = p;
            char *comma = strchr(p, ',');
            if (!comma) return n;
            *comma = '\0';
            p = comma + 1;
        }
    }
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


int plot_csv_open(plot_csv *c, const char *path, const char *header, char *err, size_t errlen) {
    *c = (plot_csv){0};
    snprintf(c->path, sizeof c->path, "%s", path);
    c->f = fopen(path, "r");
    if (!c->f) return set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    c->lineno = 1;
    if (getline(&c->line, &c->cap, c->f) < 0)
        return set_error(err, errlen, "%s: empty file (expected header '%s')", path, header);
    c->line[strcspn(c->line, "\r\n")] = '\0';
    if (strcmp(c->line, header))
        return set_error(err, errlen, "%s:1: expected header '%s', got '%.80s'", path, header,
                         c->line);
    return 0;
}

int plot_csv_next(plot_csv *c, char **fields, int n, char *err, size_t errlen) {
    while (getline(&c->line, &c->cap, c->f) >= 0) {
        c->lineno++;
        if (c->line[strspn(c->line, "\r\n")] == '\0') continue;
        const int got = plot_csv_split(c->line, fields, n);
        if (got < 0) return set_error(err, errlen, "%s:%d: unterminated quote", c->path, c->lineno);
        if (got != n)
            return set_error(err, errlen, "%s:%d: expected %d fields, got %s%d", c->path,
                             c->lineno, n, got > n ? "more than " : "", got > n ? n : got);
        return 1;
    }
    return 0;
}

void plot_csv_close(plot_csv *c) {
    if (c->f) fclose(c->f);
    free(c->line);
    *c = (plot_csv){0};
}

int plot_number(const char *text, double *x) {
    char *end;
    if (!*text) return -1;
    *x = strtod(text, &end);
    return *end ? -1 : 0;
}
