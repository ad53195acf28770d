#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: plain forwarding, stock masquerade, loosenat and loosenat
# beside conntrack, measured in one VM run on Debian's stock kernel. Prints
# the table; leaves build/bench/results.tsv and the plots (SVG) beside it.
# usage: bench.sh [REPS|profile]
# "profile" (make bench-profile) prints, instead, each configuration's top
# kernel symbols under a one-flow UDP stream (perf in the guest).
set -euo pipefail
"$(dirname "$0")/deps.sh" iperf3 gnuplot-nox linux-perf
. "$(dirname "$0")/common.sh"
reps=${1:-5}
out=$build/bench
mkdir -p "$out"

tools/build-module.sh "/usr/src/linux-headers-$LNAT_STOCK_KVER" "$build/bench-ko"
guest=$build/guest-bench.sh
printf '#!/bin/sh\nexec %s %s %s\n' "$build/bench-ko/tools/testbed/bench.sh" \
	"$build/bench-ko/loosenat.ko" "$reps" > "$guest"
chmod +x "$guest"
vm=$out/vm
[ "$reps" = profile ] && vm=$out/vm-profile
LNAT_VM_MEM=2048 tools/qemu/run-vm.sh stock "$guest" "$vm" 5400
if [ "$reps" = profile ]; then
	grep '^# profile: ' "$vm/result.log" | cut -c 12-
else
	python3 tools/bench-report.py "$vm/result.log" "$out"
fi
