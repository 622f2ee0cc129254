"""A bytes-per-second cap shared by the threads of one copy.

Each caller reserves the time its bytes take at the cap and waits until its slot starts, so the
long-run rate is the cap exactly, whatever the batch sizes and however many threads share it::

    slot of batch 1    |--n1/rate--|
    slot of batch 2                |----n2/rate----|
    batch 3 waits here ----------------------------^

A caller that arrives after its slot has passed (a slow batch, a busy machine) may use up to
BURST_S of that lost time, so the copy catches up instead of falling below the cap for good; it
never gets more credit than that (after an idle spell the cap holds again at once).
A new cap applies from the next reservation on, with no credit carried over.
"""

from __future__ import annotations

import threading
import time

BURST_S = 1.0
RECHECK_S = 0.25  # how soon a waiting caller notices a new cap


class RateLimiter:
    def __init__(self, bytes_per_s: float | None = None) -> None:
        self._lock = threading.Lock()
        self._rate = bytes_per_s
        self._next = time.monotonic()
        self._generation = 0  # bumped by set_rate: a caller waiting under the old cap asks again

    @property
    def rate(self) -> float | None:
        return self._rate

    def set_rate(self, bytes_per_s: float | None) -> None:
        with self._lock:
            self._rate = bytes_per_s
            self._next = time.monotonic()  # a slower old cap must not delay the new one; no credit either
            self._generation += 1

    def acquire(self, nbytes: int, stop: threading.Event | None = None) -> bool:
        """Wait until `nbytes` may go. False if `stop` was set while waiting. A new cap set
        meanwhile (set_rate) ends the wait and the bytes are reserved again under it: a copy
        parked for hours under a tiny cap moves as soon as the cap is raised."""
        stop = stop or threading.Event()
        while True:
            with self._lock:
                rate = self._rate
                if not rate:
                    return not stop.is_set()
                now = time.monotonic()
                start = max(self._next, now - BURST_S)
                self._next = start + nbytes / rate
                wait = start - now
                generation = self._generation
            while wait > 0 and generation == self._generation:
                if stop.wait(min(wait, RECHECK_S)):
                    return False
                wait = start - time.monotonic()
            if generation == self._generation:
                return not stop.is_set()
