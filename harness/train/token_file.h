// Token files for `posbench eval`: plain text, one sequence per line, token ids separated by
// white space. Every token after the first of a line is predicted from the ones before it,
// so an independent implementation can compute the same mean loss from the same weights.
#ifndef POSBENCH_TOKEN_FILE_H
#define POSBENCH_TOKEN_FILE_H

#include <stddef.h>

#include "harness/model/model.h"

// Mean next-token loss of m over every sequence of the file, in double, and the number of
// predicted tokens. Returns 0, or -1 with a message naming file and line.
int token_file_loss(model *m, const char *path, int n_threads, double *mean_loss,
                    long *n_tokens, char *err, size_t errlen);

#endif
