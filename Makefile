# hmx — plain GNU Makefile. `make demo` and `make check` are the two set-up
# commands of the README; both install missing Debian packages first.
#
#   make            build build/hmx
#   make check      deps, build, unit + screen + end-to-end tests
#   make memcheck   unit tests under valgrind
#   make demo       the console on a demo workspace with a demo RDC (loopback sshd)
#   make demo-setup / demo-stop   the same set-up for the command line / stop its sshd
#   make bench / bench-sftp       validator and SFTP benchmarks
#   make SANITIZE=1 check   the same with ASan + UBSan (objects in build-san/)
#   make WERROR=1   warnings are errors (CI)
#   make install PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := ncursesw sqlite3 libssh libzip libcrypto cmocka

ifeq ($(SANITIZE),)
B := build
SANFLAGS :=
else
B := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

# -Wconversion is left out: ncurses, SQLite and libcsv mix int, size_t and
# chtype in their APIs, and the casts it demands would hide more than they
# catch. -Wshadow, -Wformat=2 and the prototype warnings stay on.
WARN := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wvla -Wundef
ifneq ($(WERROR),)
WARN += -Werror
endif

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS_CORE = $(shell $(PKG_CONFIG) --libs sqlite3 libssh libzip libcrypto 2>/dev/null) -lcsv -lpthread -lm
PKG_LIBS_TUI = $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null)
PKG_LIBS_TEST = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_XOPEN_SOURCE_EXTENDED \
	$(WARN) $(SANFLAGS) $(CFLAGS) -I. -I$(B)/gen $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

