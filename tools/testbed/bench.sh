#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench, inside the VM (Debian's stock kernel, 2 vCPUs): the same
# traffic through four routers, in one run, REPS times each:
#   plain   forwarding only, no NAT, no conntrack, loosenat not loaded
#   stock   nftables masquerade with nf_conntrack, loosenat not loaded
#   lnat    loosenat alone
#   lnatct  loosenat beside a conntrack-based stateful firewall
# Forwarding rate (UDP from one and two vCPUs, TCP with iperf3), setup rate
# (a SYN stream, short connections), slab memory per flow; then loosenat's
# forwarding rate against table size (and conntrack's) and a mass expiry of
# 1M mappings, with cyclictest's scheduling latency beside each. "scale"
# runs only those.
# Results: "# bench: CONFIG METRIC VALUE" lines, one per measurement; the
# host takes medians and spreads.
#
# usage: bench.sh PATH/TO/loosenat.ko REPS [cost|profile|all|scale]
set -u
ko=$1
reps=${2:-5}
parts=${3:-all}
. "$(dirname "$0")/lib.sh"
flood=$here/lnat-flood
SECS=3
BUCKETS=262144

emit() { echo "# bench: $*"; }
mac() { ip -n "$1" link show "$2" | awk '/link\/ether/ { print $2 }'; }
rx() { S cat /sys/class/net/eth0/statistics/rx_packets; }
slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }

# Until slab memory holds still: the previous configuration's namespaces
# (and their tables) are freed in the background.
slab_settle() {
	local a b i

	b=$(slab_kb)
	for ((i = 0; i < 30; i++)); do
		sleep 1
		a=$b
		b=$(slab_kb)
		[ $((a - b)) -lt 256 ] && [ $((b - a)) -lt 256 ] && return
	done
}

# Same table sizes for both: conntrack's buckets and limit as loosenat's.
modprobe nf_conntrack
sysctl -qw net.netfilter.nf_conntrack_buckets=$BUCKETS \
	net.netfilter.nf_conntrack_max=$((4 * BUCKETS))
load_lnat() { load hashsize=$BUCKETS; }

setup_cfg() {
	case "$1" in
	plain)
		setup plain
		S ip route add 10.0.0.0/8 via 192.0.2.1
		;;
	stock)
		setup stock
		;;
	lnat)
		setup lnat
		;;
	lnatct)
		setup lnat
		R nft -f - <<-EOF
		table ip fw {
			chain forward {
				type filter hook forward priority filter;
				ct state established,related accept
				ct state invalid counter accept
				counter accept
			}
		}
		EOF
		;;
	esac
	# The load's ports answer nothing: no reply traffic to skew the rate.
	S nft add rule ip watch in udp dport 9 drop
	S nft add rule ip watch in tcp dport 7-999 drop
}

# udp_pps CONFIG NAME SENDERS FLOWS: small UDP packets from cl1 (and cl2 on
# the other vCPU), packets/s that reached the server.
udp_pps() {
	local r0 usec out p=()

	r0=$(rx)
	C1 taskset -c 0 "$flood" stream eth0 "$(mac router lan0)" 10.0.0.2 \
		192.0.2.2 udp "$4" $SECS > "$tmp/s1" &
	p+=($!)
	if [ "$3" = 2 ]; then
		C2 taskset -c 1 "$flood" stream eth0 "$(mac router lan1)" 10.0.1.2 \
			192.0.2.2 udp "$4" $SECS > "$tmp/s2" &
		p+=($!)
	fi
	wait "${p[@]}"
	read -r _ _ _ usec < "$tmp/s1"
	out=$(( ($(rx) - r0) * 1000000 / usec ))
	emit "$1" "$2" "$out"
}

