# SPDX-License-Identifier: GPL-2.0
# Real routers' shapes, sourced by netns.sh: secondary addresses, snat and
# masquerade rules and port forwards beside loosenat, two uplinks, a WAN
# that loses its address, a narrowed port range, the router's own sockets
# (ping sockets too), FTP's helper, flowtable offload, wildcard names,
# IPsec, bridges with br_netfilter, fwmark scoping and VRFs. Each case runs
# with loosenat (MODE lnat) and, with controls, the same traffic through
# stock masquerade (MODE stock), whose rule each case adapts as an operator
# would.

# rcheck MODE NAME COMMAND...: a case, named as a control for stock.
rcheck() {
	local mode=$1 name=$2

	shift 2
	[ "$mode" = stock ] && name="control: stock masquerade: $name"
	check "$name" "$@"
}

# stock_rule RULE: replace stock's masquerade rule (setup's is oifname wan0).
stock_rule() {
	R nft flush chain ip nat post
	R nft add rule ip nat post "$@"
}

exited() {
	! kill -0 "$1" 2> /dev/null
}

tcp_listening() {
	ip netns exec "$1" ss -tlnH "sport = :$2" | grep -q .
}

udp_listening() {
	ip netns exec "$1" ss -ulnH "sport = :$2" | grep -q .
}

# A service of the router's own on a secondary WAN address (a VIP) answers,
# and a closed port there is refused by the router's ICMP error.
test_secondary_service() {
	local mode=$1

	setup "$mode"
	R ip addr add 192.0.2.100/24 dev wan0
	bg R python3 "$tcpc" server 192.0.2.100 8080 "$tmp/state" close
	busywait 20 sh -c "ip netns exec router ss -ltnH 'sport = :8080' | grep -q LISTEN"
	touch "$tmp/go"
	S timeout 30 python3 "$tcpc" client 192.0.2.100 8080 "$tmp/go" fin > "$tmp/port"
	rcheck "$mode" "a router service on a secondary WAN address answers" \
		test -s "$tmp/port" -a "$(stat new)" = 0
	# The router's own port unreachable leaves from the secondary address.
	S python3 "$tcpc" udp-refused 5353 192.0.2.100 33434 > "$tmp/refused"
	rcheck "$mode" "a closed UDP port of the secondary WAN address is refused by the router's ICMP error" \
		eq "$(cat "$tmp/refused")" refused
	stop_bg
}

# An snat rule for one client, to a second public address, wins.
test_snat_rule() {
	local mode=$1

	setup "$mode"
	R ip addr add 192.0.2.100/24 dev wan0
	R nft -f - <<-EOF
	table ip sn {
		chain post {
			type nat hook postrouting priority srcnat - 1;
			ip saddr 10.0.1.2 oifname "wan0" snat to 192.0.2.100
		}
	}
	EOF
	S nft add counter ip watch vip
	S nft add rule ip watch in ip saddr 192.0.2.100 counter name vip
	rcheck "$mode" "an snat rule's translation is left alone" \
		sh -c "ip netns exec cl2 busybox ping -c 2 -W 3 192.0.2.2 > /dev/null &&
		       [ \$(ip netns exec srv nft list counter ip watch vip | awk '/packets/ { print \$2 }') -ge 2 ]"
}

# A port forward on a secondary address: its replies are conntrack's.
test_port_forward() {
	local mode=$1

	setup "$mode"
	R ip addr add 192.0.2.100/24 dev wan0
	R nft -f - <<-EOF
	table ip pf {
		chain pre {
			type nat hook prerouting priority dstnat;
			ip daddr 192.0.2.100 tcp dport 8081 dnat to 10.0.0.2:8081
		}
	}
	EOF
	bg C1 python3 "$tcpc" server 10.0.0.2 8081 "$tmp/state" close
	busywait 20 sh -c "ip netns exec cl1 ss -ltnH 'sport = :8081' | grep -q LISTEN"
	touch "$tmp/go"
	S timeout 30 python3 "$tcpc" client 192.0.2.100 8081 "$tmp/go" fin > "$tmp/port"
	rcheck "$mode" "a port forward on a secondary address connects" \
		test -s "$tmp/port" -a "$(counter leak)" = 0
	stop_bg
}

