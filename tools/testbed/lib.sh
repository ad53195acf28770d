# SPDX-License-Identifier: GPL-2.0
# Test bed helpers, sourced by netns.sh and demo-guest.sh inside the VM.
#
#   cl1 10.0.0.2 ── lan0 10.0.0.1 ─┐
#                                  router ── wan0 192.0.2.1 ─── 192.0.2.2 srv
#   cl2 10.0.1.2 ── lan1 10.0.1.1 ─┘
#
# The server has no route back to 10.0.0.0/8: a leaked packet arrives there
# (counted by the "leak" counter) but is never answered.
# Set ko to the module's path before calling load.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pkt=$here/lnat-pkt
tcpc=$here/tcpconn.py
tmp=$(mktemp -d)
pids=()
n=0
failed=0

cleanup() {
	local p ns

	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for ns in router cl1 cl2 srv far router2 cl3 ta tb ctr cl4; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
	echo "# at ${SECONDS}s"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1 # $2"
}

# check NAME CONDITION-COMMAND... : one test case.
check() {
	local name=$1

	shift
	if "$@"; then
		ok "$name"
	else
		not_ok "$name" "failed: $*"
	fi
}

# busywait SECONDS COMMAND...: poll until COMMAND succeeds or time runs out.
busywait() {
	local end=$((SECONDS + $1))

	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}

R() { ip netns exec router "$@"; }
C1() { ip netns exec cl1 "$@"; }
C2() { ip netns exec cl2 "$@"; }
S() { ip netns exec srv "$@"; }

# bg CMD...: in the background, its PID remembered for stop_bg and the
# cleanup trap. The namespace helpers are expanded here, so the PID is the
# command's own: killing a subshell that ran R/C1/C2/S would leave the
# command itself running (a flood that outlived its test).
bg() {
	case "$1" in
	R) set -- ip netns exec router "${@:2}" ;;
	C1) set -- ip netns exec cl1 "${@:2}" ;;
	C2) set -- ip netns exec cl2 "${@:2}" ;;
	S) set -- ip netns exec srv "${@:2}" ;;
	esac
	"$@" &
	pids+=($!)
}

stop_bg() {
	local p

	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	pids=()
}

load() {
	modprobe nf_defrag_ipv4 2>/dev/null
	modprobe nf_conntrack 2>/dev/null
	insmod "$ko" "$@"
}

# second_router ROUTER CLIENT SRVDEV WAN LAN: another router beside the
# lab's, ROUTER (a netns already there) with wan0 at WAN.2/24 to the
# server's new SRVDEV (WAN.1) and lan0 at LAN.1/24 to CLIENT (made here,
# LAN.2), each routed by default through the other side.
second_router() {
	local r=$1 c=$2 dev=$3 wan=$4 lan=$5

	ip netns add "$c"
	ip -b - <<-EOF
	link add wan0 netns $r type veth peer name $dev netns srv
	link add lan0 netns $r type veth peer name eth0 netns $c
	EOF
	ip -n "$r" -b - <<-EOF
	addr add $wan.2/24 dev wan0
	addr add $lan.1/24 dev lan0
	link set lo up
	link set wan0 up
	link set lan0 up
	route add default via $wan.1
	EOF
	ip -n "$c" -b - <<-EOF
	addr add $lan.2/24 dev eth0
	link set lo up
	link set eth0 up
	route add default via $lan.1
	EOF
	S ip addr add "$wan.1/24" dev "$dev"
	S ip link set "$dev" up
}

