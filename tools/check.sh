#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: install what is missing; checkpatch; W=1 + sparse builds for
# Debian's 6.1 and 6.12 and the debug kernel; make install, DKMS and the
# Debian package; KUnit and the integration tests in qemu on all three
# kernels; end with one line "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/common.sh"

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
# step NAME CMD...: one host-side case, its output kept in build/NAME.log.
step() {
	local name=$1

	shift
	if "$@" > "$build/$name.log" 2>&1; then
		echo "ok - $name"
		result ok "$name"
	else
		tail -20 "$build/$name.log"
		result fail "$name"
	fi
}
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

echo "== hygiene: checkpatch, then W=1 builds checked by sparse (C=2)"
step style tools/style.sh
step docs-diagram sh -c "tools/tcp-states.py kmod/tcp.c | dot -Tsvg | cmp - Documentation/images/tcp-states.svg &&
	tools/layers.py --dot | dot -Tsvg | cmp - Documentation/images/layers.svg"
step "build-$LNAT_STOCK_KVER" tools/build-module.sh "/usr/src/linux-headers-$LNAT_STOCK_KVER" "$build/stock" C=2
step "build-$LNAT_NEW_KVER" tools/build-module.sh "/usr/src/linux-headers-$LNAT_NEW_KVER" "$build/new" C=2
echo "== building the debug kernel (cached in ${LNAT_CACHE:-/var/cache/loosenat})"
kdir=$(tools/qemu/build-kernel.sh)
echo "   $(cat "$kdir/build-seconds") s to build it fresh"
step build-debug tools/build-module.sh "$kdir" "$build/debug" C=2
step build-kunit tools/build-module.sh "$kdir" "$build/kunit" C=2 LNAT_KUNIT=1

echo "== install: make install/uninstall (staged), DKMS for both kernels"
# Leftovers of an interrupted run would make dkms add fail.
dpkg -P loosenat-dkms > /dev/null 2>&1 || true
dkms remove "loosenat/$version" --all > /dev/null 2>&1 || true
rm -rf "/usr/src/loosenat-$version"
step make-install tools/install-check.sh "$build/stage" "$LNAT_STOCK_KVER"
step dkms-add sh -c "make -s dkms-src && dkms add loosenat/$version"
for k in "$LNAT_STOCK_KVER" "$LNAT_NEW_KVER"; do
	step "dkms-build-$k" dkms build "loosenat/$version" -k "$k"
	step "dkms-install-$k" sh -c "dkms install loosenat/$version -k $k &&
		modinfo -F version /lib/modules/$k/updates/dkms/loosenat.ko* | grep -qx $version"
done

# stock: Debian's 6.1, new: Debian's 6.12 (backports), both with the module
# DKMS installed; debug: the debug kernel with KUnit.
for kind in stock new debug; do
	guest=$build/guest-$kind.sh
	args=$build/$kind
	[ "$kind" = debug ] && args="$args $build/kunit"
	# Run the copy made for this build, so editing the tree cannot disturb it.
	dkms=
	[ "$kind" = debug ] || dkms="LNAT_DKMS=$version"
	# The routers' shapes (tools/testbed/routers.sh) and the stock
	# controls run on Debian's 6.1: on every kernel they would take make
	# check past its hour.
	[ "$kind" = stock ] || dkms="$dkms LNAT_ROUTERS=0"
	[ "$kind" = new ] && dkms="$dkms LNAT_CONTROLS=0"
	# 6.12 runs the debug kernel's set (every path of the module once):
	# with all of 6.1's non-control cases, make check reached 88 of CI's
	# 90 minutes.
	[ "$kind" = stock ] || dkms="$dkms LNAT_QUICK=1"
	printf '#!/bin/sh\nexec env %s %s %s\n' "$dkms" \
		"$build/$kind/tools/testbed/guest.sh" "$args" > "$guest"
	chmod +x "$guest"
	echo "== $kind kernel: KUnit and integration tests in qemu"
	start=$SECONDS
	vm_ok=ok
	# Hard limits: a hang fails the run instead of eating CI's 90 minutes.
	limit=1800
	[ "$kind" = debug ] && limit=3900
	vm=$kind kver=$LNAT_STOCK_KVER
	[ "$kind" = new ] && vm=stock kver=$LNAT_NEW_KVER
	LNAT_STOCK_KVER=$kver tools/qemu/run-vm.sh "$vm" "$guest" "$build/vm-$kind" "$limit" || true
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

echo "== packaging: DKMS removed, then the loosenat-dkms package"
step dkms-remove make -s dkms-uninstall
step deb-build tools/deb.sh
deb=$(ls "$build"/deb/loosenat-dkms_*_all.deb 2>/dev/null || true)
step deb-install sh -c "dpkg-deb -f '$deb' Version | grep -qx $version &&
	dpkg -i '$deb' && dkms status loosenat/$version -k $LNAT_STOCK_KVER | grep -q installed &&
	loosenatctl --help > /dev/null"
step deb-purge sh -c "dpkg -P loosenat-dkms && [ -z \"\$(dkms status loosenat)\" ] &&
	! ls /lib/modules/*/updates/dkms/loosenat.ko* 2> /dev/null"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
