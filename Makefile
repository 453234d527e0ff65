# runbook - guided, audited incident handling.  See README.md.
.SUFFIXES:

CC      ?= cc
PREFIX  ?= /usr/local
PKGS     = sqlite3 libcurl libpq libcjson uuid libcrypto
BUILD   ?= build
OPT     ?= -O2 -g
SAN     ?=

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  += -std=c11 -D_GNU_SOURCE $(OPT) $(SAN) -Wall -Wextra -Werror -Wshadow \
           -Wformat=2 -Wvla -Wno-format-nonliteral -Isrc -Ijournal -Iflows \
           -I$(BUILD) $(PKG_CFLAGS) -pthread
LDFLAGS += $(SAN)
LDLIBS  += $(PKG_LIBS) -lm -pthread

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
	cp $(BUILD)/runbook $@

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

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test.h $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJ) $(LDFLAGS) $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJ) $(LDFLAGS) $(LDLIBS)

unit: $(UNIT_BIN) $(TOOLS_BIN)

deps:
	@scripts/deps.sh

# The test suite: unit tests, then integration tests against real local servers.
test: deps
	$(MAKE) all unit
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

clean:
	rm -rf build build-san runbook

.PHONY: all unit deps test check format demo docs install clean
