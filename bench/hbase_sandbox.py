"""Shared by the HBase benchmarks (hbase_count, hbase_scan, hbase_copy): the sandbox HBase in
its own process, and the best-of-N timer. Not a benchmark itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


@contextmanager
def server_process(rows: int, *extra: str) -> Iterator[tuple[str, int]]:
    """`python -m sandbox.hbase` (seeded with `rows` orders when rows > 0, `extra` options
    passed on), yielding (host, port); stopped (stdin closed) on exit."""
    args = [sys.executable, "-m", "sandbox.hbase", "--until-stdin-closes", *extra]
    if rows:
        args += ["--seed-rows", str(rows)]
    proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ready = proc.stdout.readline().split()
        if not ready or ready[0] != "READY":
            raise RuntimeError("the HBase sandbox process did not start")
        yield ready[1], int(ready[2])
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def best(fn: Callable[[], T], repeat: int) -> tuple[T, float]:
    """`fn`'s result and its shortest wall time over `repeat` runs (these machines are noisy)."""
    times: list[float] = []
    result: T
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return result, min(times)


if __name__ == "__main__":  # `make bench` runs every bench/*.py
    print("helpers of the HBase benchmarks; nothing to measure here")