CORE_SRC := $(sort $(wildcard core/*.c))
TUI_SRC := $(sort $(wildcard tui/*.c) $(wildcard screens/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
ASSET_TXT := $(sort $(wildcard assets/*.ini) $(wildcard assets/templates/*.ini) $(wildcard assets/notices/*.txt) $(wildcard assets/spec/*.csv) $(wildcard assets/*.csv))

CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o) $(B)/gen/assets.o
TUI_OBJ := $(TUI_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
MAIN_OBJ := $(B)/main.o
TEST_BIN := $(TEST_SRC:tests/%.c=$(B)/tests/%)

HMX := $(B)/hmx

.PHONY: all deps check unit-tests screen-tests e2e-tests memcheck demo install uninstall \
	clean screens-update check-core-nocurses bench fuzz bench-sftp demo-setup demo-stop
.DEFAULT_GOAL := all

all: $(HMX) $(TEST_BIN) $(B)/hmxgen $(B)/rawcsv

$(B)/gen/assets.c: assets/embed.awk $(ASSET_TXT)
	@mkdir -p $(@D)
	awk -f assets/embed.awk $(ASSET_TXT) > $@.tmp && mv $@.tmp $@

$(B)/gen/%.o: $(B)/gen/%.c
	$(CC) $(ALL_CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libhmxcore.a: $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/libhmxtui.a: $(TUI_OBJ)
	rm -f $@
	ar rcs $@ $^

# The command line's verbs (cli/); only the hmx binary links them.
$(B)/libhmxcli.a: $(CLI_OBJ)
	rm -f $@
	ar rcs $@ $^

$(HMX): $(MAIN_OBJ) $(B)/libhmxcli.a $(B)/libhmxtui.a $(B)/libhmxcore.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJ) $(B)/libhmxcli.a $(B)/libhmxtui.a $(B)/libhmxcore.a \
		$(PKG_LIBS_TUI) $(PKG_LIBS_CORE)

$(B)/tests/%: tests/%.c $(B)/libhmxtui.a $(B)/libhmxcore.a tests/testutil.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libhmxtui.a $(B)/libhmxcore.a \
		$(PKG_LIBS_TEST) $(PKG_LIBS_TUI) $(PKG_LIBS_CORE)

# core/ must never know about curses (STYLE.md rule 6).
check-core-nocurses:
	@if grep -rnE '#include *[<"](n?cursesw?/)?n?curses' core/; then \
		echo "core/ includes curses: move that code to tui/ or screens/"; exit 1; fi

deps:
	@sh .ci/deps.sh

check: deps
	$(MAKE) check-core-nocurses
	$(MAKE) all
	HMX=$(abspath $(HMX)) B=$(B) sh tests/run.sh $(TEST_BIN)

memcheck: deps
	$(MAKE) all
	HMX=$(abspath $(HMX)) MEMCHECK=1 sh tests/run.sh $(TEST_BIN)

# Rewrites tests/screens/*.expected from the current build; review the diff.
screens-update: all
	HMX=$(abspath $(HMX)) UPDATE=1 sh tests/screens/run.sh

# A throwaway workspace in $(DEMO_DIR), seeded around today, with a demo RDC
# (per-project exports served by a loopback sshd, site `rdc`), opened in the
# TUI; the sshd stops when hmx exits. demo-setup leaves the sshd running for
# the README's command-line walk-through; demo-stop stops it.
DEMO_DIR ?= $(if $(HMX_DEMO_DIR),$(HMX_DEMO_DIR),build/demo)
DEMO_ENV = HMX=$(HMX) HMXGEN=$(B)/hmxgen HMX_DEMO_DIR=$(DEMO_DIR)
demo: deps
	$(MAKE) $(HMX) $(B)/hmxgen
	$(DEMO_ENV) sh tests/demo/demo.sh run

demo-setup: deps
	$(MAKE) $(HMX) $(B)/hmxgen
	$(DEMO_ENV) sh tests/demo/demo.sh setup

demo-stop:
	$(DEMO_ENV) sh tests/demo/demo.sh stop

install: $(HMX)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(HMX) $(DESTDIR)$(BINDIR)/hmx
	install -m 0644 man/hmx.1 $(DESTDIR)$(MANDIR)/man1/hmx.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hmx $(DESTDIR)$(MANDIR)/man1/hmx.1

# libFuzzer targets for the CSV reader, the archive opener and the whole
# validator (clang), seeded with the corpus the unit tests write; each runs
# FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_SRC := core/hmiscsv.c core/spec.c core/asset.c core/hmx.c core/validate.c \
	core/validate_keys.c core/validate_sink.c $(sort $(wildcard core/vcheck_*.c))
fuzz: deps $(B)/tests/test_hmiscsv $(B)/tests/test_vcheck_d
	@mkdir -p build/fuzz
	awk -f assets/embed.awk $(ASSET_TXT) > build/fuzz/assets.c
	for t in csvrow archive validate; do \
		clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_POSIX_C_SOURCE=200809L \
			-D_DEFAULT_SOURCE -Wno-overlength-strings -I. tests/fuzz/fuzz_$$t.c $(FUZZ_SRC) \
			build/fuzz/assets.c $$($(PKG_CONFIG) --cflags --libs libzip libcrypto) -lcsv -lpthread \
			-o build/fuzz/fuzz_$$t || exit 1; \
	done
	HMX_FUZZ_CORPUS=build/fuzz/corpus $(B)/tests/test_hmiscsv >/dev/null
	HMX_FUZZ_CORPUS=build/fuzz/corpus $(B)/tests/test_vcheck_d >/dev/null
	for t in csvrow archive validate; do \
		build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			build/fuzz/corpus/$$t >build/fuzz/$$t.log 2>&1; rc=$$?; \
		grep -E 'Done|ERROR|SUMMARY' build/fuzz/$$t.log | tail -3; \
		[ $$rc -eq 0 ] || { tail -40 build/fuzz/$$t.log; exit 1; }; \
	done

# Benchmark programs: the synthetic export generator and the raw libcsv pass.
GEN_SRC := $(sort $(wildcard tests/gen/*.c))
$(B)/hmxgen: $(GEN_SRC) $(wildcard tests/gen/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(GEN_SRC) $(shell $(PKG_CONFIG) --libs libzip 2>/dev/null)

$(B)/rawcsv: tests/bench/rawcsv.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lcsv

# `make bench` (BENCH_MB=2000 by default): validate vs a raw libcsv pass.
BENCH_MB ?= 2000
bench: deps $(HMX) $(B)/hmxgen $(B)/rawcsv
	@mkdir -p build/bench
	HMX=$(HMX) HMXGEN=$(B)/hmxgen RAWCSV=$(B)/rawcsv BENCH_MB=$(BENCH_MB) sh tests/bench/bench.sh

# `make bench-sftp` (BENCH_SFTP_MB=1024, BENCH_SFTP_RUNS=3): hmx pull/push
# against OpenSSH's sftp on a loopback sshd, then with 20 ms RTT (root + tc).
BENCH_SFTP_MB ?= 1024
BENCH_SFTP_RUNS ?= 3
bench-sftp: deps $(HMX)
	HMX=$(HMX) BENCH_SFTP_MB=$(BENCH_SFTP_MB) BENCH_SFTP_RUNS=$(BENCH_SFTP_RUNS) \
		sh tests/bench/sftp.sh

clean:
	rm -rf build build-san

-include $(shell find $(B) -name '*.d' 2>/dev/null)
