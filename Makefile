# posbench — one Makefile, no recursion. `make help` lists the targets.
CC      ?= cc
CFLAGS  ?= -O3 -march=native -g
LDFLAGS ?=
PREFIX  ?= /usr/local

PKGS := check yaml-0.1 openblas
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
LIB_SRC  := $(wildcard encodings/*.c) $(filter-out harness/main.c,$(wildcard harness/*.c)) \
            $(wildcard tasks/*.c)
TEST_SRC := $(wildcard tests/*.c)
FIXTURE_SRC := $(wildcard tests/fixtures/*.c)
BENCH_SRC := bench/bench.c

# Sanitizer builds live in their own folder so they never mix with optimised objects.
ifeq ($(SAN),1)
BUILD := build/asan
PB_CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
PB_LDLIBS += -fsanitize=address,undefined
endif

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
FIXTURE_SO := $(FIXTURE_SRC:tests/fixtures/%.c=$(BUILD)/fixtures/%.so)
# The tests find the plugins they load under the build folder of their own flavour. (Set
# for every object: a target-specific value would also reach $(BUILD)/flags and rewrite it.)
PB_CFLAGS += -DPB_FIXTURE_DIR='"$(BUILD)/fixtures"'

.PHONY: all test asan bench deps clean help

all: posbench

help:
	@echo "make            build ./posbench"
	@echo "make deps       install missing Debian packages (as root), else print the apt-get line"
	@echo "make test       build and run every Check suite"
	@echo "make asan       the test suites under AddressSanitizer + UBSan"
	@echo "make bench      training tokens/s, GFLOP/s and fraction of peak per encoding and shape"
	@echo "make main       the main job (see README)"
	@echo "make clean      remove build outputs"

# A flags file that changes when the flags change forces a rebuild.
$(BUILD)/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS) $(PB_CFLAGS) $(LDFLAGS) $(PB_LDLIBS)' | cmp -s - $@ || \
	  echo '$(CC) $(CFLAGS) $(PB_CFLAGS) $(LDFLAGS) $(PB_LDLIBS)' > $@
FORCE:

$(BUILD)/%.o: %.c $(BUILD)/flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PB_CFLAGS) -c $< -o $@

posbench: $(BUILD)/harness/main.o $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $(PB_LDFLAGS) $^ $(PB_LDLIBS) -o $@

$(BUILD)/test_posbench: $(TEST_OBJ) $(LIB_OBJ) | $(FIXTURE_SO)
	$(CC) $(CFLAGS) $(LDFLAGS) $(PB_LDFLAGS) $^ $(PB_LDLIBS) -o $@

# Encoding plugins the tests load (tests/fixtures/*.c, one .so each). Built without the
# sanitizers: the sanitized test binary provides their runtime.
$(BUILD)/fixtures/%.so: tests/fixtures/%.c encodings/encoding.h harness/options.h $(BUILD)/flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -std=c11 -Wall -Wextra -Wno-unused-parameter -ffp-contract=fast -I. \
	  -shared -fPIC $< -o $@

$(BUILD)/bench_posbench: $(BUILD)/bench/bench.o $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(PB_LDLIBS) -o $@

deps:
	@sh tools/deps.sh

# Each test runs single-threaded unless it asks otherwise, so suites are repeatable; the
# 60 s default timeout (Check says 4) keeps a loaded or slow machine from failing a test.
test: deps
	@$(MAKE) --no-print-directory $(BUILD)/test_posbench posbench
	OMP_NUM_THREADS=1 CK_DEFAULT_TIMEOUT=60 $(BUILD)/test_posbench

asan: deps
	@$(MAKE) --no-print-directory SAN=1 build/asan/test_posbench
	OMP_NUM_THREADS=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  CK_DEFAULT_TIMEOUT=120 build/asan/test_posbench

bench: $(BUILD)/bench_posbench
	$(BUILD)/bench_posbench

clean:
	rm -rf build posbench

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The main job. Until the indirect-indexing task and the sweep harness land (issues 3-4),
# it compares the encodings on the copy-at-offset toy task, trained at length 32 and
# evaluated at 32 and 128.
.PHONY: main
main: deps
	@$(MAKE) --no-print-directory posbench
	@for e in nope rope pope tapa; do \
	  echo "== $$e"; \
	  ./posbench train --encoding $$e --steps 400 --lr 3e-3 --seq-len 32 --eval-len 32,128 \
	    | grep -E '^(model|eval|training)'; \
	done
