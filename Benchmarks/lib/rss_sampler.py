#!/usr/bin/env python3
"""Samples the resident memory of groups of processes every 100 ms until SIGTERM, then writes the peak of each
group's summed VmRSS (KiB) as JSON. A group is NAME=PID[,PID…]; a PID's children (and theirs) are included.
   rss_sampler.py OUT.json NAME=PIDS …"""
import json, os, signal, sys, time

from proc_tree import children

def rss(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0

def tree(pids):
    seen, todo = set(), list(pids)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        todo += children(p)
    return seen

out_path = sys.argv[1]
groups = {}
for arg in sys.argv[2:]:
    name, pids = arg.split("=", 1)
    groups[name] = [int(p) for p in pids.split(",") if p]
peak = {name: 0 for name in groups}
samples = 0
stop = False

def on_term(*_):
    global stop
    stop = True

signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)
while not stop:
    for name, pids in groups.items():
        peak[name] = max(peak[name], sum(rss(p) for p in tree(pids)))
    samples += 1
    if samples == 1:
        open(out_path + ".ready", "w").close()
    time.sleep(0.1)
json.dump({"peak_rss_kib": peak, "samples": samples}, open(out_path, "w"))
