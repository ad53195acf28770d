#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Entry point inside the test VM: guest.sh BUILDDIR [KUNITDIR]
# Runs the KUnit suites (debug kernel) and the integration tests. KUnit
# results are copied from debugfs with a "kunit: " prefix for the host.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
kunit=${2:-}
status=0

if [ -n "$kunit" ]; then
	# The fuzzer's oracle for the router's own traffic uses 127.0.0.1.
	ip link set lo up
	if insmod "$kunit/loosenat_kunit.ko"; then
		for s in sysctl icmp hairpin gc conn ports table parse tcp mangle hostile; do
			# debugfs files have no size: read them to see.
			r=$(cat "/sys/kernel/debug/kunit/loosenat_$s/results" 2>/dev/null)
			if [ -n "$r" ]; then
				printf '%s\n' "$r" | sed 's/^/kunit: /'
			else
				echo "kunit:     not ok 1 loosenat_$s: no results"
			fi
		done
		rmmod loosenat_kunit || status=1
	else
		echo "kunit: not ok 1 - loading loosenat_kunit.ko"
		status=1
	fi
fi
# The debug kernel runs our cases only, and so does a run with
# LNAT_CONTROLS=0; otherwise the stock controls run beside them.
controls=${kunit:+nocontrols}
[ "${LNAT_CONTROLS:-1}" = 0 ] && controls=nocontrols
"$here/netns.sh" "$build/loosenat.ko" $controls || status=1
# Load, faults and hostile input, sized for make check, on the debug kernel.
if [ -n "$kunit" ]; then
	"$here/stress.sh" "$build/loosenat.ko" check || status=1
fi
exit $status
