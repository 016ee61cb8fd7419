# mkit: build lib/libmkit.a, then one binary per cmd/ entry.
# SANITIZE=1 builds the same tree under asan/ with ASan and UBSan.

VERSION = 0.1.0

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

PKG_CONFIG ?= pkg-config
CURL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcurl 2>/dev/null)
CURL_LIBS   := $(shell $(PKG_CONFIG) --libs libcurl 2>/dev/null)

# O: where objects and binaries go (a prefix ending in /, may be absolute).
ifeq ($(SANITIZE),1)
O	?= asan/
OPTFLAGS = -O1 -g -fno-omit-frame-pointer
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all
else
O	?=
OPTFLAGS = -O2
SANFLAGS =
endif

MK_CPPFLAGS = -D_DEFAULT_SOURCE -D_FORTIFY_SOURCE=2 -Ilib $(CURL_CFLAGS)
MK_CFLAGS   = -std=c17 -Wall -Wextra -Werror -Wvla $(OPTFLAGS) \
	      -fstack-protector-strong -fPIE $(SANFLAGS)
# --as-needed: a binary links only the shared libraries it calls, so a
# plain mlookup query never loads libcurl.
MK_LDFLAGS  = -pie -Wl,-z,relro,-z,now -Wl,--as-needed $(SANFLAGS)
LDLIBS	    = $(CURL_LIBS)

BIN	= mlookup msend mpop mimap mmime

LIBOBJ	= \
	lib/atomic.o \
	lib/b64.o \
	lib/buf.o \
	lib/conf.o \
	lib/conn.o \
	lib/dns.o \
	lib/hdr.o \
	lib/imap.o \
	lib/iter.o \
	lib/json.o \
	lib/maildir.o \
	lib/mbox.o \
	lib/mcurl.o \
	lib/mime.o \
	lib/mk.o \
	lib/pass.o \
	lib/pop3.o \
	lib/qp.o \
	lib/res.o \
	lib/sha256.o \
	lib/smtp.o \
	lib/trace.o \
	lib/uidl.o

UNIT	= \
	tests/unit/test_atomic \
	tests/unit/test_b64 \
	tests/unit/test_buf \
	tests/unit/test_conf \
	tests/unit/test_conn \
	tests/unit/test_dns \
	tests/unit/test_hdr \
	tests/unit/test_imap \
	tests/unit/test_iter \
	tests/unit/test_json \
	tests/unit/test_maildir \
	tests/unit/test_mbox \
	tests/unit/test_mcurl \
	tests/unit/test_mime \
	tests/unit/test_mk \
	tests/unit/test_oom \
	tests/unit/test_pass \
	tests/unit/test_pop3 \
	tests/unit/test_qp \
	tests/unit/test_res \
	tests/unit/test_sha256 \
	tests/unit/test_smtp \
	tests/unit/test_trace \
	tests/unit/test_uidl

# Fuzz targets (tests/fuzz/fuzz_NAME.c): replayed over their corpus by
# make check, and run under libFuzzer for a short time where clang is.
FUZZ	= codec conf dns hdr imap mbox mime name pop3 smtp uidl

# mimap is several files: cmd/mimap/*.c and its private mimap.h.
MIMAPOBJ = \
	cmd/mimap/fetch.o \
	cmd/mimap/folders.o \
	cmd/mimap/idle.o \
	cmd/mimap/list.o \
	cmd/mimap/main.o \
	cmd/mimap/store.o \
	cmd/mimap/util.o

MAN1	= man/mlookup.1 man/msend.1 man/mpop.1 man/mimap.1 man/mmime.1
MAN5	= man/mkit-config.5
MAN7	= man/mkit.7

LIB	= $(O)lib/libmkit.a
BINS	= $(BIN:%=$(O)bin/%)
UNITS	= $(UNIT:%=$(O)%)
FUZZERS	= $(FUZZ:%=$(O)tests/fuzz/replay_%)

all: $(LIB) $(BINS)

