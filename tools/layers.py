#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The module's files in the order a packet meets them, and a check of it.

usage: layers.py [--dot] [KMOD_DIR]

Each kmod/ file may use only the files below it in LAYERS (through the
functions and variables they define and include/lnat.h declares); static
inlines in the header belong to no file. Without --dot: print each file's
dependencies, exit 1 if any goes upwards or a file is missing from LAYERS.
With --dot: the graph for Documentation/images/layers.svg.
"""
import os
import re
import sys

# Top to bottom. A line holds files of one layer, which may not use each
# other either.
LAYERS = [
    ["module.c"],
    ["netns.c"],
    ["sysctl.c", "proc.c"],
    ["hooks.c"],
    ["hairpin.c"],
    ["icmp.c", "unsolicited.c"],
    ["gc.c"],
    ["conn.c"],
    ["ports.c"],
    ["table.c"],
    ["parse.c"],
    ["tcp.c", "mangle.c"],
]

WHAT = {
    "module.c": "load, unload",
    "netns.c": "per-netns setup, notifiers",
    "sysctl.c": "net.loosenat.*",
    "proc.c": "/proc/net/loosenat, stat",
    "hooks.c": "PREROUTING, POSTROUTING",
    "icmp.c": "ICMP errors",
    "hairpin.c": "inside to inside via an external endpoint",
    "gc.c": "collector",
    "conn.c": "create, evict, refresh, timeouts",
    "ports.c": "bindings, external ports",
    "table.c": "hash, lookup, insert, unhash",
    "parse.c": "packet -> struct lnat_pkt",
    "tcp.c": "TCP states",
    "mangle.c": "rewrite, checksums",
}

DEF = re.compile(r"^(?!static\b)[A-Za-z_][\w \t\*]*?\b(lnat_\w+)\s*(\(|=|;|\[)",
                 re.M)
USE = re.compile(r"\b(lnat_\w+)\b")
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
STRING = re.compile(r'"(\\.|[^"\\])*"')


def defs_and_uses(path):
    text = STRING.sub('""', COMMENT.sub(" ", open(path).read()))
    defs = {m.group(1) for m in DEF.finditer(text)}
    return defs, set(USE.findall(text))


def main():
    args = sys.argv[1:]
    dot = "--dot" in args
    args = [a for a in args if a != "--dot"]
    kmod = args[0] if args else os.path.join(os.path.dirname(__file__),
                                             "..", "kmod")
    files = sorted(f for f in os.listdir(kmod) if f.endswith(".c"))
    rank = {f: i for i, layer in enumerate(LAYERS) for f in layer}
    owner, uses = {}, {}
    for f in files:
        d, u = defs_and_uses(os.path.join(kmod, f))
        for s in d:
            owner[s] = f
        uses[f] = u
    deps = {f: sorted({owner[s] for s in uses[f] if s in owner} - {f})
            for f in files}
    if dot:
        print("digraph layers {\n\trankdir=TB;\n\tnode [shape=box, "
              "fontname=\"sans\", fontsize=10];")
        for i, layer in enumerate(LAYERS):
            names = " ".join('"%s"' % f for f in layer if f in deps)
            print("\t{ rank=same; %s }" % names)
            # One layer a row, in order, whatever the edges.
            if i:
                print('\t"%s" -> "%s" [style=invis];' % (LAYERS[i - 1][0],
                                                         layer[0]))
        for f in files:
            print('\t"%s" [label="%s\\n%s"];' % (f, f, WHAT.get(f, "")))
            for d in deps[f]:
                print('\t"%s" -> "%s";' % (f, d))
        print("}")
        return 0
    bad = 0
    for f in files:
        if f not in rank:
            print("%s: not in tools/layers.py's LAYERS" % f)
            bad = 1
            continue
        up = [d for d in deps[f] if d in rank and rank[d] <= rank[f]]
        print("%-9s -> %s" % (f, " ".join(deps[f]) or "-"))
        for d in up:
            print("%s uses %s, which is not below it" % (f, d))
            bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
