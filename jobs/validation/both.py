"""Run the same step on AS-IS and TO-BE at once (each side's engine works in parallel)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")


def both(fa: Callable[[], A], fb: Callable[[], B]) -> tuple[A, B]:
    """(fa(), fb()) computed concurrently; the first failure is raised."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="compare-side") as ex:
        a, b = ex.submit(fa), ex.submit(fb)
        return a.result(), b.result()


def timed(f: Callable[[], A]) -> Callable[[], tuple[A, float]]:
    def run() -> tuple[A, float]:
        t0 = time.perf_counter()
        value = f()
        return value, time.perf_counter() - t0

    return run
