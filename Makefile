# runbook - guided, audited incident handling.  See README.md.
.SUFFIXES:

CC      ?= cc
PREFIX  ?= /usr/local
PKGS     = sqlite3 libcurl libpq libcjson uuid libcrypto
BUILD   ?= build
OPT     ?= -O2 -g
SAN     ?=

# libcurl and libpq are not linked: src/lazy_curl.c and src/lazy_pq.c dlopen them on
# first use, by the soname read here (src/lazylib.h, docs/performance.md figure 7)
LAZY_PKGS  = libcurl libpq
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(filter-out $(LAZY_PKGS),$(PKGS)) 2>/dev/null)
soname      = $(shell objdump -p "$$(pkg-config --variable=libdir $(1))/$(1).so" 2>/dev/null | \
                awk '/SONAME/ { print $$2 }')
CURL_SONAME := $(or $(call soname,libcurl),libcurl.so.4)
PQ_SONAME   := $(or $(call soname,libpq),libpq.so.5)

CFLAGS  += -std=c11 -D_GNU_SOURCE $(OPT) $(SAN) -Wall -Wextra -Werror -Wshadow \
           -Wformat=2 -Wvla -Wno-format-nonliteral -Isrc -Ijournal -Iflows \
           -I$(BUILD) $(PKG_CFLAGS) -pthread
# last, so that it can override the above (the fuzz build: -Wno-error, clang warns
# about code gcc accepts)
CFLAGS  += $(EXTRA_CFLAGS)
LDFLAGS += $(SAN)
LDLIBS  += $(PKG_LIBS) -lm -ldl -pthread

LIB_SRC  := $(filter-out src/main.c,$(wildcard src/*.c)) $(wildcard journal/*.c) \
            $(wildcard flows/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
HDRS     := $(wildcard src/*.h journal/*.h flows/*.h)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOLS_SRC := $(wildcard tests/tools/*.c)
TOOLS_BIN := $(TOOLS_SRC:tests/tools/%.c=$(BUILD)/tools/%)

all: runbook

runbook: $(BUILD)/runbook
	cp $(BUILD)/runbook $@.tmp && mv -f $@.tmp $@

$(BUILD)/runbook: $(BUILD)/src/main.o $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/schema_sql.h: journal/schema.sql
	@mkdir -p $(@D)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@.tmp
	mv $@.tmp $@

$(BUILD)/journal/journal.o: $(BUILD)/schema_sql.h

$(BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/src/lazy_curl.o: CFLAGS += -DCURL_SONAME='"$(CURL_SONAME)"'
$(BUILD)/src/lazy_pq.o: CFLAGS += -DPQ_SONAME='"$(PQ_SONAME)"'

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test.h $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJ) $(LDFLAGS) $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJ) $(LDFLAGS) $(LDLIBS)

unit: $(UNIT_BIN) $(TOOLS_BIN) $(BUILD)/tools/testvfs.so $(BUILD)/tools/runbook-hooks

# runbook with the test clock and ids on (tests/hooks/test_hooks.c): for the golden
# exports. The shipped ./runbook never reads RUNBOOK_FAKE_*.
$(BUILD)/tools/runbook-hooks: $(BUILD)/src/main.o $(LIB_OBJ) tests/hooks/test_hooks.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ tests/hooks/test_hooks.c $(BUILD)/src/main.o $(LIB_OBJ) \
		$(LDFLAGS) $(LDLIBS)

# The reliability tests' SQLite VFS shim, loaded with LD_PRELOAD (never linked into
# runbook): power loss, I/O errors, a synchronous downgrade. See tests/shim/testvfs.c.
$(BUILD)/tools/testvfs.so: tests/shim/testvfs.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -fPIC -shared -o $@ $< \
		$(shell pkg-config --libs sqlite3 2>/dev/null) -ldl

deps:
	@scripts/deps.sh

# The benchmark (docs/performance.md): generator and helpers under bench/, built here.
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

$(BUILD)/bench/%: bench/%.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJ) $(LDFLAGS) $(LDLIBS)

bench-bins: $(BENCH_BIN)

# Every figure of docs/performance.md, measured side by side; rewrites that file.
bench: deps
	$(MAKE) all bench-bins
	bench/run.sh

# The same harness at tiny sizes (under a minute): the report goes to a temp file.
bench-smoke: deps
	$(MAKE) all bench-bins
	BENCH_SMOKE=1 bench/run.sh

# The test suite: unit tests, then integration tests against real local servers.
test: deps
	$(MAKE) all unit fuzz-build
	tests/run.sh

# The suite under ASan+UBSan, a format check and the banned-function grep.
check: deps
	$(MAKE) BUILD=build-san OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
		build-san/runbook unit
	ASAN_OPTIONS=detect_leaks=1 RUNBOOK=build-san/runbook BUILD=build-san tests/run.sh
	scripts/check-style.sh

format:
	clang-format -i $(wildcard src/*.[ch] journal/*.[ch] flows/*.[ch] tests/unit/*.[ch] tests/tools/*.c)

demo: deps
	$(MAKE) all
	scripts/demo.sh

docs: runbook
	scripts/gen-docs.sh

install: runbook
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	cp runbook $(DESTDIR)$(PREFIX)/bin/runbook
	chmod 755 $(DESTDIR)$(PREFIX)/bin/runbook
	cp docs/runbook.1 $(DESTDIR)$(PREFIX)/share/man/man1/runbook.1
	chmod 644 $(DESTDIR)$(PREFIX)/share/man/man1/runbook.1

# The reliability tests that take long (docs/reliability.md): more rounds.
test-slow: deps
	$(MAKE) all unit
	RELIABILITY_SLOW=1 TEST_TIMEOUT=1800 tests/run.sh reliability_

# libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang, ASan and UBSan.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_TIME ?= 60

$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB_OBJ) $(LDFLAGS) $(LDLIBS)

fuzz-bins: $(FUZZ_BIN)

fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all" \
		EXTRA_CFLAGS=-Wno-error fuzz-bins

# Each fuzz target for FUZZ_TIME seconds (default 60), then its regression inputs.
fuzz: deps fuzz-build
	FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run.sh

# The integration tests with ./runbook under valgrind (memcheck, leaks). The verdict is
# valgrind's: any memory error or definite/indirect leak fails; test cases that fail
# only from valgrind's slowdown (timing assertions) are listed, not fatal.
valgrind: deps
	$(MAKE) all unit
	rm -rf $(BUILD)/valgrind && mkdir -p $(BUILD)/valgrind
	cp $(BUILD)/runbook $(BUILD)/valgrind-runbook
	-VALGRIND_LOG_DIR=$(CURDIR)/$(BUILD)/valgrind VALGRIND_RUNBOOK=$(CURDIR)/$(BUILD)/valgrind-runbook \
		RELIABILITY_QUICK=1 FUZZ_SMOKE=0 RUNBOOK=$(CURDIR)/tests/valgrind-runbook.sh \
		TEST_TIMEOUT=1800 tests/run.sh integration/
	@bad=$$(find $(BUILD)/valgrind -name 'vg.*.log' -size +0 | wc -l); \
	echo "valgrind: $$(ls $(BUILD)/valgrind | wc -l) runs of runbook, $$bad with errors"; \
	[ "$$bad" = 0 ] || { find $(BUILD)/valgrind -name 'vg.*.log' -size +0 -exec cat {} +; exit 1; }

clean:
	rm -rf build build-san build-fuzz runbook

.PHONY: all unit deps test check format demo docs install clean test-slow fuzz fuzz-bins \
	fuzz-build valgrind bench bench-bins bench-smoke