# tcp_mbps CONFIG NAME STREAMS: iperf3 from cl1 to srv.
tcp_mbps() {
	local bps

	bps=$(C1 timeout 30 iperf3 -c 192.0.2.2 -t $SECS -P "$3" -J 2>/dev/null |
		python3 -c 'import json, sys
print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))' 2>/dev/null)
	emit "$1" "$2" "$(( ${bps:-0} / 1000000 ))"
}

# A SYN stream, every packet a new flow: mappings made per second, and the
# slab memory they hold (kernel-wide, so the VM does nothing else).
syn_rate() {
	local r0 kb0 made usec n=100000

	slab_settle
	r0=$(rx)
	kb0=$(slab_kb)
	read -r _ _ _ usec _ < <(C1 "$flood" flows eth0 "$(mac router lan0)" \
		10.0.0.2 192.0.2.2 tcp S $n 7)
	made=$(( $(rx) - r0 ))
	emit "$1" new_per_sec "$(( made * 1000000 / usec ))"
	[ "$1" = plain ] && return
	emit "$1" slab_bytes_per_flow "$(( ($(slab_kb) - kb0) * 1024 / n ))"
}

# Short TCP connections (connect, accept, close with RST), each through a
# new mapping: connections/s, the kernel's whole socket path included.
conn_rate() {
	local n usec

	read -r _ n _ usec _ < <(C1 "$here/lnat-conn" client 192.0.2.2 5001 $SECS)
	emit "$1" conns_per_sec "$(( n * 1000000 / usec ))"
}

config() {
	local c=$1

	setup_cfg "$c"
	# The previous configuration's 100000 flows are torn down in the
	# background: not while this one is measured.
	slab_settle
	bg S iperf3 -s > /dev/null
	bg S "$here/lnat-conn" server 192.0.2.2 5001
	busywait 20 sh -c "ip netns exec srv ss -ltnH 'sport = :5201' | grep -q ."
	busywait 20 sh -c "ip netns exec srv ss -ltnH 'sport = :5001' | grep -q ."
	udp_pps "$c" udp_pps_1flow 1 1
	udp_pps "$c" udp_pps_2cpu 2 16
	tcp_mbps "$c" tcp_mbps_1 1
	tcp_mbps "$c" tcp_mbps_4 4
	syn_rate "$c"
	conn_rate "$c"
	stop_bg
}

# Forwarding rate with the table pre-populated: SYNs from many sources
# (unanswered, long timeout), then the same UDP stream; loosenat's table,
# or conntrack's (stock) for comparison.
scale() {
	local c=$1 size have=0 i dport=7

	setup_cfg "$c"
	# The previous table is freed in the background.
	slab_settle
	if [ "$c" = lnat ]; then
		sysctl -qw net.loosenat.max_entries_total=$((4 * BUCKETS))
		R sysctl -qw net.loosenat.tcp_timeout_syn_sent=3600 \
			net.loosenat.max_entries=$((4 * BUCKETS))
	else
		R sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_syn_sent=3600
	fi
	# The floor: the probe with an empty table.
	cyclic "$tmp/lat" 30
	emit "$c" latency_max_us_empty "$(latency "$tmp/lat")"
	for size in 1000 100000 1000000; do
		# A destination port range of its own for each step: all new.
		C1 "$flood" flows eth0 "$(mac router lan0)" 10.0.0.2 192.0.2.2 tcp \
			S $((size - have)) $dport > /dev/null
		have=$size
		dport=$((dport + 100))
		emit "$c" table_entries_$size "$(entries "$c")"
		for ((i = 0; i < reps; i++)); do
			udp_pps "$c" "udp_pps_at_$size" 1 1
		done
	done
	[ "$c" = stock ] || return 0
	# conntrack's own collector with its 1M entries live.
	cyclic "$tmp/lat" 30
	emit stock latency_max_us_live_1M "$(latency "$tmp/lat")"
}

entries() {
	if [ "$1" = lnat ]; then
		count
	else
		R cat /proc/sys/net/netfilter/nf_conntrack_count
	fi
}

