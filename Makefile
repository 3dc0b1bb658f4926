# crm — a customer-relationship toolkit for the command line.
# Knobs: PREFIX, DESTDIR, CC, CFLAGS, PKG_CONFIG, SANITIZE=1 (ASan+UBSan).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
PKG_CONFIG ?= pkg-config
CC ?= cc

# Sanitized objects go to their own tree so a plain build is never mixed in.
ifeq ($(SANITIZE),1)
O ?= build/san
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
O ?= build/opt
SANFLAGS =
endif

OPTFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags lmdb libcjson 2>/dev/null)
# liblmdb and libcsv are linked statically when their archives exist
# (Debian ships them): fewer shared objects to map halves the start-up
# cost that dominates one-record commands such as `crm-customer show`.
# STATIC_DEPS=0 links them dynamically.
STATIC_DEPS ?= 1
ifeq ($(STATIC_DEPS),1)
DEPS_LIBS := -Wl,-Bstatic -llmdb -lcsv -Wl,-Bdynamic -lcjson -lpthread
else
DEPS_LIBS := $(shell $(PKG_CONFIG) --libs lmdb libcjson 2>/dev/null || echo -llmdb -lcjson) -lcsv
endif
CPPFLAGS += -D_GNU_SOURCE -Ilib
ALL_CFLAGS = -std=c11 $(OPTFLAGS) $(WARN) $(SANFLAGS) $(DEPS_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = -Wl,-O1 -Wl,--as-needed $(SANFLAGS) $(LDFLAGS)

LIB_SRC := $(sort $(wildcard lib/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(O)/%.o)
CMD_SRC := $(sort $(wildcard cmd/crm*.c))
TOOLS := $(CMD_SRC:cmd/%.c=$(O)/bin/%)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNITS := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
LIBA := $(O)/lib/libcrm.a

.PHONY: all check unit clean install uninstall demo bench completions lint fuzz fuzz-regress
# bin/ points at the plain build (never the sanitized one, which
# `make check` also builds, nor one made elsewhere with O=, as for a
# measurement), so users and make bench run ./bin/crm-*.
ifeq ($(SANITIZE)$(O),build/opt)
all: $(TOOLS) bin
else
all: $(TOOLS)
endif

bin: $(TOOLS)
	@mkdir -p bin
	@for t in $(TOOLS); do ln -sf ../$$t bin/; done
.PHONY: bin

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(O)/bin/%: $(O)/cmd/%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(DEPS_LIBS)

$(O)/tests/%: $(O)/tests/unit/%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBA) -lcmocka $(DEPS_LIBS)

-include $(LIB_OBJ:.o=.d) $(CMD_SRC:cmd/%.c=$(O)/cmd/%.d) $(UNIT_SRC:tests/unit/%.c=$(O)/tests/unit/%.d)

# make check: the whole suite, then again under ASan+UBSan (SANITIZE=1 runs
# only the sanitized pass).  prove prints the summary that CI reads.
check:
ifeq ($(SANITIZE),1)
	$(MAKE) --no-print-directory SANITIZE=1 all $(UNITS)
	CRM_BIN=$(CURDIR)/$(O)/bin CMOCKA_MESSAGE_OUTPUT=TAP \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	prove -j2 -e '' $(UNITS) && \
	CRM_BIN=$(CURDIR)/$(O)/bin ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	prove -j2 -e 'bats --tap' tests/cli/*.bats
else
	$(MAKE) --no-print-directory all $(UNITS)
	CRM_BIN=$(CURDIR)/$(O)/bin CMOCKA_MESSAGE_OUTPUT=TAP prove -j2 -e '' $(UNITS) && \
	CRM_BIN=$(CURDIR)/$(O)/bin prove -j2 -e 'bats --tap' tests/cli/*.bats
	$(MAKE) --no-print-directory check SANITIZE=1
endif

unit: $(UNITS)
	CMOCKA_MESSAGE_OUTPUT=TAP prove -e '' $(UNITS)

# make demo: install what is missing, build, load sample data, show the jobs.
demo:
	bash .ci/deps
	$(MAKE) --no-print-directory all
	bash demo/run

# make bench: crm side by side with sqlite3 on generated data (not in CI).
bench: all
	bash bench/run

# make fuzz: libFuzzer targets (clang), FUZZ_SECONDS each; see
# tests/fuzz/README.md.  make fuzz-regress replays every finding.
FUZZ_SECONDS ?= 60
fuzz:
	tests/fuzz/run.sh $(FUZZ_SECONDS)
fuzz-regress:
	tests/fuzz/run.sh regress

# Completions are generated from the binaries' option tables, and committed.
completions: all
	completions/gen completions $(TOOLS)

lint:
	mandoc -Tlint -Wwarning man/*.1 man/*.7

clean:
	rm -rf build bin bench/out demo/out demo-db

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	for t in $(TOOLS); do install -m 0755 $$t $(DESTDIR)$(BINDIR)/; done
	install -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/*.7 $(DESTDIR)$(MANDIR)/man7/
	mkdir -p $(DESTDIR)$(DATADIR)/bash-completion/completions \
	    $(DESTDIR)$(DATADIR)/zsh/site-functions $(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	for f in completions/*.bash; do b=$${f##*/}; install -m 0644 $$f $(DESTDIR)$(DATADIR)/bash-completion/completions/$${b%.bash}; done
	for f in completions/_*; do install -m 0644 $$f $(DESTDIR)$(DATADIR)/zsh/site-functions/; done
	for f in completions/*.fish; do install -m 0644 $$f $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/; done

uninstall:
	for t in $(CMD_SRC:cmd/%.c=%); do rm -f $(DESTDIR)$(BINDIR)/$$t; done
	for m in man/*.1; do rm -f $(DESTDIR)$(MANDIR)/man1/$${m#man/}; done
	for m in man/*.7; do rm -f $(DESTDIR)$(MANDIR)/man7/$${m#man/}; done
	for f in completions/*.bash; do b=$${f##*/}; rm -f $(DESTDIR)$(DATADIR)/bash-completion/completions/$${b%.bash}; done
	for f in completions/_*; do rm -f $(DESTDIR)$(DATADIR)/zsh/site-functions/$${f##*/}; done
	for f in completions/*.fish; do rm -f $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/$${f##*/}; done
