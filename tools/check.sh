#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: install what is missing, build the module for Debian's stock
# 6.1 kernel and for the debug kernel, run KUnit and the integration tests in
# qemu, and end with one line "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/common.sh"

echo "== building for Debian $LNAT_STOCK_KVER"
tools/build-module.sh "/usr/src/linux-headers-$LNAT_STOCK_KVER" "$build/stock"
echo "== building the debug kernel (cached in ${LNAT_CACHE:-/var/cache/loosenat})"
kdir=$(tools/qemu/build-kernel.sh)
echo "   $(cat "$kdir/build-seconds") s to build it fresh"
tools/build-module.sh "$kdir" "$build/debug"
tools/build-module.sh "$kdir" "$build/kunit" LNAT_KUNIT=1

passed=0
failed=0
result() {
	if [ "$1" = ok ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAILED: $2"
	fi
}

for kind in stock debug; do
	guest=$build/guest-$kind.sh
	args=$build/$kind
	[ "$kind" = debug ] && args="$args $build/kunit"
	# Run the copy made for this build, so editing the tree cannot disturb it.
	printf '#!/bin/sh\nexec %s %s\n' "$build/$kind/tools/testbed/guest.sh" "$args" > "$guest"
	chmod +x "$guest"
	echo "== $kind kernel: KUnit and integration tests in qemu"
	start=$SECONDS
	vm_ok=ok
	# Hard limits: a hang fails the run instead of eating CI's 90 minutes.
	limit=1800
	[ "$kind" = debug ] && limit=3900
	tools/qemu/run-vm.sh "$kind" "$guest" "$build/vm-$kind" "$limit" || true
	log=$build/vm-$kind/result.log
	grep -E '^(kunit: +)?(not )?ok ' "$log" | grep -vE '^kunit: (not )?ok ' || true
	while read -r line; do
		case "$line" in
		"not ok"*|"kunit: not ok"*|"kunit:"*"not ok"*) result fail "$kind: $line" ;;
		*) result ok "$line" ;;
		esac
	done < <(grep -E '^(kunit: +(not )?ok |(not )?ok )' "$log" | grep -vE '^kunit: (not )?ok ')
	grep -q '^LNAT-VM-DONE rc=' "$log" || vm_ok=fail
	# Integration, plus the stress suite on the debug kernel: each must
	# have run and stated its plan, or its cases would silently vanish.
	want=1
	[ "$kind" = debug ] && want=2
	[ "$(grep -c '^1\.\.[0-9]' "$log")" = "$want" ] ||
		result fail "$kind: $want suites expected to report a plan"
	# A run cut short (hang, crash, timeout) fails each case it never ran.
	planned=$(awk -F'[.]+' '/^1\.\.[0-9]+$/ { s += $2 } END { print s + 0 }' "$log")
	ran=$(grep -cE '^(not )?ok ' "$log" || true)
	for ((i = ran; i < planned; i++)); do
		result fail "$kind: planned case $((i + 1)) never reported"
	done
	if grep -qEf tools/qemu/splat.re "$build/vm-$kind/console.log"; then
		vm_ok=fail
	fi
	result "$vm_ok" "$kind kernel: run completed with no kernel splat (see $build/vm-$kind/console.log)"
	if grep -q '^LNAT-VM-DONE rc=[^0]' "$log" && ! grep -qE '^(kunit: +)?not ok ' "$log"; then
		result fail "$kind: guest script failed outside any test case"
	fi
	figures "$log"
	echo "   $((SECONDS - start)) s"
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
