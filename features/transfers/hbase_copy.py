"""hbase-copy: Ferry copies an HBase table through Thrift itself (small tables, the sandbox).

    regions of the source table  ──►  one thread per region (up to `workers`); beside them, a
                                      key-only count per region for the progress bar
        scan a batch after the region's checkpoint (cells with their timestamps; the next batch
          is read ahead while this one is written)
        wait for the rate limiter (the cap is shared by every region)
        mutateRows(Ts) the batch on the target
        checkpoint: last row key, rows and bytes of the region        ◄── every batch

The checkpoint moves only after the target has the batch, so a process killed at any moment
resumes strictly after a row that is on the target: nothing is skipped. The batch in flight
when it died is written again; puts keep the source's cell timestamps, so writing it twice
leaves the same table. A pause lets each region finish its batch and checkpoint it, so a
paused-and-resumed copy writes every row exactly once.

One worker per run across processes: the worker holds a lease in the state database and
beats it; a restarted Ferry takes over a lease whose owner process is gone.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from config.reader import Reader
from config.transfers import Transfer
from connectors.hbase import HBaseConnector, HBaseError, TableNotFound, Unreachable, row_bytes
from features.services import Services
from features.transfers import checkpoints
from features.transfers.backend import Backend, EngineFailed, Progress, Transient
from features.transfers.ratelimit import RateLimiter
from state import runs
from state.runs import Run

log = logging.getLogger(__name__)

BACKOFF_S = (0.5, 1, 2, 4, 8, 15, 30)
T = TypeVar("T")
BEAT_EVERY_S = 2.0
COUNT_AFTER_S = 5.0


def prefetch(batches: Iterator[T], depth: int = 2) -> Iterator[T]:
    """`batches`, read ahead in a thread of its own: the next batch is scanned on the source while
    this one is written to the target, so the two servers work at the same time. Errors of the
    scan come out here, in order; leaving early stops the reader (and closes its scanner)."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in batches:
                if not put(batch):
                    return
            put(end)
        except BaseException as e:  # handed to the consumer, which raises it
            put(e)
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()

    reader = threading.Thread(target=read, name="hbase-copy-read", daemon=True)
    reader.start()
    try:
        while True:
            item = q.get()
            if item is end:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join(10)