# One UDP socket talks to a server behind each of two uplinks.
test_two_uplinks() {
	local mode=$1

	setup "$mode"
	wan1_setup
	if [ "$mode" = stock ]; then
		stock_rule oifname '{ "wan0", "wan1" }' masquerade
	else
		R sysctl -qw net.loosenat.interfaces="wan0 wan1"
	fi
	bg S python3 "$tcpc" udp-server 192.0.2.2 53 "$tmp/s1"
	bg ip netns exec far python3 "$tcpc" udp-server 198.51.100.2 53 "$tmp/s2"
	busywait 20 udp_listening srv 53
	busywait 20 udp_listening far 53
	C1 python3 "$tcpc" udp-multi 0.0.0.0 5000 192.0.2.2:53 198.51.100.2:53 \
		> "$tmp/m"
	rcheck "$mode" "one UDP socket reaches a server behind each of two uplinks, each with its uplink's address" \
		sh -c "[ \$(grep -c '^reply' '$tmp/m') = 2 ] &&
		       grep -q '^peer 192.0.2.1 ' '$tmp/s1' &&
		       grep -q '^peer 198.51.100.1 ' '$tmp/s2'"
	stop_bg
	ip netns del far
}

# tcp_unsolicited_syn=port-unreachable beyond the lab's one address: an
# unsolicited SYN to a secondary WAN address and one to the second uplink's
# are each held and refused 6 s later by an ICMP port unreachable from the
# address it was sent to; the inside's SYN out by the second uplink
# (simultaneous open) drops the held SYN there silently. Stock: the
# router's stack refuses both at once with a RST.
test_held_syn() {
	local mode=$1 before ns

	setup "$mode"
	wan1_setup
	R ip addr add 192.0.2.100/24 dev wan0
	if [ "$mode" = stock ]; then
		stock_rule oifname '{ "wan0", "wan1" }' masquerade
	else
		R sysctl -qw net.loosenat.interfaces="wan0 wan1"
		R sysctl -qw net.loosenat.tcp_unsolicited_syn=port-unreachable
	fi
	for ns in srv far; do
		ip netns exec "$ns" nft -f - <<-EOF
		table ip held {
			counter from_vip {}
			counter from_wan1 {}
			chain in {
				type filter hook input priority 0;
				icmp type destination-unreachable ip saddr 192.0.2.100 counter name from_vip
				icmp type destination-unreachable ip saddr 198.51.100.1 counter name from_wan1
			}
		}
		EOF
	done
	bg S timeout 30 python3 "$trav" dial 192.0.2.2 192.0.2.100 40000 20 > "$tmp/d0"
	bg ip netns exec far timeout 30 python3 "$trav" dial 198.51.100.2 198.51.100.1 40000 20 \
		> "$tmp/d1"
	busywait 30 sh -c "grep -q after '$tmp/d0' && grep -q after '$tmp/d1'"
	sed 's/^/# vip: /' "$tmp/d0"
	sed 's/^/# wan1: /' "$tmp/d1"
	if [ "$mode" = stock ]; then
		rcheck "$mode" "unsolicited SYNs to a secondary address and a second uplink: refused at once by the router's RST" \
			awk '/^failed ConnectionRefusedError$/ { r++ }
				/^after / && $2 < 3 { s++ } END { exit !(r == 2 && s == 2) }' \
			"$tmp/d0" "$tmp/d1"
		stop_bg
		ip netns del far
		return
	fi
	rcheck "$mode" "unsolicited SYNs to a secondary address and a second uplink: refused 6 s later by ICMP from the address each was sent to" \
		sh -c "awk '/^failed ConnectionRefusedError\$/ { r++ }
			/^after / && \$2 >= 6 && \$2 < 15 { s++ }
			END { exit !(r == 2 && s == 2) }' '$tmp/d0' '$tmp/d1' &&
		       [ \$(ip netns exec srv nft list counter ip held from_vip | awk '/packets/ { print \$2 }') -ge 1 ] &&
		       [ \$(ip netns exec far nft list counter ip held from_wan1 | awk '/packets/ { print \$2 }') -ge 1 ]"
	# The first dial's retransmitted SYNs are answered up to 9 s in.
	sleep 10
	before=$(icmp_unreach router)
	bg ip netns exec far timeout 30 python3 "$trav" dial 198.51.100.2 198.51.100.1 40002 20 5555 \
		> "$tmp/sdial"
	sleep 2
	C1 timeout 30 python3 "$trav" dial 10.0.0.2 198.51.100.2 5555 20 40002 > "$tmp/cdial"
	busywait 30 grep -q after "$tmp/sdial"
	sleep 8
	sed 's/^/# far: /' "$tmp/sdial"
	sed 's/^/# cl1: /' "$tmp/cdial"
	rcheck "$mode" "a simultaneous open out by the second uplink drops the held SYN silently" \
		eq "$(head -1 "$tmp/sdial") $(head -1 "$tmp/cdial") $(icmp_unreach router)" \
		"connected connected $before"
	stop_bg
	ip netns del far
}

