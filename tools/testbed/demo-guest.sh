#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo, inside the VM: one TCP connection loses its NAT state, then the
# client closes it. Once through stock nftables masquerade, once through
# loosenat; what the server receives is shown side by side.
#
# usage: demo-guest.sh PATH/TO/loosenat.ko
set -u
ko=$1
. "$(dirname "$0")/lib.sh"

declare -A seen leaked sock port

run() {
	local mode=$1

	setup "$mode"
	rm -f "$tmp/state" "$tmp/go" "$tmp/port"
	bg S python3 "$tcpc" server 192.0.2.2 80 "$tmp/state" hold
	busywait 20 listening
	bg C1 python3 "$tcpc" client 192.0.2.2 80 "$tmp/go" fin > "$tmp/port"
	busywait 30 test -s "$tmp/port"
	port[$mode]=$(cat "$tmp/port")
	S nft add rule ip watch in tcp dport 80 tcp flags \& fin != 0 \
		log prefix \"lnat-demo-$mode \"
	if [ "$mode" = stock ]; then
		R conntrack -F 2>/dev/null
	else
		R sysctl -qw net.loosenat.flush=1
	fi
	touch "$tmp/go"
	busywait 10 grep -q '^fin$' "$tmp/state"
	sleep 2
	seen[$mode]=$(dmesg | sed -n "s/.*lnat-demo-$mode .*SRC=\([0-9.]*\) .*SPT=\([0-9]*\) .*/\1:\2/p" | head -1)
	leaked[$mode]=$(counter leak)
	sock[$mode]=$(S ss -tnH 'sport = :80' | awk '$1 != "LISTEN" { print $1; exit }')
	if [ "$mode" = lnat ]; then
		echo "  /proc/net/loosenat in the router, after the teardown:"
		R cat /proc/net/loosenat | sed 's/^/    /'
		echo "  /proc/net/stat/loosenat:"
		R cat /proc/net/stat/loosenat | sed 's/^/    /'
	fi
	stop_bg
}

load
# Let the server namespace log the FINs it receives.
sysctl -qw net.netfilter.nf_log_all_netns=1
echo "A client (10.0.0.2) talks to a server (192.0.2.2) through a masquerading"
echo "router (192.0.2.1). The router's NAT state is flushed, then the client"
echo "closes the connection with a FIN."
echo
run stock
run lnat
echo
printf '  %-34s %-24s %s\n' "" "stock masquerade" "loosenat"
printf '  %-34s %-24s %s\n' "client port" "${port[stock]}" "${port[lnat]}"
printf '  %-34s %-24s %s\n' "the server got the FIN from" "${seen[stock]:-nothing}" "${seen[lnat]:-nothing}"
printf '  %-34s %-24s %s\n' "packets with a private source" "${leaked[stock]}" "${leaked[lnat]}"
printf '  %-34s %-24s %s\n' "server's socket afterwards" "${sock[stock]:-closed}" "${sock[lnat]:-closed}"
echo
echo "Stock masquerade forwards the FIN with the private source address: the"
echo "server drops it and its socket lingers in ESTAB. loosenat creates a new"
echo "mapping for the FIN on the same external port, so the server closes."
