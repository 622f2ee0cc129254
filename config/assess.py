"""The `assess:` section: tune the assessment rules of `/migrate assess` (all keys optional).

    assess:
      thresholds:                       # names and defaults: features/assess/rules (THRESHOLDS)
        datanode_spread_points: 10      # a DataNode this many points from the mean usage is flagged
        clock_offset_ms: 3000
      disable: [kafka-auto-create-topics]   # rule ids not to run
      severity: {hdfs-namenode-ha: high}     # a rule's severity, changed
      top: 8                            # findings shown in the card (all of them are in its thread)

Rule ids and threshold names are checked against the names the assessment's rules declare
(`RuleNames`, handed to config.load by features.registry.load_config), so a typo fails at start.
Loaded without them (a bare `config.load`), the section is read but its names are not checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from config.errors import ConfigError
from config.reader import Reader, join

SEVERITIES = ("critical", "high", "medium", "low", "info")
DEFAULT_TOP = 8
MAX_TOP = 25  # each finding is one Block Kit section; the card must stay under Slack's 50 blocks


@dataclass(frozen=True)
class RuleNames:
    """What the rules are called: their ids, and their thresholds with defaults."""

    ids: frozenset[str]
    thresholds: dict[str, float]


@dataclass(frozen=True)
class AssessSettings:
    thresholds: dict[str, float] = field(default_factory=dict)  # only what app.yaml overrides
    disabled: frozenset[str] = frozenset()
    severity: dict[str, str] = field(default_factory=dict)
    top: int = DEFAULT_TOP


def parse(value: Any, path: str, parsed: dict[str, Any]) -> AssessSettings:
    if value is None:
        return AssessSettings()
    names: RuleNames | None = parsed.get("rules")
    r = Reader(value, path)
    rule_ids = names.ids if names else None
    thresholds: dict[str, float] = {}
    t = r.section("thresholds")
    defaults = names.thresholds if names else None
    for name in t.data:
        if defaults is not None and name not in defaults:
            raise ConfigError(join(t.path, name), "unknown threshold" + _close(name, defaults))
        thresholds[name] = t.float(name, minimum=0)
    disabled = r.str_list("disable", default=())
    for i, rule_id in enumerate(disabled):
        if rule_ids is not None and rule_id not in rule_ids:
            raise ConfigError(join(join(path, "disable"), i), f"{rule_id!r} is not a rule" + _close(rule_id, rule_ids))
    severity: dict[str, str] = {}
    s = r.section("severity")
    for rule_id in s.data:
        if rule_ids is not None and rule_id not in rule_ids:
            raise ConfigError(join(s.path, rule_id), "is not a rule" + _close(rule_id, rule_ids))
        severity[rule_id] = s.choice(rule_id, SEVERITIES)
    top = r.int("top", default=DEFAULT_TOP, minimum=1)
    if top > MAX_TOP:
        raise ConfigError(join(path, "top"), f"at most {MAX_TOP} (Slack shows 50 blocks a message)")
    r.done()
    return AssessSettings(thresholds=thresholds, disabled=frozenset(disabled), severity=severity, top=top)


def _close(name: str, known: Any) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
