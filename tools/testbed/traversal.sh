# SPDX-License-Identifier: GPL-2.0
# NAT traversal, sourced by netns.sh: endpoint-independent mapping and the
# three filtering behaviours as real clients see them (coturn's RFC 5780
# behaviour discovery for UDP; TCP endpoints that share a port the way
# hole-punching tools do), hairpinning, and an outside host that sweeps
# source ports at an open binding. srv gets a second address, 192.0.2.3,
# for RFC 5780's other address and for servers the client never talked to.
# Stock masquerade runs the same clients as a control: its mapping depends
# on the destination once a port is taken, it filters address and port
# dependently and does not hairpin, so each check is shown able to fail.

trav=$here/traverse.py

# tsetup MODE [TCP_FILTERING UDP_FILTERING]: the topology plus 192.0.2.3.
tsetup() {
	setup "$1"
	S ip addr add 192.0.2.3/24 dev eth0
	if [ "$1" = lnat ]; then
		R sysctl -qw net.loosenat.tcp_filtering="${2:-address-and-port-dependent}"
		R sysctl -qw net.loosenat.udp_filtering="${3:-address-and-port-dependent}"
	fi
}

turn_listening() { udp_listening srv 3479; }

# natdiscovery MODE FILTERING: coturn's behaviour discovery from cl1, whose
# port 5000 another client already uses towards the server's other address
# (the mapping test's second destination). Stock NAT reuses a source's
# mapping while it is unique (nf_nat's find_appropriate_src), so only a
# taken port shows that its mapping depends on the destination.
test_natdiscovery() {
	local mode=$1 filt=${2:-} name expect out

	tsetup "$mode" address-and-port-dependent "$filt"
	# Debian's /etc/turnserver.conf says no-rfc5780: an empty one instead.
	: > "$tmp/turn.conf"
	bg S turnserver -c "$tmp/turn.conf" -S -z --no-cli --no-tls --no-dtls \
		-L 192.0.2.2 -L 192.0.2.3 --log-file stdout > "$tmp/turn.log" 2>&1
	busywait 20 turn_listening
	C2 python3 "$tcpc" udp-send 10.0.1.2 5000 192.0.2.3 3478
	C1 timeout 60 turnutils_natdiscovery -m -L 10.0.0.2 -l 5000 192.0.2.2 \
		> "$tmp/nd.m" 2>&1
	C1 timeout 60 turnutils_natdiscovery -f -H 192.0.2.2 > "$tmp/nd.f" 2>&1
	sed 's/^/# natdiscovery: /' "$tmp/nd.m" "$tmp/nd.f" | grep -E '(NAT|hairpin)'
	name=${filt:-stock}
	rcheck "$mode" "natdiscovery ($name): RFC 5780 on in coturn" \
		sh -c "! grep -qi 'rfc5780 disabled' '$tmp/turn.log' && grep -q 'Other addr' '$tmp/nd.m'"
	if [ "$mode" = lnat ]; then
		rcheck "$mode" "natdiscovery ($name): endpoint-independent mapping" \
			grep -q "NAT with Endpoint Independent Mapping" "$tmp/nd.m"
		case $filt in
		endpoint-independent) expect="Endpoint Independent" ;;
		address-dependent) expect="Address Dependent" ;;
		*) expect="Address and Port Dependent" ;;
		esac
		rcheck "$mode" "natdiscovery ($name): $expect filtering" \
			grep -q "NAT with $expect Filtering" "$tmp/nd.f"
	else
		rcheck "$mode" "natdiscovery: mapping depends on the destination" \
			sh -c "! grep -q 'Endpoint Independent Mapping' '$tmp/nd.m'"
		rcheck "$mode" "natdiscovery: address and port dependent filtering" \
			grep -q "NAT with Address and Port Dependent Filtering" "$tmp/nd.f"
	fi
	# Hairpinning: the discovery's second socket reaches the first one's
	# external endpoint when filtering lets the router's own address in.
	if [ "$filt" = endpoint-independent ]; then
		rcheck "$mode" "natdiscovery ($name): hairpinning" \
			grep -q "successful hairpinning" "$tmp/nd.f"
	elif [ "$mode" = stock ]; then
		rcheck "$mode" "natdiscovery: no hairpinning" \
			sh -c "! grep -q 'successful hairpinning' '$tmp/nd.f'"
	fi
	stop_bg
}