# Every interface masqueraded, the LAN's too ("+"; stock: every oifname but
# lo): an answer translated on its way in leaves again by a masqueraded
# interface and must not get a mapping of its own there, which would give
# the client an answer from the router's LAN address.
test_masquerade_all() {
	local mode=$1 m=1

	setup "$mode"
	if [ "$mode" = stock ]; then
		stock_rule oifname != '"lo"' masquerade
	else
		R sysctl -qw net.loosenat.interfaces="+"
	fi
	bg S python3 "$tcpc" udp-server 192.0.2.2 53 "$tmp/s1"
	busywait 20 udp_listening srv 53
	C1 python3 "$tcpc" udp-client 192.0.2.2 53 5000 0 > "$tmp/m"
	[ "$mode" = stock ] || m=$(count)
	rcheck "$mode" "every interface masqueraded: the answer reaches the client from the server, once translated" \
		sh -c "grep -qx 'reply 192.0.2.2 53' '$tmp/m' &&
		       grep -q '^peer 192.0.2.1 ' '$tmp/s1' && [ '$m' = 1 ]"
	stop_bg
}

# A client's packet from the router's LAN address, let in by accept_local:
# forwarded, so not the router's own; it leaves with the WAN address, as
# stock masquerade sends it, never with 10.0.0.1.
test_accept_local() {
	local mode=$1 x0

	setup "$mode"
	R sysctl -qw net.ipv4.conf.lan0.accept_local=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.lan0.rp_filter=0
	x0=$(counter xlat)
	C1 "$pkt" -f S 10.0.0.1 192.0.2.2 43100 80
	busywait 5 seen_ge $((x0 + 1))
	rcheck "$mode" "a client's packet from the router's LAN address (accept_local) leaves translated, none leaked" \
		test "$(counter xlat)" = $((x0 + 1)) -a "$(counter leak)" = 0
}

# The WAN loses its address (a PPPoE redial) while a client sends. Stock
# masquerade borrows the LAN address then: it leaks 10.0.0.1.
test_wan_loses_address() {
	local mode=$1 l0 d0 mac

	setup "$mode"
	mac=$(ip -n srv -br link show eth0 | awk '{ print $3 }')
	C1 "$pkt" -f S 10.0.0.2 192.0.2.2 42000 80
	busywait 5 seen_ge 1
	# The last address going takes the device's routes and neighbours; a
	# redial's new route (or a static one) comes back before the address.
	R ip addr flush dev wan0
	R ip route add 192.0.2.0/24 dev wan0
	R ip neigh replace 192.0.2.2 lladdr "$mac" dev wan0 nud permanent
	l0=$(counter leak)
	d0=$(stat drop_noaddr)
	C1 "$pkt" -f PA -n 20 -g 10000 10.0.0.2 192.0.2.2 42000 80
	C1 "$pkt" -f S -n 5 -i 10.0.0.2 192.0.2.2 42100 80
	sleep 1
	if [ "$mode" = stock ]; then
		check "control: stock masquerade leaks the LAN address once the WAN has none" \
			test "$(counter leak)" -gt "$l0"
	else
		check "a WAN without an address sends nothing: dropped and counted" \
			test "$(counter leak)" = "$l0" -a "$(stat drop_noaddr)" -ge $((d0 + 25))
	fi
}

