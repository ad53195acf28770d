#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# loosenat under load, faults and hostile input, inside the test VM (the
# debug kernel: KASAN, lockdep, kmemleak, panic_on_warn). TAP on stdout, then
# a figures table ("# figure: NAME VALUE"). A kernel splat anywhere fails the
# run on the host, which scans the console.
#
# usage: stress.sh PATH/TO/loosenat.ko full|check
# "full" is make stress: 200k mappings offered 250k flows, each fault 50
# times, 2000 packets of each hostile kind (all 256 TCP flag sets at least),
# a spoofed flood at all 65535 ports twice. "check" is the same at the size
# make check can afford on the debug kernel.
set -u
ko=$1
size=${2:-check}
. "$(dirname "$0")/lib.sh"
flood=$here/lnat-flood
# Every flood here is paced, at least 0.5 ms after each packet (see
# test_load): enough to keep packets in flight at every fault.
export LNAT_FLOOD_GAP_US=500

if [ "$size" = full ]; then
	LOAD=200000 FAULTS=50 HOSTILE=2000 SPOOF=131070
else
	LOAD=20000 FAULTS=3 HOSTILE=64 SPOOF=4096
fi
declare -A fig
figure() {
	fig[$1]=$2
	echo "# figure: $1 $2"
}

mac() { ip -n "$1" link show "$2" | awk '/link\/ether/ { print $2 }'; }

# Traffic while faults are injected: new flows from cl1, a packet every
# 4.5 ms (on the debug kernel a faster stream takes the whole vCPU, and
# every fault round with it).
traffic() {
	bg C1 "$flood" flows eth0 "$(mac router lan0)" 10.0.0.2 192.0.2.2 tcp \
		S 0 7 4000 > /dev/null 2>&1
}
faults=0

# Server side: the flood's port answers nothing, so its mappings stay
# unanswered (evictable) and cl1 is never sent a reply it cannot take.
quiet_port() {
	S nft add rule ip watch in tcp dport 7-299 drop
}

test_load() {
	local offered=$((LOAD * 5 / 4)) ed0 x0 out t0 t1 secs usec sent

	setup lnat
	quiet_port
	# At a packet a millisecond the full load runs longer than the SYN
	# timeout (240 s): without a longer one, mappings would expire, not
	# be evicted.
	R sysctl -qw net.loosenat.max_entries="$LOAD" \
		net.loosenat.tcp_timeout_syn_sent=7200
	ed0=$(stat early_drop)
	x0=$(counter xlat)
	t0=$(date +%s%N)
	# Paced, a packet per ms in all: the sender runs each packet through the
	# router in its own syscall, so this leaves the debug kernel's vCPU
	# time to spare. Saturated, kmemleak's RCU callbacks (one per freed
	# object) outgrow what RCU's softirq invokes, and every synchronize_rcu
	# queued behind them (netns teardown) waits for minutes.
	# From 1000 internal endpoints to up to 250 server ports each: a
	# binding holds one of the WAN address's 64512 ports however many
	# mappings share it, so one flow per endpoint would stop at 64512.
	out=$(C1 "$flood" flows eth0 "$(mac router lan0)" 10.0.0.2 192.0.2.2 \
		tcp S "$offered" 7 500 1000)
	t1=$(date +%s%N)
	read -r _ sent _ usec _ <<< "$out"
	figure load_offered_flows "$sent"
	figure load_entries_held "$(count)"
	figure load_bindings "$(R cat /proc/net/loosenat_bindings | wc -l)"
	figure load_evictions "$(( $(stat early_drop) - ed0 ))"
	figure load_forwarded_pps "$(( ($(counter xlat) - x0) * 1000000000 / (t1 - t0) ))"
	figure load_drop_full "$(stat drop_full)"
	check "load: $LOAD entries held under $offered offered flows, oldest evicted" \
		test "$(count)" = "$LOAD" -a "$(stat early_drop)" -ge $((offered - LOAD)) \
		-a "$(counter xlat)" -ge "$offered" -a "$(counter leak)" = 0
	# Mass expiry: every mapping times out at once.
	t0=$SECONDS
	R sysctl -qw net.loosenat.tcp_timeout_syn_sent=1
	R sysctl -qw net.loosenat.tcp_timeout_loose=1
	busywait 600 count_is 0
	secs=$((SECONDS - t0))
	figure expiry_seconds "$secs"
	figure gc_slice_max_us "$(stat1 gc_slice_us)"
	check "load: all $LOAD mappings expire at once and are reclaimed" \
		count_is 0
}

