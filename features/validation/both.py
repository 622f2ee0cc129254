"""Run the same step on AS-IS and TO-BE at once (each side's engine works in parallel)."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")
T = TypeVar("T")


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


class Prefetch:
    """Read an iterator in a background thread, a chunk ahead, so two sides of a streaming merge
    read concurrently. Memory: at most `depth` chunks. Use as a context manager: leaving it
    stops the reader (whatever the consumer did)."""

    _END = object()

    def __init__(self, source: Iterator[T], chunk: int = 1_000, depth: int = 4) -> None:
        self._queue: queue.Queue = queue.Queue(depth)
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._pump, args=(source, chunk), daemon=True, name="compare-prefetch")

    def _put(self, item: object) -> bool:
        while not self._cancel.is_set():
            try:
                self._queue.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _pump(self, source: Iterator[T], chunk: int) -> None:
        try:
            buf: list[T] = []
            for item in source:
                buf.append(item)
                if len(buf) >= chunk:
                    if not self._put(buf):
                        return
                    buf = []
            if buf and not self._put(buf):
                return
            self._put(self._END)
        except BaseException as exc:  # handed to the consumer
            self._put(exc)

    def __enter__(self) -> Iterator[T]:
        self._thread.start()
        return self._items()

    def _items(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if item is self._END:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item

    def __exit__(self, *exc: object) -> None:
        self._cancel.set()
        self._thread.join(timeout=5)
