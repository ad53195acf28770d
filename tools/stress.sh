#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make stress: load, faults and hostile input on the debug kernel (KASAN,
# lockdep, kmemleak, panic_on_warn) at full size, then the figures table.
# usage: stress.sh [full|check]
set -euo pipefail
. "$(dirname "$0")/common.sh"
size=${1:-full}

kdir=$(tools/qemu/build-kernel.sh)
tools/build-module.sh "$kdir" "$build/stress"
guest=$build/guest-stress.sh
printf '#!/bin/sh\nexec %s %s %s\n' "$build/stress/tools/testbed/stress.sh" \
	"$build/stress/loosenat.ko" "$size" > "$guest"
chmod +x "$guest"
status=0
tools/qemu/run-vm.sh debug "$guest" "$build/vm-stress" 10800 || status=1
grep -E '^(not )?ok ' "$build/vm-stress/result.log" || true
grep -q '^not ok ' "$build/vm-stress/result.log" && status=1
splats=$(grep -cEf tools/qemu/splat.re "$build/vm-stress/console.log" || true)
echo
figures "$build/vm-stress/result.log"
printf '%-28s %s\n' splats "$splats"
exit $status
