#!/bin/sh
# PID 1 inside the test VM (host root, read-only over 9p). Runs $LNAT_SCRIPT
# with its output on the second serial port, then a completion marker there:
# a crash or hang never writes the marker, so it can never look like a pass.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sys /sys
$bb mount -t devtmpfs dev /dev 2>/dev/null
# Only /run is covered: the tree under test may live anywhere else, /tmp
# included. Temporary files go to $TMPDIR on it.
$bb mount -t tmpfs tmpfs /run
$bb mkdir -p /run/tmp
export TMPDIR=/run/tmp
$bb mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# Memory cgroups (the test of a container's memory limit).
$bb mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
$bb mkdir -p /run/netns /run/lock
# kmemleak's periodic scan walks every object under rcu_read_lock, for
# minutes under TCG, which can hold up the grace periods netns deletion
# waits for. The suites scan explicitly, when idle, at their end.
[ -w /sys/kernel/debug/kmemleak ] && echo scan=off > /sys/kernel/debug/kmemleak
[ -e /dev/fd ] || $bb ln -s /proc/self/fd /dev/fd
$bb hostname lnat-vm
exec 3>/dev/ttyS1
cd /
sh -c "$LNAT_SCRIPT" >&3 2>&3
echo "LNAT-VM-DONE rc=$?" >&3
$bb sync
$bb reboot -f
