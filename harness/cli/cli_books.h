// `posbench books build` and `posbench books synth`: byte-level book datasets for length
// extrapolation (tasks/books.h).
#ifndef POSBENCH_CLI_BOOKS_H
#define POSBENCH_CLI_BOOKS_H

// posbench books build|synth [options]; argv[0] is "books". Exit status (0, or 2 with a
// one-line "posbench: ..." message on stderr).
int cmd_books(int argc, char **argv);

#endif
