#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Who held a CPU, and for how long, while the table expired.

Reads `perf script -F comm,tid,cpu,time,event,trace` of the events
irq:softirq_entry/exit, irq:irq_handler_entry/exit, sched:sched_switch,
sched:sched_wakeup and workqueue:workqueue_execute_start/end, and prints
"# bench:" lines:

  gc_run_max_us      the longest time a run of the work function FUNC held
                     its CPU without a reschedule (switched in or started,
                     to switched out or ended), wall time;
  gc_own_max_us      the same run less the interrupts and softirqs that
                     came in on its CPU meanwhile: the collector's own work;
  softirq_max_us_V   the longest softirq of each vector V on any CPU;
  irq_max_us         the longest hard interrupt handler;
  wakeup_max_us      the longest a thread named PROBE (cyclictest) waited
                     from its wake-up to running, and a "# profile:" line
                     saying what ran on its CPU meanwhile.

usage: perf script ... | stalls.py FUNC PROBE
"""
import re
import sys
from collections import defaultdict

LINE = re.compile(r"^\s*(.+?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s*(.*)$")


def main():
    func, probe = sys.argv[1], sys.argv[2]
    pending = {}              # cpu -> [probe pid, woken at, {what: time}]
    worst = (0.0, None)
    soft_start = {}           # cpu -> (time, vector)
    irq_start = {}            # cpu -> time
    soft_max = defaultdict(float)
    irq_max = 0.0
    gc = {}                   # tid -> [cpu, run start or None, irq time]
    run_max = own_max = 0.0
    runs = 0

    def nested(cpu, d, what):
        for r in gc.values():
            if r[0] == cpu and r[1] is not None:
                r[2] += d
        if cpu in pending:
            acc = pending[cpu][2]
            acc[what] = acc.get(what, 0.0) + d

    def close(r, t):
        nonlocal run_max, own_max, runs
        if r[1] is None:
            return
        runs += 1
        run_max = max(run_max, t - r[1])
        own_max = max(own_max, t - r[1] - r[2])
        r[1], r[2] = None, 0.0

    for line in sys.stdin:
        m = LINE.match(line)
        if not m:
            continue
        tid, cpu, t = int(m[2]), int(m[3]), float(m[4])
        ev, rest = m[5], m[6]
        if ev == "irq:softirq_entry":
            soft_start[cpu] = (t, re.search(r"action=(\w+)", rest)[1])
        elif ev == "irq:softirq_exit" and cpu in soft_start:
            t0, vec = soft_start.pop(cpu)
            soft_max[vec] = max(soft_max[vec], t - t0)
            nested(cpu, t - t0, vec)
        elif ev == "irq:irq_handler_entry":
            irq_start[cpu] = t
        elif ev == "irq:irq_handler_exit" and cpu in irq_start:
            d = t - irq_start.pop(cpu)
            irq_max = max(irq_max, d)
            nested(cpu, d, "irq")
        elif ev == "workqueue:workqueue_execute_start" and func in rest:
            gc[tid] = [cpu, t, 0.0]
        elif ev == "workqueue:workqueue_execute_end" and tid in gc:
            close(gc.pop(tid), t)
        elif ev == "sched:sched_wakeup" and f"comm={probe}" in rest:
            pid = int(re.search(r" pid=(\d+)", rest)[1])
            target = int(re.search(r"target_cpu=(\d+)", rest)[1])
            pending[target] = [pid, t, {}]
        elif ev == "sched:sched_switch":
            prev = int(re.search(r"prev_pid=(\d+)", rest)[1])
            nxt = int(re.search(r"next_pid=(\d+)", rest)[1])
            if prev in gc:
                close(gc[prev], t)
            if nxt in gc:
                gc[nxt][0], gc[nxt][1], gc[nxt][2] = cpu, t, 0.0
            w = pending.get(cpu)
            if w and w[0] == nxt:
                del pending[cpu]
                if t - w[1] > worst[0]:
                    prev_comm = re.search(r"prev_comm=(.*?) prev_pid", rest)[1]
                    worst = (t - w[1], (cpu, w[1], prev_comm, w[2]))

    us = 1e6
    print("# bench: lnat expiry_gc_runs %d" % runs)
    print("# bench: lnat expiry_gc_run_max_us %.0f" % (run_max * us))
    print("# bench: lnat expiry_gc_own_max_us %.0f" % (own_max * us))
    for vec, d in sorted(soft_max.items()):
        print("# bench: lnat expiry_softirq_max_us_%s %.0f" % (vec, d * us))
    print("# bench: lnat expiry_irq_max_us %.0f" % (irq_max * us))
    print("# bench: lnat expiry_wakeup_max_us %.0f" % (worst[0] * us))
    if worst[1]:
        cpu, t0, prev, acc = worst[1]
        print("# profile: expiry worst wake-up: %.0f us on cpu %d at %.6f, "
              "%s ran until it, in it %s" %
              (worst[0] * us, cpu, t0, prev,
               ", ".join("%s %.0f us" % (k, v * us)
                         for k, v in sorted(acc.items())) or "no irq"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
