# SPDX-License-Identifier: GPL-2.0
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
# What DKMS and the Debian package need to build the module.
SOURCES := Kbuild Makefile dkms.conf include kmod
PWD := $(CURDIR)

.PHONY: all module clean install install-tools uninstall dkms-src \
	dkms-install dkms-uninstall deb demo check stress fuzz bench style \
	sparse compat docs

all: module

module:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean

install: module install-tools
	$(MAKE) -C $(KDIR) M=$(PWD) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

install-tools:
	install -D -m 0755 tools/loosenatctl $(DESTDIR)$(PREFIX)/sbin/loosenatctl
	install -D -m 0644 Documentation/loosenatctl.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/loosenatctl.8

uninstall:
	rm -f $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/updates/loosenat.ko*
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)
	rm -f $(DESTDIR)$(PREFIX)/sbin/loosenatctl \
		$(DESTDIR)$(PREFIX)/share/man/man8/loosenatctl.8

# The module's sources where DKMS looks for them.
dkms-src:
	rm -rf $(DESTDIR)/usr/src/loosenat-$(VERSION)
	mkdir -p $(DESTDIR)/usr/src/loosenat-$(VERSION)
	cp -r $(SOURCES) $(DESTDIR)/usr/src/loosenat-$(VERSION)/

dkms-install: dkms-src install-tools
	dkms add loosenat/$(VERSION)
	dkms install loosenat/$(VERSION) -k $(KVER)

dkms-uninstall:
	dkms remove loosenat/$(VERSION) --all
	rm -rf /usr/src/loosenat-$(VERSION)
	rm -f $(DESTDIR)$(PREFIX)/sbin/loosenatctl \
		$(DESTDIR)$(PREFIX)/share/man/man8/loosenatctl.8

deb:
	tools/deb.sh

demo:
	tools/demo.sh

check:
	tools/check.sh

stress:
	tools/stress.sh full

fuzz:
	tools/fuzz.sh

# make bench: instructions per packet under icount; BENCH_PARTS=profile:
# only its profiles; all: the wall-clock rates under TCG, scale: only their
# table-size and expiry part.
BENCH_REPS ?= 3
BENCH_PARTS ?= cost
bench:
	tools/bench.sh $(BENCH_REPS) $(BENCH_PARTS)

style:
	tools/style.sh

sparse:
	tools/sparse.sh

compat:
	tools/compat.sh

# The TCP state diagram, drawn from the tables in kmod/tcp.c.
docs:
	tools/tcp-states.py kmod/tcp.c | dot -Tsvg > Documentation/images/tcp-states.svg
	tools/layers.py --dot | dot -Tsvg > Documentation/images/layers.svg
