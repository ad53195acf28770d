#!/bin/bash
# run-vm.sh stock|debug SCRIPT OUTDIR [TIMEOUT]
# Boot a kernel under qemu TCG with the host root shared read-only, run
# SCRIPT inside, leave console.log (kernel) and result.log (SCRIPT's output)
# in OUTDIR. Exit 0 only if the guest wrote its completion marker, the script
# returned 0 and the kernel log holds no splat.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kind=$1 script=$2 out=$3 limit=${4:-1200}
cache=${LNAT_CACHE:-/var/cache/loosenat}
mkdir -p "$out"
rm -f "$out/console.log" "$out/result.log"

case "$kind" in
stock)
	kver=${LNAT_STOCK_KVER:-$(ls /boot/vmlinuz-6.1.* | sed "s|.*/vmlinuz-||" | sort -V | tail -1)}
	kernel=/boot/vmlinuz-$kver
	initrd=$("$here/mkinitrd.sh" "$kver" "$cache/initrd-$kver.cpio.gz")
	boot=(-initrd "$initrd")
	root="rdinit=/init LNAT_INIT=$here/guest-init.sh"
	extra=""
	mem=${LNAT_VM_MEM:-1024}
	;;
debug)
	kdir=$("$here/build-kernel.sh")
	kernel=$kdir/arch/x86/boot/bzImage
	boot=()
	# The host root is a read-only snapshot for the run: caching it saves
	# re-reading every binary over 9p on each exec (2-3x the run time).
	root="root=hostroot rootfstype=9p rootflags=trans=virtio,version=9p2000.L,cache=loose ro init=$here/guest-init.sh"
	extra="panic_on_warn=1 kmemleak=on"
	mem=2048
	;;
*)
	echo "unknown kernel kind $kind" >&2
	exit 2
	;;
esac

# LNAT_VM_ICOUNT: the guest's clock counts instructions, one nanosecond
# each, however fast the host runs them (make bench's cost mode).
icount=()
[ -n "${LNAT_VM_ICOUNT:-}" ] && icount=(-icount shift=0,sleep=off)
timeout --kill-after=10 "$limit" qemu-system-x86_64 -accel tcg -smp "${LNAT_VM_SMP:-2}" -m "$mem" \
	"${icount[@]}" -no-reboot -display none -monitor none \
	-kernel "$kernel" "${boot[@]}" \
	-append "console=ttyS0 panic=-1 oops=panic $extra $root LNAT_SCRIPT=$script" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-serial "file:$out/console.log" -serial "file:$out/result.log" \
	-nic none </dev/null || true
sed -i 's/\r$//' "$out/console.log" "$out/result.log" 2>/dev/null || true

status=0
if ! grep -q "^LNAT-VM-DONE rc=" "$out/result.log" 2>/dev/null; then
	echo "vm($kind): no successful completion marker" >&2
	status=1
fi
if grep -Ef "$here/splat.re" "$out/console.log" >&2; then
	echo "vm($kind): kernel splat in console.log" >&2
	status=1
fi
exit $status
