// Dataset files: what a task generated, self-described (task, options, seed, vocabulary),
// written as a stream and read back whole with every byte checked.
//
// Layout, version 1. Integers are unsigned little-endian; "str16" is a u16 byte count and
// that many bytes (no NUL, no terminator); "str8" the same with a u8 count.
//   magic       8 bytes  "PBDATA\r\n"
//   version     u32      1
//   task        str16    task name, e.g. "indirect_indexing"
//   options     str16    canonical generator options, e.g. "alphabet=52,len_min=20,..."
//   seed        u64      the generator's seed
//   vocab_size  u32      V, 1 <= V <= 65535
//   V x name    str8     printable name of token id 0, 1, ..., V-1 (1 to 255 bytes)
//   sequences, each:
//     len       u32      number of tokens, 1 <= len <= 2^24
//     tokens    len x u16   token ids, each < V
//     mask      len x u8    1 = this position is scored and its target is the NEXT token
//                           (tasks/task.h), else 0; the last token's mask is always 0
//   end         u32      0xFFFFFFFF (where the next sequence's len would be)
//   count       u64      number of sequences (a streaming writer learns it only at the end)
//   checksum    u64      FNV-1a 64-bit (offset basis 0xcbf29ce484222325, prime
//                        0x100000001b3) of every byte before it, from the magic on
// The writer writes to FILE.tmp and renames it to FILE on close, so a FILE that exists is
// complete. The reader refuses, with one line naming the file: a bad magic, another version,
// a truncated file, a checksum mismatch, bytes after the checksum, and (in a file whose
// checksum matches, i.e. from a faulty writer) out-of-range ids, masks or counts.
#ifndef POSBENCH_DATASET_H
#define POSBENCH_DATASET_H

#include <stddef.h>
#include <stdint.h>

#define DATASET_VERSION 1
#define DATASET_MAX_VOCAB 65535
#define DATASET_MAX_LEN (1u << 24)

// A dataset in memory. Sequence i is tokens[offsets[i] .. offsets[i+1]), with its mask at
// the same indices. Created by dataset_load, freed by dataset_free.
typedef struct dataset {
    char *task;
    char *options;
    uint64_t seed;
    int vocab_size;
    char **vocab;  // vocab_size NUL-terminated names
    size_t n_seqs, n_tokens;
    size_t *offsets;  // n_seqs + 1 entries
    uint16_t *tokens;
    uint8_t *mask;
} dataset;

// Reads and verifies a whole file; NULL with a one-line message ("FILE: ...") in err.
dataset *dataset_load(const char *path, char *err, size_t errlen);
void dataset_free(dataset *d);

// A streaming writer: open, append sequences one at a time, then close (commit) or abort.
typedef struct dataset_writer dataset_writer;

// Creates PATH.tmp and writes the header. vocab holds vocab_size names (1 to 255 bytes each).
// NULL with a message in err.
dataset_writer *dataset_writer_open(const char *path, const char *task, const char *options,
                                    uint64_t seed, int vocab_size, const char *const *vocab,
                                    char *err, size_t errlen);
// Appends one sequence (ids < vocab_size, mask 0/1, last mask 0). On -1 (invalid sequence or
// write error, message in err) the writer stays open: the caller closes or aborts it.
int dataset_writer_append(dataset_writer *w, const uint16_t *tokens, const uint8_t *mask,
                          size_t len, char *err, size_t errlen);
// Writes the trailer and checksum and renames PATH.tmp to PATH. Frees w in every case;
// on -1 (message in err) PATH.tmp is removed and PATH is untouched.
int dataset_writer_close(dataset_writer *w, char *err, size_t errlen);
// Removes PATH.tmp and frees w (NULL is allowed).
void dataset_writer_abort(dataset_writer *w);
// Sequences appended so far.
uint64_t dataset_writer_count(const dataset_writer *w);

#endif
