#!/bin/bash
# Build a tiny initramfs for Debian's stock kernel: busybox plus the modules
# that put the host root over 9p (virtio-pci, 9pnet_virtio, 9p), then hand
# over to the host root's init script. Prints the cpio path.
set -euo pipefail
kver=$1
out=$2
mods=/lib/modules/$kver
[ -f "$out" ] && { echo "$out"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Resolve dependencies in load order from modules.dep.
declare -A seen
order=()
add() {
	local path=$1 dep
	[ -n "${seen[$path]:-}" ] && return
	seen[$path]=1
	for dep in $(awk -v m="$path:" '$1 == m { $1 = ""; print }' "$mods/modules.dep"); do
		add "$dep"
	done
	order+=("$path")
}
# Modules may be compressed (Debian's 6.12 ships .ko.xz) or built in.
for m in virtio_pci 9pnet_virtio 9p; do
	p=$(awk -F: -v m="/$m.ko" '{ n = $1; sub(/\.xz$/, "", n) }
		index(n, m) && index(n, m) == length(n) - length(m) + 1 { print $1; exit }' \
		"$mods/modules.dep")
	[ -n "$p" ] && add "$p"
done

mkdir -p "$work"/{bin,mod,proc,sys,dev,newroot}
cp /bin/busybox "$work/bin/busybox"
for a in sh insmod mount switch_root mkdir sleep; do ln -s busybox "$work/bin/$a"; done
: > "$work/mod/order"
for p in "${order[@]}"; do
	f=$(basename "$p")
	case "$f" in
	*.xz) xz -dc "$mods/$p" > "$work/mod/${f%.xz}"; f=${f%.xz} ;;
	*) cp "$mods/$p" "$work/mod/$f" ;;
	esac
	echo "$f" >> "$work/mod/order"
done
cat > "$work/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t devtmpfs dev /dev
for m in $(cat /mod/order); do insmod /mod/$m; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /newroot
exec switch_root /newroot "$LNAT_INIT"
INIT
chmod +x "$work/init"
mkdir -p "$(dirname "$out")"
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
