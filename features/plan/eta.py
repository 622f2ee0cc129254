"""`/migrate plan`: data volume ÷ usable bandwidth → an ETA per configured transfer, the total,
and the bottleneck named. The field note: the source's usable bandwidth decides the speed.

Each transfer's volume is what is left to move: from its latest run's progress (state.runs, kind
"transfer") when it has one, else its configured `size`, else the size its engine gave the start
card (features/transfers/sizes.py). Finished transfers count for nothing. Its pace is the measured throughput of
a running transfer, else the usable bandwidth (`network`: source × usable_fraction, capped by
the target link) or its own `rate` cap when lower. Transfers that read through the AS-IS cluster
(cloudera-replication, hbase-copy) share the source link: together they cannot beat
volume ÷ usable bandwidth, whatever their own pace.

Each transfer also says where its work runs (`Backend.runs_on`: the cluster's MapReduce through
Cloudera Manager, DataSync, Redshift, or Ferry itself), and the plan warns when work meant for a
cluster's engines would go through Ferry's one process: an `hbase-copy`, or an HBase table counted
and compared over Thrift, above the `mapreduce:` size thresholds.

Reads only app.yaml and the state database, so it answers inside Slack's ack.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from config.model import Config, Network
from config.tables import engine_for
from config.units import human_bytes, human_duration, human_rate
from core.message import Context, Header, Message, Section, Table
from features.transfers import sizes
from features.transfers.kinds import kind_of
from state import Store, runs

TRANSFER_KIND = "transfer"  # state.runs kind of the transfers (features/transfers)
ASSESSMENT_KIND = "assessment"


def bits(bps: float) -> str:
    """Bytes/s as a link speed: 1.25e9 -> '10 Gbit/s'."""
    b = bps * 8
    for unit, size in (("Tbit/s", 1e12), ("Gbit/s", 1e9), ("Mbit/s", 1e6)):
        if b >= size:
            return f"{b / size:.3g} {unit}"
    return f"{b:.0f} bit/s"


@dataclass
class Link:
    """The network the copy may use (app.yaml `network`)."""

    source_bps: float | None
    fraction: float
    target_bps: float | None
    usable_bps: float | None

    @classmethod
    def of(cls, network: Network) -> Link:
        return cls(network.source_bandwidth, network.usable_fraction, network.target_bandwidth,
                   network.usable_bandwidth)

    @property
    def limited_by_target(self) -> bool:
        return (self.target_bps is not None and self.source_bps is not None
                and self.target_bps < self.source_bps * self.fraction)

    def describe(self) -> str:
        if self.usable_bps is None:
            return "unknown (set `network.source_bandwidth` in app.yaml)"
        if self.limited_by_target:
            return (f"{human_rate(self.usable_bps)}: the TO-BE link ({bits(self.target_bps or 0)}) is below the "
                    f"source's usable {human_rate((self.source_bps or 0) * self.fraction)}")
        return (f"{human_rate(self.usable_bps)} ({bits(self.source_bps or 0)} source link × "
                f"{self.fraction:g} usable)")


@dataclass
class TransferEta:
    id: str
    kind: str
    state: str  # the latest run's state, or "not started"
    total_bytes: float | None
    done_bytes: float
    left_bytes: float | None
    pace_bps: float | None
    basis: str  # where the pace comes from
    eta_s: float | None
    through_source_link: bool
    runs_on: str = ""  # short: "CM", "DataSync", "Redshift", "Ferry"
    runs_on_text: str = ""  # the sentence: where the copy's work runs
    size_from: str = ""  # where the volume comes from: "progress", "app.yaml", "estimate", "dry run"

    @property
    def finished(self) -> bool:
        return self.state == "done"


@dataclass
class Plan:
    link: Link
    transfers: list[TransferEta] = field(default_factory=list)
    left_bytes: float = 0.0  # of the transfers whose volume is known
    eta_s: float | None = None
    bottleneck: str = ""
    unknown: list[str] = field(default_factory=list)  # transfers with no volume to go on
    hdfs: dict[str, Any] | None = None  # AS-IS HDFS from the latest assessment: logical_bytes, eta_s, at
    warnings: list[str] = field(default_factory=list)  # work that would go through Ferry's one process

    @property
    def open_transfers(self) -> list[TransferEta]:
        """The transfers still to finish: what the headline counts."""
        return [e for e in self.transfers if not e.finished]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "open": [e.id for e in self.open_transfers]}


def compute(config: Config, store: Store) -> Plan:
    link = Link.of(config.network)
    plan = Plan(link=link)
    transfers = getattr(config, "transfers", None) or ()
    for t in transfers:
        known = sizes.known(store, t.id)
        plan.transfers.append(_transfer(t, link, runs.latest(store, TRANSFER_KIND, t.id), known))
    plan.unknown = [e.id for e in plan.transfers if e.left_bytes is None]
    plan.warnings = warnings(config, plan)
    plan.left_bytes = sum(e.left_bytes or 0 for e in plan.transfers)
    # Transfers through the source link share it: together they take at least their volume ÷ usable bandwidth.
    through_link = sum(e.left_bytes or 0 for e in plan.transfers if e.through_source_link and e.state != "done")
    link_s = through_link / link.usable_bps if link.usable_bps and through_link else None
    slowest = max((e for e in plan.transfers if e.eta_s is not None), key=lambda e: e.eta_s or 0, default=None)
    candidates = [x for x in (link_s, slowest.eta_s if slowest else None) if x is not None]
    plan.eta_s = max(candidates) if candidates else None
    if link_s is not None and (slowest is None or link_s >= (slowest.eta_s or 0)):
        plan.bottleneck = f"the source's usable bandwidth: {link.describe()}"
    elif slowest is not None and slowest.eta_s:
        plan.bottleneck = f"`{slowest.id}` at {human_rate(slowest.pace_bps or 0)} ({slowest.basis})"
    plan.hdfs = _hdfs_estimate(store, link)
    return plan


def _transfer(t: Any, link: Link, run: runs.Run | None, known: sizes.KnownSize | None = None) -> TransferEta:
    kind = kind_of(t)
    through = kind.uses_source_link and t.source == "as-is"
    progress = (run.detail.get("progress") or {}) if run else {}
    state = run.state if run else "not started"
    if progress.get("bytes_total"):
        total, size_from = progress["bytes_total"], "progress"
    elif t.size:
        total, size_from = t.size, "app.yaml"
    elif known is not None:
        total, size_from = known.bytes, known.source
    else:
        total, size_from = None, ""
    done = float(progress.get("bytes_done") or 0) if progress.get("bytes_total") else 0.0
    left = 0.0 if state == "done" else (max(0.0, float(total) - done) if total else None)
    measured = progress.get("rate_bps") or progress.get("avg_bps")
    if state == "running" and measured:
        pace, basis = float(measured), "measured"
    else:
        options = []
        if link.usable_bps:
            options.append((link.usable_bps, "source link" if through else "network (assumed)"))
        if t.rate:
            options.append((t.rate, "rate cap"))
        pace, basis = min(options) if options else (None, "unknown")
    eta = left / pace if left is not None and pace else (0.0 if left == 0 else None)
    short, sentence = kind.runs_on(t)
    return TransferEta(id=t.id, kind=t.kind, state=state, total_bytes=float(total) if total else None,
                       done_bytes=done, left_bytes=left, pace_bps=pace, basis=basis, eta_s=eta,
                       through_source_link=through, runs_on=short, runs_on_text=sentence, size_from=size_from)


def warnings(config: Config, plan: Plan) -> list[str]:
    """Work meant for the clusters' engines that would go through Ferry's one process: an
    hbase-copy, or an HBase table counted and compared over Thrift, above `mapreduce:`'s thresholds
    (its `above_size` / `above_rows`, default 50 GB / 50,000,000 rows)."""
    settings = config.mapreduce
    out = []
    copied: dict[str, float] = {}  # HBase table -> bytes an hbase-copy will move
    for e in plan.transfers:
        t = config.transfers.get(e.id)
        if t is None or e.kind != "hbase-copy" or e.finished:
            continue
        table = getattr(t.params, "table", "")
        if e.total_bytes:
            copied[table] = e.total_bytes
        # the size it will move, else the hints of the table it copies (`tables:` rows / size)
        hinted = next((s for s in config.tables if s.kind == "hbase" and s.as_is.name == table), None)
        rows = hinted.rows_hint if hinted is not None else None
        size = e.total_bytes or (hinted.size_hint if hinted is not None else None)
        if (size and size > settings.above_size) or (rows is not None and rows > settings.above_rows):
            what = human_bytes(size) if size and size > settings.above_size else f"{rows:,} rows"
            limit = (f"`mapreduce.above_size` ({human_bytes(settings.above_size)})" if size and size > settings.above_size
                     else f"`mapreduce.above_rows` ({settings.above_rows:,})")
            out.append(f"`{e.id}` would copy {what} through Ferry's one process (hbase-copy), above {limit}: use a "
                       "`cloudera-replication` with `service: hbase` (snapshot export on the cluster) instead.")
    for spec in config.tables:
        if spec.kind != "hbase" or engine_for(spec, config.estates, settings) != "thrift":
            continue
        size = spec.size_hint or copied.get(spec.as_is.name)
        big_rows = spec.rows_hint is not None and spec.rows_hint > settings.above_rows
        if big_rows or (size and size > settings.above_size):
            what = f"{spec.rows_hint:,} rows" if big_rows else human_bytes(size or 0)
            out.append(f"Table `{spec.id}` ({what}) is counted and compared over Thrift, through Ferry's one "
                       f"process, above the `mapreduce:` threshold: set `engine: mapreduce` (and each estate's "
                       "`gateway` and `yarn`) so RowCounter and HashTable/SyncTable run on the clusters.")
    return out


def _hdfs_estimate(store: Store, link: Link) -> dict[str, Any] | None:
    """The whole of AS-IS's HDFS, from the latest assessment that read it."""
    # Only that field of the assessment's detail is read: the rest is its report of every table.
    found = runs.newest_field(store, ASSESSMENT_KIND, "done", "$.source_hdfs.logical_bytes")
    if found is None or not found[1]:
        return None
    run, logical = found[0], float(found[1])
    return {"logical_bytes": logical, "assessed_at": run.finished_at or run.updated_at, "run_id": run.id,
            "eta_s": logical / link.usable_bps if link.usable_bps else None}


