#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install from Debian's packages whatever the build and the test bed need,
# and the packages named as arguments (make bench's extras). Debian's 6.12
# kernel and headers come from bookworm-backports: the newest kernel the
# tests boot and build for.
set -euo pipefail
pkgs="build-essential bc bison flex cpio rsync kmod libelf-dev libssl-dev
	dwarves linux-source-6.1 linux-image-amd64 linux-headers-amd64
	qemu-system-x86 busybox-static nftables iproute2 conntrack python3 xz-utils
	sparse dkms dh-dkms debhelper dpkg-dev graphviz coturn python3-pyftpdlib
	$*"
bpo=/etc/apt/sources.list.d/loosenat-backports
export DEBIAN_FRONTEND=noninteractive
# Backports from the mirror the machine already uses: its whole deb822
# stanza (comments and all) with another Suites line, or a one-line entry.
add_backports() {
	local d=/etc/apt/sources.list.d

	rm -f "$bpo.sources" "$bpo.list"
	grep -rqs bookworm-backports /etc/apt/sources.list "$d" && return
	[ -f "$d/debian.sources" ] && awk -v RS= '/URIs:[^\n]*\/debian\n/ {
		sub(/Suites:[^\n]*/, "Suites: bookworm-backports"); print; exit }' \
		"$d/debian.sources" > "$bpo.sources"
	[ -s "$bpo.sources" ] && return
	rm -f "$bpo.sources"
	sed -n 's|^deb \([^ ]*/debian/*\) bookworm .*|deb \1 bookworm-backports main|p' \
		/etc/apt/sources.list "$d"/*.list 2> /dev/null | head -1 > "$bpo.list"
}
if ! ls /boot/vmlinuz-6.12.* > /dev/null 2>&1; then
	add_backports
	apt-get update -q
	# The 6.12 ABI that backports' linux-headers-amd64 points at.
	v=$(apt-cache madison linux-headers-amd64 |
		awk -F'|' '/backports/ { gsub(/ /, "", $2); print $2; exit }')
	kver=$(apt-cache depends "linux-headers-amd64=$v" |
		awk '/Depends: linux-headers-6/ { sub("linux-headers-", "", $2); print $2 }')
	pkgs="$pkgs linux-image-$kver linux-headers-$kver"
fi
missing=()
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "== installing ${missing[*]}"
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# coturn is for the test VM (RFC 5780 behaviour discovery), never a service
# of this machine: Debian's package starts one.
if systemctl is-active -q coturn 2>/dev/null; then
	systemctl disable -q --now coturn
fi