# cyclictest LOG SECONDS: a SCHED_FIFO thread on each vCPU wakes every
# millisecond for SECONDS (or until SIGINT) and records how late it ran:
# any stretch the kernel held a CPU without a preemption point (under the
# stock kernel's voluntary preemption) or in softirq shows as its lateness.
cyclic() {
	cyclictest -q -m -p 95 -i 1000 -d 0 -t 2 -a 0,1 -D "$2" > "$1" 2>&1
}
# The longest lateness of any thread, in us.
latency() {
	awk '/^T:/ { for (i = 1; i < NF; i++) if ($i == "Max:" && $(i + 1) > m)
		m = $(i + 1) } END { print m + 0 }' "$1"
}

# Mass expiry of loosenat's 1M mappings, all at once: the time to reclaim
# them and cyclictest's longest lateness meanwhile, beside the same probe
# with the 1M mappings live (the collector sweeping, nothing to reclaim).
# The expiry is traced, to tell who held a CPU when the probe was late:
# the collector's runs, softirqs by kind, interrupts (stalls.py).
expiry() {
	local t0 p

	cyclic "$tmp/lat0" 30
	emit lnat latency_max_us_live_1M "$(latency "$tmp/lat0")"
	# Not cyclic(): $! must be cyclictest's own PID, for its SIGINT summary.
	cyclictest -q -m -p 95 -i 1000 -d 0 -t 2 -a 0,1 -D 900 \
		> "$tmp/lat1" 2>&1 &
	p=$!
	t0=$SECONDS
	perf record -q -a -o "$tmp/expiry.data" \
		-e irq:softirq_entry -e irq:softirq_exit \
		-e irq:irq_handler_entry -e irq:irq_handler_exit \
		-e sched:sched_switch -e sched:sched_wakeup \
		-e workqueue:workqueue_execute_start \
		-e workqueue:workqueue_execute_end -- sh -c "
		ip netns exec router sysctl -qw net.loosenat.tcp_timeout_syn_sent=1
		for i in \$(seq 3000); do
			[ \$(ip netns exec router sysctl -n net.loosenat.count) = 0 ] &&
				exit 0
			sleep 0.2
		done" > /dev/null 2>&1
	emit lnat expiry_seconds_1M "$((SECONDS - t0))"
	kill -INT "$p"
	wait "$p"
	emit lnat latency_max_us_expiry_1M "$(latency "$tmp/lat1")"
	emit lnat gc_slice_max_us "$(stat1 gc_slice_us)"
	perf script -i "$tmp/expiry.data" -F comm,tid,cpu,time,event,trace \
		2> /dev/null | "$here/stalls.py" lnat_gc_work cyclictest
	rm -f "$tmp/expiry.data"
}

# Where the CPU goes, per configuration: a system-wide cpu-clock profile
# (TCG has no PMU) of the two-vCPU UDP stream and of the SYN stream, as
# "# profile: CONFIG LOAD" lines of perf's top symbols. Each load is perf's
# own command, which perf starts once it records: under TCG perf takes
# seconds to start, longer than a load. cl2's stream, started beside it,
# runs until cl1's is done.
profile() {
	local c=$1 load p

	setup_cfg "$c"
	for load in udp syn; do
		if [ $load = udp ]; then
			# Not C2: $! must be the sender's PID, not a subshell's.
			ip netns exec cl2 taskset -c 1 "$flood" stream eth0 \
				"$(mac router lan1)" 10.0.1.2 192.0.2.2 udp 16 60 \
				> /dev/null &
			p=$!
			set -- taskset -c 0 "$flood" stream eth0 "$(mac router lan0)" \
				10.0.0.2 192.0.2.2 udp 1 $SECS
		else
			p=
			set -- "$flood" flows eth0 "$(mac router lan0)" 10.0.0.2 \
				192.0.2.2 tcp S 100000 7
		fi
		perf record -q -e cpu-clock -a -o "$tmp/perf.data" \
			ip netns exec cl1 "$@" > /dev/null 2>&1
		[ -n "$p" ] && { kill "$p"; wait "$p"; }
		perf report -i "$tmp/perf.data" --stdio --no-children --sort sym \
			-q 2> /dev/null | grep -v '^$' | head -25 |
			sed "s/^/# profile: $c $load /"
	done
}