# TCP: one inside port to four servers on two addresses gets one external
# port (RFC 5382 REQ-1), another client holding the inside port towards
# the last server (stock keeps the first mapping until it would collide);
# then an outside host the client never talked to
# connects to that external port: it reaches the client's listener with
# endpoint-independent filtering, no one otherwise (REQ-3).
test_tcp_eim() {
	local mode=$1 filt=${2:-} ports port name wait

	tsetup "$mode" "$filt"
	bg S python3 "$trav" reflect 192.0.2.2:80 192.0.2.2:81 192.0.2.3:80 \
		192.0.2.3:81
	busywait 20 listening
	C2 timeout 30 python3 "$trav" eim 5000 0 192.0.2.2:80 > /dev/null
	# The listener waits long enough for a slow (debug) kernel when the
	# dial is to succeed, briefly when no one is to accept.
	wait=15
	[ "$filt" = endpoint-independent ] && wait=45
	bg C1 timeout 90 python3 "$trav" eim 5000 "$wait" 192.0.2.3:80 \
		192.0.2.3:81 192.0.2.2:81 192.0.2.2:80 > "$tmp/eim"
	busywait 30 sh -c "[ \$(grep -c mapped '$tmp/eim') = 4 ]"
	sed 's/^/# /' "$tmp/eim"
	ports=$(awk '/mapped/ { print $3 }' "$tmp/eim" | sort -u)
	port=$(awk '/mapped/ { print $3; exit }' "$tmp/eim")
	name=${filt:-stock}
	if [ "$mode" = lnat ]; then
		rcheck "$mode" "TCP ($name): one inside port, four servers, one external port" \
			eq "$(echo "$ports" | wc -w) $(awk '/mapped/ { print $2 }' "$tmp/eim" | sort -u)" \
			"1 192.0.2.1"
	else
		rcheck "$mode" "TCP: the external port depends on the destination" \
			test "$(echo "$ports" | wc -w)" -gt 1
	fi
	S timeout 10 python3 "$trav" dial 192.0.2.3 192.0.2.1 "$port" > "$tmp/dial"
	# The dialler is 192.0.2.3, which the client did talk to: with
	# address-dependent filtering it would get in; that is natdiscovery's.
	busywait 60 grep -q accepted "$tmp/eim"
	sed 's/^/# /' "$tmp/dial"
	if [ "$filt" = endpoint-independent ]; then
		rcheck "$mode" "TCP ($name): an outside host reaches the inside listener" \
			eq "$(cat "$tmp/dial") $(awk '/accepted/ { print $2 }' "$tmp/eim")" \
			"connected 192.0.2.3"
	else
		rcheck "$mode" "TCP ($name): an outside host's SYN reaches no one" \
			grep -q "accepted none" "$tmp/eim"
	fi
	stop_bg
}

# Hairpinning (RFC 5382 REQ-8, RFC 4787 REQ-9a): cl1 connects to cl2's
# external endpoint and is seen there with its own external address.
test_hairpin() {
	local mode=$1 port

	tsetup "$mode" endpoint-independent endpoint-independent
	bg S python3 "$trav" reflect 192.0.2.2:80
	busywait 20 listening
	# Stock refuses at once; loosenat's listener gets the connection.
	bg C2 timeout 90 python3 "$trav" eim 6000 45 192.0.2.2:80 > "$tmp/eim"
	busywait 30 grep -q mapped "$tmp/eim"
	port=$(awk '/mapped/ { print $3; exit }' "$tmp/eim")
	C1 timeout 10 python3 "$trav" dial 10.0.0.2 192.0.2.1 "$port" > "$tmp/dial"
	[ "$mode" = lnat ] && busywait 60 grep -q accepted "$tmp/eim"
	sed 's/^/# /' "$tmp/eim" "$tmp/dial"
	if [ "$mode" = lnat ]; then
		rcheck "$mode" "TCP hairpinning: seen from the sender's external address" \
			eq "$(cat "$tmp/dial") $(awk '/accepted/ { print $2 }' "$tmp/eim")" \
			"connected 192.0.2.1"
		rcheck "$mode" "hairpinned packets are counted" ge "$(stat hairpin)" 2
	else
		# Stock needs a DNAT rule per port and an SNAT rule on the LAN.
		rcheck "$mode" "no TCP hairpinning: the router itself refuses" \
			grep -q "failed ConnectionRefusedError" "$tmp/dial"
	fi
	stop_bg
	hairpin_error "$mode"
}

