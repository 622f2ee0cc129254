"""Plain results of counts and compares, stored as JSON in a run's detail and rendered as cards."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Differences kept (listed) per kind; beyond it they are counted only. Bounds memory and the report.
MAX_LISTED = 10_000


def key_text(key: Any) -> str:
    """A key as people read it: `1234`, `eu|17`, `order-00000042`."""
    if isinstance(key, bytes):
        return key.decode("utf-8", "backslashreplace")
    if isinstance(key, (tuple, list)):
        return "|".join(key_text(k) for k in key) if len(key) != 1 else key_text(key[0])
    return str(key)


def value_text(value: Any, limit: int = 60) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Change:
    key: str
    columns: list[str]
    asis: dict[str, str] = field(default_factory=dict)  # column -> value text, differing columns only
    tobe: dict[str, str] = field(default_factory=dict)


@dataclass
class Duplicate:
    key: str
    asis: int  # occurrences on each side
    tobe: int


@dataclass
class Finding:
    """Something that stops a check from comparing rows: a table or column missing on one side."""

    side: str  # "as-is" | "to-be" | "both"
    problem: str


@dataclass
class CountResult:
    table: str
    rows_asis: int | None
    rows_tobe: int | None
    seconds_asis: float = 0.0
    seconds_tobe: float = 0.0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    check: str = "count"

    @property
    def difference(self) -> int | None:
        if self.rows_asis is None or self.rows_tobe is None:
            return None
        return self.rows_tobe - self.rows_asis

    @property
    def passed(self) -> bool:
        return not self.findings and self.rows_asis == self.rows_tobe

    def summary(self) -> str:
        if self.findings:
            return f"{self.table}: " + "; ".join(f.problem for f in self.findings)
        if self.passed:
            return f"{self.table}: {self.rows_asis:,} rows on both sides"
        return f"{self.table}: AS-IS {self.rows_asis:,}, TO-BE {self.rows_tobe:,} ({self.difference:+,})"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed, "difference": self.difference, "summary": self.summary()}


@dataclass
class CompareResult:
    """The differences of a sample or full compare. Counts are exact; lists stop at MAX_LISTED."""

    table: str
    check: str  # "sample" | "full"
    rows_asis: int = 0  # rows compared (full: the table; sample: the sampled keys found there)
    rows_tobe: int = 0
    missing: list[str] = field(default_factory=list)  # on AS-IS, not on TO-BE
    extra: list[str] = field(default_factory=list)  # on TO-BE, not on AS-IS
    changed: list[Change] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    n_missing: int = 0
    n_extra: int = 0
    n_changed: int = 0
    n_duplicates: int = 0
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    seed: int | None = None  # sample: rerun with the same seed for the same sample
    sample_size: int | None = None
    stats: dict[str, Any] = field(default_factory=dict)  # full: levels, segments, queries, rows fetched

    @property
    def differences(self) -> int:
        return self.n_missing + self.n_extra + self.n_changed + self.n_duplicates

    @property
    def passed(self) -> bool:
        return not self.findings and self.differences == 0

    def add_missing(self, key: str) -> None:
        self.n_missing += 1
        if len(self.missing) < MAX_LISTED:
            self.missing.append(key)

    def add_extra(self, key: str) -> None:
        self.n_extra += 1
        if len(self.extra) < MAX_LISTED:
            self.extra.append(key)

    def add_changed(self, change: Change) -> None:
        self.n_changed += 1
        if len(self.changed) < MAX_LISTED:
            self.changed.append(change)

    def add_duplicate(self, dup: Duplicate) -> None:
        self.n_duplicates += 1
        if len(self.duplicates) < MAX_LISTED:
            self.duplicates.append(dup)

    def merge(self, other: CompareResult) -> None:
        """Add another partial result's differences (lists stay cut at MAX_LISTED; counts exact)."""
        for kind in ("missing", "extra", "changed", "duplicates"):
            mine, theirs = getattr(self, kind), getattr(other, kind)
            mine.extend(theirs[: max(0, MAX_LISTED - len(mine))])
        self.n_missing += other.n_missing
        self.n_extra += other.n_extra
        self.n_changed += other.n_changed
        self.n_duplicates += other.n_duplicates

    @property
    def truncated(self) -> bool:
        return (len(self.missing) < self.n_missing or len(self.extra) < self.n_extra
                or len(self.changed) < self.n_changed or len(self.duplicates) < self.n_duplicates)

    def sort(self) -> None:
        self.missing.sort()
        self.extra.sort()
        self.changed.sort(key=lambda c: c.key)
        self.duplicates.sort(key=lambda d: d.key)

    def summary(self) -> str:
        what = "sample" if self.check == "sample" else "full compare"
        if self.findings:
            return f"{self.table} {what}: " + "; ".join(f.problem for f in self.findings)
        if self.passed:
            return f"{self.table} {what}: {self.rows_asis:,} rows, no difference"
        parts = [f"{n:,} {label}" for n, label in ((self.n_missing, "missing on TO-BE"), (self.n_extra, "extra on TO-BE"),
                                                   (self.n_changed, "changed"), (self.n_duplicates, "duplicate keys")) if n]
        return f"{self.table} {what}: " + ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed, "differences": self.differences, "truncated": self.truncated,
                "summary": self.summary()}


def result_from_dict(data: dict[str, Any]) -> CountResult | CompareResult:
    data = {k: v for k, v in data.items() if k not in ("passed", "difference", "differences", "truncated", "summary")}
    findings = [Finding(**f) for f in data.pop("findings", [])]
    if data.get("check") == "count":
        return CountResult(**data, findings=findings)
    changed = [Change(**c) for c in data.pop("changed", [])]
    dups = [Duplicate(**d) for d in data.pop("duplicates", [])]
    return CompareResult(**data, changed=changed, duplicates=dups, findings=findings)