test_spoof() {
	local cone wmac

	setup lnat
	for cone in 0 1; do
		R sysctl -qw net.loosenat.udp_full_cone=$cone
		wmac=$(mac router wan0)
		S "$flood" spoof eth0 "$wmac" 192.0.2.1 "$SPOOF" 7 > /dev/null
		check "spoofed flood from outside to every port (full cone $cone) creates no mapping" \
			count_is 0
	done
	figure spoofed_packets "$((2 * SPOOF))"
}

# Mappings created so far, once that number has held still for two seconds
# (a loaded debug kernel may still be working through a sender's packets).
new_settled() {
	local a b

	b=$(stat new)
	for _ in $(seq 30); do
		sleep 2
		a=$b
		b=$(stat new)
		[ "$a" = "$b" ] && break
	done
	echo "$b"
}

# Each kind $HOSTILE times from each side; ICMP errors are about a live UDP
# mapping (cl1 5353 <-> srv 53), so they reach the translation code.
hostile_run() {
	local mode=$1 out

	setup "$mode"
	bg S python3 "$tcpc" udp-server 192.0.2.2 53 "$tmp/ustate"
	busywait 30 sh -c "ip netns exec srv ss -ulnH 'sport = :53' | grep -q ."
	C1 python3 "$tcpc" udp-client 192.0.2.2 53 5353 0 > /dev/null
	inv0=$(stat invalid)
	drop0=$(stat icmp_drop)
	out=$(C1 "$flood" hostile eth0 "$(mac router lan0)" 10.0.0.2 192.0.2.2 \
		5353 53 "$HOSTILE" 1)
	[ "$mode" = lnat ] || return
	printf '%s\n' "$out" > "$tmp/kinds"
	new_in=$(new_settled)
	echo "# mappings after the inside's input: $(count), $new_in created"
	S "$flood" hostile eth0 "$(mac router wan0)" 192.0.2.2 192.0.2.1 \
		53 5353 "$HOSTILE" 2 > /dev/null
	new_out=$(new_settled)
	echo "# mappings after the outside's input: $(count), $new_out created"
}

test_hostile() {
	local inv drop kinds

	hostile_run lnat
	inv=$(( $(stat invalid) - inv0 ))
	drop=$(( $(stat icmp_drop) - drop0 ))
	kinds=$(wc -l < "$tmp/kinds")
	figure hostile_kinds "$kinds"
	figure hostile_packets "$((2 * $(awk '{ s += $2 } END { print s }' "$tmp/kinds")))"
	figure hostile_invalid "$inv"
	figure hostile_icmp_drop "$drop"
	figure hostile_leaked "$(counter leak)"
	# From inside, 4 kinds are malformed transport headers (invalid) and 4
	# are malformed or unmapped ICMP errors (icmp_drop), each $HOSTILE times.
	check "hostile input from both sides: malformed packets dropped and counted, none leaked" \
		test "$kinds" = 16 -a "$inv" -ge $((4 * HOSTILE)) \
		-a "$drop" -ge $((4 * HOSTILE)) -a "$(counter leak)" = 0
	check "hostile input from outside creates no mapping" \
		eq "$new_out" "$new_in"
	hostile_run stock
	sleep 1
	check "control: stock masquerade leaks the same hostile input" \
		test "$(counter leak)" -ge 1
}

# An operator's guard: private sources never leave while loosenat is out
# (unloaded, or off in the netns).
guard() {
	R nft add table ip guard
	R nft add chain ip guard post '{ type filter hook postrouting priority 300; }'
	R nft add rule ip guard post oifname wan0 ip saddr 10.0.0.0/8 drop
}

test_fault_rmmod() {
	local i okc=0

	setup lnat
	quiet_port
	guard
	traffic
	for i in $(seq "$FAULTS"); do
		rmmod loosenat && load &&
			R sysctl -qw net.loosenat.interfaces=wan0 && okc=$((okc + 1))
	done
	stop_bg
	faults=$((faults + okc))
	check "fault: rmmod and insmod $FAULTS times under traffic" \
		test "$okc" = "$FAULTS" -a "$(counter leak)" = 0
}

