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

# The VMs: Debian's 6.1 (stock) and 6.12 (new), both with the module DKMS
# installed, and the debug kernel. Each line: name, kernel, vCPUs, time
# limit in seconds, then what the guest runs (guest.sh's and netns.sh's
# settings). 6.1 runs every case with the stock controls, in two halves;
# 6.12 and the debug kernel run the quick set (every path of the module
# once) without the controls or the routers' shapes; the debug kernel
# runs the KUnit suites and the stress suite too.
#
# Two VMs run at a time, longest first, one vCPU each: two guests with
# two vCPUs each, four vCPU threads on the machine's two cores, spin on
# each other's preempted lock holders (3-4 times slower, measured), and
# 6.1's core half with two beside a one-vCPU guest ran twice as slow.
# Only the stress suite, whose faults race packets against readers and
# writers, keeps two: beside a one-vCPU guest it ran at its own speed.
jobs=(
	"debug-core debug 1 2400 LNAT_KUNIT=$build/kunit LNAT_CONTROLS=0 LNAT_QUICK=1 LNAT_ROUTERS=0 LNAT_PART=core"
	"debug-stress debug 2 1800 LNAT_SUITES=stress"
	"stock-shapes $LNAT_STOCK_KVER 1 1800 LNAT_PART=shapes"
	"stock-core $LNAT_STOCK_KVER 1 1800 LNAT_DKMS=$version LNAT_PART=core"
	"debug-shapes debug 1 1800 LNAT_CONTROLS=0 LNAT_QUICK=1 LNAT_ROUTERS=0 LNAT_PART=shapes"
	"new $LNAT_NEW_KVER 1 1800 LNAT_DKMS=$version LNAT_CONTROLS=0 LNAT_QUICK=1 LNAT_ROUTERS=0"
)
# vm NAME KERNEL VCPUS LIMIT SETTINGS...: one VM, its logs in build/vm-NAME.
vm() {
	local name=$1 kernel=$2 smp=$3 limit=$4 guest=$build/guest-$1.sh
	local src=$build/stock kind=stock kver=$2 start=$SECONDS

	shift 4
	case "$kernel" in
	debug) src=$build/debug kind=debug kver= ;;
	"$LNAT_NEW_KVER") src=$build/new ;;
	esac
	# The copy made for this build, so editing the tree cannot disturb it.
	printf '#!/bin/sh\nexec env %s %s %s\n' "$*" \
		"$src/tools/testbed/guest.sh" "$src" > "$guest"
	chmod +x "$guest"
	LNAT_STOCK_KVER=$kver LNAT_VM_SMP=$smp tools/qemu/run-vm.sh "$kind" "$guest" \
		"$build/vm-$name" "$limit" > "$build/vm-$name.log" 2>&1 || true
	echo $((SECONDS - start)) > "$build/vm-$name/seconds"
}
# Made here, not by two VMs at once.
for k in "$LNAT_STOCK_KVER" "$LNAT_NEW_KVER"; do
	tools/qemu/mkinitrd.sh "$k" "${LNAT_CACHE:-/var/cache/loosenat}/initrd-$k.cpio.gz" > /dev/null
done
echo "== KUnit, integration and stress tests in qemu, two VMs at a time"
start=$SECONDS
running=0
for job in "${jobs[@]}"; do
	if [ "$running" = 2 ]; then
		wait -n
		running=1
	fi
	# shellcheck disable=SC2086 # a job is a list of words
	vm $job &
	running=$((running + 1))
done
wait
echo "   $((SECONDS - start)) s for all of them"

for job in "${jobs[@]}"; do
	# shellcheck disable=SC2086 # a job is a list of words
	set -- $job
	name=$1
	echo "== $name: ${*:5}"
	log=$build/vm-$name/result.log
	vm_ok=ok
	grep -E '^(kunit: +)?(not )?ok ' "$log" | grep -vE '^kunit: (not )?ok ' || true
	while read -r line; do
		case "$line" in
		"not ok"*|"kunit: not ok"*|"kunit:"*"not ok"*) result fail "$name: $line" ;;
		*) result ok "$line" ;;
		esac
	done < <(grep -E '^(kunit: +(not )?ok |(not )?ok )' "$log" | grep -vE '^kunit: (not )?ok ')
	grep -q '^LNAT-VM-DONE rc=' "$log" || vm_ok=fail
	# Each suite must have run and stated its plan, or its cases would
	# silently vanish.
	[ "$(grep -c '^1\.\.[0-9]' "$log")" = 1 ] ||
		result fail "$name: one suite expected to report a plan"
	# A run cut short (hang, crash, timeout) fails each case it never ran.
	planned=$(awk -F'[.]+' '/^1\.\.[0-9]+$/ { s += $2 } END { print s + 0 }' "$log")
	ran=$(grep -cE '^(not )?ok ' "$log" || true)
	for ((i = ran; i < planned; i++)); do
		result fail "$name: planned case $((i + 1)) never reported"
	done
	if grep -qEf tools/qemu/splat.re "$build/vm-$name/console.log"; then
		vm_ok=fail
	fi
	result "$vm_ok" "$name: run completed with no kernel splat (see $build/vm-$name/console.log)"
	if grep -q '^LNAT-VM-DONE rc=[^0]' "$log" && ! grep -qE '^(kunit: +)?not ok ' "$log"; then
		result fail "$name: guest script failed outside any test case"
	fi
	figures "$log" || true
	echo "   $(cat "$build/vm-$name/seconds") s"
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
