// Pieces shared by the suite's tasks over the residues mod m (cycle_navigation,
// modular_arithmetic, modular_arithmetic_brackets, solve_equation): the residues' names and
// the bracketed expressions that
// modular_arithmetic_brackets asks to reduce and solve_equation hides an unknown in.
//
// In each of these tasks the residues 0 .. m-1 are the vocabulary's first m ids (a residue's
// id is its value), so the class a task answers is the id of the residue it names.
#ifndef POSBENCH_LENGTHGEN_MODULAR_H
#define POSBENCH_LENGTHGEN_MODULAR_H

#include <stddef.h>
#include <stdint.h>

#include "harness/base/rng.h"
#include "tasks/lengthgen/lengthgen.h"
#include "tasks/task.h"

// The largest modulus (or cycle length): every residue is then named by one character.
#define MODULAR_MAX 10

// "0" .. "9" for 0 <= v < MODULAR_MAX.
const char *modular_residue_name(int v);

// The ids, after the m residues, of a bracketed expression's other symbols. '*' is last so
// that a vocabulary without it (solve_equation's, or mult=0) keeps the others' ids.
enum { BRACKET_PLUS, BRACKET_MINUS, BRACKET_OPEN, BRACKET_CLOSE, BRACKET_TIMES };

// Writes a random expression of exactly len >= 1 tokens at out and returns its value mod m.
// The suite's grammar and sampling (Deletang et al. 2023, modular arithmetic with brackets):
// lengths 1 to 4 are d, -d, (d) and (-d) with d uniform in 0 .. m-1; a longer one is
// (L op R) with L's length uniform in 1 .. len-4, R taking the rest, and op uniform over
// + and - (and * when mult).
int modular_bracketed(rng *r, int len, int m, int mult, uint16_t *out);

#endif
