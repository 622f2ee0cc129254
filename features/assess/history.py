"""Findings are stored with their run (state.runs detail); a second assessment of the same side
says what is new and what was fixed since the previous one (findings compared by `key`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from features.assess.rules import Finding
from state import Store, runs

KIND = "assessment"


@dataclass
class Changes:
    previous_run: str | None = None
    previous_at: str | None = None
    new: list[str] = field(default_factory=list)  # keys of findings not in the previous assessment
    fixed: list[dict[str, str]] = field(default_factory=list)  # {"key", "title", "severity"} gone since
    unchanged: int = 0

    @property
    def first(self) -> bool:
        return self.previous_run is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def previous(store: Store, side: str, before_run: str) -> runs.Run | None:
    """The latest finished assessment of `side` other than `before_run`."""
    for run in runs.recent(store, kind=KIND, subject=side, limit=50):
        if run.id != before_run and run.state == "done":
            return run
    return None


def changes(prev: runs.Run | None, found: list[Finding]) -> Changes:
    if prev is None:
        return Changes()
    before = {f["key"]: f for f in prev.detail.get("findings", []) if "key" in f}
    now = {f.key for f in found}
    return Changes(
        previous_run=prev.id, previous_at=prev.finished_at or prev.updated_at,
        new=[f.key for f in found if f.key not in before],
        fixed=[{"key": k, "title": f.get("title", k), "severity": f.get("severity", "")}
               for k, f in before.items() if k not in now],
        unchanged=len(now & set(before)))
