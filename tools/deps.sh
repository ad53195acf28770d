#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install from Debian's packages whatever the build and the test bed need,
# and the packages named as arguments (make bench's extras).
set -euo pipefail
pkgs="build-essential bc bison flex cpio rsync kmod libelf-dev libssl-dev
	dwarves linux-source-6.1 linux-image-amd64 linux-headers-amd64
	qemu-system-x86 busybox-static nftables iproute2 conntrack python3 xz-utils
	$*"
missing=()
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "== installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
