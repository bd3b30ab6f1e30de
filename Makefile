# SPDX-License-Identifier: GPL-2.0
#
# zchttp: in-kernel zero-copy static file HTTP server.
#
#   make            build the module, zcctl and the selftests
#   make check      every test: static checks, unit tests, fuzzing, VM selftests
#                   on each kernel lane (KERNELS="bookworm trixie sid debug")
#   make run        serve examples/www from a VM at http://127.0.0.1:8080
#   make bench      zchttp against nginx, lighttpd and h2o in a VM (BENCH=
#                   passes options to tests/bench/bench.py, e.g. --smoke)
#   make fuzz       fuzz the HTTP parser for FUZZ_SECONDS (default 60)
#   make deps       install the Debian packages the project needs
#   make install    the module (for KDIR's kernel), zcctl, the man pages and
#                   the bash completion (DESTDIR=, PREFIX= as usual)
#
# KDIR is the kernel build tree the module is built against; by default
# the newest installed Debian 6.1 headers (the host kernel of these
# machines is not the one tested).

KDIR ?= $(shell printf '%s\n' /usr/src/linux-headers-6.1.*-amd64 | sort -V | tail -n 1)
SECONDS ?= 0
FUZZ_SECONDS ?= 60
KERNELS ?= bookworm trixie sid debug
PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man

all: module zcctl

deps:
	scripts/deps.sh >/dev/null

module:
	$(MAKE) -C kmod KDIR=$(KDIR) W=1

zcctl:
	$(MAKE) -C tools/zcctl

check:
	FUZZ_SECONDS=$(FUZZ_SECONDS) KERNELS="$(KERNELS)" KDIR=$(KDIR) scripts/check.sh

fuzz:
	$(MAKE) -C tests/fuzz fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

run:
	ZCH_RUN_SECONDS=$(SECONDS) KDIR=$(KDIR) scripts/run.sh

install: module zcctl
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod INSTALL_MOD_PATH=$(DESTDIR) modules_install
	$(MAKE) -C tools/zcctl install PREFIX=$(PREFIX) MANDIR=$(MANDIR)
	install -D -m 0644 Documentation/zchttp.7 $(DESTDIR)$(MANDIR)/man7/zchttp.7

bench:
	KDIR=$(KDIR) scripts/bench.sh $(BENCH)

clean:
	$(MAKE) -C kmod KDIR=$(KDIR) clean
	$(MAKE) -C tools/zcctl clean
	$(MAKE) -C tests/unit clean
	$(MAKE) -C tests/fuzz clean
	$(MAKE) -C tests/bench clean
	rm -f selftests/zchttp_nl

.PHONY: all deps module zcctl check fuzz run install bench clean
