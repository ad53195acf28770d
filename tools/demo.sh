#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot Debian's stock kernel in qemu and show one lost-state
# teardown through stock masquerade and through loosenat, side by side.
set -euo pipefail
. "$(dirname "$0")/common.sh"
echo "== building loosenat for $LNAT_STOCK_KVER"
tools/build-module.sh "/usr/src/linux-headers-$LNAT_STOCK_KVER" "$build/demo"
printf '#!/bin/sh\nexec %s %s\n' "$build/demo/tools/testbed/demo-guest.sh" \
	"$build/demo/loosenat.ko" > "$build/guest-demo.sh"
chmod +x "$build/guest-demo.sh"
echo "== booting $LNAT_STOCK_KVER in qemu (a minute or two)"
echo
status=0
tools/qemu/run-vm.sh stock "$build/guest-demo.sh" "$build/vm-demo" 600 || status=$?
grep -v '^LNAT-VM-DONE' "$build/vm-demo/result.log"
exit $status
