#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench's report: medians and spreads of the guest's "# bench:" lines,
the ratios the targets are stated in, results.tsv and the plots.

usage: bench-report.py RESULT_LOG OUTDIR
"""
import statistics
import subprocess
import sys
from collections import defaultdict

CONFIGS = ["plain", "stock", "lnat", "lnatct"]
SIZES = [1000, 100000, 1000000]
# Hash heads per entry at a full table: loosenat hashes each mapping twice
# (one head per direction) plus two binding hashes, 8 bytes a head, at 4
# entries a bucket; conntrack has one hash of 8-byte heads, 4 entries a
# bucket as set by the bench.
HASH_SHARE = {"lnat": 4 * 8 / 4, "stock": 8 / 4}


def load(path):
    vals = defaultdict(list)
    head = ""
    for line in open(path, errors="replace"):
        f = line.split()
        if line.startswith("# bench: kernel"):
            head = " ".join(f[2:])
        elif line.startswith("# bench: ") and len(f) == 5:
            try:
                vals[(f[2], f[3])].append(float(f[4]))
            except ValueError:
                pass
    return head, vals


def stat(v):
    return statistics.median(v), min(v), max(v), len(v)


def main():
    log, out = sys.argv[1], sys.argv[2]
    head, vals = load(log)
    if not vals:
        print("bench: no results in", log)
        return 1
    med = {k: statistics.median(v) for k, v in vals.items()}
    with open(f"{out}/results.tsv", "w") as t:
        t.write("config\tmetric\tmedian\tmin\tmax\truns\n")
        for (c, m), v in sorted(vals.items()):
            t.write("%s\t%s\t%.10g\t%.10g\t%.10g\t%d\n" % ((c, m) + stat(v)))

    print(f"bench: {head}; median [min-max] of each measurement\n")
    metrics = sorted({m for _, m in vals if not m.startswith(("udp_pps_at",
                                                              "table_"))})
    print("%-30s" % "metric" + "".join("%24s" % c for c in CONFIGS))
    for m in metrics:
        row = "%-30s" % m
        for c in CONFIGS:
            v = vals.get((c, m))
            row += "%24s" % ("%.0f [%.0f-%.0f]" % stat(v)[:3] if v else "-")
        print(row)
    print()
    for c in ("lnat", "stock"):
        for s in SIZES:
            v = vals.get((c, f"udp_pps_at_{s}"))
            if v:
                print("%-5s udp_pps with %7d entries: %.0f [%.0f-%.0f]"
                      % ((c, s) + stat(v)[:3]))
    for (c, m), v in sorted(med.items()):
        if m.startswith(("expiry_", "gc_slice", "latency_")):
            print("%s %s: %.0f" % (c, m, v))

    def ratio(a, b):
        return med[a] / med[b] if a in med and b in med and med[b] else None

    def mem(c):
        m = med.get((c, "slab_bytes_per_flow"))
        return m + HASH_SHARE[c] if m is not None else None

    targets = [
        ("forwarding pps lnat/plain >= 0.95",
         ratio(("lnat", "udp_pps_1flow"), ("plain", "udp_pps_1flow")), 0.95),
        ("forwarding pps lnat/stock >= 1.2",
         ratio(("lnat", "udp_pps_1flow"), ("stock", "udp_pps_1flow")), 1.2),
        ("2-CPU pps lnat/plain >= 0.95",
         ratio(("lnat", "udp_pps_2cpu"), ("plain", "udp_pps_2cpu")), 0.95),
        ("2-CPU pps lnat/stock >= 1.2",
         ratio(("lnat", "udp_pps_2cpu"), ("stock", "udp_pps_2cpu")), 1.2),
        ("new mappings/s lnat/stock >= 2",
         ratio(("lnat", "new_per_sec"), ("stock", "new_per_sec")), 2),
        ("pps at 1M / pps at 1k >= 0.9",
         ratio(("lnat", "udp_pps_at_1000000"), ("lnat", "udp_pps_at_1000")),
         0.9),
    ]
    print("\n%-36s %8s  %s" % ("target", "measured", "met"))
    for name, r, want in targets:
        print("%-36s %8s  %s" % (name, "%.2f" % r if r else "-",
                                 "yes" if r and r >= want else "NO"))
    for c in ("lnat", "stock"):
        if mem(c) is not None:
            print("%-36s %8.0f  %s" % (f"bytes per mapping, {c} (+hash)",
                                       mem(c), "yes" if c != "lnat" or
                                       mem(c) <= 128 else "NO"))
    # Stalls while 1M mappings expire: cyclictest's longest lateness, beside
    # the same probe with an empty table (the platform's own floor).
    g = med.get(("lnat", "latency_max_us_expiry_1M"))
    if g is not None:
        floor = med.get(("lnat", "latency_max_us_empty"))
        print("%-36s %8.0f  %s%s" % ("stall while 1M expire, us <= 1000", g,
                                     "yes" if g <= 1000 else "NO",
                                     "" if floor is None else
                                     " (empty table: %.0f)" % floor))
    plot(vals, out)
    return 0


def plot(vals, out):
    for c in ("lnat", "stock"):
        with open(f"{out}/scale-{c}.dat", "w") as d:
            for s in SIZES:
                v = vals.get((c, f"udp_pps_at_{s}"))
                if v:
                    d.write("%d %g %g %g\n" % ((s,) + stat(v)[:3]))
    with open(f"{out}/configs.dat", "w") as d:
        for i, c in enumerate(CONFIGS):
            row = [i, c]
            for m in ("udp_pps_1flow", "new_per_sec"):
                v = vals.get((c, m))
                row += list(stat(v)[:3]) if v else [0, 0, 0]
            d.write("%d %s %g %g %g %g %g %g\n" % tuple(row))
    def ref(c):
        v = vals.get((c, "udp_pps_1flow"))
        return statistics.median(v) if v else 0

    gp = f"""
set terminal svg size 640,400 font "sans,11"
set grid ytics
set output "{out}/scale.svg"
set title "Forwarding rate against table size"
set logscale x
set xrange [500:2000000]
set xlabel "live mappings (loosenat) or conntrack entries (stock)"
set ylabel "UDP packets/s forwarded"
set yrange [0:*]
set key bottom right
plot "{out}/scale-lnat.dat" using 1:2:3:4 with yerrorlines title "loosenat, median and min-max", \
     "{out}/scale-stock.dat" using 1:2:3:4 with yerrorlines title "stock masquerade, median and min-max", \
     {ref("plain")} title "plain forwarding (median)" dt 2
unset logscale x
unset key
set xlabel ""
set style fill solid 0.6
set boxwidth 0.6
set xrange [-0.5:3.5]
set output "{out}/forwarding.svg"
set title "Small-packet forwarding rate per configuration"
set ylabel "UDP packets/s, one flow"
plot "{out}/configs.dat" using 1:3:xtic(2) with boxes notitle, \\
     "" using 1:3:4:5 with yerrorbars notitle lc black
set output "{out}/setup.svg"
set title "New mappings per second (SYN stream, rotating ports)"
set ylabel "new mappings/s"
plot "{out}/configs.dat" using 1:6:xtic(2) with boxes notitle, \\
     "" using 1:6:7:8 with yerrorbars notitle lc black
"""
    subprocess.run(["gnuplot"], input=gp, text=True, check=False)


if __name__ == "__main__":
    sys.exit(main())