class CopyWorker:
    """The running copy of one run in this process."""

    def __init__(self, backend: HBaseCopy, run_id: str, rate: float | None) -> None:
        self.backend = backend
        self.run_id = run_id
        self.owner = f"{checkpoints.owner_id()}:{secrets.token_hex(3)}"
        self.limiter = RateLimiter(rate)
        self.stop_event = threading.Event()
        self.error: str | None = None  # the last transient failure, cleared by the next good batch
        self.error_since: float | None = None
        self.fatal: str | None = None
        self.finished = False
        self._thread = threading.Thread(target=self._run, name=f"hbase-copy-{run_id}", daemon=True)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> CopyWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Let every region finish (and checkpoint) its batch, then return."""
        self.stop_event.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _should_stop(self) -> bool:
        return self.stop_event.is_set() or not self.backend.live()

    def _run(self) -> None:
        store = self.backend.services.store
        beat = threading.Thread(target=self._beat, name=f"hbase-copy-beat-{self.run_id}", daemon=True)
        beat.start()
        try:
            uncounted = [cp for cp in checkpoints.regions(store, self.run_id) if cp.rows_total is None]
            if uncounted:
                threading.Thread(target=self._count, args=(uncounted,), name=f"hbase-count-{self.run_id}",
                                 daemon=True).start()
            pending = [cp for cp in checkpoints.regions(store, self.run_id) if not cp.done]
            workers = max(1, min(self.backend.params.workers, len(pending) or 1))
            with ThreadPoolExecutor(workers, thread_name_prefix=f"hbase-copy-{self.run_id}") as pool:
                list(pool.map(self._copy_region, pending))
            if not self._should_stop() and self.fatal is None:
                self.finished = all(cp.done for cp in checkpoints.regions(store, self.run_id))
        except Exception as e:  # never let a bug kill the thread silently
            log.exception("hbase-copy %s: worker failed", self.run_id)
            self.fatal = f"{type(e).__name__}: {e}"
        finally:
            self.stop_event.set()
            beat.join(5)
            checkpoints.release(store, self.run_id, self.owner)
            store.close()

    def _count(self, regions: list[checkpoints.RegionCheckpoint]) -> None:
        """Rows per region, for the progress bar and the ETA. It runs beside the copy rather than
        before it (on a big table the key-only count takes a while, and the copy need not wait),
        only once the copy has run COUNT_AFTER_S (a copy done by then needs no ETA), and from the
        last region backwards, so it meets the copy halfway: a region the copy has finished is
        counted by the copy itself."""
        store = self.backend.services.store
        try:
            if self.stop_event.wait(COUNT_AFTER_S):
                return
            for cp in reversed(regions):
                if self._should_stop():
                    return
                now = next((r for r in checkpoints.regions(store, self.run_id) if r.region == cp.region), cp)
                if now.done or now.rows_done:  # finished or under way: its count comes with the copy
                    continue
                n = self.backend.source.count_range(self.backend.params.table, cp.start_key or None,
                                                    cp.end_key or None)
                checkpoints.set_rows_total(store, self.run_id, cp.region, n)
        except HBaseError as e:  # the next worker (after a resume or restart) counts again
            log.warning("hbase-copy %s: could not count rows (%s); progress shows bytes only", self.run_id, e)
        finally:
            store.close()

    def _beat(self) -> None:
        """Keep the lease, and follow the run's state in the database: a pause, cancel or throttle
        made by another Ferry process (`python -m bot run pause …`, the console) reaches this
        worker within BEAT_EVERY_S."""
        store = self.backend.services.store
        while not self.stop_event.wait(BEAT_EVERY_S):
            if not self.backend.live() or not checkpoints.beat(store, self.run_id, self.owner):
                log.warning("hbase-copy %s: lease lost; stopping this worker", self.run_id)
                self.stop_event.set()
                break
            run = runs.get(store, self.run_id)
            if run is None or run.state in ("paused", "done", "failed", "cancelled"):
                log.info("hbase-copy %s: the run is %s; stopping", self.run_id, run.state if run else "gone")
                self.stop_event.set()
                break
            rate = run.detail.get("rate")
            if rate != self.limiter.rate:
                self.limiter.set_rate(rate)
        store.close()

    def _copy_region(self, cp: checkpoints.RegionCheckpoint) -> None:
        b = self.backend
        store = b.services.store
        p = b.params
        after = cp.last_key
        failures = 0
        try:
            while not self._should_stop() and self.fatal is None:
                try:
                    scan = b.source.scan_batches(p.table, cp.start_key or None, cp.end_key or None, after=after,
                                                 batch_size=p.batch_rows, include_timestamp=True)
                    for batch in prefetch(scan):
                        if self._should_stop():
                            return
                        nbytes = sum(row_bytes(key, cells) for key, cells in batch)
                        if not self.limiter.acquire(nbytes, self.stop_event):
                            return
                        b.target.put_many(p.target, batch, batch_size=len(batch))
                        checkpoints.advance(store, self.run_id, cp.region, batch[-1][0], len(batch), nbytes)
                        after = batch[-1][0]
                        failures = 0
                        self.error = self.error_since = None
                        if self._should_stop():
                            return
                    checkpoints.finish_region(store, self.run_id, cp.region)
                    return
                except TableNotFound as e:
                    self.fatal = str(e)
                    return
                except (Unreachable, HBaseError) as e:
                    # HBase (either side) went away mid-copy: wait and rescan after the checkpoint.
                    self.error = str(e)
                    self.error_since = self.error_since or time.time()
                    delay = BACKOFF_S[min(failures, len(BACKOFF_S) - 1)]
                    failures += 1
                    log.warning("hbase-copy %s region %d: %s; retrying in %ss", self.run_id, cp.region, e, delay)
                    if self.stop_event.wait(delay):
                        return
        finally:
            store.close()



# -- its keys in app.yaml (`transfers:` entries of this kind) ------------------------------------

@dataclass(frozen=True)
class HBaseCopyParams:
    table: str
    target_table: str | None = None  # default: the same name
    batch_rows: int = 1000  # rows per scan batch, mutateRows call and checkpoint
    workers: int = 4  # regions copied in parallel

    @property
    def target(self) -> str:
        return self.target_table or self.table


def parse_params(r: Reader) -> HBaseCopyParams:
    return HBaseCopyParams(table=r.str("table"), target_table=r.str("target_table", default=None),
                           batch_rows=r.int("batch_rows", default=1000, minimum=1),
                           workers=r.int("workers", default=4, minimum=1))


class HBaseCopy(Backend):
    Params = HBaseCopyParams
    parse_params = staticmethod(parse_params)  # its keys in app.yaml
    needs = (("hbase", "source"), ("hbase", "target"))  # estate endpoints, checked at load
    kind = "hbase-copy"
    uses_source_link = True  # every row is read from AS-IS's region servers over its network
    stop_on_failure = True  # the copy runs in Ferry's own threads: a failed run stops what is left

    def __init__(self, services: Services, transfer: Transfer) -> None:
        super().__init__(services, transfer)
        assert isinstance(transfer.params, HBaseCopyParams)
        self.params: HBaseCopyParams = transfer.params
        self._source: HBaseConnector | None = None
        self._target: HBaseConnector | None = None
        self._workers: dict[str, CopyWorker] = {}
        self._lock = threading.Lock()

    # -- connections -----------------------------------------------------------------------
    def _connector(self, side: str) -> HBaseConnector:
        endpoint = self.services.config.estates[side].hbase
        assert endpoint is not None  # config/transfers.py checks it
        pool = max(8, self.params.workers * 2 + 2)
        return HBaseConnector(endpoint.host, endpoint.port, timeout=endpoint.timeout_s, pool_size=pool)

    @property
    def source(self) -> HBaseConnector:
        if self._source is None:
            self._source = self._connector(self.transfer.source)
        return self._source

    @property
    def target(self) -> HBaseConnector:
        if self._target is None:
            self._target = self._connector(self.transfer.target)
        return self._target

    def live(self) -> bool:
        """False once the Ferry runtime this backend belongs to has stopped: its threads end."""
        return not self.services.stopped.is_set()

    # -- the interface ---------------------------------------------------------------------
    def start(self, run: Run) -> dict[str, Any]:
        store = self.services.store
        try:
            if not checkpoints.regions(store, run.id):
                self.target.create_table_like(self.source, self.params.table, self.params.target)
                regions = self.source.regions(self.params.table)
                checkpoints.init_regions(store, run.id, [(r.start_key, r.end_key, None) for r in regions])
        except Unreachable as e:
            raise Transient(str(e)) from None
        except HBaseError as e:  # no such table, a target without the families, ...: retrying won't help
            if "no free connection" in str(e):
                raise Transient(str(e)) from None
            raise EngineFailed(str(e)) from None
        self.ensure_running(run)
        regions = checkpoints.regions(store, run.id)
        return {"table": self.params.table, "target_table": self.params.target, "regions": len(regions)}

    def ensure_running(self, run: Run) -> bool:
        """Start this run's worker here unless it runs already (here or in a live process)."""
        with self._lock:
            worker = self._workers.get(run.id)
            if worker is not None and worker.alive:
                return True
            fresh = CopyWorker(self, run.id, run.detail.get("rate"))
            if not checkpoints.take_lease(self.services.store, run.id, fresh.owner):
                return False
            self._workers[run.id] = fresh.start()
            return True

    def pause(self, run: Run) -> None:
        self._stop_worker(run.id)

    def resume(self, run: Run) -> dict[str, Any]:
        self.ensure_running(run)
        return {}

    def throttle(self, run: Run, bytes_per_s: float) -> str:
        worker = self._workers.get(run.id)
        if worker is not None:
            worker.limiter.set_rate(bytes_per_s)
        return "applies to the next batch of every region"

    def cancel(self, run: Run) -> None:
        self._stop_worker(run.id)

    def _stop_worker(self, run_id: str) -> None:
        with self._lock:
            worker = self._workers.pop(run_id, None)
        if worker is not None:
            worker.stop()

    def poll(self, run: Run) -> Progress:
        store = self.services.store
        worker = self._workers.get(run.id)
        rows_done, bytes_done, rows_total, regions, regions_done = checkpoints.totals(store, run.id)
        if worker is not None and worker.fatal:
            return Progress("failed", bytes_done, message=worker.fatal)
        if regions and regions_done == regions:
            self._workers.pop(run.id, None)
            return self._progress("done", rows_done, bytes_done, rows_done, regions, regions_done)
        if not regions:  # start() never got as far as the checkpoints: do it now
            self.start(run)
        elif worker is None or not worker.alive:
            # after a restart, or the worker stopped on a lost lease: carry on from the checkpoints
            if not self.ensure_running(run):
                return self._progress("running", rows_done, bytes_done, rows_total, regions, regions_done,
                                      step="waiting for another Ferry process to let go of the copy")
            worker = self._workers.get(run.id)
        if worker is not None and worker.error:
            raise Transient(worker.error)
        return self._progress("running", rows_done, bytes_done, rows_total, regions, regions_done)

    def _progress(self, state: str, rows_done: int, bytes_done: int, rows_total: int | None, regions: int,
                  regions_done: int, step: str | None = None) -> Progress:
        if state == "done":
            fraction = 1.0
        elif rows_total:
            fraction = rows_done / rows_total
        elif self.transfer.size:  # until the count arrives: the configured size
            fraction = min(bytes_done / self.transfer.size, 0.99)
        elif regions:  # coarse, but the bar moves from the first region on
            fraction = regions_done / regions
        else:
            fraction = None
        bytes_total = None
        if rows_total and rows_done:
            bytes_total = int(bytes_done * rows_total / rows_done)
        elif self.transfer.size:
            bytes_total = self.transfer.size
        return Progress(state, bytes_done, bytes_total, fraction=fraction,
                        step=step or f"{regions_done}/{regions} regions done · {rows_done:,} rows",
                        extra={"rows_done": rows_done, "rows_total": rows_total})

    def estimate(self) -> int | None:
        """The configured size, else rows (a key-only count by region) × the mean size of the
        first rows: hbase-copy is for small tables, where both take a moment."""
        if self.transfer.size:
            return self.transfer.size
        try:
            rows = self.source.count(self.params.table)
            sample = next(iter(self.source.scan_batches(self.params.table, batch_size=500)), [])
        except HBaseError:
            return None
        if not sample:
            return 0
        return int(rows * sum(row_bytes(k, c) for k, c in sample) / len(sample))

    def close(self) -> None:
        for run_id in list(self._workers):
            self._stop_worker(run_id)
        for conn in (self._source, self._target):
            if conn is not None:
                conn.close()

