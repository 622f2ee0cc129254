"""CPU seconds a local PostgreSQL server has used: the postmaster, its live children (backends,
parallel workers) and the children it has reaped. A benchmark's engine work measured this way
does not grow when other processes share the cores, as wall time does (the machines these
benchmarks run on are shared): the figure to judge a design by when the wall times are noisy."""

from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # fields from the state on (the name may hold spaces)


def server_cpu(postmaster: int) -> float:
    """CPU seconds (user + system) of the server whose postmaster is `postmaster`, so far.
    Fields after the name: [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime."""
    own = _stat(postmaster)
    if own is None:
        raise ProcessLookupError(f"no process {postmaster}")
    ticks = sum(int(own[i]) for i in (11, 12, 13, 14))
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == postmaster:
            continue
        f = _stat(int(entry))
        if f is not None and int(f[1]) == postmaster:
            ticks += int(f[11]) + int(f[12])
    return ticks / _TICK
