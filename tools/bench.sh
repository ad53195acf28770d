#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: plain forwarding, stock masquerade, loosenat and loosenat
# beside conntrack, measured in one VM run on Debian's stock kernel.
# "cost" (the default): instructions per packet under qemu's icount, the
# table and the profiles in build/bench/cost.tsv and cost-profile.txt.
# "profile": cost's profiles alone (minutes, not an hour).
# "all": the wall-clock rates under TCG, results.tsv, the plots (SVG) and
# profile.txt; "scale" only their table-size and expiry part.
# usage: bench.sh [REPS [cost|profile|all|scale]]; BENCH_COST_N packets per stream
# (50000), BENCH_COST_MAX the largest table (100000; 1000000 adds the 1M
# step, 1000 leaves out the 100k one).
set -euo pipefail
"$(dirname "$0")/deps.sh" iperf3 gnuplot-nox linux-perf rt-tests
. "$(dirname "$0")/common.sh"
reps=${1:-3}
parts=${2:-cost}
out=$build/bench
mkdir -p "$out"

tools/build-module.sh "/usr/src/linux-headers-$LNAT_STOCK_KVER" "$build/bench-ko"
guest=$build/guest-bench.sh
printf '#!/bin/sh\nexec env LNAT_COST_N=%s LNAT_COST_MAX=%s %s %s %s %s\n' \
	"${BENCH_COST_N:-50000}" "${BENCH_COST_MAX:-100000}" \
	"$build/bench-ko/tools/testbed/bench.sh" "$build/bench-ko/loosenat.ko" \
	"$reps" "$parts" > "$guest"
chmod +x "$guest"
if [ "$parts" = cost ] || [ "$parts" = profile ]; then
	# One vCPU: icount needs single-threaded TCG.
	LNAT_VM_ICOUNT=1 LNAT_VM_SMP=1 LNAT_VM_MEM=3072 \
		tools/qemu/run-vm.sh stock "$guest" "$out/vm-$parts" 10800
	if [ "$parts" = profile ]; then
		grep '^# profile: ' "$out/vm-profile/result.log" | cut -c12- \
			> "$out/cost-profile.txt"
		echo "profiles: $out/cost-profile.txt"
		exit
	fi
	python3 tools/bench-cost.py "$out/vm-cost/result.log" "$out"
	exit
fi
LNAT_VM_MEM=2048 tools/qemu/run-vm.sh stock "$guest" "$out/vm" 5400
python3 tools/bench-report.py "$out/vm/result.log" "$out"
grep '^# profile: ' "$out/vm/result.log" | cut -c12- > "$out/profile.txt" || true
echo "perf profiles (top symbols per configuration and load): $out/profile.txt"
