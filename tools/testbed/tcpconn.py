#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Real TCP endpoints for the test bed.

server ADDR PORT STATEFILE hold|close
                            accept connections, echo data; STATEFILE gets
                            "peer IP PORT" per connection, then "fin" or "rst"
                            when the peer closes. With "hold" the socket stays
                            open (CLOSE_WAIT after a FIN), with "close" it is
                            closed too (an orderly close).
client DST PORT GOFILE fin|rst [SPORT]
                            connect (from SPORT), exchange data, print the
                            local port, then close with FIN or RST (SO_LINGER
                            0) once GOFILE exists. With LNAT_BULK=N in the
                            environment, N bytes are echoed instead of a
                            greeting. Every wait has a timeout.
udp-server ADDR PORT STATEFILE
                            echo datagrams; STATEFILE gets "peer IP PORT".
udp-client DST PORT SPORT LINGER
                            send a query from SPORT, print "reply IP PORT";
                            then wait LINGER seconds for a datagram from
                            anyone else and print "extra IP PORT" or "none".
udp-send SRC SPORT DST PORT [TTL]
                            send one datagram from SRC:SPORT.
udp-multi SRC SPORT DST:PORT...
                            one socket on SRC:SPORT queries each DST:PORT in
                            turn; print "reply IP PORT" for each answer.
udp-refused SPORT DST PORT   a connected socket from SPORT sends up to three
                            times, a second apart; print "refused" once an
                            ICMP port unreachable reaches it, else "no answer"
                            or "answered".
udp-ask SPORT DST PORT TAG   send TAG three times, a second apart, from one
                            socket; print "got DATA" for each answer.
ping IDENT DST               an echo request from a ping socket bound to
                            identifier IDENT; print "echo-reply IP" or "none".
ftp-list DST active|passive  list an FTP server's directory (anonymous);
                            print "listed N".
udp-flows SPORT N DST PORT  N sockets from SPORT, SPORT+1, ... each send a
                            query, again each second
                            unanswered; print "replies K" (within 5 s).
"""
import os
import select
import socket
import struct
import sys
import time

LIMIT = 120


def log(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")


def server(addr, port, state, mode):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(16)
    conns = [ls]
    held = []
    end = time.time() + LIMIT
    while time.time() < end:
        r, _, _ = select.select(conns, [], [], 1)
        for s in r:
            if s is ls:
                c, peer = ls.accept()
                conns.append(c)
                log(state, "peer %s %d" % peer)
                continue
            try:
                data = s.recv(4096)
            except ConnectionResetError:
                log(state, "rst")
                conns.remove(s)
                continue
            if data:
                s.sendall(data)
            else:
                log(state, "fin")
                conns.remove(s)
                if mode == "close":
                    s.close()
                else:
                    held.append(s)  # CLOSE_WAIT until we exit


def client(dst, port, go, mode, sport="0"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(sport)))
    s.settimeout(10)
    s.connect((dst, int(port)))
    data = b"x" * int(os.environ.get("LNAT_BULK", "0")) or b"hello loosenat"
    s.sendall(data)
    got = b""
    while len(got) < len(data):
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    if got != data:
        sys.exit("echo mismatch")
    print(s.getsockname()[1], flush=True)
    end = time.time() + LIMIT
    while not os.path.exists(go):
        if time.time() > end:
            sys.exit("timeout waiting for %s" % go)
        time.sleep(0.1)
    if mode == "rst":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    time.sleep(2)  # let the FIN's exchange finish before exiting


def udp_server(addr, port, state):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    s.settimeout(1)
    end = time.time() + LIMIT
    while time.time() < end:
        try:
            data, peer = s.recvfrom(2048)
        except socket.timeout:
            continue
        log(state, "peer %s %d" % peer)
        try:
            s.sendto(data, peer)
        except OSError:
            pass  # a leaked private source: unreachable from here


def datagrams(s, secs):
    """What socket S receives within SECS seconds: (data, peer) pairs."""
    end = time.time() + secs
    while time.time() < end:
        s.settimeout(max(end - time.time(), 0.01))
        try:
            yield s.recvfrom(2048)
        except socket.timeout:
            return


def udp_client(dst, port, sport, linger):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(sport)))
    s.settimeout(5)
    s.sendto(b"query", (dst, int(port)))
    data, peer = s.recvfrom(2048)
    print("reply %s %d" % peer, flush=True)
    for data, peer in datagrams(s, float(linger)):
        if peer != (dst, int(port)):
            print("extra %s %d" % peer, flush=True)
            return
    print("none", flush=True)


def udp_send(src, sport, dst, port, ttl="64"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, int(ttl))
    s.bind((src, int(sport)))
    s.sendto(b"unsolicited", (dst, int(port)))


def udp_multi(src, sport, *dsts):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, int(sport)))
    s.settimeout(5)
    for d in dsts:
        host, port = d.split(":")
        s.sendto(b"query", (host, int(port)))
        try:
            data, peer = s.recvfrom(2048)
            print("reply %s %d" % peer, flush=True)
        except socket.timeout:
            print("none", flush=True)


def udp_ask(sport, dst, port, tag):
    """Ask three times from one socket; print every answer's payload."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(sport)))
    for _ in range(3):
        s.sendto(tag.encode(), (dst, int(port)))
        for data, peer in datagrams(s, 1):
            print("got %s" % data.decode(errors="replace"), flush=True)


