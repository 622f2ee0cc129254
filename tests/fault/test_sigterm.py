"""SIGTERM stops `serve` within 10 s whatever a worker is doing (issue 12, item 6): here one
worker waits on a Cloudera Manager that accepted the connection and never answers, and a page
of command text has just been sent. A real `python -m bot serve --http` process."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sandbox.slack import SlackDriver
from tests.fixtures.slack import BASE_CONFIG, BOT_TOKEN, CHANNEL, OPERATOR, SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[2]
STOP_DEADLINE_S = 10


def stop_within_deadline(proc: subprocess.Popen) -> int:
    """SIGTERM, then: stopped within STOP_DEADLINE_S, no traceback. Returns the exit status."""
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    status = proc.wait(STOP_DEADLINE_S)
    assert time.monotonic() - t0 < STOP_DEADLINE_S
    assert "Traceback" not in proc.stderr.read()
    return status


@pytest.fixture
def silent_cm():
    """A TCP server that accepts and reads, and never answers: an outside system hung."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            accepted.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1], accepted
    done.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    listener.close()


def test_sigterm_stops_serve_while_a_worker_waits_on_a_hung_system(tmp_path, slack_standin, silent_cm):
    port, accepted = silent_cm
    cloudera = (f'{{url: "http://127.0.0.1:{port}", username: admin, password: "${{FERRY_TEST_CM}}", '
                f'cluster: "Cluster 1", timeout: 600}}')
    config = tmp_path / "app.yaml"
    config.write_text(BASE_CONFIG.replace("as-is: {}", f"as-is: {{cloudera: {cloudera}}}"))
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": slack_standin.api_url, "FERRY_TEST_CM": "admin"}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--http", "--port", "0", "--config", str(config)],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"(http://\S+)/slack/events", line)
        assert url, (line, proc.stderr.read() if proc.poll() is not None else "")
        driver = SlackDriver(url.group(1), SIGNING_SECRET, slack_standin)
        assert driver.command("assess", user=OPERATOR, channel=CHANNEL).status == 200
        end = time.monotonic() + 10
        while not accepted and time.monotonic() < end:  # a worker is now blocked on the silent CM
            time.sleep(0.05)
        assert accepted, "the assessment never reached the Cloudera Manager"
        assert driver.command("x" * 900_000, user=OPERATOR, channel=CHANNEL).status == 200
        stop_within_deadline(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


def test_sigterm_stops_serve_in_socket_mode(tmp_path):
    from sandbox.slack import SlackStandIn
    from sandbox.slack.socket_mode import SocketModeServer

    config = tmp_path / "app.yaml"
    config.write_text(BASE_CONFIG)
    with SlackStandIn(token=BOT_TOKEN, app_token="xapp-test") as standin:
        server = SocketModeServer().start()
        standin.socket_mode = server
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
               "SLACK_APP_TOKEN": "xapp-test", "SLACK_API_URL": standin.api_url}
        proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--config", str(config)], env=env, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert "Socket Mode" in proc.stdout.readline()
            server.wait_connected()
            assert stop_within_deadline(proc) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
            server.stop()