# A narrowed port range, half of it held: every new flow still gets a port.
test_port_range() {
	local mode=$1

	setup "$mode"
	if [ "$mode" = stock ]; then
		stock_rule oifname wan0 meta l4proto udp masquerade to :20000-20199
	else
		R sysctl -qw net.loosenat.port_range="20000 20199"
	fi
	bg S python3 "$tcpc" udp-server 192.0.2.2 53 "$tmp/s"
	busywait 20 udp_listening srv 53
	C2 python3 "$tcpc" udp-flows 20000 100 192.0.2.2 53 > "$tmp/f2"
	C1 python3 "$tcpc" udp-flows 40000 80 192.0.2.2 53 > "$tmp/f1"
	rcheck "$mode" "200 ports, 100 held: 80 new UDP flows all get one" \
		sh -c "grep -qx 'replies 100' '$tmp/f2' && grep -qx 'replies 80' '$tmp/f1' &&
		       [ \$(ip netns exec srv awk '{ print \$3 }' '$tmp/s' | sort -u |
			    awk '\$1 < 20000 || \$1 > 20199' | wc -l) = 0 ]"
	stop_bg
}

# The router's own socket takes the port a client's mapping holds.
test_router_socket() {
	local mode=$1

	setup "$mode"
	bg S python3 "$tcpc" udp-server 192.0.2.2 1701 "$tmp/s"
	busywait 20 udp_listening srv 1701
	C1 python3 "$tcpc" udp-multi 0.0.0.0 1701 192.0.2.2:1701 > "$tmp/c1"
	R python3 "$tcpc" udp-multi 192.0.2.1 1701 192.0.2.2:1701 > "$tmp/r"
	C1 python3 "$tcpc" udp-multi 0.0.0.0 1701 192.0.2.2:1701 >> "$tmp/c1"
	rcheck "$mode" "the router's own socket on a mapped port gets its answers, the client too" \
		sh -c "grep -qx 'reply 192.0.2.2 1701' '$tmp/r' &&
		       [ \$(grep -cx 'reply 192.0.2.2 1701' '$tmp/c1') = 2 ]"
	stop_bg
}

# The router's own ping socket on the identifier a client's ICMP mapping
# holds: the mapping moves, as for TCP and UDP sockets.
test_ping_socket() {
	local mode=$1 ns

	setup "$mode"
	for ns in router cl1; do
		ip netns exec "$ns" sysctl -qw net.ipv4.ping_group_range="0 0"
	done
	C1 python3 "$tcpc" ping 4242 192.0.2.2 > "$tmp/p1"
	R python3 "$tcpc" ping 4242 192.0.2.2 > "$tmp/p2"
	C1 python3 "$tcpc" ping 4242 192.0.2.2 >> "$tmp/p1"
	rcheck "$mode" "the router's own ping socket on a client's ICMP identifier gets its echo reply, the client too" \
		sh -c "[ \$(grep -c '^echo-reply' '$tmp/p1') = 2 ] &&
		       grep -q '^echo-reply' '$tmp/p2'"
}

# A masquerade rule for cl2 beside loosenat for cl1, on one address: when
# conntrack's NAT gives cl2 the endpoint cl1's mapping holds, the mapping
# moves; the binding made then takes no port conntrack uses. Each client
# gets only its own answers, in both rounds.
test_ct_nat() {
	local mode=$1 r

	setup "$mode"
	[ "$mode" = lnat ] && R nft -f - <<-EOF
	table ip nat {
		chain post {
			type nat hook postrouting priority srcnat;
			ip saddr 10.0.1.2 oifname wan0 masquerade
		}
	}
	EOF
	rm -f "$tmp/s"
	bg S python3 "$tcpc" udp-server 192.0.2.2 53 "$tmp/s"
	busywait 20 udp_listening srv 53
	for r in 1 2; do
		C1 python3 "$tcpc" udp-ask 5001 192.0.2.2 53 cl1 > "$tmp/a$r"
		C2 python3 "$tcpc" udp-ask 5001 192.0.2.2 53 cl2 > "$tmp/b$r"
	done
	rcheck "$mode" "a masquerade rule beside loosenat on one address takes a mapping's port, then loosenat: each client only its own answers" \
		sh -c "for f in a1 a2; do grep -qx 'got cl1' '$tmp/'\$f &&
			   ! grep -vx 'got cl1' '$tmp/'\$f || exit 1; done
		       for f in b1 b2; do grep -qx 'got cl2' '$tmp/'\$f &&
			   ! grep -vx 'got cl2' '$tmp/'\$f || exit 1; done"
	stop_bg
}

