#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# install-check.sh STAGE KVER: make install into a staging root (so the
# host's own /lib/modules and /usr/local stay untouched) puts the module,
# its modules.dep entry, loosenatctl and its man page where modprobe and
# man look; make uninstall takes them all away again.
set -euo pipefail
stage=$(realpath -m "$1") kver=$2
root=$(cd "$(dirname "$0")/.." && pwd)
# In a copy: the kernel's "make clean" of an external module deletes every
# .ko under it, and the tree's build/ holds the other builds' modules.
src=$stage.src
rm -rf "$src"
rsync -a --exclude build --exclude .git "$root/" "$src/"
cd "$src"
vars=(KVER="$kver" KDIR="/usr/src/linux-headers-$kver" INSTALL_MOD_PATH="$stage"
      DESTDIR="$stage")
files=("$stage/lib/modules/$kver/updates/loosenat.ko" "$stage/usr/local/sbin/loosenatctl"
       "$stage/usr/local/share/man/man8/loosenatctl.8")
rm -rf "$stage"
make -s install "${vars[@]}"
ls -l "${files[@]}"
grep -q '^updates/loosenat.ko:' "$stage/lib/modules/$kver/modules.dep"
[ "$(modinfo -F version "${files[0]}")" = \
	"$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)" ]
make -s uninstall "${vars[@]}"
for f in "${files[@]}"; do
	[ ! -e "$f" ] || { echo "left behind: $f"; exit 1; }
done
grep -q loosenat "$stage/lib/modules/$kver/modules.dep" && exit 1
cd /
rm -rf "$src"
echo "make install/uninstall: ok"
