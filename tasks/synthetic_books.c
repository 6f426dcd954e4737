// Synthetic long "books" for tests and offline use: text whose next byte sometimes depends on
// something thousands of bytes back (a name's trade and town, an event told chapters ago),
// so that a model's loss at long range says something about its position encoding. The
// structure is described in tasks/books.h.
#include "books.h"
#include "harness/base/dirs.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/errors.h"
#include "harness/base/rng.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define WRAP 72     // line width, as in Project Gutenberg's hard-wrapped texts
#define MAX_CAST 10
#define MAX_PLACES 6

static const char *const ONSETS[] = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r",
                                     "s", "t", "v", "z", "th", "br", "dr", "kr", "st", "gl"};
static const char *const VOWELS[] = {"a", "e", "i", "o", "u", "ae", "io", "ou"};
static const char *const CODAS[] = {"", "n", "r", "l", "s", "th", "nd", "m"};
static const char *const PLACE_ENDS[] = {"ford", "holm", "dale", "wick", "mere", "stead"};
static const char *const TRADES[] = {"smith", "weaver", "sailor", "scribe",
                                     "miller", "hunter", "healer", "mason"};
static const char *const ADJS[] = {"old", "silver", "broken", "hidden", "red",
                                   "heavy", "small", "strange", "golden", "dark"};
static const char *const NOUNS[] = {"key", "letter", "sword", "map", "ring", "lamp",
                                    "book", "boat", "cup", "stone", "horse", "coat"};
static const char *const VERBS[] = {"carried", "mended", "sold", "lost", "hid",
                                    "praised", "watched", "kept", "bought", "gave away"};

typedef struct person {
    char name[32];
    int trade, place;
} person;

typedef struct event {
    int who, adj, noun, place;
} event;

// The state of one book being written.
typedef struct book {
    rng r;
    FILE *f;
    size_t bytes;  // written so far
    int col;       // column of the next byte on the current line
    int n_cast, n_places;
    person cast[MAX_CAST];
    char places[MAX_PLACES][40];
    event *events;  // events[k - 1] happened in chapter k
    int n_events;
} book;

static const char *pick(rng *r, const char *const *list, int n) {
    return list[rng_below(r, (uint32_t)n)];
}

// An invented word of 2 or 3 syllables, capitalised.
static void invent_name(rng *r, char *out, size_t len) {
    const int syl = 2 + (int)rng_below(r, 2);
    out[0] = '\0';
    for (int s = 0; s < syl; s++) {
        strncat(out, pick(r, ONSETS, N(ONSETS)), len - strlen(out) - 1);
        strncat(out, pick(r, VOWELS, N(VOWELS)), len - strlen(out) - 1);
    }
    strncat(out, pick(r, CODAS, N(CODAS)), len - strlen(out) - 1);
    out[0] = (char)toupper((unsigned char)out[0]);
}

// A name not yet used by anyone or anywhere in the book (invented names are varied enough
// that a few retries always suffice; after them a repeat is harmless).
static void fresh_name(book *b, char *out, size_t len) {
    for (int tries = 0; tries < 100; tries++) {
        invent_name(&b->r, out, len);
        int taken = 0;
        for (int i = 0; i < b->n_cast; i++) taken |= !strcmp(b->cast[i].name, out);
        for (int i = 0; i < b->n_places; i++) taken |= !strncmp(b->places[i], out, strlen(out));
        if (!taken) return;
    }
}

// Writes s word by word, wrapping lines at WRAP columns.
static void put_words(book *b, const char *s) {
    while (*s) {
        while (*s == ' ') s++;
        const size_t n = strcspn(s, " ");
        if (!n) break;
        if (b->col > 0 && b->col + 1 + (int)n > WRAP) {
            fputc('\n', b->f);
            b->bytes++;
            b->col = 0;
        } else if (b->col > 0) {
            fputc(' ', b->f);
            b->bytes++;
            b->col++;
        }
        fwrite(s, 1, n, b->f);
        b->bytes += n;
        b->col += (int)n;
        s += n;
    }
}