# Cost mode (issue 15): under qemu's -icount shift=0 the guest's clock
# counts instructions, one nanosecond each, so packets per guest second is
# the inverse of the instructions the whole path spends per packet,
# whatever the host does meanwhile. Each rep sets up every configuration
# afresh, in turn; each stream reports "# cost: CONFIG STREAM PPS SENT
# LOST" (LOST: sent but not counted at the server).
#
# A stream's time is what the threads doing its work ran, not the time it
# took: the sender's (pktgen's kernel thread, or lnat-flood; the packet's
# softirq work runs in its context) and ksoftirqd's (softirq work left to
# it). Not counted: the collectors, loosenat's and conntrack's, which sweep
# in a kworker once a second to once a minute, a cost per second that
# landed in a stream or not by its phase (1 to 1.5 % of one). tcp_conns
# counts its client's, its server's and ksoftirqd's.

# pktgen_set COUNT SRC SPORT_MIN SPORT_MAX DPORT_MIN DPORT_MAX: COUNT
# 64-byte UDP frames from cl1's eth0 to the server, to be made by the
# kernel's pktgen (no socket, no syscall per packet). Source and
# destination port each step by one per packet, wrapping in [MIN, MAX):
# with coprime range sizes every packet of a cycle is a new flow.
pktgen_set() {
	C1 sh -s "$(mac router lan0)" "$@" <<-'EOF'
	pg=/proc/net/pktgen
	echo rem_device_all > $pg/kpktgend_0
	echo "add_device eth0" > $pg/kpktgend_0
	for s in "count $2" "clone_skb 0" "pkt_size 60" "delay 0" \
		"dst 192.0.2.2" "dst_mac $1" "src_min $3" "src_max $3" \
		"udp_src_min $4" "udp_src_max $5" "udp_dst_min $6" \
		"udp_dst_max $7"; do
		echo "$s" > $pg/eth0
	done
	EOF
}
# Sends them; returns when they are sent.
pktgen_go() {
	C1 sh -c 'echo start > /proc/net/pktgen/pgctrl'
}
# runtime PID...: what the threads ran so far, in ns (instructions).
runtime() {
	local p r t=0

	for p in "$@"; do
		read -r r _ < "/proc/$p/schedstat"
		t=$((t + r))
	done
	echo $t
}

# pktgen ARGS: pktgen_set's, then sends them. Prints "COUNT NSEC": what
# pktgen's threads (one per netns; the others only wake ten times a second)
# and ksoftirqd ran meanwhile.
pktgen() {
	local t0 threads

	pktgen_set "$@"
	threads="$(pgrep -x kpktgend_0) $ksoftirqd"
	# shellcheck disable=SC2086 # a list of PIDs
	t0=$(runtime $threads)
	pktgen_go
	# shellcheck disable=SC2086
	echo "$1 $(($(runtime $threads) - t0))"
}

emit_cost() { echo "# cost: $*"; }

# IP packets from the router that reached the server, translated or not.
seen() { echo $(($(counter leak) + $(counter xlat))); }

