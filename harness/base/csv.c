#include "harness/base/csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/errors.h"

int csv_split(char *line, char **fields, int max) {
    line[strcspn(line, "\r\n")] = '\0';
    int n = 0;
    char *p = line;
    for (;;) {
        char *field = p, *next;
        if (*p == '"') {
            // Unquote in place: w writes behind r.
            char *w = p, *r = p + 1;
            for (;;) {
                if (!*r) return -1;
                if (*r == '"' && r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                    continue;
                }
                if (*r == '"') {
                    r++;
                    break;
                }
                *w++ = *r++;
            }
            if (*r && *r != ',') return -1;  // text after the closing quote
            next = *r ? r + 1 : NULL;
            *w = '\0';
        } else {
            char *comma = strchr(p, ',');
            next = comma ? comma + 1 : NULL;
            if (comma) *comma = '\0';
        }
        if (n < max) fields[n] = field;
        n++;
        if (!next) return n;
        p = next;
    }
}

int csv_open(csv_reader *c, const char *path, const char *header, int plain, char *err,
             size_t errlen) {
    *c = (csv_reader){.plain = plain};
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

int csv_next(csv_reader *c, char **fields, int n, char *err, size_t errlen) {
    while (getline(&c->line, &c->cap, c->f) >= 0) {
        c->lineno++;
        if (c->line[strspn(c->line, "\r\n")] == '\0') continue;
        if (c->plain && strchr(c->line, '"'))
            return set_error(err, errlen, "%s:%d: quoted fields are not supported", c->path,
                             c->lineno);
        const int got = csv_split(c->line, fields, n);
        if (got < 0) return set_error(err, errlen, "%s:%d: unterminated quote", c->path, c->lineno);
        if (got != n)
            return set_error(err, errlen, "%s:%d: expected %d fields, got %d", c->path,
                             c->lineno, n, got);
        for (int i = 0; c->plain && i < n; i++)
            if (!fields[i][0])
                return set_error(err, errlen, "%s:%d: field %d is empty", c->path, c->lineno,
                                 i + 1);
        return 1;
    }
    return 0;
}

void csv_close(csv_reader *c) {
    if (c->f) fclose(c->f);
    free(c->line);
    *c = (csv_reader){0};
}
