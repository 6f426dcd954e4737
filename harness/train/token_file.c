#include "harness/train/token_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/errors.h"

// Parses one line into tokens (grown as needed); returns the count or -1 on a bad token.
static int parse_line(char *line, int32_t **tokens, int *cap, int vocab, int *bad_col) {
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
        if (!*p) return n;
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno || v < 0 || v >= vocab || (*end && !strchr(" \t\r\n", *end))) {
            *bad_col = (int)(p - line) + 1;
            return -1;
        }
        if (n == *cap) {
            *cap = *cap ? 2 * *cap : 256;
            int32_t *grown = realloc(*tokens, *cap * sizeof **tokens);
            if (!grown) return -1;
            *tokens = grown;
        }
        (*tokens)[n++] = (int32_t)v;
        p = end;
    }
}

int token_file_loss(model *m, const char *path, int n_threads, double *mean_loss,
                    long *n_tokens, char *err, size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) return set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    char *line = NULL;
    size_t line_cap = 0;
    int32_t *tokens = NULL;
    int cap = 0, lineno = 0, rc = 0;
    double loss_sum = 0.0;
    long total = 0;
    while (getline(&line, &line_cap, f) != -1) {
        lineno++;
        int bad_col = 0;
        int n = parse_line(line, &tokens, &cap, m->cfg.vocab, &bad_col);
        if (n < 0) {
            rc = set_error(err, errlen, "%s:%d:%d: expected a token id in [0, %d)", path, lineno,
                           bad_col, m->cfg.vocab);
            break;
        }
        if (n < 2) continue;
        const int T = n - 1;
        char why[256];
        if (pe_check_length(&m->pe, T, why, sizeof why) != 0) {
            rc = set_error(err, errlen, "%s:%d: %s", path, lineno, why);
            break;
        }
        batch *b = batch_create(1, T);
        acts *a = acts_create(m, 1, T, 0, n_threads);
        if (!b || !a) {
            rc = set_error(err, errlen, "%s:%d: out of memory for a sequence of %d tokens", path,
                           lineno, n);
            batch_free(b);
            acts_free(a);
            break;
        }
        for (int t = 0; t < T; t++) {
            b->tokens[t] = tokens[t];
            b->targets[t] = tokens[t + 1];
            b->mask[t] = 1;
        }
        long scored;
        double loss = model_forward(m, a, b, NULL, &scored);
        loss_sum += loss * scored;
        total += scored;
        batch_free(b);
        acts_free(a);
    }
    free(line);
    free(tokens);
    fclose(f);
    if (rc == 0 && total == 0) {
        rc = set_error(err, errlen, "%s: no sequence of two or more tokens", path);
    }
    if (rc == 0) {
        *mean_loss = loss_sum / total;
        *n_tokens = total;
    }
    return rc;
}