# FTP, whose helper rewrites addresses only in connections conntrack NATs:
# the admin guide's stock rule for its control connections beside loosenat
# (stock masquerades everything). Active mode needs the helper, passive not.
test_ftp() {
	local mode=$1

	setup "$mode"
	modprobe nf_nat_ftp 2> /dev/null
	R nft -f - <<-EOF
	table ip ftp {
		ct helper ftp-std {
			type "ftp" protocol tcp;
		}
		chain pre {
			type filter hook prerouting priority filter;
			tcp dport 21 ct helper set "ftp-std"
		}
	}
	EOF
	[ "$mode" = lnat ] && R nft -f - <<-EOF
	table ip nat {
		chain post {
			type nat hook postrouting priority srcnat;
			tcp dport 21 oifname "wan0" masquerade
		}
	}
	EOF
	mkdir -p "$tmp/ftp"
	echo data > "$tmp/ftp/file"
	bg S python3 -m pyftpdlib -i 192.0.2.2 -p 21 -d "$tmp/ftp"
	busywait 60 tcp_listening srv 21
	C1 timeout 30 python3 "$tcpc" ftp-list 192.0.2.2 active > "$tmp/f"
	C1 timeout 30 python3 "$tcpc" ftp-list 192.0.2.2 passive >> "$tmp/f"
	rcheck "$mode" "FTP beside loosenat with the admin guide's rule for its control connections: active and passive" \
		sh -c "[ \$(grep -cx 'listed 1' '$tmp/f') = 2 ] &&
		       [ \$(ip netns exec srv nft list counter ip watch leak | awk '/packets/ { print \$2 }') = 0 ]"
	stop_bg
}

# Flow offloading as OpenWrt's fw4 sets it up: a TCP bulk transfer and a UDP
# exchange. Offloaded packets skip the forward chain, whose counter shows
# what stock offloaded and that loosenat kept its connections off.
test_flowtable() {
	local mode=$1 dsts=() i fwd

	setup "$mode"
	R nft -f - <<-EOF
	table inet ft {
		flowtable f {
			hook ingress priority 0; devices = { lan0, wan0 };
		}
		chain forward {
			type filter hook forward priority 0;
			meta l4proto { tcp, udp } counter flow add @f
		}
	}
	EOF
	bg S python3 "$tcpc" server 192.0.2.2 80 "$tmp/state" close
	busywait 20 listening
	touch "$tmp/go"
	LNAT_BULK=300000 C1 timeout 60 python3 "$tcpc" client 192.0.2.2 80 \
		"$tmp/go" fin > "$tmp/port"
	bg S python3 "$tcpc" udp-server 192.0.2.2 53 "$tmp/s"
	busywait 20 udp_listening srv 53
	for i in $(seq 10); do dsts+=(192.0.2.2:53); done
	C1 python3 "$tcpc" udp-multi 0.0.0.0 5300 "${dsts[@]}" > "$tmp/u"
	fwd=$(R nft list chain inet ft forward |
		awk '{ for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }')
	rcheck "$mode" "flowtable offload on: every packet of a TCP and a UDP flow translated" \
		test -s "$tmp/port" -a "$(grep -cx 'reply 192.0.2.2 53' "$tmp/u")" = 10 -a \
		"$(counter leak)" = 0 -a "$(counter xlat)" -ge 10
	if [ "$mode" = stock ]; then
		rcheck "$mode" "flowtable offload on: the flows were offloaded" \
			test "$fwd" -lt "$(counter xlat)"
	else
		check "flowtable offload on: loosenat's flows were not offloaded" \
			test "$fwd" -gt "$(counter xlat)"
	fi
	stop_bg
}

