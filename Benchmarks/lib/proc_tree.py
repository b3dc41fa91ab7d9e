"""Walking a process tree through /proc (shared by the benchmark's samplers)."""
import os


def children(pid):
    """The direct children of a process (every thread's), or [] when it is gone."""
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                out += [int(c) for c in open(f"/proc/{pid}/task/{tid}/children").read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return out
