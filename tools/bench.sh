#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: plain forwarding, stock masquerade, loosenat and loosenat
# beside conntrack, measured in one VM run on Debian's stock kernel. Prints
# the table; leaves build/bench/results.tsv, the plots (SVG) and perf's
# profiles (profile.txt) beside it.
# usage: bench.sh [REPS [all|scale]]: "scale" runs only the table-size and
# expiry part.
set -euo pipefail
"$(dirname "$0")/deps.sh" iperf3 gnuplot-nox linux-perf rt-tests
. "$(dirname "$0")/common.sh"
reps=${1:-5}
parts=${2:-all}
out=$build/bench
mkdir -p "$out"

tools/build-module.sh "/usr/src/linux-headers-$LNAT_STOCK_KVER" "$build/bench-ko"
guest=$build/guest-bench.sh
printf '#!/bin/sh\nexec %s %s %s %s\n' "$build/bench-ko/tools/testbed/bench.sh" \
	"$build/bench-ko/loosenat.ko" "$reps" "$parts" > "$guest"
chmod +x "$guest"
LNAT_VM_MEM=2048 tools/qemu/run-vm.sh stock "$guest" "$out/vm" 5400
python3 tools/bench-report.py "$out/vm/result.log" "$out"
grep '^# profile: ' "$out/vm/result.log" | cut -c12- > "$out/profile.txt" || true
echo "perf profiles (top symbols per configuration and load): $out/profile.txt"
