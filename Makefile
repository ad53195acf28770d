# SPDX-License-Identifier: GPL-2.0
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PWD := $(CURDIR)

.PHONY: all module clean install uninstall demo check stress fuzz bench

all: module

module:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean

install: module
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install
	depmod -a $(KVER)

uninstall:
	rm -f /lib/modules/$(KVER)/updates/loosenat.ko
	depmod -a $(KVER)

demo:
	tools/demo.sh

check:
	tools/check.sh

stress:
	tools/stress.sh full

fuzz:
	tools/fuzz.sh

bench:
	tools/bench.sh