# iptables' and nftables' wildcard names; names that cannot match refused.
test_wildcards() {
	local mode=$1 w x0

	for w in + '*'; do
		setup "$mode"
		if [ "$mode" = stock ]; then
			stock_rule oifname '"wa*"' masquerade
		else
			R sysctl -qw net.loosenat.interfaces="lan9 wa$w"
		fi
		x0=$(counter xlat)
		C1 "$pkt" -f S 10.0.0.2 192.0.2.2 43000 80
		busywait 5 seen_ge $((x0 + 1))
		rcheck "$mode" "interfaces=wa$w matches wan0" \
			test "$(counter xlat)" = $((x0 + 1)) -a "$(counter leak)" = 0
		[ "$mode" = stock ] && break
	done
	[ "$mode" = stock ] && return
	check "interface names that cannot match are refused with EINVAL" \
		sh -c "! ip netns exec router sysctl -qw net.loosenat.interfaces='a/b+' 2>/dev/null &&
		       ! ip netns exec router sysctl -qw net.loosenat.interfaces='abcdefghijklmnop+' 2>/dev/null &&
		       ip netns exec router sysctl -qw net.loosenat.interfaces='ppp+ +' &&
		       [ \"\$(ip netns exec router sysctl -n net.loosenat.interfaces)\" = 'ppp+ +' ]"
}

# A site-to-site IPsec tunnel (tunnel mode, out of the masqueraded WAN):
# its inner packets are not masqueraded. Stock needs "rt ipsec missing".
test_ipsec() {
	local mode=$1 ns

	setup "$mode"
	S ip addr add 10.9.0.1/24 dev lo
	S ip route add 10.0.0.0/24 via 192.0.2.1
	R ip route add 10.9.0.0/24 via 192.0.2.2
	for ns in router srv; do
		ip -n "$ns" xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp \
			spi 0x100 reqid 1 mode tunnel enc cipher_null ""
		ip -n "$ns" xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp \
			spi 0x200 reqid 2 mode tunnel enc cipher_null ""
	done
	R ip xfrm policy add src 10.0.0.0/24 dst 10.9.0.0/24 dir out \
		tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 1 mode tunnel
	R ip xfrm policy add src 10.9.0.0/24 dst 10.0.0.0/24 dir fwd \
		tmpl src 192.0.2.2 dst 192.0.2.1 proto esp reqid 2 mode tunnel
	S ip xfrm policy add src 10.0.0.0/24 dst 10.9.0.0/24 dir in \
		tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 1 mode tunnel
	S ip xfrm policy add src 10.9.0.0/24 dst 10.0.0.0/24 dir out \
		tmpl src 192.0.2.2 dst 192.0.2.1 proto esp reqid 2 mode tunnel
	[ "$mode" = stock ] && stock_rule oifname wan0 rt ipsec missing masquerade
	rcheck "$mode" "an IPsec tunnel's inner packets are left alone" \
		sh -c "ip netns exec cl1 busybox ping -c 2 -W 3 10.9.0.1 > /dev/null"
}

# A bridge as the WAN with br_netfilter (a Proxmox host): a public VM on
# it is bridged, not masqueraded; clients routed out of it are.
test_bridge() {
	local mode=$1

	setup "$mode"
	modprobe br_netfilter 2> /dev/null
	ip -n router -b - <<-EOF
	link add br0 type bridge
	addr flush dev wan0
	addr flush dev lan1
	link set wan0 master br0
	link set lan1 master br0
	addr add 192.0.2.1/24 dev br0
	link set br0 up
	EOF
	R sysctl -qw net.bridge.bridge-nf-call-iptables=1
	ip -n cl2 addr flush dev eth0
	ip -n cl2 addr add 192.0.2.5/24 dev eth0
	if [ "$mode" = stock ]; then
		stock_rule oifname br0 masquerade
	else
		R sysctl -qw net.loosenat.interfaces=br0
	fi
	S nft add counter ip watch vm
	S nft add rule ip watch in ip saddr 192.0.2.5 counter name vm
	# Stock masquerade re-sources the bridged VM too (oifname br0 matches
	# bridged frames under br_netfilter): its control checks the client.
	if [ "$mode" = stock ]; then
		check "control: stock masquerade: a client routed out of a bridge WAN with br_netfilter is translated" \
			sh -c "ip netns exec cl1 busybox ping -c 2 -W 3 192.0.2.2 > /dev/null &&
			       [ \$(ip netns exec srv nft list counter ip watch leak | awk '/packets/ { print \$2 }') = 0 ]"
		return
	fi
	check "bridge WAN with br_netfilter: a public VM is bridged untouched, a client routed out is translated" \
		sh -c "ip netns exec cl2 busybox ping -c 2 -W 3 192.0.2.2 > /dev/null &&
		       ip netns exec cl1 busybox ping -c 2 -W 3 192.0.2.2 > /dev/null &&
		       [ \$(ip netns exec srv nft list counter ip watch vm | awk '/packets/ { print \$2 }') -ge 2 ] &&
		       [ \$(ip netns exec srv nft list counter ip watch leak | awk '/packets/ { print \$2 }') = 0 ]"
}

# net.loosenat.mark/mark_mask: an nftables rule scopes what is translated.
test_fwmark() {
	local mode=$1

	setup "$mode"
	R nft -f - <<-EOF
	table ip m {
		chain fwd {
			type filter hook forward priority 0;
			ip saddr 10.0.0.2 meta mark set 0x10
		}
	}
	EOF
	if [ "$mode" = stock ]; then
		stock_rule oifname wan0 meta mark \& 0x10 == 0x10 masquerade
	else
		R sysctl -qw net.loosenat.mark=16 net.loosenat.mark_mask=16
	fi
	C1 "$pkt" -f S 10.0.0.2 192.0.2.2 44000 80
	C2 "$pkt" -f S 10.0.1.2 192.0.2.2 44000 80
	busywait 5 seen_ge 2
	rcheck "$mode" "fwmark selection: the marked client translated, the other not" \
		test "$(counter xlat)" = 1 -a "$(counter leak)" -ge 1
}

# Two tenants in two VRFs, each a 10.0.0.2 asking the same server from port
# 5001, each VRF its own conntrack zone; answers go back into the tenant's
# VRF by a mark taken from the zone. Stock needs zones in the original
# direction only (its answers carry its external ports); loosenat's answers
# reach conntrack with the inside address, which tenants share, so loosenat
# needs zones in both directions and gives each answer its mapping's zone.
test_vrf() {
	local mode=$1 t tbl dir=

	setup "$mode"
	modprobe vrf 2> /dev/null
	for t in a b; do
		tbl=$([ $t = a ] && echo 1 || echo 2)
		ip netns del "t$t" 2> /dev/null
		ip netns add "t$t"
		ip link add "lan$t" netns router type veth peer name eth0 netns "t$t"
		ip -n router -b - <<-EOF
		link add vrf$t type vrf table 1$tbl
		link set vrf$t up
		link set lan$t master vrf$t
		addr add 10.0.0.1/24 dev lan$t
		link set lan$t up
		route add table 1$tbl 192.0.2.0/24 dev wan0
		rule add fwmark $tbl lookup 1$tbl pref 100
		EOF
		ip -n "t$t" -b - <<-EOF
		addr add 10.0.0.2/24 dev eth0
		link set lo up
		link set eth0 up
		route add default via 10.0.0.1
		EOF
	done
	[ "$mode" = stock ] && dir=original
	R nft -f - <<-EOF
	table ip tenants {
		chain raw {
			type filter hook prerouting priority raw;
			ct $dir zone set iifname map { "lana" : 1, "lanb" : 2 }
		}
		chain zmark {
			type filter hook prerouting priority mangle;
			ct zone 1 meta mark set 1
			ct zone 2 meta mark set 2
		}
	}
	EOF
	rm -f "$tmp/s"
	bg S python3 "$tcpc" udp-server 192.0.2.2 53 "$tmp/s"
	busywait 20 udp_listening srv 53
	bg ip netns exec ta python3 "$tcpc" udp-ask 5001 192.0.2.2 53 tenant-a \
		> "$tmp/ta"
	ip netns exec tb python3 "$tcpc" udp-ask 5001 192.0.2.2 53 tenant-b \
		> "$tmp/tb"
	busywait 10 exited "${pids[-1]}"
	rcheck "$mode" "two VRFs, each a 10.0.0.2 from port 5001 to one server: two external ports, each tenant only its own answers" \
		sh -c "grep -qx 'got tenant-a' '$tmp/ta' && grep -qx 'got tenant-b' '$tmp/tb' &&
		       ! grep -vx 'got tenant-a' '$tmp/ta' && ! grep -vx 'got tenant-b' '$tmp/tb' &&
		       [ \$(ip netns exec srv awk '\$2 == \"192.0.2.1\" { print \$3 }' '$tmp/s' | sort -u | wc -l) = 2 ]"
	stop_bg
	ip netns del ta
	ip netns del tb
}

ROUTERS_CASES="secondary_service snat_rule port_forward two_uplinks held_syn masquerade_all
	accept_local wan_loses_address port_range router_socket ping_socket ct_nat ftp
	flowtable wildcards ipsec bridge fwmark vrf"
# Cases each mode reports: secondary_service and flowtable 2 each;
# wildcards 3 with loosenat, 1 stock; held_syn 2 with loosenat, 1 stock.
ROUTERS_PLAN=$((19 + 5 + controls * 21))

test_routers() {
	local c

	for c in $ROUTERS_CASES; do
		"test_$c" lnat
		[ "$controls" = 1 ] && "test_$c" stock
	done
	setup lnat
}
