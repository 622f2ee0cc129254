"""The assessment rules: one small function per rule, registered with `@rule` (rules/base.py).

    findings = evaluate(inventory, settings)     # sorted: critical first
    REGISTRY["zk-on-kafka-hosts"].why

To add a rule: write a function in the module of its topic (or a new module imported in `rules()`),
decorate it with `@rule(id, severity, title, why=, fix=, thresholds=)`, and add two tests in
tests/assess/test_rules.py (one inventory where it fires, one where it does not).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from config.assess import AssessSettings
from features.assess.rules.base import REGISTRY, SEVERITY_RANK, Finding, Hit, Rule

if TYPE_CHECKING:
    from connectors.cloudera import Inventory

log = logging.getLogger(__name__)

__all__ = ["REGISTRY", "Finding", "Hit", "Rule", "evaluate", "known_rule_ids", "known_thresholds", "rules",
           "apply_settings",
           "sort_findings", "thresholds_for"]


def rules() -> dict[str, Rule]:
    """Every rule by id. Importing a rule's module registers it (`@rule`); they are imported here,
    on first use, because each imports this package's base."""
    # The order of import is the order of the report's ties.
    # isort: off
    from features.assess.rules import zookeeper, kafka, hdfs, hbase  # noqa: F401
    from features.assess.rules import security, health, migration, same_config  # noqa: F401
    # isort: on

    return REGISTRY


def known_rule_ids() -> set[str]:
    return set(rules())


def known_thresholds() -> dict[str, float]:
    out: dict[str, float] = {}
    for r in rules().values():
        out.update(r.thresholds)
    return out


def thresholds_for(settings: AssessSettings | None) -> dict[str, float]:
    """The defaults, with what app.yaml's `assess.thresholds` overrides."""
    return {**known_thresholds(), **(settings.thresholds if settings else {})}


def evaluate(inv: Inventory, settings: AssessSettings | None = None,
             warnings: list[str] | None = None) -> list[Finding]:
    """Run every enabled rule on one inventory. A rule that breaks on odd data is reported in
    `warnings` and skipped: one bad rule never costs the whole assessment."""
    settings = settings or AssessSettings()
    t = thresholds_for(settings)
    found: list[Finding] = []
    for rule_id, r in rules().items():
        if r.check is None or rule_id in settings.disabled:
            continue
        try:
            hits = r.check(inv, t)
        except Exception as e:
            log.exception("rule %s failed", rule_id)
            if warnings is not None:
                warnings.append(f"rule {rule_id} could not run: {type(e).__name__}: {e}")
            continue
        found += r.findings(hits, settings.severity.get(rule_id))
    return sort_findings(found)


def apply_settings(found: list[Finding], settings: AssessSettings | None) -> list[Finding]:
    """Findings computed outside `evaluate` (the AS-IS vs TO-BE comparison), with app.yaml's
    `disable` and `severity` applied."""
    if settings is None:
        return found
    out = []
    for f in found:
        if f.rule in settings.disabled:
            continue
        if f.rule in settings.severity:
            f.severity = settings.severity[f.rule]
        out.append(f)
    return out


def sort_findings(found: list[Finding]) -> list[Finding]:
    """By severity, then in the rules' own order (topic by topic, the field note's findings first)."""
    order = {rule_id: i for i, rule_id in enumerate(rules())}
    return sorted(found, key=lambda f: (SEVERITY_RANK.get(f.severity, 99), order.get(f.rule, 999), f.scope))

