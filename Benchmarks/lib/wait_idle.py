#!/usr/bin/env python3
"""Waits until processes (and their children) are idle: less than 5 % of a CPU over half a second, or gives up
after a timeout. Used between load runs, so that requests a stopped wrk left in flight (a server may keep
working on them) do not run into the next measure.
   wait_idle.py TIMEOUT_SECONDS PID[,PID…] …"""
import os, sys, time

from proc_tree import children

TICK = os.sysconf("SC_CLK_TCK")

def cpu(pids):
    seen, todo, total = set(), list(pids), 0
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            f = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            total += int(f[11]) + int(f[12])
        except (OSError, IndexError, ValueError):
            pass
        todo += children(p)
    return total / TICK

timeout = float(sys.argv[1])
pids = [int(p) for a in sys.argv[2:] for p in a.split(",") if p]
start = time.monotonic()
last = cpu(pids)
while time.monotonic() - start < timeout:
    time.sleep(0.5)
    now = cpu(pids)
    if now - last < 0.025:
        sys.exit(0)
    last = now
print(f"still busy after {timeout:.0f} s", file=sys.stderr)

