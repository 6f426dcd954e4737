// What built this binary: the posbench version (git describe at build time) and the compile
// and link line. A run folder records both (build.txt), as results depend on the code and,
// in their last bits, on the flags.
#ifndef POSBENCH_BUILD_INFO_H
#define POSBENCH_BUILD_INFO_H

// e.g. "v0.3-12-g1a2b3c4" or "1a2b3c4-dirty"; "unknown" when built outside a git checkout.
const char *posbench_version(void);
// The compiler, its flags and the libraries, as the Makefile ran them.
const char *posbench_build_flags(void);

#endif
