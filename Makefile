# SPDX-License-Identifier: MIT
# mailtrail: one non-recursive Makefile.  Every .c file under core/,
# extract/, parse/ and report/ is part of the program; core/main.c holds
# main() and is left out of the library the unit tests link against.

VERSION    := 0.1.0
PKGS       := gmime-3.0 glib-2.0 libpff libcrypto sqlite3 json-glib-1.0 libytnef
CC         ?= cc
WARN       := -Wall -Wextra -Werror -Wno-unused-parameter
CFLAGS     ?= -O2 -g
PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lmagic -lm
ALL_CFLAGS  = -std=gnu11 $(WARN) $(CFLAGS) -I. -Ibuild/$(FLAVOUR) \
	      -DMAILTRAIL_VERSION='"$(VERSION)"' $(PKG_CFLAGS)

FLAVOUR    ?= release
BUILD      := build/$(FLAVOUR)
SRC        := $(sort $(wildcard core/*.c extract/*.c parse/*.c report/*.c))
LIB_SRC    := $(filter-out core/main.c,$(SRC))
OBJ        := $(patsubst %.c,$(BUILD)/%.o,$(SRC)) $(BUILD)/schema.o
LIB_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC)) $(BUILD)/schema.o
UNIT_SRC   := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
SCHEMA     := $(sort $(wildcard schema/*.sql))
HEADERS    := $(wildcard core/*.h extract/*.h parse/*.h report/*.h)

SAN_FLAGS  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=undefined

.PHONY: all deps demo check check-fast bench asan clean lint-format

all: $(BUILD)/mailtrail

$(BUILD)/mailtrail: $(OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The schema files are compiled in, so the binary needs nothing beside it.
$(BUILD)/schema.c: $(SCHEMA) scripts/embed-sql.sh
	@mkdir -p $(dir $@)
	sh scripts/embed-sql.sh $(SCHEMA) > $@

$(BUILD)/schema.o: $(BUILD)/schema.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(PKG_LIBS)

unit: $(UNIT_BIN)

# Installs the Debian packages the build and the tests need, when missing.
deps:
	sh scripts/install-deps.sh

demo: deps
	$(MAKE) -j$(JOBS) all
	python3 scripts/demo.py $(BUILD)/mailtrail

# The whole suite runs against the AddressSanitizer + UBSan build.
JOBS       := $(shell nproc 2>/dev/null || echo 2)

check: deps
	$(MAKE) -j$(JOBS) FLAVOUR=asan CFLAGS="$(SAN_FLAGS)" all unit
	$(MAKE) -j$(JOBS) all
	MAILTRAIL=build/asan/mailtrail UNIT_DIR=build/asan/tests \
	  MAILTRAIL_RELEASE=build/release/mailtrail python3 tests/run.py

check-fast: all unit
	MAILTRAIL=$(BUILD)/mailtrail UNIT_DIR=$(BUILD)/tests python3 tests/run.py

bench: deps all
	sh bench/run.sh $(BUILD)/mailtrail

lint-format:
	clang-format --dry-run --Werror $(SRC) $(HEADERS)

clean:
	rm -rf build
