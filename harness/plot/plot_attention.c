// Attention and frequency CSVs for `posbench plot` (plot_attention.h).
#include "harness/plot/plot_attention.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness/base/errors.h"
#include "harness/plot/plot_io.h"

// A whole field as a non-negative integer index. 0, or -1.
static int index_field(const char *text, long *x) {
    double d;
    if (plot_number(text, &d) || !(d >= 0 && d < 1e7) || d != floor(d)) return -1;
    *x = (long)d;
    return 0;
}

static int token_code(const char *t) {
    return strlen(t) == 1 ? (unsigned char)t[0] : -1;
}

int plot_write_attention(const char *csv, const char *data, int *n_tokens, char *err,
                         size_t errlen) {
    *n_tokens = 0;
    csv_reader c;
    atomic_file o = {0};
    char *f[7];
    int got, rc = -1;
    if (csv_open(&c, csv, "layer,head,query,key,prob,query_token,key_token", CSV_QUOTED, err,
                 errlen) ||
        atomic_file_open(&o, data, err, errlen))
        goto done;
    fputs("# layer head query key prob query_code key_code\n", o.f);
    long rows = 0;
    while ((got = csv_next(&c, f, 7, err, errlen)) == 1) {
        long layer, head, query, key;
        double prob;
        if (index_field(f[0], &layer) || index_field(f[1], &head) ||
            index_field(f[2], &query) || index_field(f[3], &key) || plot_number(f[4], &prob) ||
            !isfinite(prob)) {
            set_error(err, errlen, "%s:%d: malformed layer, head, query, key or prob", csv,
                      c.lineno);
            goto done;
        }
        // Keys after the query are a bidirectional model's; a causal one has none.
        const long last = key > query ? key : query;
        if (last + 1 > *n_tokens) *n_tokens = (int)last + 1;
        fprintf(o.f, "%ld %ld %ld %ld %.6g %d %d\n", layer, head, query, key, prob,
                token_code(f[5]), token_code(f[6]));
        rows++;
    }
    if (got < 0) goto done;
    if (rows == 0) {
        set_error(err, errlen, "%s: no rows", csv);
        goto done;
    }
    rc = 0;
done:
    csv_close(&c);
    if (plot_out_close(&o, rc == 0, err, errlen)) rc = -1;
    return rc;
}

int plot_check_frequency(const char *csv, char *err, size_t errlen) {
    csv_reader c;
    char *f[3];
    int got, rc = -1;
    long rows = 0;
    if (csv_open(&c, csv, "layer,frequency,mass", CSV_QUOTED, err, errlen)) goto done;
    while ((got = csv_next(&c, f, 3, err, errlen)) == 1) {
        long layer, freq;
        double mass;
        if (index_field(f[0], &layer) || index_field(f[1], &freq) || plot_number(f[2], &mass) ||
            !isfinite(mass)) {
            set_error(err, errlen, "%s:%d: malformed layer, frequency or mass", csv, c.lineno);
            goto done;
        }
        rows++;
    }
    if (got < 0) goto done;
    rc = rows ? 0 : set_error(err, errlen, "%s: no rows", csv);
done:
    csv_close(&c);
    return rc;
}
