"""Validation gates: a step whose validation failed, never ran or is stale is blocked, with the
reason; a gate that flips after the request voids it. Results are validation runs in state.runs
in the validation feature's shape (kind "validation", subject = the validation id, final state
passed | mismatch | failed, detail["summary"]), read back through features.validation.api."""

from __future__ import annotations

import time

import pytest

from state import audit, runs
from tests.cutover.conftest import ALICE, CAROL, DAVE, Cutover, write
from tests.fixtures.slack import start_ferry, stop_ferry

# Endpoints that are never contacted here (no validation runs), but that the tables need.
ESTATES = """
estates:
  as-is:
    hbase: {host: 127.0.0.1, port: 9}
  to-be:
    hbase: {host: 127.0.0.1, port: 9}
"""

VALIDATED = """
tables:
  - id: hbase-orders
    as-is: {hbase: orders}
    to-be: {hbase: orders}
validations:
  - id: orders-count
    table: hbase-orders
    check: count
cutover:
  watch_interval: 0.3s
  steps:
    - id: switch-clients
      title: Switch clients to TO-BE
      approvals: 2
      gates:
        validations: [orders-count]
        max_age: {max_age}
"""


def record_validation(store, validation_id: str, state: str, summary: str) -> runs.Run:
    """A finished validation run, as features/validation/runner.py leaves one."""
    run = runs.create(store, "validation", validation_id, started_by="schedule",
                      detail={"validation_id": validation_id, "tables": ["hbase-orders"], "check": "count",
                              "origin": "scheduled", "alerts": True})
    runs.update(store, run.id, state="running")
    return runs.update(store, run.id, state=state, merge={"summary": summary})


@pytest.fixture
def gated(tmp_path, slack_standin):
    started = []

    def start(max_age: str = "30m") -> Cutover:
        path = write(tmp_path, VALIDATED.replace("{max_age}", max_age))
        path.write_text(path.read_text().replace("estates:\n  as-is: {}\n  to-be: {}\n", ESTATES))
        ferry = start_ferry(path, slack_standin)
        started.append(ferry)
        return Cutover(ferry)

    yield start
    for ferry in started:
        stop_ferry(ferry)


def test_a_validation_that_never_ran_blocks_the_step(gated):
    cut = gated()
    cut.command("cutover")
    card = cut.card(lambda t: "`blocked`" in t)
    assert "✗ validation `orders-count` has never run" in str(card.blocks)
    assert "Request approval" not in str(card.blocks)
    answer = cut.press("request", "switch-clients|1", ALICE)
    assert "is blocked" in answer and "has never run" in answer


def test_a_failing_validation_blocks_the_step_with_its_summary(gated):
    cut = gated()
    record_validation(cut.services.store, "orders-count", "mismatch", "hbase-orders: AS-IS 10,000, TO-BE 9,990 (-10)")
    cut.command("cutover")
    card = cut.card(lambda t: "`blocked`" in t)
    assert "✗ validation `orders-count` failed at" in str(card.blocks)
    assert "TO-BE 9,990 (-10)" in str(card.blocks)
    assert "TO-BE 9,990" in cut.press("request", "switch-clients|1", ALICE)
    # a clean run afterwards unblocks it: the watcher updates the card by itself
    record_validation(cut.services.store, "orders-count", "passed", "hbase-orders: 10,000 rows on both sides")
    card = cut.card(lambda t: "`ready`" in t)
    assert "✓ validation `orders-count` passed at" in str(card.blocks)
    assert cut.button("Request approval") == "switch-clients|1"


def test_a_stale_validation_blocks_approval_and_voids_the_request(gated):
    cut = gated(max_age="1s")
    record_validation(cut.services.store, "orders-count", "passed", "hbase-orders: 10,000 rows on both sides")
    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), ALICE)
    value = cut.button("Approve")
    time.sleep(1.1)  # older than max_age now
    answer = cut.press("approve", value, CAROL)
    assert "is void" in answer and "a gate flipped" in answer and "is stale" in answer
    assert cut.state_of("switch-clients") == "blocked"
    card = cut.card(lambda t: "voided" in t)
    assert "is stale" in str(card.blocks)
    void = next(e for e in audit.all_entries(cut.services.store) if e["outcome"] == "void")
    assert "is stale" in void["reason"] and void["plan_hash"]
    assert not [e for e in audit.all_entries(cut.services.store) if e["outcome"] == "approved"]


def test_a_gate_that_flips_while_requested_voids_earlier_approvals(gated):
    cut = gated()
    record_validation(cut.services.store, "orders-count", "passed", "hbase-orders: 10,000 rows on both sides")
    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), ALICE)
    value = cut.button("Approve")
    assert "1 of 2" in cut.press("approve", value, CAROL)
    record_validation(cut.services.store, "orders-count", "mismatch", "hbase-orders: AS-IS 10,000, TO-BE 9,999 (-1)")
    # nobody clicks: the watcher sees the flip, voids the request and the card says why
    card = cut.card(lambda t: "voided" in t, timeout=5)
    assert "a gate flipped" in str(card.blocks) and "TO-BE 9,999" in str(card.blocks)
    assert "is void" in cut.press("approve", value, DAVE)
    assert cut.view().get("switch-clients").approvals == []
    # a passing run again: a new request, new approvals
    record_validation(cut.services.store, "orders-count", "passed", "hbase-orders: 10,000 rows on both sides")
    assert cut.button("Request approval") == "switch-clients|2"
