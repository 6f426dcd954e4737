// The data of a books run (tasks/books.h): the corpus cut into training chunks and test
// windows at every evaluation length, built once per experiment and shared by its runs.
#ifndef POSBENCH_RUN_BOOKS_H
#define POSBENCH_RUN_BOOKS_H

#include <stddef.h>

#include "tasks/books.h"
#include "tasks/dataset.h"

typedef struct books_data {
    int seq_len, n_mult, mult[BOOKS_MAX_MULT];
    dataset *train;
    dataset *test[BOOKS_MAX_MULT];  // windows of mult[i] * seq_len + 1 bytes
} books_data;

// Reads the corpus path, seq_len and eval_mult of the run's options into corpus and d's
// lengths (no dataset is loaded). 0, or -1 with err.
int books_data_options(const char *options, char *corpus, size_t len, books_data *d,
                       char *err, size_t errlen);
// options: the run's canonical "corpus=PATH,seq_len=L,eval_mult=1;2;4". The datasets are
// built into data_dir/books-<hash of options>/ unless already there; concurrent runs may race
// to build them: each builds into a private temporary folder and the first rename wins.
// 0, or -1 with err. Free with books_data_free.
int books_data_load(books_data *d, const char *options, const char *data_dir, char *err,
                    size_t errlen);
void books_data_free(books_data *d);

#endif
