"""End to end through signed Slack requests and clicks: start → confirm → the card updates in
place → pause → resume → done, with the completion in the card's thread and the after-transfer
hooks called once."""

from __future__ import annotations

import json
import time

import pytest
from slack_sdk.models.blocks import Block

from features.transfers import api, hbase_copy
from state import audit, runs
from tests.fixtures.hbase import HBASE_SEED_ROWS
from tests.fixtures.slack import CHANNEL, OPERATOR, VIEWER, start_ferry, stop_ferry
from tests.transfers.conftest import config_text

TRANSFERS = """
- id: hbase-orders
  kind: hbase-copy
  description: The orders table, region by region
  table: orders
  batch_rows: 200
  rate: 250kB/s
  tables: [orders]
  poll_every: 0.3s
  stall_alert_after: 1m
"""

HOOK_CALLS: list[str] = []


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def record_hook(services, run) -> None:
    HOOK_CALLS.append(run.id)


@pytest.fixture
def ferry_hbase(tmp_path, slack_standin, hbase_seeded, hbase_server_factory, monkeypatch):
    text, env = config_text(TRANSFERS, asis={"hbase": hbase_seeded.asis}, tobe={"hbase": hbase_server_factory()})
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("FERRY_CARD_INTERVAL", "1")
    monkeypatch.setattr(hbase_copy, "COUNT_AFTER_S", 0.0)  # the progress bar from the first seconds
    path = tmp_path / "app.yaml"
    path.write_text(text)
    ferry = start_ferry(path, slack_standin)
    ferry.runtime.services.after_transfer = (record_hook,)
    yield ferry
    stop_ferry(ferry)


def valid(blocks):
    assert len(blocks) <= 50
    for b in blocks:
        Block.parse(b).validate_json()
    return blocks


def cards(standin):
    return [m for m in standin.channel_messages(CHANNEL) if m.thread_ts is None and not m.ephemeral_to
            and m.text.startswith("Transfer hbase-orders")]


def card_text(standin) -> str:
    found = cards(standin)
    return (found[0].text + dump(found[0].blocks)) if found else ""


def button_value(response, action_id):
    for block in response.get("blocks") or []:
        for el in block.get("elements", []):
            if el.get("action_id") == action_id:
                return el["value"]
    raise AssertionError(f"no {action_id} button in {response}")


def test_start_confirm_pause_resume_done(ferry_hbase):
    ferry, standin = ferry_hbase, ferry_hbase.standin
    HOOK_CALLS.clear()
    ferry.command("start hbase-orders")
    confirm = ferry.responses_for(1)[0]
    valid(confirm["blocks"])
    text = dump(confirm)
    assert "Start transfer hbase-orders?" in text and "as-is → to-be" in text and "ETA" in text
    value = button_value(confirm, "ferry:start:confirm")

    ferry.click("ferry:start:confirm", value)
    ferry.click("ferry:start:confirm", value)  # a double click starts nothing more
    standin.wait_for(lambda s: "running" in card_text(s) and "%" in card_text(s), timeout=15)
    store = ferry.runtime.store
    assert len(runs.recent(store, kind="transfer", subject="hbase-orders")) == 1
    assert "already handled" in dump(ferry.responses_for(3))

    # the card moves, in place
    first = standin.wait_for(lambda s: cards(s)[0].edited >= 2 and cards(s)[0], timeout=15)
    assert len(cards(standin)) == 1

    ferry.command("pause hbase-orders")
    standin.wait_for(lambda s: "paused" in card_text(s), timeout=15)
    run = api.latest(ferry.runtime.services, "hbase-orders")
    assert run.state == "paused"
    paused_rows = (run.detail.get("progress") or {}).get("rows_done")
    assert paused_rows is None or paused_rows < HBASE_SEED_ROWS

    ferry.click("ferry:start:dismiss", value)  # Cancel on the confirmation, after Start: stops nothing
    standin.wait_for(lambda s: any("already under way" in dump(r) for r in s.responses))
    resume = standin.wait_for(lambda s: "paused" in card_text(s) and cards(s)[0])
    resume_value = next(el["value"] for b in resume.blocks for el in b.get("elements", [])
                        if el.get("action_id") == "ferry:resume:press")  # the card's own Resume button
    ferry.click("ferry:resume:press", resume_value)
    standin.wait_for(lambda s: "running" in card_text(s), timeout=15)
    ferry.click("ferry:resume:press", resume_value)  # pressed twice: acts once
    ferry.command("throttle hbase-orders 20MB/s")
    done = standin.wait_for(lambda s: "done" in cards(s)[0].text and cards(s)[0], timeout=60)
    assert done.ts == first.ts and len(cards(standin)) == 1
    valid(done.blocks)
    assert "100%" in dump(done.blocks)

    thread = standin.wait_for(lambda s: [m for m in s.channel_messages(CHANNEL) if m.thread_ts == done.ts
                                         and "is done" in m.text], timeout=15)
    assert "hbase-orders" in thread[0].text
    for m in standin.channel_messages(CHANNEL):
        valid(m.blocks)
    time.sleep(0.5)
    run = api.latest(ferry.runtime.services, "hbase-orders")
    assert run.state == "done" and HOOK_CALLS == [run.id]
    actions = [(e["action"], e["outcome"]) for e in audit.all_entries(store)]
    for expected in [("start:confirm", "ok"), ("transfer.start", "ok"), ("pause", "ok"), ("transfer.pause", "ok"),
                     ("resume:press", "ok"), ("transfer.resume", "ok"), ("throttle", "ok"), ("transfer.throttle", "ok")]:
        assert expected in actions, expected
    assert actions.count(("transfer.start", "ok")) == 1 and actions.count(("transfer.resume", "ok")) == 1


def test_viewer_cannot_start_and_unknown_transfer_gets_usage(ferry_hbase):
    ferry = ferry_hbase
    ferry.command("start hbase-orders", user=VIEWER)
    assert "operators only" in dump(ferry.responses_for(1)[0])
    ferry.command("start nope")
    text = dump(ferry.responses_for(2)[1])
    assert "`nope` is not a transfer" in text and "hbase-orders" in text
    ferry.command("pause hbase-orders")
    text = dump(ferry.responses_for(3)[2])
    assert "not running" in text and "never run" in text
    ferry.command("throttle hbase-orders fast", user=OPERATOR)
    assert "is not a rate" in dump(ferry.responses_for(4)[3])
    ferry.command("status")
    status = dump(ferry.responses_for(5)[4])
    assert "Transfers" in status and "not started" in status
