# posbench — one Makefile, no recursion. `make help` lists the targets.
CC      ?= cc
CFLAGS  ?= -O3 -march=native -g
LDFLAGS ?=
PREFIX  ?= /usr/local

PKGS := check yaml-0.1 libxsmm openblas
# Flags the build needs (kept apart from CFLAGS so `make CFLAGS=-O0` cannot drop them).
# Floating-point contraction is stated, not left to the compiler's default: FMA is allowed
# (-ffp-contract=fast); nothing else of -ffast-math is, so NaN/Inf checks keep working.
# -fno-trapping-math: we never enable FP traps, and without it GCC refuses to if-convert float
# comparisons, leaving loops such as GELU's clamped exp scalar (it changes no result).
PB_CFLAGS  := -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter \
              -ffp-contract=fast -fno-trapping-math -fopenmp -MMD -MP -I. \
              $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PB_LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -fopenmp -lm -ldl
# Encoding plugins (encodings/plugin.c) may call the executable's functions (pe_opt, ...).
PB_LDFLAGS := -rdynamic

BUILD := build
LIB_SRC  := $(wildcard encodings/*.c) $(filter-out harness/cli/main.c,$(wildcard harness/*/*.c)) \
            $(wildcard tasks/*.c) $(wildcard tasks/*/*.c)
