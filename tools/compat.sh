#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make compat: a W=1 build against the newest kernel headers Debian
# packages (sid), inside a debootstrap chroot, since those headers want
# sid's compiler and libc. Too slow for make check (a chroot of a few
# hundred MB); README records the last result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
chroot=${LNAT_CACHE:-/var/cache/loosenat}/sid
mirror=http://deb.debian.org/debian
# The mirror may serve a sid whose Release is past its Valid-Until date.
apt_opts=(-o Acquire::Check-Valid-Until=false -y -q)
export DEBIAN_FRONTEND=noninteractive
if [ ! -f "$chroot/.done" ]; then
	command -v debootstrap > /dev/null || apt-get install -y -q debootstrap
	rm -rf "$chroot"
	debootstrap --variant=minbase sid "$chroot" "$mirror"
	chroot "$chroot" apt-get "${apt_opts[@]}" install --no-install-recommends \
		build-essential linux-headers-amd64 bc kmod libelf-dev
	touch "$chroot/.done"
else
	chroot "$chroot" apt-get "${apt_opts[@]}" update
	chroot "$chroot" apt-get "${apt_opts[@]}" install --no-install-recommends \
		linux-headers-amd64
fi
kver=$(ls "$chroot/usr/src" | sed -n 's/^linux-headers-\(.*-amd64\)$/\1/p' |
	sort -V | tail -1)
# objtool reads /proc.
mount -t proc proc "$chroot/proc"
trap 'umount "$chroot/proc"' EXIT
rm -rf "$chroot/build"
mkdir -p "$chroot/build"
rsync -a --exclude build --exclude .git "$root/" "$chroot/build/loosenat/"
log=$root/build/compat.log
mkdir -p "$root/build"
if ! chroot "$chroot" make -C "/usr/src/linux-headers-$kver" M=/build/loosenat \
	W=1 modules > "$log" 2>&1 || grep -E 'warning:|error:' "$log"; then
	tail -30 "$log"
	echo "compat: FAILED on $kver ($(chroot "$chroot" gcc --version | head -1))"
	exit 1
fi
echo "compat: $kver, $(chroot "$chroot" gcc --version | head -1): built, no warning"