# What else the vCPU did: jiffies busy (user, nice, system), idle and in
# softirq, and the receive backlog's drops and squeezes (softirq work left
# for later), so far.
diag() {
	local d s

	awk '/^cpu / { print $2 + $3 + $4, $5, $8 }' /proc/stat
	read -r _ d s _ < /proc/net/softnet_stat
	echo $((16#$d)) $((16#$s))
}

# cost_run CONFIG STREAM CMD...: CMD prints "SENT NSEC". Also a line
# "# cost-diag: CONFIG STREAM BUSY IDLE SOFTIRQ DROPS SQUEEZES" of diag()'s
# differences over the stream, to tell an outlier's cause.
cost_run() {
	local r0 sent ns d0 d1 i

	read -r -d '' -a d0 < <(diag)
	r0=$(seen)
	read -r sent ns < <("${@:3}")
	read -r -d '' -a d1 < <(diag)
	emit_cost "$1" "$2" "$((sent * 1000000000 / ns))" "$sent" \
		"$((sent - ($(seen) - r0)))"
	for i in 0 1 2 3 4; do
		d1[i]=$((d1[i] - d0[i]))
	done
	echo "# cost-diag: $1 $2 ${d1[*]}"
}

# flood_flows ARGS: lnat-flood flows ARGS in cl1. Prints "SENT NSEC": what its
# sending loop and ksoftirqd ran meanwhile.
flood_flows() {
	local k0 sent ns

	k0=$(runtime "$ksoftirqd")
	read -r _ sent _ _ _ ns < <(C1 "$flood" flows eth0 "$(mac router lan0)" "$@")
	echo "$sent $((ns + $(runtime "$ksoftirqd") - k0))"
}

# tcp_flows FLAGS COUNT: lnat-flood's TCP frames from one address, each a new
# flow: a raw socket and a syscall per packet, the same in every
# configuration, so the difference between two is the path's own.
tcp_flows() {
	flood_flows 10.0.0.2 192.0.2.2 tcp "$1" "$2" 7
}

# icmp_flows SRC COUNT IDS: lnat-flood's echo requests from SRC, the
# identifier walking over IDS values (1: one flow, its sequence number
# walking).
icmp_flows() {
	flood_flows "$1" 192.0.2.2 icmp none "$2" 1 0 "$3"
}

# Each TCP stream starts with an empty table: one external address has
# 64511 ports, one per internal endpoint.
cost_flush() {
	case "$1" in
	lnat) R sysctl -qw net.loosenat.flush=1 ;;
	stock) R conntrack -F 2> /dev/null ;;
	lnatct) R sysctl -qw net.loosenat.flush=1; R conntrack -F 2> /dev/null ;;
	esac
	slab_settle
}

# Conntrack's buckets: a power of two at least the largest table's size
# where conntrack keeps state (loosenat's table grows to that), few where
# it keeps none: its collector walks every bucket now and then, and a
# million of them cost a stream it lands in over 1 %.
ct_buckets() {
	local n=1024

	case "$1" in
	stock | lnatct) while [ $n -lt "$COST_MAX" ]; do n=$((n * 2)); done ;;
	esac
	sysctl -qw net.netfilter.nf_conntrack_buckets=$n
}

# The neighbours on the path, pinned: a dynamic entry goes stale now and
# then (reachable_time, 15-45 s), and while it is stale or delayed every
# packet forwarded to it takes neigh_resolve_output(), about 90
# instructions more, until an ARP probe makes it reachable again.
pin_neighbours() {
	R ip neigh replace 192.0.2.2 lladdr "$(mac srv eth0)" dev wan0 nud permanent
	R ip neigh replace 10.0.0.2 lladdr "$(mac cl1 eth0)" dev lan0 nud permanent
	S ip neigh replace 192.0.2.1 lladdr "$(mac router wan0)" dev eth0 nud permanent
	C1 ip neigh replace 10.0.0.1 lladdr "$(mac router lan0)" dev eth0 nud permanent
}