def udp_refused(sport, dst, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(sport)))
    s.connect((dst, int(port)))
    s.settimeout(1)
    for _ in range(3):
        try:
            s.send(b"anyone?")
            s.recv(2048)
            print("answered", flush=True)
            return
        except ConnectionRefusedError:
            print("refused", flush=True)
            return
        except socket.timeout:
            pass
    print("no answer", flush=True)


def ping(ident, dst):
    """An echo request from a ping socket on identifier IDENT, up to 3 times."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
    s.bind(("0.0.0.0", int(ident)))
    s.settimeout(1)
    for seq in range(1, 4):
        s.sendto(struct.pack("!BBHHH", 8, 0, 0, int(ident), seq) + b"lnat",
                 (dst, 0))
        try:
            data, peer = s.recvfrom(2048)
        except socket.timeout:
            continue
        if data[0] == 0:
            print("echo-reply %s" % peer[0], flush=True)
            return
    print("none", flush=True)


def ftp_list(dst, mode):
    """List the FTP server's directory, in active or passive mode."""
    import ftplib
    f = ftplib.FTP()
    f.connect(dst, 21, timeout=10)
    f.login()
    f.set_pasv(mode == "passive")
    lines = []
    f.retrlines("LIST", lines.append)
    f.quit()
    print("listed %d" % len(lines), flush=True)


def udp_flows(sport, n, dst, port):
    socks = []
    for i in range(int(n)):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", int(sport) + i))
        s.sendto(b"query", (dst, int(port)))
        socks.append(s)
    got = set()
    # A burst can overrun a receive queue under TCG: the unanswered ask
    # again, from the same socket (the same mapping), once a second.
    for rnd in range(5):
        if rnd:
            for s in socks:
                if s not in got:
                    s.sendto(b"query", (dst, int(port)))
        end = time.time() + 1
        while len(got) < len(socks) and time.time() < end:
            r, _, _ = select.select([s for s in socks if s not in got], [],
                                    [], max(end - time.time(), 0.01))
            for s in r:
                s.recvfrom(2048)
                got.add(s)
    print("replies %d" % len(got), flush=True)

if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "server":
        server(*sys.argv[2:])
    elif len(sys.argv) in (6, 7) and sys.argv[1] == "client":
        client(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "udp-server":
        udp_server(*sys.argv[2:])
    elif len(sys.argv) == 6 and sys.argv[1] == "udp-client":
        udp_client(*sys.argv[2:])
    elif len(sys.argv) in (6, 7) and sys.argv[1] == "udp-send":
        udp_send(*sys.argv[2:])
    elif len(sys.argv) >= 5 and sys.argv[1] == "udp-multi":
        udp_multi(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "ftp-list":
        ftp_list(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "ping":
        ping(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "udp-refused":
        udp_refused(*sys.argv[2:])
    elif len(sys.argv) == 6 and sys.argv[1] == "udp-ask":
        udp_ask(*sys.argv[2:])
    elif len(sys.argv) == 6 and sys.argv[1] == "udp-flows":
        udp_flows(*sys.argv[2:])
    else:
        sys.exit(__doc__)
