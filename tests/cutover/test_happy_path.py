"""A whole runbook on the sandbox, through signed clicks: freeze writes (manual), the final
copy (an hbase-copy transfer on the sandbox HBase), the final validation (a count of both
sides), switch clients (gated on that validation) and reopen. Every card is valid Block Kit
and the audit trail holds each event, in order, under its plan hash."""

from __future__ import annotations

import json

import pytest

from features.validation import api as validation_api
from state import audit
from tests.cutover.conftest import ALICE, BOB, CAROL, DAVE, Cutover, assert_valid_blocks
from tests.cutover.test_transfer_steps import hbase_estates
from tests.fixtures.hbase import HBASE_SEED_ROWS
from tests.fixtures.slack import start_ferry, stop_ferry

RUNBOOK = """
transfers:
  - id: hbase-orders
    kind: hbase-copy
    table: orders
    batch_rows: 500
    poll_every: 0.2s
tables:
  - id: hbase-orders
    as-is: {hbase: orders}
    to-be: {hbase: orders}
validations:
  - id: orders-count
    table: hbase-orders
    check: count
cutover:
  watch_interval: 0.2s
  steps:
    - id: freeze-writes
      title: Freeze writes on AS-IS
      description: Applications read-only on AS-IS; HBase tables disabled for writes.
      approvals: 2
    - id: final-copy
      title: Final catch-up copy
      approvals: 1
      gates: {after: [freeze-writes]}
      action: start-transfer hbase-orders
    - id: final-validation
      title: Final validation
      approvals: 1
      gates: {after: [final-copy]}
      action: run-validation orders-count
    - id: switch-clients
      title: Switch clients to TO-BE
      approvals: 2
      gates:
        after: [final-validation]
        validations: [orders-count]
        max_age: 30m
    - id: reopen
      title: Reopen writes on TO-BE
      approvals: 1
      gates: {after: [switch-clients]}
"""


@pytest.fixture
def sandbox_cut(tmp_path, slack_standin, hbase_seeded, hbase_server_factory):
    from tests.cutover.conftest import write

    head = write(tmp_path, "").read_text().split("estates:")[0]
    path = tmp_path / "app.yaml"
    path.write_text(head + hbase_estates(hbase_seeded.asis, hbase_server_factory()) + RUNBOOK)
    ferry = start_ferry(path, slack_standin)
    yield Cutover(ferry)
    stop_ferry(ferry)


def approve_step(cut: Cutover, step: str, requester: str, approvers: tuple[str, ...]) -> None:
    cut.press("request", cut.button("Request approval", step=f"{step}|"), requester)
    value = cut.button("Approve", step=f"{step}|")
    for who in approvers:
        cut.press("approve", value, who)


def test_a_whole_runbook_runs_on_the_sandbox(sandbox_cut):
    cut = sandbox_cut
    cut.command("cutover")
    card = cut.card(lambda t: "Freeze writes on AS-IS" in t)
    assert "✗ step `final-validation` is not done yet" in str(card.blocks)

    approve_step(cut, "freeze-writes", ALICE, (BOB, CAROL))
    cut.wait_state("freeze-writes", "running")
    cut.press("complete", cut.button("Mark done", step="freeze-writes|"), ALICE)
    cut.wait_state("freeze-writes", "done")

    approve_step(cut, "final-copy", ALICE, (DAVE,))
    cut.wait_state("final-copy", "done", timeout=60)
    copy = cut.view().get("final-copy").target
    assert (copy.kind, copy.state, copy.detail["progress"]["rows_done"]) == ("transfer", "done", HBASE_SEED_ROWS)

    approve_step(cut, "final-validation", BOB, (CAROL,))
    cut.wait_state("final-validation", "done", timeout=60)
    result = validation_api.latest_result(cut.services, "orders-count")
    assert result.passed and result.run_id == cut.view().get("final-validation").target.id

    card = cut.card(lambda t: "✓ validation `orders-count` passed" in t)
    approve_step(cut, "switch-clients", ALICE, (BOB, DAVE))
    cut.wait_state("switch-clients", "running")
    cut.press("complete", cut.button("Mark done", step="switch-clients|"), BOB)
    cut.wait_state("switch-clients", "done")

    approve_step(cut, "reopen", ALICE, (CAROL,))
    cut.wait_state("reopen", "running")
    cut.press("complete", cut.button("Mark done", step="reopen|"), ALICE)
    cut.wait_state("reopen", "done")
    assert cut.view().finished
    card = cut.card(lambda t: "All 5 steps done" in t)
    assert_valid_blocks(card.blocks)
    for call in cut.standin.calls_of("chat.postMessage") + cut.standin.calls_of("chat.update"):
        blocks = call.params.get("blocks")
        assert_valid_blocks(blocks if isinstance(blocks, list) else json.loads(blocks or "[]"))

    ours = [(e["action"], e["outcome"], e["target"].split("#")[0]) for e in audit.all_entries(cut.services.store)
            if e["action"].startswith("cutover:") and e["plan_hash"]]
    expected = []
    for step, approvals in (("freeze-writes", 2), ("final-copy", 1), ("final-validation", 1),
                            ("switch-clients", 2), ("reopen", 1)):
        expected += [("cutover:request", "requested", step)] + [("cutover:approve", "approved", step)] * approvals
        expected += [("cutover:action", "started", step), ("cutover:action", "done", step)]
    assert ours == expected


def test_a_validation_step_that_finds_a_difference_fails_with_it(tmp_path, slack_standin, hbase_seeded,
                                                                hbase_server_factory):
    from tests.cutover.conftest import write

    head = write(tmp_path, "").read_text().split("estates:")[0]
    runbook = RUNBOOK.split("cutover:")[0] + """cutover:
  watch_interval: 0.2s
  steps:
    - id: final-validation
      title: Final validation
      action: run-validation orders-count
"""
    path = tmp_path / "app.yaml"
    path.write_text(head + hbase_estates(hbase_seeded.asis, hbase_server_factory()) + runbook)
    ferry = start_ferry(path, slack_standin)
    try:
        cut = Cutover(ferry)
        cut.command("cutover")
        approve_step(cut, "final-validation", ALICE, (CAROL,))  # TO-BE is empty: nothing was copied
        cut.wait_state("final-validation", "failed", timeout=30)
        result = validation_api.latest_result(cut.services, "orders-count")
        assert not result.passed
        card = cut.card(lambda t: "`failed`" in t)
        assert "did not pass" in str(card.blocks) and result.summary[:40] in str(card.blocks)
        assert cut.button("Request approval", step="final-validation|") == "final-validation|2"
    finally:
        stop_ferry(ferry)
