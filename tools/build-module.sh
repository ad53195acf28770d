#!/bin/bash
# build-module.sh KDIR OUTDIR [make args...]
# Build the module from a copy of the sources in OUTDIR, so builds for
# several kernels (and the KUnit variant) never share object files.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kdir=$1 out=$(realpath -m "$2")
shift 2
rm -rf "$out"
mkdir -p "$out"
rsync -a --exclude build --exclude .git --exclude '*.o' --exclude '*.ko' \
	--exclude '.*.cmd' "$root/" "$out/"
if ! make -C "$kdir" M="$out" W=1 "$@" modules > "$out/build.log" 2>&1; then
	cat "$out/build.log" >&2
	exit 1
fi
if grep -E 'warning:' "$out/build.log" >&2; then
	echo "build-module: warnings or errors for $kdir" >&2
	exit 1
fi
