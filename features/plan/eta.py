"""`/migrate plan`: data volume ÷ usable bandwidth → an ETA per configured transfer, the total,
and the bottleneck named. The field note: the source's usable bandwidth decides the speed.

Each transfer's volume is what is left to move: from its latest run's progress (state.runs, kind
"transfer") when it has one, else its configured `size`. Its pace is the measured throughput of
a running transfer, else the usable bandwidth (`network`: source × usable_fraction, capped by
the target link) or its own `rate` cap when lower. Transfers that read through the AS-IS cluster
(cloudera-replication, hbase-copy) share the source link: together they cannot beat
volume ÷ usable bandwidth, whatever their own pace.

Reads only app.yaml and the state database, so it answers inside Slack's ack.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from config.model import Config, Network
from config.units import human_bytes, human_duration, human_rate
from core.message import Context, Header, Message, Section, Table
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


@dataclass
class Plan:
    link: Link
    transfers: list[TransferEta] = field(default_factory=list)
    left_bytes: float = 0.0  # of the transfers whose volume is known
    eta_s: float | None = None
    bottleneck: str = ""
    unknown: list[str] = field(default_factory=list)  # transfers with no volume to go on
    hdfs: dict[str, Any] | None = None  # AS-IS HDFS from the latest assessment: logical_bytes, eta_s, at

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def compute(config: Config, store: Store) -> Plan:
    link = Link.of(config.network)
    plan = Plan(link=link)
    transfers = getattr(config, "transfers", None) or ()
    for t in transfers:
        plan.transfers.append(_transfer(t, link, runs.latest(store, TRANSFER_KIND, t.id)))
    plan.unknown = [e.id for e in plan.transfers if e.left_bytes is None]
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


def _transfer(t: Any, link: Link, run: runs.Run | None) -> TransferEta:
    through = kind_of(t).uses_source_link and t.source == "as-is"
    progress = (run.detail.get("progress") or {}) if run else {}
    state = run.state if run else "not started"
    total = progress.get("bytes_total") or t.size
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
    return TransferEta(id=t.id, kind=t.kind, state=state, total_bytes=float(total) if total else None,
                       done_bytes=done, left_bytes=left, pace_bps=pace, basis=basis, eta_s=eta,
                       through_source_link=through)


def _hdfs_estimate(store: Store, link: Link) -> dict[str, Any] | None:
    """The whole of AS-IS's HDFS, from the latest assessment that read it."""
    for run in runs.recent(store, kind=ASSESSMENT_KIND, limit=20):
        source = (run.detail or {}).get("source_hdfs") if run.state == "done" else None
        if source and source.get("logical_bytes"):
            logical = float(source["logical_bytes"])
            return {"logical_bytes": logical, "assessed_at": run.finished_at or run.updated_at, "run_id": run.id,
                    "eta_s": logical / link.usable_bps if link.usable_bps else None}
    return None


def message(plan: Plan) -> Message:
    link = plan.link
    eta = human_duration(plan.eta_s) if plan.eta_s is not None else "unknown"
    title = f"Migration plan: ETA {eta}" if plan.eta_s is not None else "Migration plan"
    fields = [f"*Usable bandwidth*\n{link.describe()}",
              f"*Data left to move*\n{human_bytes(plan.left_bytes)} in {len(plan.transfers)} transfer"
              f"{'s' * (len(plan.transfers) != 1)}",
              f"*ETA (transfers together)*\n{eta}",
              f"*Bottleneck*\n{plan.bottleneck or 'unknown'}"]
    blocks: list[Any] = [Header(title), Section(fields=fields)]
    if plan.transfers:
        rows = [[e.id, e.kind, human_bytes(e.left_bytes) if e.left_bytes is not None else "?",
                 human_rate(e.pace_bps) if e.pace_bps else "?", e.basis,
                 human_duration(e.eta_s) if e.eta_s is not None else "?", e.state] for e in plan.transfers]
        blocks.append(Table(["transfer", "kind", "left", "pace", "from", "ETA", "state"], rows, align_right=[2, 3, 5]))
    else:
        blocks.append(Section("No transfers in app.yaml yet (`transfers:`): the ETA below is for AS-IS's whole HDFS."))
    if plan.hdfs:
        h = plan.hdfs
        blocks.append(Section(f"*Whole HDFS of AS-IS* (assessed {h['assessed_at'][:16].replace('T', ' ')} UTC): "
                              f"{human_bytes(h['logical_bytes'])} logical → "
                              f"*{human_duration(h['eta_s']) if h['eta_s'] else 'unknown'}* at the usable bandwidth."))
    notes = ["The field note: the source's usable bandwidth decides the migration's speed. "
             "`network.usable_fraction` is the share the copy may take without starving production."]
    if plan.unknown:
        notes.append("No volume for " + ", ".join(f"`{u}`" for u in plan.unknown)
                     + ": set `size:` in app.yaml (or start it: a running transfer reports its own).")
    if not plan.hdfs:
        notes.append("`/migrate assess` measures AS-IS's HDFS for a whole-cluster estimate.")
    blocks.append(Context(notes))
    text = f"{title}; bottleneck: {plan.bottleneck or 'unknown'}"
    return Message(text, blocks)
