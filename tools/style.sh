#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make style: checkpatch.pl --strict (from Debian's linux-source-6.1) on
# every C file and header of the tree; any error, warning or check fails.
# The compat header is the one place a LINUX_VERSION_CODE test belongs.
# Then kernel-doc on the module's sources, and tools/layers.py: no kmod/
# file may use a file above it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cache=${LNAT_CACHE:-/var/cache/loosenat}/checkpatch-6.1
if [ ! -f "$cache/scripts/kernel-doc" ]; then
	mkdir -p "$cache"
	tar -C "$cache" --strip-components=1 -xf /usr/src/linux-source-6.1.tar.xz \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' '*/scripts/kernel-doc'
fi
cp="$cache/scripts/checkpatch.pl --no-tree --strict --terse --show-types -f"
status=0 n=0
for f in $(git ls-files '*.c' '*.h'); do
	opt=
	[ "$f" = include/lnat_compat.h ] && opt="--ignore LINUX_VERSION_CODE"
	# --terse prints nothing for a clean file.
	out=$($cp $opt "$f" 2>&1) || status=1
	[ -z "$out" ] || { echo "$out"; status=1; }
	n=$((n + 1))
done
out=$(perl "$cache/scripts/kernel-doc" -none kmod/*.c include/*.h 2>&1)
[ -z "$out" ] || { echo "$out"; status=1; }
out=$(tools/layers.py) || { echo "$out"; status=1; }
[ $status = 0 ] && echo "style: $n files, no error, warning or check; kernel-doc clean; layers in order"
exit $status
