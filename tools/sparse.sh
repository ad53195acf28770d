#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make sparse: W=1 builds checked by sparse (C=2) against every kernel the
# tree targets: Debian's 6.1 and 6.12 headers, and the KUnit suites against
# the debug kernel. Any compiler or sparse warning fails (build-module.sh).
set -euo pipefail
. "$(dirname "$0")/common.sh"
status=0
for kver in "$LNAT_STOCK_KVER" "$LNAT_NEW_KVER"; do
	tools/build-module.sh "/usr/src/linux-headers-$kver" "$build/sparse-$kver" C=2 ||
		status=1
done
kdir=$(tools/qemu/build-kernel.sh)
tools/build-module.sh "$kdir" "$build/sparse-kunit" C=2 LNAT_KUNIT=1 || status=1
[ $status = 0 ] && echo "sparse: no warning on $LNAT_STOCK_KVER, $LNAT_NEW_KVER and the KUnit build"
exit $status
