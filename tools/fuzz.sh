#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make fuzz: the KUnit fuzzer (suite loosenat_hostile) over the packet path
# for a long run on the debug kernel. make check runs it at its default size.
# usage: fuzz.sh [ITERATIONS [SEED]]
set -euo pipefail
. "$(dirname "$0")/common.sh"
iters=${1:-2000000}
seed=${2:-}

kdir=$(tools/qemu/build-kernel.sh)
tools/build-module.sh "$kdir" "$build/fuzz" LNAT_KUNIT=1
guest=$build/guest-fuzz.sh
cat > "$guest" <<GUEST
#!/bin/sh
ip link set lo up
insmod $build/fuzz/loosenat_kunit.ko fuzz_iters=$iters ${seed:+fuzz_seed=$seed}
cat /sys/kernel/debug/kunit/loosenat_hostile/results
rmmod loosenat_kunit
GUEST
chmod +x "$guest"
status=0
tools/qemu/run-vm.sh debug "$guest" "$build/vm-fuzz" 5400 || status=1
grep -E '^ *(not )?ok |# ' "$build/vm-fuzz/result.log" || true
grep -q 'not ok' "$build/vm-fuzz/result.log" && status=1
grep -q '^ok 1 loosenat_hostile' "$build/vm-fuzz/result.log" || status=1
exit $status
