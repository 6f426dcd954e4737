// CSV as posbench writes and reads it: a header line, then rows of comma-separated fields; a
// field may be double-quoted, with quotes doubled inside. One reader for every file: the run
// folders' train.csv, eval.csv and point.csv, summary.csv, and the plots' inputs.
#ifndef POSBENCH_CSV_H
#define POSBENCH_CSV_H

#include <stddef.h>
#include <stdio.h>

// A file's rows after an exact header line; blank lines are skipped.
typedef struct csv_reader {
    char path[4096];
    FILE *f;
    char *line;
    size_t cap;
    int lineno;
    int plain;
} csv_reader;

// Field syntax a reader accepts. CSV_PLAIN: neither quotes nor empty fields, as in the files
// a run writes (either is an error naming the line); CSV_QUOTED: both.
enum { CSV_QUOTED = 0, CSV_PLAIN = 1 };

// Splits line in place (its line ending removed); fields[0..max) point into it. Returns the
// number of fields the line has (which may exceed max), or -1 for an unterminated quote or
// text after a closing quote.
int csv_split(char *line, char **fields, int max);

// Opens path and checks that its first line is exactly header. 0, or -1 with "PATH: cannot
// open: ...", "PATH: empty file (expected header 'H')" or "PATH:1: expected header 'H', got
// '...'" (close with csv_close either way).
int csv_open(csv_reader *c, const char *path, const char *header, int plain, char *err,
             size_t errlen);
// The next non-blank row into exactly n fields: 1, 0 at the end of the file, -1 with
// "PATH:LINE: ..." for a row of another width or a field the syntax refuses.
int csv_next(csv_reader *c, char **fields, int n, char *err, size_t errlen);
void csv_close(csv_reader *c);

#endif