# RFC 5508 REQ-7: cl2's port unreachable about a datagram cl1 hairpinned to
# cl2's binding reaches cl1's connected socket, from cl2, not from the
# router's stack (which answers in its place when the datagram stops there).
hairpin_error() {
	local mode=$1 port=6001 router cl2

	C2 python3 "$tcpc" udp-send 10.0.1.2 6001 192.0.2.2 53
	[ "$mode" = lnat ] && port=$(R cat /proc/net/loosenat | awk '
		/^udp/ && / src=10.0.1.2 / && / sport=6001 / {
			for (i = 1; i <= NF; i++) if ($i ~ /^dport=/) p = substr($i, 7)
			print p; exit }')
	router=$(icmp_unreach router) cl2=$(icmp_unreach cl2)
	C1 timeout 60 python3 "$tcpc" udp-refused 6002 192.0.2.1 "$port" > "$tmp/refused"
	echo "# udp-refused: $(cat "$tmp/refused"); unreachables sent by the router" \
		"$router -> $(icmp_unreach router), by cl2 $cl2 -> $(icmp_unreach cl2)"
	if [ "$mode" = lnat ]; then
		rcheck "$mode" "hairpinned ICMP error: cl2's port unreachable reaches cl1" \
			eq "$(cat "$tmp/refused") $(icmp_unreach router)" "refused $router"
	else
		rcheck "$mode" "no hairpinned ICMP error: the router's own stack refuses" \
			eq "$(cat "$tmp/refused") $(icmp_unreach cl2)" "refused $cl2"
	fi
}

# tcp_unsolicited_syn = port-unreachable (RFC 5382 REQ-4's SHOULD): an
# unsolicited SYN is answered by an ICMP port unreachable 6 s after it came,
# not sooner (the dialler's connect fails with ECONNREFUSED then); a SYN
# the inside answers with its own within 6 s (simultaneous open) gets none,
# nor do its retransmissions, and the connection opens.
unsolicited_unreach() {
	local before

	R sysctl -qw net.loosenat.tcp_unsolicited_syn=port-unreachable
	S timeout 30 python3 "$trav" dial 192.0.2.3 192.0.2.1 40000 20 > "$tmp/dial"
	sed 's/^/# /' "$tmp/dial"
	rcheck lnat "tcp_unsolicited_syn=port-unreachable: the SYN is refused by ICMP after 6 s" \
		awk '/^failed ConnectionRefusedError$/ { r = 1 }
			/^after / { s = $2 } END { exit !(r && s >= 6 && s < 15) }' "$tmp/dial"
	sleep 8
	before=$(icmp_unreach router)
	bg S timeout 30 python3 "$trav" dial 192.0.2.3 192.0.2.1 40002 20 5555 > "$tmp/sdial"
	sleep 2
	C1 timeout 30 python3 "$trav" dial 10.0.0.2 192.0.2.3 5555 20 40002 > "$tmp/cdial"
	busywait 30 grep -q after "$tmp/sdial"
	sleep 8
	sed 's/^/# srv: /' "$tmp/sdial"
	sed 's/^/# cl1: /' "$tmp/cdial"
	rcheck lnat "tcp_unsolicited_syn=port-unreachable: a simultaneous open drops the held SYN silently" \
		eq "$(head -1 "$tmp/sdial") $(head -1 "$tmp/cdial") $(icmp_unreach router)" \
		"connected connected $before"
}

# A port forward (DNAT rule) keeps its port when a binding holds the same
# one: with endpoint-independent filtering, an outside host's connection to
# it reaches the forward's target, not the binding's inside host (fw4
# orders its full-cone rule after port forwards for this reason).
test_forward_precedence() {
	local mode=$1

	tsetup "$mode" endpoint-independent endpoint-independent
	R nft -f - <<-EOF
	table ip pf {
		chain pre {
			type nat hook prerouting priority dstnat;
			iif wan0 tcp dport 7000 dnat to 10.0.1.2:8000
		}
	}
	EOF
	rm -f "$tmp/state"
	bg S python3 "$trav" reflect 192.0.2.2:80
	bg C2 python3 "$tcpc" server 10.0.1.2 8000 "$tmp/state" close
	busywait 20 listening
	busywait 20 sh -c "ip netns exec cl2 ss -ltnH 'sport = :8000' | grep -q LISTEN"
	bg C1 timeout 60 python3 "$trav" eim 7000 10 192.0.2.2:80 > "$tmp/eim"
	busywait 20 grep -q mapped "$tmp/eim"
	S timeout 10 python3 "$trav" dial 192.0.2.3 192.0.2.1 7000 > "$tmp/dial"
	busywait 20 grep -q accepted "$tmp/eim"
	sed 's/^/# /' "$tmp/eim" "$tmp/dial"
	rcheck "$mode" "a port forward keeps its port beside a binding on it" \
		eq "$(awk '/mapped/ { print $3 }' "$tmp/eim") $(cat "$tmp/dial") $(awk '/accepted/ { print $2 }' "$tmp/eim") $(awk '/peer/ { print $2; exit }' "$tmp/state" 2>/dev/null)" \
		"7000 connected none 192.0.2.3"
	stop_bg
}

# RFC 5382 REQ-4: an outside SYN to a port no binding holds is not
# answered (no RST from the router's stack), while the router's own
# listener in port_range still gets its SYN.
test_unsolicited_syn() {
	local mode=$1

	tsetup "$mode"
	bg R python3 "$tcpc" server 192.0.2.1 40001 "$tmp/state" close
	busywait 20 sh -c "ip netns exec router ss -ltnH 'sport = :40001' | grep -q LISTEN"
	S timeout 10 python3 "$trav" dial 192.0.2.3 192.0.2.1 40000 > "$tmp/dial"
	S timeout 10 python3 "$trav" dial 192.0.2.3 192.0.2.1 40001 >> "$tmp/dial"
	sed 's/^/# /' "$tmp/dial"
	if [ "$mode" = lnat ]; then
		# Each SYN and its retransmissions are dropped and counted.
		rcheck "$mode" "an unsolicited SYN gets no RST; the router's own listener still answers" \
			eq "$(tr '\n' ' ' < "$tmp/dial")$(($(stat drop_unsolicited) > 0))" \
			"failed TimeoutError connected 1"
		unsolicited_unreach
	else
		rcheck "$mode" "the router's stack answers an unsolicited SYN with a RST" \
			eq "$(tr '\n' ' ' < "$tmp/dial")" "failed ConnectionRefusedError connected "
	fi
	stop_bg
}

# A second site for hole punching: cl3 10.0.3.2 behind router2, whose WAN
# 203.0.113.2 reaches srv's eth2 203.0.113.1; srv routes between the two
# sites and runs the rendezvous server on 192.0.2.2:80.
punch_setup() {
	local ns

	for ns in router2 cl3; do
		ip netns del "$ns" 2>/dev/null
	done
	ip netns add router2
	second_router router2 cl3 eth2 203.0.113 10.0.3
	S sysctl -qw net.ipv4.ip_forward=1
	R ip route add 203.0.113.0/24 via 192.0.2.2
	ip netns exec router2 sysctl -qw net.ipv4.ip_forward=1
	if [ "$1" = lnat ]; then
		ip netns exec router2 sysctl -qw net.loosenat.interfaces=wan0
	else
		ip netns exec router2 nft -f - <<-EOF
		table ip nat {
			chain post {
				type nat hook postrouting priority srcnat;
				oifname "wan0" masquerade
			}
		}
		EOF
	fi
}

# TCP hole punching (RFC 5382 REQ-2, REQ-4): cl1 and cl3, each behind its
# own NAT, learn their external endpoints from the rendezvous server and
# connect to each other from the same port until a simultaneous open
# succeeds. Each router drops the other side's early SYNs (no RST), until
# its own host's SYN has opened the mapping they then match.
test_hole_punch() {
	local mode=$1

	tsetup "$mode"
	punch_setup "$mode"
	bg S python3 "$trav" reflect 192.0.2.2:80
	busywait 20 listening
	rm -f "$tmp"/p1.* "$tmp"/p3.*
	bg C1 timeout 70 python3 "$trav" punch 7000 192.0.2.2:80 "$tmp/p1" > "$tmp/r1"
	bg ip netns exec cl3 timeout 70 python3 "$trav" punch 7000 192.0.2.2:80 \
		"$tmp/p3" > "$tmp/r3"
	busywait 20 test -e "$tmp/p1.mine" -a -e "$tmp/p3.mine"
	# Renamed into place: punch reads a peer file as soon as it exists.
	cp "$tmp/p1.mine" "$tmp/p3.tmp" && mv "$tmp/p3.tmp" "$tmp/p3.peer"
	cp "$tmp/p3.mine" "$tmp/p1.tmp" && mv "$tmp/p1.tmp" "$tmp/p1.peer"
	busywait 45 sh -c "grep -q . '$tmp/r1' && grep -q . '$tmp/r3'"
	sed "s/^/# $mode: cl1: /" "$tmp/r1"
	sed "s/^/# $mode: cl3: /" "$tmp/r3"
	# Stock's outcome hangs on which SYN meets which RST first: shown, not
	# checked (it failed in every run so far, Documentation/conformance.rst).
	[ "$mode" = lnat ] &&
		check "TCP hole punching between two NATed hosts" \
			sh -c "grep -q '^punched 203.0.113.2 ' '$tmp/r1' && grep -q '^punched 192.0.2.1 ' '$tmp/r3'"
	stop_bg
}

# An outside host sweeps 3000 source ports at a full-cone binding: the
# table stays bounded, and inside hosts still get new mappings.
test_inbound_sweep() {
	local c

	tsetup lnat address-and-port-dependent endpoint-independent
	C1 python3 "$tcpc" udp-send 10.0.0.2 7000 192.0.2.2 53
	S "$here/lnat-flood" flows eth0 "$(ip -n router link show wan0 |
		awk '/link\/ether/ { print $2 }')" 192.0.2.2 192.0.2.1 udp S 3000 7000 \
		> /dev/null
	sleep 1
	c=$(count)
	echo "# mappings after the sweep: $c"
	check "a port sweep at a full-cone binding holds at most 64 mappings" \
		test "$c" -le 66
	C2 python3 "$tcpc" udp-send 10.0.1.2 7001 192.0.2.2 53
	check "inside hosts still get new mappings after the sweep" \
		busywait 5 sh -c "ip netns exec router cat /proc/net/loosenat | grep -q 'src=10.0.1.2 .*sport=7001'"
}

# The quick run (debug kernel, 6.12) keeps endpoint-independent filtering,
# the one that creates mappings from outside.
TRAVERSAL_PLAN=$((24 - quick * 8 + controls * 10))

test_traversal() {
	local f

	for f in endpoint-independent address-dependent address-and-port-dependent; do
		[ "$quick$f" = 1endpoint-independent ] || [ "$quick" = 0 ] &&
			test_natdiscovery lnat "$f"
	done
	[ "$controls" = 1 ] && test_natdiscovery stock
	test_tcp_eim lnat endpoint-independent
	[ "$quick" = 0 ] && test_tcp_eim lnat address-and-port-dependent
	[ "$controls" = 1 ] && test_tcp_eim stock
	test_hairpin lnat
	[ "$controls" = 1 ] && test_hairpin stock
	test_forward_precedence lnat
	[ "$controls" = 1 ] && test_forward_precedence stock
	test_unsolicited_syn lnat
	[ "$controls" = 1 ] && test_unsolicited_syn stock
	test_hole_punch lnat
	[ "$controls" = 1 ] && test_hole_punch stock
	test_inbound_sweep
}
