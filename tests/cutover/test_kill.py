"""kill -9 in the middle of a cutover: the pending request, its approval and the expiry job
survive, and the next approval after the restart completes the quorum (restart-safe)."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from sandbox.slack import SlackDriver
from tests.cutover.conftest import ALICE, CAROL, DAVE, MANUAL_RUNBOOK, write
from tests.fixtures.slack import BOT_TOKEN, CHANNEL, SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[2]


def serve(config: Path, standin) -> tuple[subprocess.Popen, SlackDriver]:
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": standin.api_url, "FERRY_POST_INTERVAL": "0.05"}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--http", "--port", "0", "--config", str(config)],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    url = re.search(r"(http://\S+)/slack/events", line)
    assert url, (line, proc.stderr.read() if proc.poll() is not None else "")
    return proc, SlackDriver(url.group(1), SIGNING_SECRET, standin)


def answer(standin, before: int) -> str:
    return standin.wait_for(lambda s: s.responses[before:] or None, 15)[0]["text"]


def test_a_kill_9_loses_no_approval_and_rearms_its_expiry(tmp_path, slack_standin):
    config = write(tmp_path, MANUAL_RUNBOOK)
    proc, driver = serve(config, slack_standin)
    try:
        driver.command("cutover", user=ALICE, channel=CHANNEL)
        slack_standin.wait_for(lambda s: [m for m in s.channel_messages(CHANNEL) if m.text.startswith("Cutover")])
        n = len(slack_standin.responses)
        driver.click("ferry:cutover:request", "freeze-writes|1", user=ALICE, channel=CHANNEL)
        assert "needs 2 approval" in answer(slack_standin, n)
        n = len(slack_standin.responses)
        driver.click("ferry:cutover:approve", "freeze-writes|freeze-writes#1|e0", user=CAROL, channel=CHANNEL)
        assert "1 of 2" in answer(slack_standin, n)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    db = sqlite3.connect(tmp_path / "state.sqlite")
    jobs = {r[0] for r in db.execute("SELECT id FROM apscheduler_jobs")}
    assert any(j.startswith("cutover-expire:") for j in jobs)  # the expiry job is in the job store
    db.close()
    proc, driver = serve(config, slack_standin)
    try:
        n = len(slack_standin.responses)
        driver.click("ferry:cutover:approve", "freeze-writes|freeze-writes#1|e0", user=DAVE, channel=CHANNEL)
        assert "quorum reached" in answer(slack_standin, n)
        slack_standin.wait_for(lambda s: [m for m in s.channel_messages(CHANNEL)
                                          if m.text.startswith("Cutover") and "Mark done" in str(m.blocks)], 15)
        cards = [m for m in slack_standin.channel_messages(CHANNEL) if m.text.startswith("Cutover runbook")
                 and not m.thread_ts and not m.ephemeral_to]
        assert len(cards) == 1  # still the one card, updated in place across the kill
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
