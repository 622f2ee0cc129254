"""Steps whose action drives a transfer (features.transfers.api.start / pause), on the sandbox HBase:
approval starts the copy, the card follows it, the step ends when the transfer ends."""

from __future__ import annotations

import pytest

from core.who import Who
from features.transfers import api as transfers_api
from state import audit, runs
from tests.cutover.conftest import ALICE, BOB, CAROL, Cutover, write
from tests.fixtures.hbase import HBASE_SEED_ROWS
from tests.fixtures.slack import start_ferry, stop_ferry


def hbase_estates(asis, tobe) -> str:
    return f"""
estates:
  as-is:
    hbase: {{host: '{asis.host}', port: {asis.port}, timeout: 5}}
  to-be:
    hbase: {{host: '{tobe.host}', port: {tobe.port}, timeout: 5}}
"""


TRANSFERS = """
transfers:
  - id: hbase-orders
    kind: hbase-copy
    table: orders
    batch_rows: 500
    poll_every: 0.2s
  - id: hbase-orders-slow
    kind: hbase-copy
    table: orders
    batch_rows: 100
    rate: 100kB/s
    poll_every: 0.2s
"""


@pytest.fixture
def hbase_cut(tmp_path, slack_standin, hbase_seeded, hbase_server_factory):
    def start(runbook: str) -> Cutover:
        text = write(tmp_path, "").read_text().split("estates:")[0]
        path = tmp_path / "app.yaml"
        path.write_text(text + hbase_estates(hbase_seeded.asis, hbase_server_factory()) + TRANSFERS + runbook)
        ferry = start_ferry(path, slack_standin)
        started.append(ferry)
        return Cutover(ferry)

    started: list = []
    yield start
    for ferry in started:
        stop_ferry(ferry)


def test_a_start_transfer_step_runs_the_copy_and_ends_with_it(hbase_cut):
    cut = hbase_cut("""
cutover:
  watch_interval: 0.2s
  steps:
    - id: final-copy
      title: Final catch-up copy
      approvals: 1
      action: start-transfer hbase-orders
""")
    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), ALICE)
    assert "quorum reached" in cut.press("approve", cut.button("Approve"), CAROL)
    cut.wait_state("final-copy", "done", timeout=30)
    record = cut.view().get("final-copy")
    transfer = record.target
    assert (transfer.kind, transfer.subject, transfer.state) == ("transfer", "hbase-orders", "done")
    assert transfer.started_by == CAROL  # the transfer's own audit names the approver who started it
    assert record.run.state == "done" and record.run.kind == "cutover-step"
    card = cut.card(lambda t: "Done at" in t)
    assert "transfer `hbase-orders` done" in str(card.blocks)
    thread = cut.standin.wait_for(lambda s: [m.text for m in s.channel_messages() if m.thread_ts == card.ts]
                                  if len([m for m in s.channel_messages() if m.thread_ts == card.ts]) >= 2 else None)
    assert thread == ["Step final-copy started", "Step final-copy done"]
    events = [(e["action"], e["outcome"]) for e in audit.all_entries(cut.services.store)
              if e["action"].startswith("cutover:") and e["outcome"] != "ok"]
    assert events == [("cutover:request", "requested"), ("cutover:approve", "approved"),
                      ("cutover:action", "started"), ("cutover:action", "done")]
    assert transfer.detail["progress"]["rows_done"] == HBASE_SEED_ROWS  # every row copied


def test_a_pause_transfer_step_pauses_a_running_copy(hbase_cut):
    cut = hbase_cut("""
cutover:
  watch_interval: 0.2s
  steps:
    - id: stop-replication
      title: Pause the continuous copy
      approvals: 1
      action: pause-transfer hbase-orders-slow
""")
    transfers_api.start(cut.services, "hbase-orders-slow", Who(ALICE, "T0SANDBOX"))
    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), BOB)
    assert "quorum reached" in cut.press("approve", cut.button("Approve"), CAROL)
    cut.wait_state("stop-replication", "done", timeout=20)
    assert transfers_api.latest(cut.services, "hbase-orders-slow").state == "paused"


def test_a_transfer_that_cannot_start_fails_the_step_with_the_reason(hbase_cut):
    cut = hbase_cut("""
cutover:
  watch_interval: 0.2s
  steps:
    - id: stop-replication
      title: Pause the continuous copy
      approvals: 1
      action: pause-transfer hbase-orders-slow
""")
    cut.command("cutover")  # nothing is running: there is nothing to pause
    cut.press("request", cut.button("Request approval"), ALICE)
    cut.press("approve", cut.button("Approve"), CAROL)
    cut.wait_state("stop-replication", "failed")
    card = cut.card(lambda t: "`failed`" in t)
    assert "is not running" in str(card.blocks)
    assert cut.button("Request approval") == "stop-replication|2"  # it may be retried
    failed = [e for e in audit.all_entries(cut.services.store) if (e["action"], e["outcome"]) ==
              ("cutover:action", "failed")]
    assert len(failed) == 1 and failed[0]["plan_hash"] and "is not running" in failed[0]["reason"]
    assert runs.latest(cut.services.store, "cutover-step", "stop-replication").state == "failed"


def test_the_card_follows_a_running_copy_and_a_cancelled_copy_fails_the_step(hbase_cut):
    cut = hbase_cut("""
cutover:
  watch_interval: 0.2s
  steps:
    - id: final-copy
      title: Final catch-up copy
      approvals: 1
      action: start-transfer hbase-orders-slow
""")
    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), ALICE)
    cut.press("approve", cut.button("Approve"), CAROL)
    cut.wait_state("final-copy", "running")
    # hbase-copy reports bytes (and a coarse share until its row count arrives): the card shows
    # them, updated as they move
    card = cut.card(lambda t: "transfer `hbase-orders-slow`: running" in t and " kB copied" in t, timeout=15)
    first = str(card.blocks)
    card = cut.card(lambda t: "transfer `hbase-orders-slow`: running" in t and " copied" in t and t != first,
                    timeout=15)
    assert "`running`" in str(card.blocks)
    transfers_api.cancel(cut.services, "hbase-orders-slow", Who(ALICE, "T0SANDBOX"))
    cut.wait_state("final-copy", "failed")
    card = cut.card(lambda t: "`failed`" in t)
    assert "the transfer ended cancelled" in str(card.blocks)
