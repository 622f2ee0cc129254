"""kill -9 during an hbase-copy, then a new start: the copy continues from its checkpoints, the
same card keeps updating, nothing starts twice. A real `python -m bot serve` process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from connectors.hbase import HBaseConnector
from features.registry import open_store
from features.transfers import checkpoints
from sandbox.slack import SlackDriver
from state import audit, runs
from tests.fixtures.hbase import HBASE_SEED_ROWS
from tests.fixtures.slack import BOT_TOKEN, CHANNEL, OPERATOR, SIGNING_SECRET
from tests.transfers.conftest import config_text

ROOT = Path(__file__).resolve().parents[2]

TRANSFERS = """
- id: hbase-orders
  kind: hbase-copy
  table: orders
  batch_rows: 200
  rate: 150kB/s
  poll_every: 0.3s
"""


def serve(config_path: Path, env: dict, log_path: Path) -> tuple[subprocess.Popen, str]:
    log = open(log_path, "a")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--http", "--port", "0", "--config",
                             str(config_path)], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline()
    m = re.search(r"(http://\S+)/slack/events", line)
    assert m, f"no listening line: {line!r} (log: {log_path.read_text()[-2000:]})"
    return proc, m.group(1)


def cards(standin):
    return [m for m in standin.channel_messages(CHANNEL) if m.thread_ts is None and not m.ephemeral_to
            and m.text.startswith("Transfer hbase-orders")]


def test_kill_9_mid_copy_then_restart_continues_from_the_checkpoint(tmp_path, slack_standin, hbase_seeded,
                                                                    hbase_server_factory):
    target = hbase_server_factory()
    text, cfg_env = config_text(TRANSFERS, asis={"hbase": hbase_seeded.asis}, tobe={"hbase": target})
    config_path = tmp_path / "app.yaml"
    config_path.write_text(text)
    env = {**os.environ, **cfg_env, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": slack_standin.api_url, "FERRY_POST_INTERVAL": "0.05", "FERRY_CARD_INTERVAL": "0.5"}
    store = open_store(str(tmp_path / "state.sqlite"))
    first, url = serve(config_path, env, tmp_path / "ferry.log")
    try:
        driver = SlackDriver(url, SIGNING_SECRET, slack_standin)
        driver.command("start hbase-orders", user=OPERATOR, channel=CHANNEL)
        confirm = slack_standin.wait_for(lambda s: s.responses and s.responses[0], timeout=15)
        value = next(el["value"] for b in confirm["blocks"] for el in b.get("elements", [])
                     if el.get("action_id") == "ferry:start:confirm")
        driver.click("ferry:start:confirm", value, user=OPERATOR, channel=CHANNEL)
        card = slack_standin.wait_for(lambda s: cards(s) and cards(s)[0], timeout=15)
        run = slack_standin.wait_for(lambda s: runs.latest(store, "transfer", "hbase-orders"), timeout=5)
        slack_standin.wait_for(lambda s: checkpoints.totals(store, run.id)[0] >= 2000, timeout=30)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    rows_at_kill = checkpoints.totals(store, run.id)[0]
    assert rows_at_kill < HBASE_SEED_ROWS, "the copy finished before the kill; slow it down"
    time.sleep(0.5)
    assert checkpoints.totals(store, run.id)[0] == rows_at_kill  # the killed process wrote nothing more

    # Second life, faster: the same run carries on from its checkpoints and the same card moves.
    second, url = serve(config_path, env, tmp_path / "ferry.log")
    try:
        done = slack_standin.wait_for(lambda s: cards(s) and "done" in cards(s)[0].text and cards(s)[0], timeout=60)
        assert done.ts == card.ts and len(cards(slack_standin)) == 1
        slack_standin.wait_for(lambda s: [m for m in s.channel_messages(CHANNEL) if m.thread_ts == card.ts
                                          and "is done" in m.text], timeout=15)
        time.sleep(0.5)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)
    all_runs = runs.recent(store, kind="transfer", subject="hbase-orders")
    assert [r.id for r in all_runs] == [run.id] and all_runs[0].state == "done"
    rows_done, _, rows_total, regions, regions_done = checkpoints.totals(store, run.id)
    assert (rows_done, rows_total, regions_done) == (HBASE_SEED_ROWS, HBASE_SEED_ROWS, regions)
    with HBaseConnector(target.host, target.port) as t, HBaseConnector(hbase_seeded.asis.host,
                                                                        hbase_seeded.asis.port) as s:
        assert dict(t.scan("orders", include_timestamp=True)) == dict(s.scan("orders", include_timestamp=True))
    starts = [e for e in audit.all_entries(store) if e["action"] == "transfer.start"]
    assert len(starts) == 1
    posts = [c for c in slack_standin.calls_of("chat.postMessage")
             if str(c.params.get("text", "")).startswith("Transfer hbase-orders") and not c.params.get("thread_ts")]
    assert len(posts) == 1  # one card, updated in place across the kill
    done_notes = [m for m in slack_standin.channel_messages(CHANNEL) if "is done" in m.text]
    assert len(done_notes) == 1