MAX_ID = 18  # characters of a transfer id in the table: it stays narrow enough for a Slack message


def message(plan: Plan) -> Message:
    link = plan.link
    eta = human_duration(plan.eta_s) if plan.eta_s is not None else "unknown"
    title = f"Migration plan: ETA {eta}" if plan.eta_s is not None else "Migration plan"
    todo = plan.open_transfers
    finished = [e for e in plan.transfers if e.finished]
    fields = [f"*Usable bandwidth*\n{link.describe()}",
              f"*Data left to move*\n{human_bytes(plan.left_bytes)} in {len(todo)} transfer"
              f"{'s' * (len(todo) != 1)}" + (f" ({len(finished)} done)" if finished else ""),
              f"*ETA (transfers together)*\n{eta}",
              f"*Bottleneck*\n{plan.bottleneck or 'unknown'}"]
    blocks: list[Any] = [Header(title), Section(fields=fields)]
    if todo:
        # Narrow (about 60 characters): a code block does not wrap in every Slack client.
        rows = [[_clip(e.id), human_bytes(e.left_bytes) if e.left_bytes is not None else "?",
                 human_rate(e.pace_bps) if e.pace_bps else "?",
                 human_duration(e.eta_s) if e.eta_s is not None else "?", e.runs_on] for e in todo]
        blocks.append(Table(["transfer", "left", "pace", "ETA", "runs on"], rows, align_right=[1, 2, 3]))
        blocks.append(Section("\n".join(_line(e) for e in todo)[:2900]))
    elif plan.transfers:
        blocks.append(Section(":white_check_mark: Every configured transfer is done."))
    else:
        blocks.append(Section("No transfers in app.yaml yet (`transfers:`): the ETA below is for AS-IS's whole HDFS."))
    if plan.warnings:
        blocks.append(Section("\n".join(f":warning: {w}" for w in plan.warnings)[:2900]))
    if plan.hdfs:
        h = plan.hdfs
        blocks.append(Section(f"*Whole HDFS of AS-IS* (assessed {h['assessed_at'][:16].replace('T', ' ')} UTC): "
                              f"{human_bytes(h['logical_bytes'])} logical → "
                              f"*{human_duration(h['eta_s']) if h['eta_s'] else 'unknown'}* at the usable bandwidth."))
    notes = ["The field note: the source's usable bandwidth decides the migration's speed. "
             "`network.usable_fraction` is the share the copy may take without starving production."]
    if finished:
        notes.append("Done: " + ", ".join(f"`{e.id}`" for e in finished) + ".")
    unknown = [u for u in plan.unknown if u in {e.id for e in todo}]
    if unknown:
        notes.append("No volume for " + ", ".join(f"`{u}`" for u in unknown)
                     + ": set `size:` in app.yaml, or `/migrate start` it (its start card asks the engine).")
    if not plan.hdfs:
        notes.append("`/migrate assess` measures AS-IS's HDFS for a whole-cluster estimate.")
    blocks.append(Context(notes))
    text = f"{title}; bottleneck: {plan.bottleneck or 'unknown'}"
    return Message(text, blocks)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ID else text[: MAX_ID - 1] + "…"


def _line(e: TransferEta) -> str:
    """One transfer in words: where it runs, its state, where its volume and pace come from."""
    size = {"app.yaml": "size from app.yaml", "progress": "size from its run", "estimate": "size estimated by "
            "its engine", "dry run": "size from CM's dry run"}.get(e.size_from, "size unknown")
    return (f"• `{e.id}` ({e.kind}, {e.state}): runs on {e.runs_on_text or e.runs_on} · {size} · "
            f"pace: {e.basis}")