static void end_paragraph(book *b) {
    if (b->col == 0) return;
    fputs("\n\n", b->f);
    b->bytes += 2;
    b->col = 0;
}

static void heading(book *b, const char *s) {
    end_paragraph(b);
    fprintf(b->f, "%s\n\n", s);
    b->bytes += strlen(s) + 2;
}

static void event_text(const book *b, const event *e, char *out, size_t len) {
    snprintf(out, len, "%s found the %s %s in %s.", b->cast[e->who].name, ADJS[e->adj],
             NOUNS[e->noun], b->places[e->place]);
}

// One sentence of the grammar about the cast, places and earlier chapters.
static void sentence(book *b, int chapter, char *out, size_t len) {
    rng *r = &b->r;
    const person *p = &b->cast[rng_below(r, (uint32_t)b->n_cast)];
    const person *q = &b->cast[rng_below(r, (uint32_t)b->n_cast)];
    const char *adj = pick(r, ADJS, N(ADJS)), *noun = pick(r, NOUNS, N(NOUNS));
    const char *place = b->places[rng_below(r, (uint32_t)b->n_places)];
    char told[160];
    switch (rng_below(r, 6)) {
    case 0: snprintf(out, len, "%s %s the %s %s.", p->name, pick(r, VERBS, N(VERBS)), adj, noun);
        break;
    case 1: snprintf(out, len, "%s said to %s, \"The %s %s is in %s.\"", p->name, q->name, adj,
                     noun, place);
        break;
    case 2: snprintf(out, len, "When %s came to %s, %s %s the %s.", p->name, place, q->name,
                     pick(r, VERBS, N(VERBS)), noun);
        break;
    // The trade and town are fixed per person: recalling them needs the introduction.
    case 3: snprintf(out, len, "%s, the %s of %s, %s the %s %s.", p->name, TRADES[p->trade],
                     b->places[p->place], pick(r, VERBS, N(VERBS)), adj, noun);
        break;
    case 4:
        if (chapter > 1) {  // only earlier chapters: a reference reaches back
            const int k = 1 + (int)rng_below(r, (uint32_t)chapter - 1);
            event_text(b, &b->events[k - 1], told, sizeof told);
            snprintf(out, len, "In chapter %d, %s", k, told);
            break;
        }
        // fall through
    default: snprintf(out, len, "%s remembered %s of %s.", p->name, q->name,
                      b->places[q->place]);
    }
}

// Writes chapter n: heading, its event, references back, then grammar until it has about
// `target` bytes or the book reaches `limit`.
static int chapter(book *b, int n, size_t target, size_t limit) {
    char s[512], told[160];
    snprintf(s, sizeof s, "CHAPTER %d", n);
    heading(b, s);
    const size_t start = b->bytes;
    if (n == 1)
        for (int i = 0; i < b->n_cast; i++) {
            snprintf(s, sizeof s, "%s was a %s from %s.", b->cast[i].name,
                     TRADES[b->cast[i].trade], b->places[b->cast[i].place]);
            put_words(b, s);
        }
    else {
        const int k = 1 + (int)rng_below(&b->r, (uint32_t)(n - 1));
        event_text(b, &b->events[k - 1], told, sizeof told);
        snprintf(s, sizeof s, "As told in chapter %d, %s", k, told);
        put_words(b, s);
    }
    event *e = realloc(b->events, (size_t)n * sizeof *e);
    if (!e) return -1;
    b->events = e;
    e = &b->events[n - 1];
    *e = (event){(int)rng_below(&b->r, (uint32_t)b->n_cast), (int)rng_below(&b->r, N(ADJS)),
                 (int)rng_below(&b->r, N(NOUNS)), (int)rng_below(&b->r, (uint32_t)b->n_places)};
    b->n_events = n;
    event_text(b, e, told, sizeof told);
    put_words(b, told);
    for (int i = 0; b->bytes - start < target && b->bytes < limit; i++) {
        if (i % 5 == 4) end_paragraph(b);
        sentence(b, n, s, sizeof s);
        put_words(b, s);
    }
    return 0;
}

