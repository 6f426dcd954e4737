// Series bookkeeping of `posbench plot` (plot_series.h).
#include "harness/plot/plot_series.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/plot/plot_io.h"

static int variant_index(plot_series_list *l, const char *variant) {
    for (int i = 0; i < l->n_variants; i++)
        if (!strcmp(l->variants[i], variant)) return i;
    if (l->n_variants == l->variants_cap) {
        const int cap = l->variants_cap ? 2 * l->variants_cap : 8;
        void *p = realloc(l->variants, (size_t)cap * sizeof *l->variants);
        if (!p) return -1;
        l->variants = p;
        l->variants_cap = cap;
    }
    snprintf(l->variants[l->n_variants], PLOT_VARIANT, "%s", variant);
    return l->n_variants++;
}

int plot_series_index(plot_series_list *l, const char *encoding, const char *variant) {
    for (int i = 0; i < l->n; i++)
        if (!strncmp(l->items[i].encoding, encoding, PLOT_NAME - 1) &&
            !strncmp(l->items[i].variant, variant, PLOT_VARIANT - 1))
            return i;
    const int v = variant_index(l, variant);
    if (v < 0) return -1;
    if (l->n == l->cap) {
        const int cap = l->cap ? 2 * l->cap : 8;
        void *p = realloc(l->items, (size_t)cap * sizeof *l->items);
        if (!p) return -1;
        l->items = p;
        l->cap = cap;
    }
    plot_series *s = &l->items[l->n];
    snprintf(s->encoding, sizeof s->encoding, "%s", encoding);
    snprintf(s->variant, sizeof s->variant, "%s", variant);
    s->variant_index = v;
    return l->n++;
}

void plot_series_free(plot_series_list *l) {
    free(l->items);
    free(l->variants);
    *l = (plot_series_list){0};
}

void plot_series_label(const plot_series_list *l, int i, char *buf, size_t len) {
    const plot_series *s = &l->items[i];
    if (l->n_variants > 1 && s->variant[0])
        snprintf(buf, len, "%s, %s", s->encoding, s->variant);
    else
        snprintf(buf, len, "%s", s->encoding);
}

int plot_series_dash(const plot_series_list *l, int i) {
    return 1 + l->items[i].variant_index;
}

void plot_variant_join(char *buf, size_t len, char *const *values, int n, int skip1, int skip2) {
    size_t used = 0;
    buf[0] = '\0';
    for (int j = 0; j < n && used + 1 < len; j++) {
        if (j == skip1 || j == skip2) continue;
        const int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", values[j]);
        if (w < 0 || (size_t)w >= len - used) break;  // truncated: keep what fits
        used += (size_t)w;
    }
}

int plot_blocks_add(plot_blocks *b, const char *encoding, int dash) {
    char d[16], name[PLOT_NAME + 16];
    snprintf(d, sizeof d, "%d", dash);
    // "pope(delta_init=zero)": an encoding with options of its own keeps its colour, shaded
    // by its place among the distinct names of that encoding met so far.
    const int base_len = (int)strcspn(encoding, "(");
    int shade = 0, seen = 0;
    for (const char *w = b->distinct; *w && !seen;) {
        const size_t len = strcspn(w, " ");
        if (len == strlen(encoding) && !strncmp(w, encoding, len)) seen = 1;
        else if ((int)strcspn(w, "( ") == base_len && !strncmp(w, encoding, (size_t)base_len))
            shade++;
        w += len + (w[len] == ' ');
    }
    if (!seen && plot_words_add(b->distinct, sizeof b->distinct, encoding)) return -1;
    if (shade) snprintf(name, sizeof name, "%.*s~%d", base_len, encoding, shade);
    else snprintf(name, sizeof name, "%.*s", base_len, encoding);
    if (plot_words_add(b->encodings, sizeof b->encodings, name) ||
        plot_words_add(b->dashes, sizeof b->dashes, d))
        return -1;
    b->n++;
    return 0;
}
