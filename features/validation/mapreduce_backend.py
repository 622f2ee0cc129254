"""The `mapreduce` validation engine for HBase tables: the work runs on the clusters, Ferry steers.

- count: `RowCounter` on each side's cluster, both at once; the `ROWS` counters are the counts.
- full compare: `HashTable` on AS-IS (batch hashes of about `hashtable_batch_size` bytes, in AS-IS's
  HDFS), then `SyncTable --dryrun=true` on TO-BE against them. SyncTable's counters give the
  exact numbers; the batches whose hashes differ (its "Hash mismatch.  Key range" task-log lines,
  read with `yarn logs` on the TO-BE gateway) are then read through Thrift on both sides, and only
  those, so the listing is exact like the Thrift engine's. What reaches Ferry grows with the
  differences, not with the table (bench/mapreduce_bytes.py).

Every job is tagged with the run (`-Dmapreduce.job.tags`), its progress goes on the card and its
tracking URL in the card's thread; `cancel()` kills the run's jobs through YARN; a restarted Ferry
re-attaches to the jobs it had started (mapreduce_jobs.Job). A sample compare stays on Thrift
(it reads a few thousand rows by key).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from config import Config
from config.mapreduce import MapReduceSettings, ready
from config.tables import TableSpec, engine_for
from connectors.gateway import GatewayClient, GatewayError
from connectors.yarn import AppNotFound, YarnApp, YarnClient, YarnError
from core.errors import OutsideFailure
from core.message import Message, Section
from features.validation import cards
from features.validation.backend import KeyRange, RangeDigests
from features.validation.both import both
from features.validation.mapreduce_jobs import Job, JobFailed, JobResult, Side, job_tag, run_tag
from features.validation.model import CompareResult, CountResult, Finding
from features.validation.rowdiff import diff_rows
from state import runs

TOOLS = "org.apache.hadoop.hbase.mapreduce."
MISMATCH = re.compile(r"Hash mismatch\.\s+Key range: ([0-9a-fA-F]*) to ([0-9a-fA-F]*)")
#: Seconds to wait for YARN to aggregate SyncTable's task logs after it ends.
LOGS_WAIT_S = 60.0
ENGINE = "mapreduce"


def engine(config: Config, spec: TableSpec) -> str:
    """"thrift", "mapreduce" or "warehouse" for this table (config.tables.engine_for)."""
    return engine_for(spec, config.estates, config.mapreduce)


def handles(config: Config, spec: TableSpec, check: str) -> bool:
    return check in ("count", "full") and engine(config, spec) == ENGINE


def sides(config: Config) -> dict[str, Side]:
    missing = ready(config.estates)
    if missing:
        raise OutsideFailure("MapReduce validation needs " + ", ".join(missing) + " in app.yaml")
    out = {}
    for name in ("as-is", "to-be"):
        e = config.estates[name]
        g, y = e.gateway, e.yarn
        out[name] = Side(name, GatewayClient(g.host, g.port, g.user, g.key_file, g.known_hosts, timeout=g.timeout_s,
                                             where=f"the {name.upper()} gateway {g.user}@{g.host}:{g.port}"),
                         YarnClient(y.url, history_url=y.history_url, timeout=y.timeout_s,
                                    where=f"the {name.upper()} YARN ResourceManager {y.url}"))
    return out


def cancel(services: Any, run_id: str, who: Any = None) -> int:
    """Ask the run to stop and kill its jobs on both clusters (by the run's tag); the run then ends
    failed ("was cancelled … KILLED"). `who` (a state.audit.Who) is audited and named in the thread.
    Returns the number of applications killed. For the verb: `/migrate cancel <validation run>`."""
    runs.update(services.store, run_id, merge={"cancel_requested": True})
    killed = 0
    for side in sides(services.config).values():
        for app in side.yarn.apps_by_tag(run_tag(run_id)):
            if not app.final:
                side.yarn.kill(app.id)
                killed += 1
    if who is not None:
        from state import audit

        audit.append(services.store, who, "validation.cancel", "ok", target=run_id, detail={"killed": killed})
        text = f":no_entry_sign: Cancelled by <@{who.user_id}>: {killed} YARN application{'s' * (killed != 1)} killed."
        services.post(Message(text, [Section(text)]), thread_of=cards.card_key_of(services.store, run_id),
                      dedupe_key=f"run:{run_id}:cancel")
    return killed


class _Steering:
    """What the jobs of one table report to the run: progress on the card, URLs in the thread."""

    def __init__(self, services: Any, run_id: str, table: str, progress: Callable[[str], None]) -> None:
        self.services, self.run_id, self.table, self.progress = services, run_id, table, progress
        self.percent: dict[str, float] = {}
        self.lock = threading.Lock()
        self.abandon = threading.Event()  # a sibling job failed: this one is no longer needed

    def cancelled(self) -> bool:
        if self.abandon.is_set():
            return True
        run = runs.get(self.services.store, self.run_id)
        return run is None or bool(run.detail.get("cancel_requested"))

    def submitted_at(self, tag: str) -> float | None:
        run = runs.get(self.services.store, self.run_id)
        value = run.detail.get(f"submitted:{tag}") if run else None
        return float(value) if value is not None else None

    def mark_submitted(self, tag: str) -> None:
        runs.update(self.services.store, self.run_id, merge={f"submitted:{tag}": time.time()})

    def job(self, side: Side, tool: str, step: str, args: list[str]) -> Job:
        tag = job_tag(self.run_id, self.table, step)
        argv = ["hbase", TOOLS + tool, f"-Dmapreduce.job.tags={tag},{run_tag(self.run_id)}",
                f"-Dmapreduce.job.name=ferry {tool} {self.table} ({self.run_id})", *args]
        label = f"{tool} {side.label}"

        def on_app(app: YarnApp, attached: bool) -> None:
            how = "re-attached to" if attached else "submitted"
            text = (f"{self.table}: {tool} on {side.label} {how} YARN application `{app.id}` "
                    f"(tag `{tag}`): {app.tracking_url}")
            self.services.post(Message(text, [Section(text)]),
                               thread_of=cards.card_key_of(self.services.store, self.run_id),
                               dedupe_key=f"run:{self.run_id}:yarn:{side.estate}:{app.id}:{how}")
            runs.update(self.services.store, self.run_id,
                        merge={f"yarn:{tag}": {"app": app.id, "estate": side.estate, "tool": tool,
                                               "url": app.tracking_url}})

        def on_progress(pct: float) -> None:
            with self.lock:
                self.percent[label] = pct
                text = " · ".join(f"{k} {v:.0f}%" for k, v in self.percent.items())
            self.progress(f"{self.table} on MapReduce: {text}")

        return Job(side, tool, argv, tag, self.services.config.mapreduce.poll_every_s, on_app, on_progress,
                   self.cancelled, lambda: self.submitted_at(tag), lambda: self.mark_submitted(tag))


def _missing_table(e: JobFailed) -> bool:
    return "TableNotFoundException" in (e.stderr or "") or "TableNotFoundException" in str(e)


def count(services: Any, spec: TableSpec, run_id: str, progress: Callable[[str], None]) -> CountResult:
    t0 = time.perf_counter()
    both = sides(services.config)
    steer = _Steering(services, run_id, spec.id, progress)

    def one(estate: str) -> tuple[int | None, float, str | None]:
        s0 = time.perf_counter()
        args = [spec.side(estate).name]
        if spec.key_from or spec.key_to:
            args.append(f"--range={spec.key_from or ''},{spec.key_to or ''}")
        args.extend(spec.columns)
        try:
            result = steer.job(both[estate], "RowCounter", f"rowcounter-{estate}", args).run()
        except JobFailed as e:
            if _missing_table(e):
                return None, time.perf_counter() - s0, f"HBase table {spec.side(estate).name} does not exist on {estate.upper()}"
            steer.abandon.set()  # the count has failed: the other side's job is killed, not left running
            raise
        except BaseException:
            steer.abandon.set()
            raise
        if "ROWS" not in result.counters:
            raise OutsideFailure(f"RowCounter on {estate.upper()} finished without a ROWS counter "
                                 f"(YARN application {result.app.id})")
        return result.counters["ROWS"], time.perf_counter() - s0, None

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="rowcounter") as ex:
        fa, fb = ex.submit(one, "as-is"), ex.submit(one, "to-be")
        errors = [e for e in (fa.exception(), fb.exception()) if e is not None]
    if errors:  # the side that failed first, not the one killed because of it
        raise next((e for e in errors if "was cancelled" not in str(e)), errors[0])
    (na, sa, ea), (nb, sb, eb) = fa.result(), fb.result()
    findings = [Finding(s, e) for s, e in (("as-is", ea), ("to-be", eb)) if e]
    return CountResult(spec.id, na, nb, sa, sb, time.perf_counter() - t0, findings)


def _hash_args(spec: TableSpec, cfg: MapReduceSettings, out_dir: str) -> list[str]:
    args = [f"--batchsize={cfg.hashtable_batch_size}"]
    families = sorted({c.split(":", 1)[0] for c in spec.columns})
    if families:
        args.append(f"--families={','.join(families)}")
    if spec.key_from:
        args.append(f"--startrow={spec.key_from}")
    if spec.key_to:
        args.append(f"--stoprow={spec.key_to}")
    return [*args, spec.as_is.name, out_dir]


def differing_ranges(lines: str) -> list[KeyRange]:
    """The key ranges of SyncTable's "Hash mismatch" log lines (hex keys; empty hex: open end)."""
    out = []
    for m in MISMATCH.finditer(lines):
        try:
            lo, hi = bytes.fromhex(m.group(1)), bytes.fromhex(m.group(2))
        except ValueError:
            continue  # a line cut short (odd hex): `head` kept it whole, so only a damaged log does this
        out.append(KeyRange(lo or None, hi or None))
    return sorted(set(out), key=lambda r: (r.lo or b""))


def full(services: Any, spec: TableSpec, run_id: str, progress: Callable[[str], None]) -> CompareResult:
    t0 = time.perf_counter()
    cfg = services.config.mapreduce
    both = sides(services.config)
    asis_gw = services.config.estates["as-is"].gateway
    steer = _Steering(services, run_id, spec.id, progress)
    result = CompareResult(spec.id, "full")
    folder = f"{cfg.work_dir.rstrip('/')}/{job_tag(run_id, spec.id, 'hashtable')}"
    try:
        hashed = steer.job(both["as-is"], "HashTable", "hashtable", _hash_args(spec, cfg, folder)).run()
    except JobFailed as e:
        if _missing_table(e):
            result.findings.append(Finding("as-is", f"HBase table {spec.as_is.name} does not exist on AS-IS"))
            return result
        raise
    sync_args = ["-Dmapreduce.map.log.level=DEBUG",  # SyncTable logs each differing batch at DEBUG
                 "--dryrun=true", f"--sourcezkcluster={asis_gw.zookeeper}", f"{asis_gw.hdfs}{folder}",
                 spec.as_is.name, spec.to_be.name]
    try:
        synced = steer.job(both["to-be"], "SyncTable", "synctable", sync_args).run()
    except JobFailed as e:
        if _missing_table(e):
            result.findings.append(Finding("to-be", f"HBase table {spec.to_be.name} does not exist on TO-BE"))
            return result
        raise
    c = synced.counters
    result.rows_asis = hashed.counters.get("MAP_INPUT_RECORDS", 0)
    result.rows_tobe = c.get("MAP_INPUT_RECORDS", 0)
    ranges: list[KeyRange] = []
    if c.get("HASHES_NOT_MATCHED", 0):
        ranges = _ranges_of(both["to-be"], synced, cfg.max_ranges)
        _diff_ranges(services.config, spec, ranges, result)
    _reconcile(result, c, listed_all=len(ranges) >= c.get("HASHES_NOT_MATCHED", 0))
    result.sort()
    result.seconds = time.perf_counter() - t0
    result.stats = {"strategy": "MapReduce: HashTable on AS-IS, SyncTable --dryrun on TO-BE, differing ranges "
                                "read through Thrift",
                    "engine": ENGINE, "counters": {k: c.get(k, 0) for k in SYNC_COUNTERS},
                    "ranges_differing": c.get("HASHES_NOT_MATCHED", 0), "ranges_read": len(ranges),
                    "yarn": {"hashtable": hashed.app.id, "synctable": synced.app.id}}
    return result


SYNC_COUNTERS = ("HASHES_MATCHED", "HASHES_NOT_MATCHED", "SOURCEMISSINGROWS", "TARGETMISSINGROWS",
                 "SOURCEMISSINGCELLS", "TARGETMISSINGCELLS", "DIFFERENTCELLVALUES")


def _ranges_of(side: Side, synced: JobResult, limit: int, wait_s: float = LOGS_WAIT_S) -> list[KeyRange]:
    """The differing ranges from SyncTable's aggregated task logs. YARN aggregates logs a little
    after the application ends, so an empty or failed read is tried again for `wait_s`."""
    pipeline = [["yarn", "logs", "-applicationId", synced.app.id, "-log_files", "syslog"],
                ["grep", "-F", "Hash mismatch."], ["head", "-n", str(limit)]]
    deadline = time.monotonic() + wait_s
    while True:
        try:
            out = side.gateway.run(pipeline, timeout=600).check()
            ranges = differing_ranges(out.stdout)
            problem = "its task logs name none (log aggregation off?)"
        except GatewayError as e:
            ranges, problem = [], f"reading its task logs failed: {e}"
        if ranges or time.monotonic() > deadline:
            break
        time.sleep(2.0)
    if not ranges:
        raise OutsideFailure(f"SyncTable on {side.label} found {synced.counters.get('HASHES_NOT_MATCHED')} differing "
                             f"ranges but {problem} (`yarn logs -applicationId {synced.app.id}` on the gateway)")
    return ranges


def _diff_ranges(config: Config, spec: TableSpec, ranges: list[KeyRange], result: CompareResult) -> None:
    """Read the differing ranges on both sides through Thrift and list their differences."""
    # The connectors load here, where they are used: this module is imported for every check.
    from features.validation.backends import opened

    with opened(config, spec) as (a, b):
        asis, tobe = cast(RangeDigests, a), cast(RangeDigests, b)  # HBase over Thrift: it reads ranges
        rows_a, rows_b = both(lambda: asis.rows(ranges), lambda: tobe.rows(ranges))
        diff_rows(result, rows_a, rows_b, asis.key_text, use_hash=True)


def _reconcile(result: CompareResult, counters: dict[str, int], *, listed_all: bool) -> None:
    """When SyncTable found more differing ranges than were read, its counters give the totals."""
    if listed_all:
        return
    result.n_missing = max(result.n_missing, counters.get("TARGETMISSINGROWS", 0))
    result.n_extra = max(result.n_extra, counters.get("SOURCEMISSINGROWS", 0))
    result.n_changed = max(result.n_changed, counters.get("ROWSWITHDIFFS", 0))


def check(services: Any, spec: TableSpec, check_name: str, run_id: str,
          progress: Callable[[str], None]) -> CountResult | CompareResult:
    try:
        if check_name == "count":
            return count(services, spec, run_id, progress)
        return full(services, spec, run_id, progress)
    except (GatewayError, YarnError) as e:
        raise OutsideFailure(str(e)) from None


def on_start(services: Any) -> int:
    """Start-up hook: kill the YARN applications of validation runs that are over but whose job may
    still run (the run failed while YARN was unreachable, or Ferry died between a failure and the
    kill). Active runs are not touched: the runner re-attaches to their jobs. Returns the number killed."""
    if ready(services.config.estates):
        return 0
    both = sides(services.config)
    down: set[str] = set()  # a ResourceManager that does not answer is not asked again (start-up stays quick)
    killed = 0
    for run in runs.recent(services.store, kind="validation", limit=50):
        entries = [v for k, v in run.detail.items() if k.startswith("yarn:") and isinstance(v, dict)]
        if run.active or not entries or run.detail.get("yarn_swept"):
            continue
        swept = True
        for entry in entries:
            estate = str(entry.get("estate"))
            side = both.get(estate)
            if side is None or estate in down:
                swept = swept and side is None
                continue
            try:
                app = side.yarn.app(str(entry.get("app")))
                if not app.final:
                    side.yarn.kill(app.id)
                    killed += 1
            except AppNotFound:
                continue  # purged: nothing left to kill
            except YarnError:
                down.add(estate)
                swept = False  # try again at the next start
        if swept:
            runs.update(services.store, run.id, merge={"yarn_swept": True})
    return killed