cost() {
	local c=$1 n=$COST_N f conns ns t0

	ct_buckets "$c"
	setup_cfg "$c"
	pin_neighbours
	S nft add rule ip watch in ip protocol '{ udp, icmp }' drop
	[ "$c" = plain ] || R sysctl -qw \
		net.netfilter.nf_conntrack_udp_timeout=3600 \
		net.netfilter.nf_conntrack_tcp_timeout_syn_sent=3600 2> /dev/null
	case "$c" in
	lnat | lnatct)
		R sysctl -qw net.loosenat.udp_timeout=3600 \
			net.loosenat.tcp_timeout_syn_sent=3600 \
			net.loosenat.max_entries=$COST_LIMIT
		;;
	esac
	# A router's table has grown and its slabs hold pages: a first fill,
	# flushed, so the streams of new mappings measure the insert, not
	# loosenat's table growth (a fill's once) nor new slab pages.
	pktgen "$n" 10.0.0.7 1024 65535 9 9 > /dev/null
	cost_flush "$c"
	# The first packet makes the mapping; the rest find it.
	cost_run "$c" udp_found pktgen "$n" 10.0.0.2 4000 4000 9 9
	# A new source port per packet: a new binding and mapping each.
	cost_run "$c" udp_new pktgen "$n" 10.0.0.3 1024 65535 9 9
	for f in S A FA R; do
		cost_flush "$c"
		cost_run "$c" "tcp_new_$f" tcp_flows "$f" "$n"
	done
	# Pings: one identifier, then a new one per packet.
	cost_flush "$c"
	cost_run "$c" icmp_found icmp_flows 10.0.0.2 "$n" 1
	cost_run "$c" icmp_new icmp_flows 10.0.0.3 "$n" 64512
	# Found mappings among many: the flows made first, then the same ones
	# again (1 source port and 1000 destination ports; 2 and 50001; 16 and
	# 64511: 1032176).
	cost_run "$c" fill_1k pktgen 1000 10.0.0.4 2000 2000 1024 2024 > /dev/null
	cost_run "$c" udp_found_1k pktgen "$n" 10.0.0.4 2000 2000 1024 2024
	if [ "$COST_MAX" -ge 100000 ]; then
		cost_run "$c" fill pktgen 100002 10.0.0.5 3000 3002 1024 51025 > /dev/null
		cost_run "$c" udp_found_100k pktgen "$n" 10.0.0.5 3000 3002 1024 51025
	fi
	if [ "$COST_MAX" -ge 1000000 ]; then
		cost_run "$c" fill pktgen 1032176 10.0.0.6 4000 4016 1024 65535 > /dev/null
		cost_run "$c" udp_found_1m pktgen "$n" 10.0.0.6 4000 4016 1024 65535
	fi
	# Short TCP connections, each through a new mapping.
	bg S "$here/lnat-conn" server 192.0.2.2 5001
	busywait 20 sh -c "ip netns exec srv ss -ltnH 'sport = :5001' | grep -q ."
	# The client's run time, the server's and ksoftirqd's.
	t0=$(runtime "${pids[-1]}" "$ksoftirqd")
	read -r _ conns _ _ _ _ _ ns < <(C1 "$here/lnat-conn" client 192.0.2.2 5001 1)
	ns=$((ns + $(runtime "${pids[-1]}" "$ksoftirqd") - t0))
	emit_cost "$c" tcp_conns "$((conns * 1000000000 / ns))" "$conns" 0
	stop_bg
}

