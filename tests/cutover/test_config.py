"""The `cutover:` section: typed steps, and errors that name the key."""

from __future__ import annotations

import textwrap

import pytest

import config
from config import ConfigError
from config.cutover import Runbook
from features.registry import vocabulary
from tests.cutover.conftest import PEOPLE

VALIDATIONS = """
tables:
  - id: hbase-orders
    as-is: {hbase: orders}
    to-be: {hbase: orders}
validations:
  - id: orders-count
    table: hbase-orders
    check: count
  - id: events-sample
    table: hbase-orders
    check: sample
"""
ESTATES = "estates:\n  as-is: {hbase: {host: h, port: 9}}\n  to-be: {hbase: {host: h, port: 9}}\n"


def load(extra: str):
    people = PEOPLE.replace("estates:\n  as-is: {}\n  to-be: {}\n", ESTATES)
    return config.load_text(people + textwrap.dedent(extra), env={}, source_path="/tmp/x/app.yaml", **vocabulary())


def test_steps_are_typed():
    cfg = load(VALIDATIONS + textwrap.dedent("""
        cutover:
          steps:
            - id: freeze-writes
              title: Freeze writes
              approvals: 2
              approval_ttl: 90m
            - id: final-validation
              title: Final validation
              action: run-validation orders-count
              gates:
                after: [freeze-writes]
                validations: [events-sample, {id: orders-count, max_age: 10m}]
                max_age: 45m
        """))
    book = cfg.cutover
    assert isinstance(book, Runbook) and len(book) == 2
    first, second = book.steps
    assert (first.approvals, first.approval_ttl_s, first.action.kind) == (2, 5400.0, "manual")
    assert second.after == ("freeze-writes",)
    assert [(g.id, g.max_age_s) for g in second.validations] == [("events-sample", 2700.0), ("orders-count", 600.0)]
    assert (second.action.kind, second.action.target) == ("run-validation", "orders-count")
    assert book.watch_interval_s == 10.0


def test_no_cutover_section_is_an_empty_runbook():
    assert len(load("").cutover) == 0


@pytest.mark.parametrize("steps, key, words", [
    ("- {id: a, title: A}\n- {id: a, title: B}", "cutover.steps[1].id", "duplicate step id"),
    ("- {id: a, title: A, gates: {after: [b]}}\n- {id: b, title: B}", "cutover.steps[0].gates.after[0]",
     "not an earlier step"),
    ("- {id: a, title: A, action: start-transfer nope}", "cutover.steps[0].action", "no transfer 'nope'"),
    ("- {id: a, title: A, action: run-validation nope}", "cutover.steps[0].action", "no validation 'nope'"),
    ("- {id: a, title: A, action: reboot}", "cutover.steps[0].action", "not an action"),
    ("- {id: a, title: A, gates: {validations: [nope]}}", "cutover.steps[0].gates.validations[0]",
     "no validation 'nope'"),
    ("- {id: a, title: A, approvals: 4}", "cutover.steps[0].approvals", "lists only 3"),
    ("- {id: a, title: A, approval_ttl: soon}", "cutover.steps[0].approval_ttl", "not a duration"),
    ("- {id: a, title: A, aprovals: 2}", "cutover.steps[0].aprovals", "did you mean 'approvals'"),
    ("- {id: a}", "cutover.steps[0].title", "is required"),
])
def test_errors_name_the_key(steps, key, words):
    text = VALIDATIONS + "cutover:\n  steps:\n" + textwrap.indent(steps, "    ") + "\n"
    with pytest.raises(ConfigError) as err:
        load(text)
    assert err.value.key == key
    assert words in str(err.value)
