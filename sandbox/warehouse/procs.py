"""Small /proc helpers to find and end the processes of one PostgreSQL server.

PostgreSQL puts every backend in its own session (setsid), so killing the postmaster's
process group does not reach them: we find them by parent pid instead. Linux only, which is
what the sandbox runs on; elsewhere the helpers degrade to "nothing found".
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

_PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    return raw[raw.rfind(")") + 2 :].split()


def is_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie waiting to be reaped."""
    fields = _stat_fields(pid)
    if fields is None:
        return False
    return fields[0] not in ("Z", "X")


def children(pid: int) -> list[int]:
    """Direct and indirect children of `pid` (live ones)."""
    by_parent: dict[int, list[int]] = {}
    for entry in _PROC.iterdir() if _PROC.is_dir() else ():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is None or fields[0] in ("Z", "X"):
            continue
        by_parent.setdefault(int(fields[1]), []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in by_parent.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def rss_bytes(pids: list[int]) -> int:
    """Sum of resident set sizes (counts shared buffers once per process that touched them)."""
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for pid in pids:
        try:
            total += int((_PROC / str(pid) / "statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total


def pss_bytes(pids: list[int]) -> int:
    """Sum of proportional set sizes: shared memory split between the processes sharing it,
    the honest figure for "how much memory does this server use"."""
    total = 0
    for pid in pids:
        try:
            for line in (_PROC / str(pid) / "smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
                    break
        except (OSError, ValueError):
            continue
    return total


def kill_all(pids: list[int], sig: int = signal.SIGKILL) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def wait_gone(pids: list[int], timeout: float) -> list[int]:
    """Wait until none of `pids` is alive; returns those still alive at the deadline."""
    deadline = time.monotonic() + timeout
    alive = [p for p in pids if is_alive(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)
        alive = [p for p in alive if is_alive(p)]
    return alive
