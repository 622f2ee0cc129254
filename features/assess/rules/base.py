"""What a rule is and what it finds.

A rule is a small function of an `Inventory` (and its thresholds) that returns nothing, a `Hit`
or a list of hits. `@rule(...)` registers it with its id, default severity, title, why it
matters for this migration and the fix; `evaluate` (rules/__init__.py) turns hits into `Finding`s.

    @rule("kafka-auto-create-topics", "low", "Kafka creates topics on first use",
          why="...", fix="...")
    def auto_create(inv: Inventory, t: Thresholds) -> Hit | None:
        ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from config.assess import SEVERITIES

SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}  # critical first

Thresholds = Mapping[str, float]


@dataclass
class Finding:
    """One problem (or note) found in a cluster, as stored with the run and shown in the report."""

    rule: str
    severity: str
    title: str
    evidence: str  # the numbers and hosts, one or two sentences
    why: str  # why it matters for this migration
    fix: str
    hosts: list[str] = field(default_factory=list)  # short host names involved
    numbers: dict[str, Any] = field(default_factory=dict)  # the figures, for scripts (`run --json`)
    scope: str = ""  # tells apart several findings of one rule (a service, a parameter)

    @property
    def key(self) -> str:
        """Identity across assessments: what is new and what was fixed is decided on it."""
        return f"{self.rule}:{self.scope}" if self.scope else self.rule

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "key": self.key}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Hit:
    """What a rule function returns; the registry adds the rule's id, title, why and fix."""

    evidence: str
    hosts: list[str] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)
    scope: str = ""
    severity: str | None = None  # for rules whose severity depends on the numbers
    title: str | None = None  # a more precise title than the rule's
    fix: str | None = None  # a fix with this cluster's numbers in it
    why: str | None = None


Check = Callable[..., "Hit | list[Hit] | None"]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str
    why: str
    fix: str
    check: Check | None  # None: produced elsewhere (the AS-IS vs TO-BE comparison)
    thresholds: dict[str, float] = field(default_factory=dict)

    def findings(self, hits: Hit | Iterable[Hit] | None, severity: str | None = None) -> list[Finding]:
        if hits is None:
            return []
        if isinstance(hits, Hit):
            hits = [hits]
        return [Finding(rule=self.id, severity=severity or h.severity or self.severity, title=h.title or self.title,
                        evidence=h.evidence, why=h.why or self.why, fix=h.fix or self.fix, hosts=list(h.hosts),
                        numbers=dict(h.numbers), scope=h.scope) for h in hits]


REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str, severity: str, title: str, *, why: str, fix: str,
         thresholds: dict[str, float] | None = None) -> Callable[[Check], Check]:
    """Register a rule function (see the module docstring)."""
    if severity not in SEVERITY_RANK:
        raise ValueError(f"rule {rule_id}: unknown severity {severity!r}")

    def register(func: Check) -> Check:
        if rule_id in REGISTRY:
            raise ValueError(f"rule {rule_id} registered twice")
        REGISTRY[rule_id] = Rule(rule_id, severity, title, " ".join(why.split()), " ".join(fix.split()), func,
                                 dict(thresholds or {}))
        return func

    return register


def declare(rule_id: str, severity: str, title: str, *, why: str, fix: str) -> Rule:
    """A rule whose findings another module computes (so app.yaml can disable it or change its severity)."""
    r = Rule(rule_id, severity, title, " ".join(why.split()), " ".join(fix.split()), None)
    REGISTRY[rule_id] = r
    return r


# -- small helpers the rules share ----------------------------------------------------------
ROLE_NAMES = {"DATANODE": "DataNode", "REGIONSERVER": "RegionServer", "NAMENODE": "NameNode",
              "KAFKA_BROKER": "Kafka broker", "SERVER": "ZooKeeper server", "MASTER": "Master",
              "SECONDARYNAMENODE": "SecondaryNameNode", "NODEMANAGER": "NodeManager",
              "RESOURCEMANAGER": "ResourceManager", "JOURNALNODE": "JournalNode"}


def role_name(role_type: str) -> str:
    return ROLE_NAMES.get(role_type, role_type.replace("_", " ").title())


def short(hostname: str) -> str:
    return hostname.split(".")[0]


def host_list(names: Iterable[str], limit: int = 6) -> str:
    """'fn-worker-1, fn-worker-2 and fn-worker-3'; long lists end with 'and N more'."""
    items = [short(n) for n in names]
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def pct(x: float) -> str:
    return f"{x:.0f}%"


def mean(values: Iterable[float]) -> float:
    vals = list(values)
    return sum(vals) / len(vals) if vals else 0.0
