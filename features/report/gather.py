"""The report's content as plain data, read from the other features' api modules and the audit
trail. Nothing here renders; page.py does."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from features.assess import api as assess
from features.cutover import api as cutover
from features.services import Services
from features.transfers import api as transfers
from features.validation import api as validations
from state import audit

MAX_TRANSFER_RUNS = 200
VALIDATION_HISTORY = 50  # results listed per validation (the chart shows them too)


@dataclass(frozen=True)
class TransferRun:
    transfer_id: str
    kind: str
    run_id: str
    state: str
    started_by: str | None
    started_at: str
    ended_at: str | None
    bytes_moved: int | None  # by this run
    active_s: float | None  # time spent copying (pauses left out)
    wall_s: float | None  # start to end (or now)
    mean_bps: float | None
    cap_bps: float | None

    def share_of(self, usable_bps: float | None) -> float | None:
        """The mean rate as a share of the usable bandwidth (1.0 = all of it)."""
        if not usable_bps or self.mean_bps is None:
            return None
        return self.mean_bps / usable_bps


@dataclass(frozen=True)
class ValidationReport:
    id: str
    tables: tuple[str, ...]
    check: str
    history: list[validations.HistoryPoint]  # oldest first

    @property
    def latest(self) -> validations.HistoryPoint | None:
        return self.history[-1] if self.history else None


@dataclass(frozen=True)
class AuditSummary:
    entries: int
    sha256: str  # over the entries as `python -m bot audit --format json` lists them (see trail_hash)
    first_at: str | None
    last_at: str | None


@dataclass
class Report:
    generated_at: datetime
    channel: str
    config_version: str
    usable_bps: float | None
    link: str
    assessments: list[assess.AssessmentOverview] = field(default_factory=list)
    transfers: list[TransferRun] = field(default_factory=list)
    configured_transfers: list[str] = field(default_factory=list)
    validations: list[ValidationReport] = field(default_factory=list)
    cutover: list[cutover.StepHistory] = field(default_factory=list)
    audit: AuditSummary | None = None
    charts: dict[str, bytes] = field(default_factory=dict)  # "transfer:<run id>" / "validation:<id>" → PNG


def trail_hash(entries: list[dict[str, Any]]) -> str:
    """SHA-256 over the audit trail, oldest first: each entry as compact JSON with sorted keys,
    one line each. Anyone can recompute it from `python -m bot audit --format json`:

        sha256("".join(json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\\n" for e in entries))
    """
    digest = hashlib.sha256()
    for entry in entries:
        line = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str) + "\n"
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


def gather(services: Services, *, charts: bool = True) -> Report:
    cfg = services.config
    usable = cfg.network.usable_bandwidth
    report = Report(generated_at=datetime.now(UTC), channel=cfg.slack.channel, config_version=cfg.version,
                    usable_bps=usable, link=_link(cfg.network))
    for side in ("as-is", "to-be"):
        found = assess.overview(services, side)
        if found is not None:
            report.assessments.append(found)
    report.configured_transfers = cfg.transfers.ids
    report.transfers = [_transfer_run(r) for r in transfers.history(services, limit=MAX_TRANSFER_RUNS)][::-1]
    for spec in cfg.validations:
        report.validations.append(ValidationReport(spec.id, spec.tables, spec.check,
                                                   validations.history(services, spec.id, limit=VALIDATION_HISTORY)))
    report.cutover = cutover.steps(services) if len(cfg.cutover) else []
    entries = audit.all_entries(services.store)
    report.audit = AuditSummary(len(entries), trail_hash(entries), entries[0]["at"] if entries else None,
                                entries[-1]["at"] if entries else None)
    if charts:
        report.charts = _charts(services, report)
    return report


def _link(network: Any) -> str:
    if network.usable_bandwidth is None:
        return "unknown (network.source_bandwidth is not set in app.yaml)"
    from config.units import human_rate

    return (f"{human_rate(network.usable_bandwidth)} usable ({network.usable_fraction:g} of the source link"
            + (", capped by the TO-BE link" if network.target_bandwidth is not None
               and network.target_bandwidth < (network.source_bandwidth or 0) * network.usable_fraction else "")
            + ")")


def _transfer_run(run: Any) -> TransferRun:
    d = run.detail
    pr = d.get("progress") or {}
    base = d.get("bytes_at_start") or 0
    done = pr.get("bytes_done")
    moved = max(0, int(done) - int(base)) if done is not None else None
    active = d.get("active_s")
    started = d.get("started_at")
    ended = d.get("ended_at")
    wall = None
    if started:
        wall = max(0.0, float(ended or datetime.now(UTC).timestamp()) - float(started))
    mean = moved / active if moved is not None and active else None
    return TransferRun(run.subject, str(d.get("kind") or ""), run.id, run.state, run.started_by,
                       _iso(started) or run.created_at, _iso(ended), moved, float(active) if active else None,
                       wall, mean, d.get("rate"))


def _iso(epoch: Any) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(float(epoch), UTC).isoformat(timespec="seconds")


MAX_CHARTS = 20


def _charts(services: Services, report: Report) -> dict[str, bytes]:
    """The latest run of each transfer and each validation with a history, at most MAX_CHARTS."""
    from features.charts import jobs as charts  # matplotlib, only when charts are asked for

    out: dict[str, bytes] = {}
    latest_runs = {t.transfer_id: t.run_id for t in report.transfers}  # oldest first: the last one wins
    for run_id in list(latest_runs.values()):
        if len(out) >= MAX_CHARTS:
            break
        png = charts.transfer_png(services, run_id)
        if png:
            out[f"transfer:{run_id}"] = png
    for v in report.validations:
        if len(out) >= MAX_CHARTS:
            break
        png = charts.validation_png(services, v.id)
        if png:
            out[f"validation:{v.id}"] = png
    return out