static int write_book(book *b, int index, size_t bytes) {
    b->n_places = 4 + (int)rng_below(&b->r, MAX_PLACES - 3);
    for (int i = 0; i < b->n_places; i++) {
        char stem[24];
        fresh_name(b, stem, sizeof stem);
        snprintf(b->places[i], sizeof b->places[i], "%s%s", stem,
                 pick(&b->r, PLACE_ENDS, N(PLACE_ENDS)));
    }
    const int n_cast = 6 + (int)rng_below(&b->r, MAX_CAST - 5);
    for (int i = 0; i < n_cast; i++) {
        person *p = &b->cast[i];
        fresh_name(b, p->name, sizeof p->name);
        p->trade = (int)rng_below(&b->r, N(TRADES));
        p->place = (int)rng_below(&b->r, (uint32_t)b->n_places);
        b->n_cast = i + 1;
    }
    char s[256];
    snprintf(s, sizeof s, "THE CHRONICLE OF %s, BOOK %d", b->cast[0].name, index + 1);
    for (char *c = s; *c; c++) *c = (char)toupper((unsigned char)*c);
    heading(b, s);
    const size_t target = bytes / 16 > 400 ? bytes / 16 : 400;
    int n = 1;
    do {
        if (chapter(b, n++, target, bytes)) return -1;
    } while (b->bytes < bytes);
    // The last chapter closes the story on the first person met, chapters later.
    snprintf(s, sizeof s, "CHAPTER %d", n);
    heading(b, s);
    const person *first = &b->cast[0];
    snprintf(s, sizeof s, "In the end, %s the %s went home to %s.", first->name,
             TRADES[first->trade], b->places[first->place]);
    put_words(b, s);
    event_text(b, &b->events[0], s, sizeof s);
    put_words(b, "As told in chapter 1,");
    put_words(b, s);
    end_paragraph(b);
    fputs("THE END\n", b->f);
    return 0;
}

int books_synth_book(const char *path, uint64_t seed, int index, size_t bytes, char *err,
                     size_t errlen) {
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        set_error(err, errlen, "%s: path too long", path);
        return -1;
    }
    book b = {0};
    // A distinct stream per book: splitmix64 inside rng_seed decorrelates nearby seeds.
    rng_seed(&b.r, seed + 0x9E3779B97F4A7C15ull * (uint64_t)(index + 1));
    if (!(b.f = fopen(tmp, "wb"))) {
        set_error(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
        return -1;
    }
    const int rc = write_book(&b, index, bytes);
    free(b.events);
    const int bad = ferror(b.f);
    if (fclose(b.f) != 0 || bad || rc != 0) {
        set_error(err, errlen, "%s: %s", tmp, rc ? "out of memory" : "write error");
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        set_error(err, errlen, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

int books_synth_corpus(const char *dir, int books_per_split, size_t bytes, uint64_t seed,
                       char *err, size_t errlen) {
    if (books_per_split < 1 || bytes < 1) {
        set_error(err, errlen, "synthetic books need at least 1 book per split and 1 byte");
        return -1;
    }
    if (make_dirs(dir, err, errlen)) return -1;
    char path[4096];
    for (int s = 0; s < BOOKS_N_SPLITS; s++) {
        snprintf(path, sizeof path, "%s/%s", dir, books_split_name(s));
        if (make_dirs(path, err, errlen)) return -1;
        for (int i = 0; i < books_per_split; i++) {
            const int index = s * books_per_split + i;
            if (snprintf(path, sizeof path, "%s/%s/book-%04d.txt", dir, books_split_name(s),
                         index) >= (int)sizeof path) {
                set_error(err, errlen, "%s: path too long", dir);
                return -1;
            }
            if (books_synth_book(path, seed, index, bytes, err, errlen)) return -1;
        }
    }
    return 0;
}
