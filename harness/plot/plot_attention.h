// The per-run CSVs of `posbench attn` and `posbench freq`, checked and shaped for gnuplot.
//
// attention.csv: `layer,head,query,key,prob,query_token,key_token`, tokens double-quoted
// single characters; keys at or before the query (causal) or also after it (bidirectional).
// gnuplot's CSV reading cannot split "," inside quotes, so the file is rewritten with numbers
// only: `layer head query key prob query_code key_code`, codes the tokens' byte values (-1
// for a token that is not one byte); plots/attention.gp draws it.
// frequency.csv (`layer,frequency,mass`) is all numbers and plots/frequency.gp reads it as
// is; it is only checked here, so a malformed file gets a message naming its line instead of
// a gnuplot warning.
#ifndef POSBENCH_PLOT_ATTENTION_H
#define POSBENCH_PLOT_ATTENTION_H

#include <stddef.h>

// Reads csv and writes data. *n_tokens: positions in the example. 0, or -1 with
// "PATH:LINE: message".
int plot_write_attention(const char *csv, const char *data, int *n_tokens, char *err,
                         size_t errlen);

// Checks csv's header and that every row is three numbers. 0, or -1 with a message.
int plot_check_frequency(const char *csv, char *err, size_t errlen);

#endif
