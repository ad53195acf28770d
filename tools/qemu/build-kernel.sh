#!/bin/bash
# Build (once) the debug kernel used by KUnit and the debug integration run.
# Output: $LNAT_CACHE/debug-<hash>/ with arch/x86/boot/bzImage and a tree
# usable as KDIR for out-of-tree modules. Cached outside the clone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${LNAT_CACHE:-/var/cache/loosenat}
src=/usr/src/linux-source-6.1.tar.xz
hash=$(cat "$here/debug.config" "$0" | sha1sum | cut -c1-12)
out=$cache/debug-$hash

if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi
[ -f "$src" ] || { echo "missing $src (apt-get install linux-source-6.1)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)
tar -C "$out" --strip-components=1 -xf "$src"
cd "$out"
make -s tinyconfig >&2
./scripts/kconfig/merge_config.sh -m .config "$here/debug.config" >&2
make -s olddefconfig >&2
# Fail loudly if a requested option did not survive dependency resolution.
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	grep -qx "$line" .config || { echo "kernel config lost: $line" >&2; missing=1; }
done < "$here/debug.config"
[ $missing -eq 0 ]
make -s -j"$(nproc)" bzImage modules_prepare >&2
make -s -j"$(nproc)" modules >&2 || true
echo "$(( $(date +%s) - start ))" > build-seconds
touch .done
echo "$out"