$(O)lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(MK_CPPFLAGS) $(CPPFLAGS) $(MK_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)cmd/%.o: cmd/%.c
	@mkdir -p $(@D)
	$(CC) $(MK_CPPFLAGS) $(CPPFLAGS) $(MK_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(MK_CPPFLAGS) $(CPPFLAGS) $(MK_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIBOBJ:%=$(O)%)
	rm -f $@
	$(AR) rcs $@ $^

$(O)bin/mimap: $(MIMAPOBJ:%=$(O)%) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(MK_LDFLAGS) $(LDFLAGS) -o $@ $(MIMAPOBJ:%=$(O)%) $(LIB) $(LDLIBS)

$(O)bin/%: $(O)cmd/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(MK_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(O)tests/unit/test_%: $(O)tests/unit/test_%.o $(LIB)
	$(CC) $(MK_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# The allocation-failure test sees every malloc, calloc and realloc.
$(O)tests/unit/test_oom: MK_LDFLAGS += -Wl,--wrap=malloc -Wl,--wrap=calloc \
	    -Wl,--wrap=realloc -Wl,--wrap=reallocarray

$(O)tests/fuzz/replay_%: tests/fuzz/driver.c tests/fuzz/fuzz_%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(MK_CPPFLAGS) $(CPPFLAGS) $(MK_CFLAGS) $(CFLAGS) $(MK_LDFLAGS) \
	    $(LDFLAGS) -o $@ tests/fuzz/driver.c tests/fuzz/fuzz_$*.c $(LIB) \
	    $(LDLIBS)

units: $(UNITS) $(FUZZERS)

deps:
	@sh tests/deps.sh

# The suite: unit tests, then every bats file, summed up in one line.
check: deps
	@$(MAKE) --no-print-directory all units
	@MKIT_BIN=$(abspath $(O)bin) MKIT_UNIT=$(abspath $(O)tests/unit) \
	    MKIT_FUZZ=$(abspath $(O)tests/fuzz) MKIT_FUZZ_TARGETS="$(FUZZ)" \
	    bash tests/run.sh

check-asan:
	@$(MAKE) --no-print-directory check SANITIZE=1

demo: deps
	@$(MAKE) --no-print-directory all
	@MKIT_BIN=$(abspath $(O)bin) bash tests/demo.sh

# Every fuzz target under libFuzzer for FUZZ_SECONDS each, FUZZ_JOBS at a
# time (clang needed); figures per target, inputs kept under fuzz/.
FUZZ_SECONDS ?= 20
FUZZ_JOBS ?= 2
fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) \
	    FUZZ_TARGETS="$(FUZZ)" FUZZ_OUT=$(abspath $(O)fuzz) \
	    bash tests/fuzz/run.sh

# The benchmarks, side by side with the peer tools (root: they start the
# harness servers and install missing peers); figures in bench/RESULTS.md.
bench: all
	@MKIT_BIN=$(abspath $(O)bin) bash bench/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	if [ "$(INSTALL_SENDMAIL)" = 1 ]; then \
	    install -d $(DESTDIR)$(SBINDIR); \
	    ln -sf $(BINDIR)/msend $(DESTDIR)$(SBINDIR)/sendmail; \
	fi
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5
	install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7
	for b in $(BIN); do \
	    install -m 644 completions/bash/$$b $(DESTDIR)$(BASHCOMPDIR)/$$b; \
	    install -m 644 completions/zsh/_$$b $(DESTDIR)$(ZSHCOMPDIR)/_$$b; \
	    install -m 644 completions/fish/$$b.fish \
		$(DESTDIR)$(FISHCOMPDIR)/$$b.fish; \
	done

uninstall:
	if [ -L $(DESTDIR)$(SBINDIR)/sendmail ] && [ "$$(readlink \
	    $(DESTDIR)$(SBINDIR)/sendmail)" = $(BINDIR)/msend ]; then \
	    rm -f $(DESTDIR)$(SBINDIR)/sendmail; \
	fi
	for b in $(BIN); do \
	    rm -f $(DESTDIR)$(BINDIR)/$$b $(DESTDIR)$(MANDIR)/man1/$$b.1 \
		$(DESTDIR)$(BASHCOMPDIR)/$$b $(DESTDIR)$(ZSHCOMPDIR)/_$$b \
		$(DESTDIR)$(FISHCOMPDIR)/$$b.fish; \
	done
	rm -f $(DESTDIR)$(MANDIR)/man5/mkit-config.5 \
	    $(DESTDIR)$(MANDIR)/man7/mkit.7

clean:
	rm -rf bin asan lib/*.o lib/*.d lib/*.a cmd/*.o cmd/*.d cmd/*/*.o cmd/*/*.d \
	    tests/unit/*.o tests/unit/*.d $(UNIT) tests/fuzz/replay_*

.PHONY: all units deps check check-asan demo fuzz bench install uninstall clean
.SECONDARY:

-include $(LIBOBJ:%.o=$(O)%.d) $(BIN:%=$(O)cmd/%.d) $(UNIT:%=$(O)%.d) \
    $(MIMAPOBJ:%.o=$(O)%.d)