test_fault_netns() {
	local i okc=0 pid

	setup lnat
	quiet_port
	traffic
	for i in $(seq "$FAULTS"); do
		# A netns with its own masqueraded veth and traffic through it,
		# deleted while the traffic still runs.
		ip netns add churn || continue
		ip -n churn -b - <<-EOF
		link add w0 type veth peer name w1
		link set w0 up
		link set w1 up
		addr add 192.0.2.1/24 dev w0
		neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev w0
		EOF
		ip netns exec churn sysctl -qw net.loosenat.interfaces=w0
		ip netns exec churn "$pkt" -f S -g 1000 -n 1000000 -i 10.9.0.2 192.0.2.9 \
			1024 80 2>/dev/null &
		pid=$!
		sleep 0.2
		ip netns del churn && okc=$((okc + 1))
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	stop_bg
	faults=$((faults + okc))
	check "fault: netns created and deleted $FAULTS times under traffic" \
		test "$okc" = "$FAULTS" -a "$(counter leak)" = 0
}

# Runs in the router's netns as one shell. Prints the rounds after which no
# mapping of the old address was left, and the address wan0 ends with.
device_rounds() {
	local i t a=192.0.2.1 old okc=0

	for ((i = 0; i < $1; i++)); do
		ip link set wan0 down
		ip link set wan0 up
		# DHCP-style renumbering between two addresses.
		old=$a
		[ "$a" = 192.0.2.1 ] && a=192.0.2.10 || a=192.0.2.1
		ip addr flush dev wan0
		ip addr add "$a/24" dev wan0
		for ((t = 0; t < 50; t++)); do
			grep -q "dst=$old sport" /proc/net/loosenat || break
			sleep 0.2
		done
		[ "$t" -lt 50 ] && okc=$((okc + 1))
	done
	echo "$okc $a"
}

test_fault_device() {
	local okc a

	setup lnat
	quiet_port
	traffic
	read -r okc a < <(R bash -c "$(declare -f device_rounds); device_rounds $FAULTS")
	faults=$((faults + okc))
	C1 "$pkt" -f S 10.0.0.2 192.0.2.2 45000 80
	check "fault: wan0 down/up and renumbered $FAULTS times under traffic; old mappings go, new ones use the new address" \
		test "$okc" = "$FAULTS" -a "$(counter leak)" = 0 -a \
		"$(mapped 45000 192.0.2.2 "$a")" = 1
	stop_bg
}

test_fault_flush() {
	local i okc=0 r

	setup lnat
	quiet_port
	traffic
	for r in 1 2 3 4; do
		bg R sh -c 'while :; do cat /proc/net/loosenat > /dev/null; done'
	done
	for i in $(seq "$FAULTS"); do
		R sysctl -qw net.loosenat.flush=1 && okc=$((okc + 1))
		sleep 0.1
	done
	stop_bg
	faults=$((faults + okc))
	check "fault: flush $FAULTS times while 4 readers read /proc/net/loosenat under traffic" \
		test "$okc" = "$FAULTS" -a "$(counter leak)" = 0
}

# interfaces emptied (loosenat off: table, collector and hooks released)
# and set again, while readers read every /proc file and traffic flows; the
# operator's guard drops what leaves untranslated while it is off.
test_fault_toggle() {
	local i okc=0 r

	setup lnat
	quiet_port
	guard
	traffic
	for r in loosenat loosenat_bindings stat/loosenat; do
		bg R sh -c "while :; do cat /proc/net/$r > /dev/null; done"
	done
	for i in $(seq "$FAULTS"); do
		R sysctl -qw net.loosenat.interfaces= &&
			R sysctl -qw net.loosenat.interfaces=wan0 && okc=$((okc + 1))
	done
	stop_bg
	faults=$((faults + okc))
	check "fault: loosenat disabled and enabled $FAULTS times while 3 readers read /proc under traffic" \
		test "$okc" = "$FAULTS" -a "$(counter leak)" = 0
}

# One flow, an ACK every 4.5 ms from cl1's port SPORT to DST port 80.
stream() {
	bg C1 "$pkt" -f A -g 4500 -n 1000000 10.0.0.2 "$1" "$2" 80
}