# setup lnat|stock|both|plain: fresh namespaces, loosenat or stock
# masquerade on wan0, both together, or neither (plain forwarding).
setup() {
	local ns pings

	stop_bg
	# One ip batch for the namespaces and links, one per namespace for its
	# addresses: on the debug kernel under TCG every exec costs about a
	# second, and setup runs before nearly every case.
	{
		for ns in router cl1 cl2 srv; do
			[ -e "/run/netns/$ns" ] && echo "netns del $ns"
			echo "netns add $ns"
		done
		cat <<-EOF
		link add lan0 netns router type veth peer name eth0 netns cl1
		link add lan1 netns router type veth peer name eth0 netns cl2
		link add wan0 netns router type veth peer name eth0 netns srv
		EOF
	} | ip -b -
	ip -n router -b - <<-EOF
	addr add 10.0.0.1/24 dev lan0
	addr add 10.0.1.1/24 dev lan1
	addr add 192.0.2.1/24 dev wan0
	link set lo up
	link set lan0 up
	link set lan1 up
	link set wan0 up
	EOF
	ip -n cl1 -b - <<-EOF
	addr add 10.0.0.2/24 dev eth0
	link set lo up
	link set eth0 up
	route add default via 10.0.0.1
	EOF
	ip -n cl2 -b - <<-EOF
	addr add 10.0.1.2/24 dev eth0
	link set lo up
	link set eth0 up
	route add default via 10.0.1.1
	EOF
	ip -n srv -b - <<-EOF
	addr add 192.0.2.2/24 dev eth0
	link set lo up
	link set eth0 up
	EOF
	S nft -f - <<-EOF
	table ip watch {
		counter leak { }
		counter xlat { }
		counter td { }
		counter sin { }
		counter sout { }
		chain in {
			type filter hook prerouting priority -500;
			ip saddr 10.0.0.0/8 counter name leak
			ip saddr 192.0.2.1 counter name xlat
		}
		chain out {
			type filter hook output priority -500;
		}
	}
	EOF
	if [ "$1" = stock ] || [ "$1" = both ]; then
		R nft -f - <<-EOF
		table ip nat {
			chain post {
				type nat hook postrouting priority srcnat;
				oifname "wan0" masquerade
			}
		}
		EOF
	fi
	if [ "$1" = lnat ] || [ "$1" = both ]; then
		R sysctl -qw net.ipv4.ip_forward=1 net.loosenat.interfaces=wan0
	else
		R sysctl -qw net.ipv4.ip_forward=1
	fi
	# Neighbours resolved up front, so no first packet waits on ARP.
	C1 busybox ping -c1 -W2 10.0.0.1 >/dev/null &
	pings=$!
	C2 busybox ping -c1 -W2 10.0.1.1 >/dev/null &
	pings="$pings $!"
	R busybox ping -c1 -W2 192.0.2.2 >/dev/null &
	wait $pings $!
}

# A second uplink: the router's wan1 198.51.100.1 to far's eth0
# 198.51.100.2.
wan1_setup() {
	ip netns del far 2> /dev/null
	ip netns add far
	ip link add wan1 netns router type veth peer name eth0 netns far
	R ip addr add 198.51.100.1/24 dev wan1
	R ip link set wan1 up
	ip -n far addr add 198.51.100.2/24 dev eth0
	ip -n far link set eth0 up
}

counter() {
	S nft list counter ip watch "$1" | awk '/packets/ { print $2 }'
}

# stat FIELD [NS]: a /proc/net/stat/loosenat column of NS (router) summed
# over CPUs.
stat() {
	local hdr line i sum=0

	{
		read -r -a hdr
		while read -r -a line; do
			for i in "${!hdr[@]}"; do
				[ "${hdr[$i]}" = "$1" ] && sum=$((sum + 16#${line[$i]}))
			done
		done
	} < <(ip netns exec "${2:-router}" cat /proc/net/stat/loosenat)
	echo "$sum"
}

# stat1 FIELD: a /proc/net/stat/loosenat column that is the same on every
# row (the netns-wide ones, such as gc_slice_us).
stat1() {
	local hdr line i

	{
		read -r -a hdr
		read -r -a line
		for i in "${!hdr[@]}"; do
			[ "${hdr[$i]}" = "$1" ] && echo $((16#${line[$i]}))
		done
	} < <(R cat /proc/net/stat/loosenat)
}

# snmp NS COUNTER: an nstat counter of NS's stack (IcmpOutDestUnreachs...).
snmp() {
	ip netns exec "$1" nstat -asz "$2" | awk -v c="$2" '$1 == c { print $2 }'
}
icmp_unreach() { snmp "$1" IcmpOutDestUnreachs; }

count() {
	R sysctl -n net.loosenat.count
}

eq() { [ "$1" = "$2" ]; }
ge() { [ "$1" -ge "$2" ]; }
# For busywait, which must re-read the value on every try.
count_is() { [ "$(count)" = "$1" ]; }
counter_ge() { [ "$(counter "$1")" -ge "$2" ]; }
seen_ge() { [ $(( $(counter leak) + $(counter xlat) )) -ge "$1" ]; }
listening() { S ss -ltnH 'sport = :80' | grep -q LISTEN; }

