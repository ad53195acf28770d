#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deb: build the loosenat-dkms Debian package from the tree (committed
# or not) into build/deb/. Prints the .deb's path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/deb
rm -rf "$out"
mkdir -p "$out/src"
rsync -a --exclude build --exclude .git "$root/" "$out/src/"
(cd "$out/src" && dpkg-buildpackage -us -uc -b) > "$out/build.log" 2>&1 ||
	{ cat "$out/build.log" >&2; exit 1; }
ls "$out"/loosenat-dkms_*_all.deb
