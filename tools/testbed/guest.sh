#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Entry point inside the test VM: guest.sh BUILDDIR
# make check runs several VMs at once and says in the environment what
# each one runs:
#   LNAT_KUNIT=DIR     load DIR/loosenat_kunit.ko first; its results are
#                      copied from debugfs with a "kunit: " prefix
#   LNAT_SUITES=LIST   "integration" (netns.sh, the default), "stress"
#                      (stress.sh at make check's size), or both
#   LNAT_CONTROLS=0    our cases only, no stock masquerade controls
# and netns.sh's own LNAT_PART, LNAT_QUICK, LNAT_ROUTERS and LNAT_DKMS.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
kunit=${LNAT_KUNIT:-}
status=0

# The fuzzer's oracle for the router's own traffic uses 127.0.0.1.
ip link set lo up
if [ -n "$kunit" ]; then
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
controls=
[ "${LNAT_CONTROLS:-1}" = 0 ] && controls=nocontrols
for suite in ${LNAT_SUITES:-integration}; do
	case "$suite" in
	integration) "$here/netns.sh" "$build/loosenat.ko" $controls || status=1 ;;
	stress) "$here/stress.sh" "$build/loosenat.ko" check || status=1 ;;
	*) echo "Bail out! unknown suite $suite"; status=1 ;;
	esac
done
exit $status
