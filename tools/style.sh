#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make style: checkpatch.pl --strict (from Debian's linux-source-6.1) on
# every C file and header of the tree; any error, warning or check fails.
# The compat header is the one place a LINUX_VERSION_CODE test belongs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cache=${LNAT_CACHE:-/var/cache/loosenat}/checkpatch-6.1
if [ ! -f "$cache/scripts/checkpatch.pl" ]; then
	mkdir -p "$cache"
	tar -C "$cache" --strip-components=1 -xf /usr/src/linux-source-6.1.tar.xz \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
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
[ $status = 0 ] && echo "style: $n files, no error, warning or check"
exit $status