TEST_SRC := $(wildcard tests/*.c)
FIXTURE_SRC := $(wildcard tests/fixtures/*.c)
BENCH_SRC := bench/bench.c

# Sanitizer builds live in their own folder so they never mix with optimised objects.
ifeq ($(SAN),1)
BUILD := build/asan
PB_CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
PB_LDLIBS += -fsanitize=address,undefined
endif

# Fuzzing builds (make fuzz): clang's libFuzzer with ASan and UBSan, in their own folder.
ifeq ($(FUZZ),1)
BUILD := build/fuzz
CC := clang
PB_CFLAGS += -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
PB_LDLIBS += -fsanitize=fuzzer,address,undefined
endif

# The valgrind build (make valgrind): valgrind 3.19 decodes AVX2 and FMA but not AVX-512, so
# on a CPU that has AVX-512 a -march=native binary stops at its first AVX-512 instruction.
ifeq ($(VG),1)
BUILD := build/valgrind
CFLAGS := -O2 -g -march=x86-64-v3
endif

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
FIXTURE_SO := $(FIXTURE_SRC:tests/fixtures/%.c=$(BUILD)/fixtures/%.so)
# The tests find the plugins they load under the build folder of their own flavour. (Set
# for every object: a target-specific value would also reach $(BUILD)/flags and rewrite it.)
PB_CFLAGS += -DPB_FIXTURE_DIR='"$(BUILD)/fixtures"'
# Where an installed posbench finds its plots' scripts (make install); in the flags, so that
# another PREFIX rebuilds.
PB_CFLAGS += -DPOSBENCH_PLOTS_DIR='"$(PREFIX)/share/posbench/plots"'
# The generated build_info.inc (the version and these flags) lives in the build folder.
PB_CFLAGS += -I$(BUILD)

.PHONY: all test layers install install-check asan bench bench-torch deps clean help plots examples cppcheck valgrind check-all fuzz

all: posbench

help:
	@echo "make            build ./posbench"
	@echo "make deps       install missing Debian packages (as root), else print the apt-get line"
	@echo "make test       build and run every Check suite"
	@echo "make layers     check the layering rule of the includes (part of make test)"
	@echo "make asan       the test suites under AddressSanitizer + UBSan"
	@echo "make check-all  test, asan, cppcheck, valgrind of a short training run, a short fuzz"
	@echo "make cppcheck   static analysis (findings judged false: tools/cppcheck-suppressions.txt)"
	@echo "make valgrind   memcheck of a short training run, a checkpoint save and the YAML loader"
	@echo "make fuzz       fuzz the config loader and dataset reader (FUZZ_SECONDS=30 each)"
	@echo "make bench      training tokens/s, GFLOP/s and fraction of peak per encoding and shape"
	@echo "make bench-torch   the same model in PyTorch for comparison (skipped without python3-torch)"
	@echo "make main       the main job (see README)"
	@echo "make extrapolation   the length-extrapolation job on books (see README)"
	@echo "make length-generalization   the algorithmic length-generalisation suite (see README)"
	@echo "make plots RESULTS=results/<experiment>   PNG and SVG plots of an experiment (gnuplot)"
	@echo "make examples RESULTS='results/a results/b'   refresh plots/examples/*.png from them"
	@echo "make install    the binary and the plots' scripts under PREFIX (/usr/local), DESTDIR too"
	@echo "make clean      remove build outputs"

# A flags file that changes when the flags change forces a rebuild.
$(BUILD)/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS) $(PB_CFLAGS) $(LDFLAGS) $(PB_LDLIBS)' | cmp -s - $@ || \
	  echo '$(CC) $(CFLAGS) $(PB_CFLAGS) $(LDFLAGS) $(PB_LDLIBS)' > $@
FORCE:

# The version (git describe; "unknown" outside a checkout), rewritten only when it changes,
# and with the flags the header harness/base/build_info.c includes.
$(BUILD)/version: FORCE
	@mkdir -p $(@D)
	@v=$$(git describe --always --dirty --tags 2>/dev/null || echo unknown); \
	  echo "$$v" | cmp -s - $@ || echo "$$v" > $@
$(BUILD)/build_info.inc: $(BUILD)/version $(BUILD)/flags
	@{ printf '#define POSBENCH_VERSION "%s"\n' "$$(cat $(BUILD)/version)"; \
	   printf '#define POSBENCH_BUILD_FLAGS "%s"\n' "$$(sed 's/\\/\\\\/g; s/"/\\"/g' $(BUILD)/flags)"; \
	 } > $@
$(BUILD)/harness/base/build_info.o: $(BUILD)/build_info.inc

$(BUILD)/%.o: %.c $(BUILD)/flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PB_CFLAGS) -c $< -o $@

posbench $(BUILD)/posbench: $(BUILD)/harness/cli/main.o $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $(PB_LDFLAGS) $^ $(PB_LDLIBS) -o $@

$(BUILD)/test_posbench: $(TEST_OBJ) $(LIB_OBJ) | $(FIXTURE_SO)
	$(CC) $(CFLAGS) $(LDFLAGS) $(PB_LDFLAGS) $^ $(PB_LDLIBS) -o $@

# Encoding plugins the tests load (tests/fixtures/*.c, one .so each). Built without the
# sanitizers: the sanitized test binary provides their runtime.
$(BUILD)/fixtures/%.so: tests/fixtures/%.c encodings/encoding.h harness/base/options.h $(BUILD)/flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -std=c11 -Wall -Wextra -Wno-unused-parameter -ffp-contract=fast -I. \
	  -shared -fPIC $< -o $@

$(BUILD)/bench_posbench: $(BUILD)/bench/bench.o $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(PB_LDLIBS) -o $@

deps:
	@sh tools/deps.sh

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, and the gnuplot scripts where it
# looks for them (beside it in ../share/posbench/plots, else the PREFIX it was built for).
install: posbench
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/posbench/plots
	install -m 755 posbench $(DESTDIR)$(PREFIX)/bin/posbench
	install -m 644 plots/*.gp $(DESTDIR)$(PREFIX)/share/posbench/plots/

# An install into a scratch DESTDIR runs and finds its scripts beside it (part of make test).
install-check: posbench
	@d=$$(mktemp -d) && $(MAKE) --no-print-directory install DESTDIR=$$d >/dev/null && \
	  $$d$(PREFIX)/bin/posbench --version >/dev/null && mkdir -p $$d/results/runs && \
	  out=$$($$d$(PREFIX)/bin/posbench plot $$d/results 2>&1); \
	  case "$$out" in *"cannot find the gnuplot scripts"*) rc=1;; *) rc=0;; esac; \
	  rm -rf $$d; [ $$rc = 0 ] && echo "install-check: an install runs and finds its scripts" \
	  || { echo "install-check: $$out"; exit 1; }

# Every plot that applies to one results folder, written into it (posbench plot --help).
plots: posbench
	@test -n "$(RESULTS)" || { echo "usage: make plots RESULTS=results/<experiment>" >&2; exit 2; }
	./posbench plot $(RESULTS)

# The README's example PNGs: each folder's plots (and its first run's attention and frequency
# plots) at 3/4 size, copied to plots/examples/<experiment>_<plot>.png, a few tens of kB
# each. PNGs only: SVGs are not committed. Run `make plots` afterwards for full-size PNGs.
examples: posbench
	@test -n "$(RESULTS)" || { echo "usage: make examples RESULTS='results/a results/b'" >&2; exit 2; }
	@mkdir -p plots/examples
	@for d in $(RESULTS); do \
	  ./posbench plot --png-scale 0.75 $$d >/dev/null || exit 1; e=$$(basename $$d); \
	  for f in $$d/*.png; do [ -f "$$f" ] && cp "$$f" plots/examples/$${e}_$$(basename $$f); done; \
	  for k in attention frequency; do \
	    f=$$(ls $$d/runs/*/$$k.png 2>/dev/null | head -n 1); \
	    [ -n "$$f" ] && cp "$$f" plots/examples/$${e}_$$k.png; \
	  done; \
	done; ls -l plots/examples/*.png

# Each test runs single-threaded unless it asks otherwise, so suites are repeatable; the
# 60 s default timeout (Check says 4) keeps a loaded or slow machine from failing a test.
test: deps layers
	@$(MAKE) --no-print-directory $(BUILD)/test_posbench posbench
	@$(MAKE) --no-print-directory install-check
	OMP_NUM_THREADS=1 CK_DEFAULT_TIMEOUT=60 $(BUILD)/test_posbench

# The layering rule of docs/design.md: which folder may include which.
layers:
	@sh tools/check_layers.sh

asan: deps
	@$(MAKE) --no-print-directory SAN=1 build/asan/test_posbench
	OMP_NUM_THREADS=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  CK_DEFAULT_TIMEOUT=120 build/asan/test_posbench

# Static analysis of every source file; the findings judged false, each with its reason, are
# in tools/cppcheck-suppressions.txt. The byte-order macros are GCC's (checkpoint.c needs a
# little-endian host), which cppcheck does not define.
cppcheck:
	@sh tools/deps.sh cppcheck
	cppcheck -q --enable=warning,performance,portability --std=c11 --error-exitcode=1 \
	  --inline-suppr --suppressions-list=tools/cppcheck-suppressions.txt -I. \
	  -D__BYTE_ORDER__=1234 -D__ORDER_LITTLE_ENDIAN__=1234 encodings harness tasks bench

# Memcheck of a short training run (PoPE: every hook with parameters), a checkpoint save and
# the YAML loader: zero errors and no definite leaks, or the target fails.
VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
valgrind:
	@sh tools/deps.sh valgrind
	@$(MAKE) --no-print-directory VG=1 build/valgrind/posbench
	$(VALGRIND) build/valgrind/posbench train --encoding pope --steps 5 --d-model 32 --layers 1 \
	  --heads 2 --seq-len 16 --batch 4 --threads 1 --save build/valgrind/valgrind.ckpt
	$(VALGRIND) build/valgrind/posbench config experiments/indirect_indexing.yaml > /dev/null

# libFuzzer on the two parsers of untrusted files: experiment YAML and dataset files. Seeds:
# the experiment files and tests/fuzz/corpus_config; dataset seeds are generated by posbench
# gen (no binaries in git). New inputs go to build/fuzz/corpus_*; a crash leaves crash-* in
# the current folder and fails the target. CI runs FUZZ_SECONDS=30 per parser; for a long
# run: make fuzz FUZZ_SECONDS=3600.
FUZZ_SECONDS ?= 30
FUZZ_RUN = ASAN_OPTIONS=detect_leaks=1 OMP_NUM_THREADS=1 build/fuzz/fuzz_$(1) \
	  -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -print_final_stats=1 \
	  build/fuzz/corpus_$(1) $(2)
fuzz: posbench
	@sh tools/deps.sh clang libomp-dev
	@$(MAKE) --no-print-directory FUZZ=1 build/fuzz/fuzz_config build/fuzz/fuzz_dataset
	@mkdir -p build/fuzz/corpus_config build/fuzz/corpus_dataset build/fuzz/seeds_dataset
	@./posbench gen indirect_indexing --seed 1 -n 3 -o build/fuzz/seeds_dataset/ii.pbds > /dev/null
	@./posbench gen probe_what --options pairs_min=2,pairs_max=3 --seed 2 -n 2 \
	  -o build/fuzz/seeds_dataset/what.pbds > /dev/null
	$(call FUZZ_RUN,config,tests/fuzz/corpus_config)
	$(call FUZZ_RUN,dataset,build/fuzz/seeds_dataset)

ifeq ($(FUZZ),1)
$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_OBJ) $(BUILD)/flags
	$(CC) $(CFLAGS) $(PB_CFLAGS) $< $(LIB_OBJ) $(LDFLAGS) $(PB_LDLIBS) -o $@
endif

check-all: test asan cppcheck valgrind fuzz

# BENCH_ARGS: an encoding (or all), then a shape index, e.g. 'pope 0' for the main job's shape.
bench: $(BUILD)/bench_posbench
	$(BUILD)/bench_posbench $(BENCH_ARGS)

# The PyTorch reference. Optional: nothing else needs Python, so without torch it
# says why it is skipped and succeeds. Debian's python3-torch lives under /usr/bin/python3,
# not under whatever python3 a PATH shim picks. TORCH_BENCH_ARGS: e.g. 'rope --steps 20'.
TORCH_PYTHON ?= /usr/bin/python3
bench-torch:
	@if ! command -v $(TORCH_PYTHON) >/dev/null 2>&1; then \
	  echo "bench-torch: skipped: $(TORCH_PYTHON) not found (apt-get install python3-torch)"; \
	elif ! $(TORCH_PYTHON) -c 'import torch' >/dev/null 2>&1; then \
	  echo "bench-torch: skipped: python3-torch is not installed (apt-get install python3-torch)"; \
	else $(TORCH_PYTHON) bench/torch_bench.py $(TORCH_BENCH_ARGS); fi

clean:
	rm -rf build posbench

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The second job: length extrapolation on the King James Bible (train at 128 bytes, evaluate
# to 10x) for ten encodings x 3 seeds, then the trained RoPE models scored again with position
# interpolation, NTK and YaRN at each length (no retraining), the summary and the plots, all
# under results/extrapolation/. Resumable like the main job.
EXTRAP := experiments/extrapolation.yaml
EXTRAP_RESULTS := results/extrapolation
.PHONY: extrapolation
extrapolation: deps
	@$(MAKE) --no-print-directory posbench
	sh tools/kjv_corpus.sh
	./posbench run $(EXTRAP)
	for s in pi ntk yarn; do ./posbench score $(EXTRAP) --encoding rope \
	    --encoding-options scaling=$$s --factor-from-length --suffix @$$s || exit 1; done
	./posbench plot $(EXTRAP_RESULTS)
	@./posbench summary --metric perplexity_beyond,bits_per_byte_beyond $(EXTRAP_RESULTS)

# The third job: the algorithmic length-generalisation suite (three tasks x nine encodings x
# 3 seeds, trained on lengths 1-40, scored to 100), its plots and the summary of accuracy
# within and beyond the training lengths, under results/length_generalization/. Resumable.
LENGEN := experiments/length_generalization.yaml
LENGEN_RESULTS := results/length_generalization
.PHONY: length-generalization
length-generalization: deps
	@$(MAKE) --no-print-directory posbench
	./posbench run $(LENGEN)
	./posbench plot $(LENGEN_RESULTS)
	@./posbench summary --metric accuracy_within,accuracy_beyond $(LENGEN_RESULTS)

# The main job: the indirect-indexing sweep (PoPE, RoPE, TAPA, NoPE x 5 seeds), resumable
# (run it again after an interruption), then its summary table, each run's attention on one
# example, frequency usage and accuracy per shift, and the plots, all under
# results/indirect_indexing/.
MAIN := experiments/indirect_indexing.yaml
MAIN_RESULTS := results/indirect_indexing
.PHONY: main
main: deps
	@$(MAKE) --no-print-directory posbench
	./posbench run $(MAIN)
	./posbench attn $(MAIN_RESULTS) --example 0
	./posbench freq $(MAIN_RESULTS)
	./posbench groups $(MAIN_RESULTS)
	./posbench plot $(MAIN_RESULTS)
	@./posbench summary --metric accuracy $(MAIN_RESULTS)
