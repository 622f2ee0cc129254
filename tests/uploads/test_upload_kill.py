"""kill -9 in the middle of an upload: the next Ferry carries on from the recorded step and the
file is in the channel at most once (and once, unless the kill hit the sharing call itself)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import config
from core.message import Message
from features.registry import open_store
from features.services import Services
from state import outbox
from tests.fixtures.slack import BOT_TOKEN, CHANNEL, SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64


def serve(config_path: Path, standin) -> subprocess.Popen:
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "FERRY_POST_INTERVAL": "0.05", "SLACK_API_URL": standin.api_url}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--http", "--port", "0", "--config",
                             str(config_path)], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert "listening" in proc.stdout.readline()
    return proc


def stage(store) -> str:
    row = store.db.execute("SELECT stage FROM uploads").fetchone()
    return row[0] if row else ""


def wait(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    raise TimeoutError


@pytest.mark.parametrize("killed_in, shared_after", [("upload", 1), ("files.completeUploadExternal", 1)])
def test_kill_9_mid_upload(tmp_path, slack_standin, ferry_config, killed_in, shared_after):
    store = open_store(str(tmp_path / "state.sqlite"))
    services = Services(config=config.load(str(ferry_config)), store=store)
    row_id = services.upload("chart.png", PNG, title="chart", comment=Message("a chart"))
    slack_standin.slow(killed_in, 30)  # the call lands, its answer never comes before the kill
    first = serve(ferry_config, slack_standin)
    try:
        if killed_in == "upload":
            wait(lambda: slack_standin.calls_of("upload"))
            assert stage(store) == "url"
        else:
            wait(lambda: slack_standin.calls_of("files.completeUploadExternal"))
            assert stage(store) == "completing"
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    slack_standin.slow(killed_in, 0)
    second = serve(ferry_config, slack_standin)
    try:
        wait(lambda: store.db.execute("SELECT state FROM outbox WHERE id = ?", [row_id]).fetchone()[0]
             in ("sent", "failed"))
        time.sleep(0.5)
        assert len(slack_standin.shared_files(CHANNEL)) == shared_after
        assert slack_standin.shared_files(CHANNEL)[0].data == PNG
        state, error = store.db.execute("SELECT state, last_error FROM outbox WHERE id = ?", [row_id]).fetchone()
        if killed_in == "upload":  # the bytes again (the file was not shared yet), then shared once
            assert state == "sent" and stage(store) == "done"
            assert len(slack_standin.calls_of("files.completeUploadExternal")) == 1
        else:  # Slack shared it while Ferry died waiting: never again
            assert state == "failed" and "not repeated" in error
            assert len(slack_standin.calls_of("files.completeUploadExternal")) == 1
        assert outbox.counts(store).get("pending", 0) == 0
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)
