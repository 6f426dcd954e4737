// Checkpoints: model shape, encoding and every parameter tensor in one self-describing file.
//
// Layout (all integers unsigned 32-bit little-endian, floats IEEE-754 binary32 little-endian):
//   magic        8 bytes  "PBCKPT\r\n"
//   version      u32      2
//   vocab, d_model, n_layers, n_heads, norm (0 = RMSNorm, 1 = LayerNorm)   5 x u32
//   n_tensors    u32
//   encoding     64 bytes NUL-padded name, e.g. "pope" (an encoding name has at most 63
//                characters: encoding.h)
//   options      256 bytes NUL-padded canonical options, e.g. "base=10000,delta_init=uniform"
//   n_tensors x { name 24 bytes NUL-padded; ndim u32; dims 3 x u32 (unused = 0);
//                 prod(dims) floats, row-major }
//   checksum     u64      FNV-1a (64-bit) of every byte before it
// Tensors come in model order: wte, ln1_w, [ln1_b], qkv_w, proj_w, ln2_w, [ln2_b], fc1_w,
// fc2_w, lnf_w, [lnf_b], head_w, [pe] (docs/formats.md: "Checkpoints").
// Version 1 differs only in the encoding field, 32 bytes: it is still read, so that the
// final.ckpt of earlier results keeps loading (a plugin name longer than 31 characters was
// cut there, and such a file names an encoding that does not exist). Version 3 adds a u32
// after norm, the attention (0 causal, 1 bidirectional); it is written for bidirectional
// models only, so a causal model's file is the version 2 it always was.
#ifndef POSBENCH_CHECKPOINT_H
#define POSBENCH_CHECKPOINT_H

#include <stddef.h>

#include "harness/model/model.h"

#define CHECKPOINT_VERSION 3

// Writes atomically (temporary file, then rename). Returns 0 or -1 with a message in err.
int checkpoint_save(const model *m, const char *path, char *err, size_t errlen);
// Reads (any version from 1 to CHECKPOINT_VERSION), verifies and builds a model (caller frees
// with model_free), or NULL with err.
model *checkpoint_load(const char *path, char *err, size_t errlen);

#endif
