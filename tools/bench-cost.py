#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench's cost report: the guest's "# cost:" lines (packets per guest
second under icount, where a guest second is 10^9 instructions) as medians
with their spread, the ratios the targets are stated in, and instructions
per packet over plain forwarding. Writes OUTDIR/cost.tsv,
OUTDIR/cost-profile.txt and OUTDIR/cost-tables.rst (both tables as
performance.rst has them). A cell whose spread (max - min over the median)
reaches 1 % is flagged with "!", and so is a stream that lost packets.

usage: bench-cost.py RESULT_LOG OUTDIR
"""
import statistics
import sys
from collections import defaultdict

CONFIGS = ["plain", "stock", "lnat", "lnatct"]
STREAMS = ["udp_found", "udp_found_1k", "udp_found_100k", "udp_found_1m",
           "udp_new", "tcp_new_S", "tcp_new_A", "tcp_new_FA", "tcp_new_R",
           "icmp_found", "icmp_new", "tcp_conns"]
SPREAD = 0.01


def load(path):
    pps, lost, profile, head = defaultdict(list), defaultdict(int), [], ""
    diag = defaultdict(list)
    for line in open(path, errors="replace"):
        f = line.split()
        if line.startswith("# bench: kernel"):
            head = " ".join(f[2:])
        elif line.startswith("# cost: ") and len(f) == 7:
            pps[(f[2], f[3])].append(int(f[4]))
            lost[(f[2], f[3])] += int(f[6])
        elif line.startswith("# cost-diag: ") and len(f) == 9:
            diag[(f[2], f[3])].append(" ".join(f[4:]))
        elif line.startswith("# profile: "):
            profile.append(line[11:].rstrip())
    return head, pps, lost, profile, diag


def rst_tables(pps, med, spread, lost):
    """The rates with spreads, then instructions over plain and ratios."""
    streams = [s for s in STREAMS if any((c, s) in pps for c in CONFIGS)]
    t = [".. list-table::", "   :header-rows: 1", "", "   * - stream"]
    t += ["     - " + c for c in CONFIGS]
    for s in streams:
        t.append("   * - ``%s``" % s)
        for c in CONFIGS:
            k = (c, s)
            if k not in pps:
                t.append("     - -")
                continue
            bad = spread(k) >= SPREAD or lost[k]
            t.append("     - %d %.2f %%%s" % (med[k], 100 * spread(k),
                                             " !" if bad else ""))
    t += ["", ".. list-table::", "   :header-rows: 1", "", "   * - stream"]
    t += ["     - " + h for h in ("stock", "lnat", "lnatct", "lnat / plain",
                                  "lnat / stock")]
    for s in streams:
        if not all((c, s) in med for c in CONFIGS):
            continue
        t.append("   * - ``%s``" % s)
        for c in ("stock", "lnat", "lnatct"):
            t.append("     - %.0f" % (1e9 / med[(c, s)] -
                                      1e9 / med[("plain", s)]))
        for b in ("plain", "stock"):
            t.append("     - %.3f" % (med[("lnat", s)] / med[(b, s)]))
    return "\n".join(t) + "\n"


def main():
    log, out = sys.argv[1], sys.argv[2]
    head, pps, lost, profile, diag = load(log)
    if not pps:
        print("bench: no cost results in", log)
        return 1
    med = {k: statistics.median(v) for k, v in pps.items()}

    def spread(k):
        v = pps[k]
        return (max(v) - min(v)) / med[k] if med[k] else 0

    with open(f"{out}/cost.tsv", "w") as t:
        t.write("config\tstream\tmedian_pps\tspread\truns\tlost\n")
        for k in sorted(pps):
            t.write("%s\t%s\t%d\t%.4f\t%d\t%d\n"
                    % (k + (med[k], spread(k), len(pps[k]), lost[k])))
    with open(f"{out}/cost-profile.txt", "w") as p:
        p.write("\n".join(profile) + "\n")
    with open(f"{out}/cost-tables.rst", "w") as r:
        r.write(rst_tables(pps, med, spread, lost))

    flagged = 0
    print(f"bench (cost): {head}; packets per guest second (10^9 "
          "instructions), median and spread (max-min)/median\n")
    print("%-15s" % "stream" + "".join("%18s" % c for c in CONFIGS))
    for s in STREAMS:
        if not any((c, s) in pps for c in CONFIGS):
            continue
        row = "%-15s" % s
        for c in CONFIGS:
            k = (c, s)
            if k not in pps:
                row += "%18s" % "-"
                continue
            bad = spread(k) >= SPREAD or lost[k]
            flagged += bool(bad)
            row += "%18s" % ("%d %.2f%%%s" % (med[k], 100 * spread(k),
                                             "!" if bad else ""))
        print(row)

    print("\n%-15s %10s %10s %10s   %s" % ("stream", "lnat/plain",
                                         "lnat/stock", "lnatct/st",
                                         "instructions/packet over plain: "
                                         "stock lnat lnatct"))
    for s in STREAMS:
        if ("lnat", s) not in med or ("plain", s) not in med:
            continue

        def r(a, b):
            return "%.3f" % (med[(a, s)] / med[(b, s)]) \
                if (a, s) in med and (b, s) in med else "-"

        def over(c):
            if (c, s) not in med:
                return "-"
            return "%.0f" % (1e9 / med[(c, s)] - 1e9 / med[("plain", s)])

        print("%-15s %10s %10s %10s   %s %s %s" % (
            s, r("lnat", "plain"), r("lnat", "stock"), r("lnatct", "stock"),
            over("stock"), over("lnat"), over("lnatct")))
    if flagged:
        print(f"\n{flagged} cell(s) flagged: spread of 1 % or more, or "
              "packets lost; each rep's rate and what else the vCPU did "
              "meanwhile (jiffies busy, idle, softirq; backlog drops, "
              "squeezes):")
        for k in sorted(pps):
            if spread(k) >= SPREAD or lost[k]:
                print("  %s %s: %s" % (k + ("; ".join(
                    "%d (%s)" % (p, d) for p, d in
                    zip(pps[k], diag[k] or ["-"] * len(pps[k]))),)))
    print(f"\ntable: {out}/cost.tsv (as rst: cost-tables.rst); profiles: "
          f"{out}/cost-profile.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