# Where the instructions go: a system-wide cpu-clock profile, which under
# icount samples by instructions, of the found and new UDP streams, as
# "# profile: CONFIG STREAM" lines of perf's top symbols.
cost_profile() {
	local c s

	for c in plain stock lnat; do
		case $c in
		lnat) load hashsize=1048576 || return ;;
		*) rmmod loosenat 2> /dev/null ;;
		esac
		ct_buckets "$c"
		setup_cfg "$c"
		pin_neighbours
		S nft add rule ip watch in ip protocol udp drop
		# As cost() does: grown, not growing.
		pktgen "$COST_N" 10.0.0.7 1024 65535 9 9 > /dev/null
		cost_flush "$c"
		for s in found new; do
			if [ $s = found ]; then
				pktgen_set "$COST_N" 10.0.0.2 4000 4000 9 9
			else
				pktgen_set "$COST_N" 10.0.0.3 1024 65535 9 9
			fi
			# The load is perf's own command, started once it
			# records (it takes seconds to start under TCG); a
			# sample every 20000 instructions.
			perf record -q -e cpu-clock -c 20000 -a -o "$tmp/perf.data" \
				-- ip netns exec cl1 sh -c \
				'echo start > /proc/net/pktgen/pgctrl' > /dev/null 2>&1
			perf report -i "$tmp/perf.data" --stdio --no-children --sort sym \
				-q 2> /dev/null | grep -v '^$' |
				awk 'NR <= 40 || /lnat_/' |
				sed "s/^/# profile: $c $s /"
		done
	done
}

echo "# bench: kernel $(uname -r) cpus $(nproc) reps $reps"
if [ "$parts" = cost ] || [ "$parts" = profile ]; then
	modprobe pktgen
	ksoftirqd=$(pgrep -x ksoftirqd/0)
	COST_N=${LNAT_COST_N:-50000}
	COST_MAX=${LNAT_COST_MAX:-100000}
	# Room for every stream's mappings, none evicted or refused.
	COST_LIMIT=4194304
	sysctl -qw net.netfilter.nf_conntrack_max=$COST_LIMIT
	# One receive backlog per CPU holds the router's and the server's
	# input. When a tick lands in a softirq run, 6.1 leaves the rest to
	# ksoftirqd, and until it runs pktgen overfilled the backlog's 1000
	# (a stream of 50000 lost 3657 to 57123): room for a whole stream.
	sysctl -qw net.core.netdev_max_backlog=$((2 * COST_N))
	# Once the receive work is left to ksoftirqd, 6.1 leaves it all there
	# while ksoftirqd runs, and the scheduler shares the vCPU between it
	# and the sender, which makes packets faster than they are forwarded:
	# a stream could stay so to its end, thousands queued, their memory
	# allocated and freed (two streams of 264 ran 10 % slow). Real-time,
	# ksoftirqd runs as soon as it is woken, until the work is done.
	chrt -f -p 1 "$ksoftirqd"
	# In the page cache before any stream: a page read from the 9p root
	# while a sender runs is a wait for the host, which icount counts.
	cat "$flood" "$here/lnat-conn" > /dev/null
	# "profile": the profiles alone, a few minutes.
	[ "$parts" = profile ] || for ((rep = 0; rep < reps; rep++)); do
		for c in plain stock lnat lnatct; do
			case $c in
			plain | stock) rmmod loosenat 2> /dev/null ;;
			lnat)
				load hashsize=1048576 || exit 1
				sysctl -qw net.loosenat.max_entries_total=$COST_LIMIT
				;;
			esac
			cost "$c"
		done
	done
	cost_profile
	rmmod loosenat 2> /dev/null
	cleanup
	trap - EXIT
	echo "# bench: done"
	exit 0
fi
if [ "$parts" = all ]; then
	for ((rep = 0; rep < reps; rep++)); do
		rmmod loosenat 2>/dev/null
		config plain
		config stock
		load_lnat || { echo "Bail out! cannot load $ko"; exit 1; }
		config lnat
		config lnatct
		emit lnat bytes_per_entry "$(cat /sys/kernel/slab/lnat_entry/slab_size)"
	done
	for c in plain stock lnat; do
		[ $c = lnat ] && { load_lnat || exit 1; }
		[ $c = lnat ] || rmmod loosenat 2> /dev/null
		profile $c
	done
fi
rmmod loosenat 2> /dev/null
scale stock
load_lnat || { echo "Bail out! cannot load $ko"; exit 1; }
scale lnat
expiry
cleanup
trap - EXIT
echo "# bench: done"
