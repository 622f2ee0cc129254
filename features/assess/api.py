"""What other features read of the assessments (the migration report): each side's first and
latest assessment, their findings, and what was fixed in between.

    overview(services, side) -> AssessmentOverview | None
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from features.assess import history
from features.services import Services
from state import runs


@dataclass(frozen=True)
class AssessmentOverview:
    side: str
    run_id: str
    at: str
    cluster: str
    versions: str
    hosts: int
    findings: list[dict[str, Any]]  # the latest assessment's, worst first (rules' Finding.to_dict)
    counts: dict[str, int]
    first_run_id: str
    first_at: str
    fixed: list[dict[str, Any]] = field(default_factory=list)  # found by the first assessment, gone now
    new: list[str] = field(default_factory=list)  # keys found now and not at first
    assessments: int = 1


def overview(services: Services, side: str) -> AssessmentOverview | None:
    """The side's latest finished assessment, compared with its first: what was fixed since."""
    done = [r for r in runs.recent(services.store, kind=history.KIND, subject=side, limit=500) if r.state == "done"]
    if not done:
        return None
    latest, first = done[0], done[-1]
    d = latest.detail
    now = {f.get("key") for f in d.get("findings", [])}
    before = {f.get("key"): f for f in first.detail.get("findings", [])}
    fixed = [{"key": k, "title": f.get("title", k), "severity": f.get("severity", "")}
             for k, f in before.items() if k not in now]
    versions = " · ".join(x for x in (f"CM {d['cm_version']}" if d.get("cm_version") else "",
                                      f"CDH {d['cdh_version']}" if d.get("cdh_version") else "") if x)
    return AssessmentOverview(side=side, run_id=latest.id, at=latest.finished_at or latest.updated_at,
                              cluster=str(d.get("cluster") or ""), versions=versions, hosts=int(d.get("hosts") or 0),
                              findings=list(d.get("findings", [])), counts=dict(d.get("counts") or {}),
                              first_run_id=first.id, first_at=first.finished_at or first.updated_at, fixed=fixed,
                              new=[k for k in now if k not in before and k], assessments=len(done))