# maps SPORT DST ADDR: the mappings of cl1's SPORT to DST's port 80 made
# with ADDR, a line each. Read under traffic, the table may grow during the
# walk, which then shows an entry twice (proc.c): a line is the tuples only.
maps() {
	R grep -o "sport=$1 dport=80 src=$2 dst=$3 sport=80 dport=[0-9]*" \
		/proc/net/loosenat | sort -u
}
mapped() { maps "$@" | grep -c .; }

# Runs in the router's netns as one shell: a PPPoE-style redial, the
# address gone while the route and the neighbour stay, then back.
readdress_rounds() {
	local i okc=0

	for ((i = 0; i < $1; i++)); do
		ip addr flush dev wan0
		ip route add 192.0.2.0/24 dev wan0
		ip neigh replace 192.0.2.2 lladdr "$2" dev wan0 nud permanent
		sleep 0.2
		ip route del 192.0.2.0/24 dev wan0 &&
			ip addr add 192.0.2.1/24 dev wan0 && okc=$((okc + 1))
		sleep 0.2
	done
	echo "$okc"
}

test_fault_readdress() {
	local okc d0

	setup lnat
	quiet_port
	traffic
	stream 192.0.2.2 45005
	d0=$(stat drop_noaddr)
	read -r okc < <(R bash -c "$(declare -f readdress_rounds)
		readdress_rounds $FAULTS $(mac srv eth0)")
	sleep 0.5
	stop_bg
	faults=$((faults + okc))
	C1 "$pkt" -f S 10.0.0.2 192.0.2.2 45006 80
	check "fault: wan0's address flushed and added again $FAULTS times under traffic; without it nothing leaves, then mappings use it again" \
		test "$okc" = "$FAULTS" -a "$(counter leak)" = 0 -a \
		"$(stat drop_noaddr)" -gt "$d0" -a "$(mapped 45006 192.0.2.2 192.0.2.1)" = 1
}

# Runs in the router's netns as one shell: the route to 203.0.113.9 moves
# to the second uplink and back.
route_rounds() {
	local i okc=0

	for ((i = 0; i < $1; i++)); do
		ip route replace 203.0.113.9 via 198.51.100.2 dev wan1 &&
			sleep 0.2 &&
			ip route replace 203.0.113.9 via 192.0.2.2 dev wan0 &&
			okc=$((okc + 1))
		sleep 0.2
	done
	echo "$okc"
}

test_fault_route() {
	local okc

	setup lnat
	quiet_port
	# A second uplink, wan1 198.51.100.1, to far, which counts as srv does.
	wan1_setup
	ip netns exec far nft -f - <<-EOF
	table ip watch {
		counter leak { }
		counter xlat { }
		chain in {
			type filter hook prerouting priority -500;
			ip saddr 10.0.0.0/8 counter name leak
			ip saddr 198.51.100.1 counter name xlat
			tcp dport 7-299 drop
		}
	}
	EOF
	R sysctl -qw net.loosenat.interfaces="wan0 wan1"
	R ip route add 203.0.113.9 via 192.0.2.2 dev wan0
	traffic
	stream 203.0.113.9 45003
	read -r okc < <(R bash -c "$(declare -f route_rounds); route_rounds $FAULTS")
	sleep 0.5
	stop_bg
	faults=$((faults + okc))
	check "fault: a route moved between two uplinks and back $FAULTS times under traffic; the flow's mapping follows, with each uplink's address" \
		test "$okc" = "$FAULTS" -a "$(counter leak)" = 0 -a \
		"$(ip netns exec far nft list counter ip watch leak | awk '/packets/ { print $2 }')" = 0 -a \
		"$(ip netns exec far nft list counter ip watch xlat | awk '/packets/ { print $2 }')" -ge 1 -a \
		"$(mapped 45003 203.0.113.9 192.0.2.1)" = 1
	ip netns del far
}

# Runs in the router's netns as one shell: a VIP on wan0 comes and goes.
secondary_rounds() {
	local i okc=0

	for ((i = 0; i < $1; i++)); do
		ip addr add 192.0.2.50/24 dev wan0 && sleep 0.1 &&
			ip addr del 192.0.2.50/24 dev wan0 && okc=$((okc + 1))
		sleep 0.1
	done
	echo "$okc"
}

# The external port of cl1's SPORT towards srv.
ext_port() { maps "$1" 192.0.2.2 192.0.2.1 | sed 's/.*dport=//'; }
has_ext_port() { [ -n "$(ext_port "$1")" ]; }

test_fault_secondary() {
	local okc p0 p1

	setup lnat
	quiet_port
	traffic
	stream 192.0.2.2 45004
	busywait 10 has_ext_port 45004
	p0=$(ext_port 45004)
	read -r okc < <(R bash -c "$(declare -f secondary_rounds); secondary_rounds $FAULTS")
	p1=$(ext_port 45004)
	stop_bg
	faults=$((faults + okc))
	check "fault: a secondary address added to wan0 and removed $FAULTS times under traffic; the primary's mappings stay" \
		test "$okc" = "$FAULTS" -a "$(counter leak)" = 0 -a -n "$p0" -a "$p0" = "$p1"
}

# name "valid values" "invalid values": every sysctl, each written with a
# random valid and a random invalid value per round ("count" is read-only:
# no valid value).
SYSCTLS=(
	"interfaces|wan0;wan0 eth7;eth9,wan0;wan0 a b c d e f g|toolonginterface0;a/b;..;a b c d e f g h i"
	"port_range|1024 65535;40000 40100;60000 60000;1 65535|0 100;2000 1000;1 65536;-1 5;x"
	"max_entries|1;100;65536;1000000|0;-5;abc;99999999999"
	"count||0;1;100"
	"max_entries_total||1;100000"
	"udp_full_cone|0;1|2;-1;x"
	"tcp_filtering|endpoint-independent;address-dependent;address-and-port-dependent|full-cone;1;endpoint"
	"udp_filtering|endpoint-independent;address-dependent;address-and-port-dependent|full-cone;0;x"
	"tcp_unsolicited_syn|drop;port-unreachable|reject;1;x"
	"tcp_timeout_syn_sent|1;30;120|0;-1;1209601"
	"tcp_timeout_syn_recv|1;60|0;x"
	"tcp_timeout_established|1;60;7440;1209600|0;-1;1209601;x"
	"tcp_timeout_fin_wait|1;120|0;-2"
	"tcp_timeout_close_wait|1;60|0;1209601"
	"tcp_timeout_last_ack|1;30|0;z"
	"tcp_timeout_time_wait|1;120|0;-120"
	"tcp_timeout_close|1;10|0;99999999999"
	"tcp_timeout_loose|1;300;86400|0;-7;1209601;y"
	"udp_timeout|1;30;120|0;-1;1209601"
	"udp_timeout_stream|1;120;180|0;-1"
	"icmp_timeout|1;60;600|0;99999999"
	"generic_timeout|1;600|0;-600"
	"flush|1|0;2;-1"
)
# Sysctls with a valid value: the writes that must be accepted per round.
SYSCTLS_RW=$(printf '%s\n' "${SYSCTLS[@]}" | grep -vc '^[^|]*||')

# Runs in the router's netns as one shell: builtins only, no fork per write.
# Prints the writes that went as expected and those that did not.
sysctl_rounds() {
	local i s name good bad before after v f okc=0 errs=0 IFS

	RANDOM=42
	for ((i = 0; i < $1; i++)); do
		for s in "${SYSCTLS[@]}"; do
			IFS='|' read -r name good bad <<< "$s"
			f=/proc/sys/net/loosenat/$name
			IFS=';' read -r -a v <<< "$good"
			if [ ${#v[@]} = 0 ]; then
				:
			elif { echo "${v[RANDOM % ${#v[@]}]}" > "$f"; } 2> /dev/null; then
				okc=$((okc + 1))
			else
				errs=$((errs + 1))
			fi
			# flush reads nothing back; count moves with the traffic.
			before=
			[ "$name" = flush ] || [ "$name" = count ] || read -r before < "$f"
			IFS=';' read -r -a v <<< "$bad"
			if { echo "${v[RANDOM % ${#v[@]}]}" > "$f"; } 2> /dev/null; then
				errs=$((errs + 1))
			fi
			after=
			[ "$name" = flush ] || [ "$name" = count ] || read -r after < "$f"
			[ "$after" = "$before" ] || errs=$((errs + 1))
		done
	done
	echo "$okc $errs"
}

test_fault_sysctl() {
	local okc errs default

	setup lnat
	quiet_port
	traffic
	read -r okc errs < <(R bash -c "$(declare -p SYSCTLS; declare -f sysctl_rounds)
		sysctl_rounds $FAULTS")
	stop_bg
	faults=$((faults + FAULTS))
	figure sysctl_writes "$((2 * FAULTS * ${#SYSCTLS[@]}))"
	# Back to usable settings: a new SYN must still be translated.
	R sysctl -qw net.loosenat.interfaces=wan0 net.loosenat.port_range="1024 65535" \
		net.loosenat.max_entries=65536 net.loosenat.tcp_timeout_syn_sent=120
	C1 "$pkt" -f S 10.0.0.2 192.0.2.2 45001 80
	default=$(R grep -c 'sport=45001 dport=80 src=192.0.2.2 dst=192.0.2.1 ' /proc/net/loosenat)
	check "fault: every sysctl written $FAULTS times with random valid and invalid values under traffic" \
		test "$errs" = 0 -a "$okc" = $((FAULTS * SYSCTLS_RW)) -a "$default" = 1 \
		-a "$(counter leak)" = 0
}

# Files 0440 owned by the netns owner's root; writes need CAP_NET_ADMIN over
# the netns.
test_permissions() {
	local nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"

	setup lnat
	check "permissions: /proc files are 0440 root:root, sysctls 0644 root" \
		test "$(R stat -c '%a %U %G' /proc/net/loosenat /proc/net/stat/loosenat |
			sort -u)" = "440 root root" -a \
		"$(R stat -c '%a %U' /proc/sys/net/loosenat/udp_full_cone)" = "644 root"
	# The kernel refuses at open, with EACCES ("Permission denied").
	check "permissions: a non-root user can neither read the table nor write a sysctl (EACCES)" \
		sh -c "ip netns exec router $nobody cat /proc/net/loosenat 2>&1 |
			grep -q 'Permission denied' &&
		       ip netns exec router $nobody sh -c 'echo 1 > /proc/sys/net/loosenat/udp_full_cone' 2>&1 |
			grep -q 'Permission denied' &&
		       [ \$(ip netns exec router sysctl -n net.loosenat.udp_full_cone) = 0 ]"
	check "permissions: root of an unprivileged user namespace cannot write the router's sysctls (EACCES)" \
		sh -c "ip netns exec router $nobody unshare -U -r sh -c 'echo 1 > /proc/sys/net/loosenat/udp_full_cone' 2>&1 |
			grep -q 'Permission denied' &&
		       [ \$(ip netns exec router sysctl -n net.loosenat.udp_full_cone) = 0 ]"
	# The netns is made once the user namespace has its uid map, as a
	# container runtime does: files are owned by the uid 0 mapped then.
	check "permissions: in its own netns, a user namespace's root reads the table and tunes timeouts, but cannot raise max_entries" \
		$nobody unshare -U -r unshare -n sh -c "
			cat /proc/net/loosenat > /dev/null &&
			[ \"\$(stat -c '%a %U' /proc/net/loosenat)\" = '440 root' ] &&
			echo 30 > /proc/sys/net/loosenat/udp_timeout &&
			! { echo 9999999 > /proc/sys/net/loosenat/max_entries; } 2>/dev/null"
}

PLAN=21
[ -w /sys/kernel/debug/kmemleak ] && PLAN=$((PLAN + 1))
load || { echo "Bail out! cannot load $ko"; exit 1; }
echo "TAP version 13"
echo "1..$PLAN"
test_permissions
test_spoof
test_hostile
test_fault_rmmod
test_fault_netns
test_fault_device
test_fault_flush
test_fault_toggle
test_fault_readdress
test_fault_route
test_fault_secondary
test_fault_sysctl
test_load

cleanup
trap - EXIT
check "module unloads after the stress" rmmod loosenat
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	check "kmemleak reports nothing after the stress" \
		test -z "$(cat /sys/kernel/debug/kmemleak)"
fi
if [ "$n" != "$PLAN" ]; then
	echo "not ok - plan: $PLAN results expected, $n reported"
	failed=$((failed + 1))
fi
figure faults_survived "$faults"
figure failed_cases "$failed"
echo "# stress: $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
