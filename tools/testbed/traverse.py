#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""TCP NAT traversal endpoints for the test bed, as hole-punching tools use
sockets: every socket of an endpoint bound to the same port with
SO_REUSEADDR and SO_REUSEPORT.

reflect ADDR:PORT...        accept on each; tell every peer "IP PORT" (its
                            address as seen here), then close.
eim SPORT WAIT ADDR:PORT... listen on SPORT, connect from SPORT to each
                            server, print "mapped IP PORT" per answer; then
                            wait WAIT seconds for a connection to the
                            listener: "accepted IP PORT" or "accepted none".
dial SRC DST PORT [SECS [SPORT]]
                            connect from SRC (and SPORT) to DST:PORT within
                            SECS (5): "connected" or "failed ERROR"; with
                            SECS, then "after N.N s".
punch SPORT RDV PEERFILE    simultaneous open: learn the external endpoint
                            from the reflector RDV (ADDR:PORT), write it to
                            PEERFILE.mine, wait for PEERFILE.peer, connect to
                            it from SPORT until it succeeds (30 s from the
                            peer's arrival); exchange a line; print "punched
                            IP PORT", or "failed" and each error's count.
Every wait has a timeout.
"""
import os
import select
import socket
import sys
import time

LIMIT = 60


def sock(sport=0, src=""):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.settimeout(10)
    s.bind((src, int(sport)))
    return s


def endpoint(text):
    addr, port = text.rsplit(":", 1)
    return addr, int(port)


def reflect(*eps):
    lsocks = []
    for ep in eps:
        s = sock(endpoint(ep)[1], endpoint(ep)[0])
        s.listen(16)
        lsocks.append(s)
    end = time.time() + LIMIT * 5
    while time.time() < end:
        ready, _, _ = select.select(lsocks, [], [], 1)
        for s in ready:
            c, peer = s.accept()
            c.sendall(("%s %d\n" % peer).encode())
            c.close()


def ask(s, server):
    s.connect(endpoint(server))
    return s.recv(100).decode().strip()


def eim(sport, wait, *servers):
    lst = sock(sport)
    lst.listen(4)
    held = []
    for server in servers:
        s = sock(sport)
        print("mapped", ask(s, server), flush=True)
        held.append(s)
    ready, _, _ = select.select([lst], [], [], float(wait))
    if ready:
        c, peer = lst.accept()
        print("accepted %s %d" % peer, flush=True)
        c.close()
    else:
        print("accepted none", flush=True)


def dial(src, dst, port, secs=None, sport=0):
    s = sock(sport, src)
    s.settimeout(float(secs or 5))
    start = time.monotonic()
    try:
        s.connect((dst, int(port)))
        print("connected", flush=True)
    except OSError as e:
        print("failed", e.__class__.__name__, flush=True)
    if secs:
        print("after %.1f s" % (time.monotonic() - start), flush=True)


def punch(sport, rdv, peerfile):
    s = sock(sport)
    mine = ask(s, rdv)
    s.close()
    with open(peerfile + ".mine.tmp", "w") as f:
        f.write(mine + "\n")
    os.rename(peerfile + ".mine.tmp", peerfile + ".mine")
    end = time.time() + 30
    while not os.path.exists(peerfile + ".peer") and time.time() < end:
        time.sleep(0.1)
    if not os.path.exists(peerfile + ".peer"):
        print("failed no peer", flush=True)
        return
    with open(peerfile + ".peer") as f:
        addr, port = f.read().split()
    # The 30 s are the punching's own, however late the peer came.
    end = time.time() + 30
    errors = {}
    while time.time() < end:
        s = sock(sport)
        s.settimeout(1)
        try:
            s.connect((addr, int(port)))
        except OSError as e:
            name = e.__class__.__name__
            errors[name] = errors.get(name, 0) + 1
            s.close()
            time.sleep(0.2)
            continue
        s.settimeout(10)
        s.sendall(b"hello\n")
        if s.recv(100).startswith(b"hello"):
            print("punched", addr, port, flush=True)
            return
    # Which way each attempt failed tells a filtered SYN from a refused one.
    print("failed", " ".join("%s=%d" % e for e in sorted(errors.items())),
          flush=True)


if __name__ == "__main__":
    cmds = {"reflect": reflect, "eim": eim, "dial": dial, "punch": punch}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])
