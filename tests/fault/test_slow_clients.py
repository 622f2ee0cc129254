"""Slow, idle and half-open clients against `serve --http`'s server (issue 12, item 1): they hold
sockets, never the workers, and cannot fill the connection limit; Slack's requests still answer
in time. Real sockets on 127.0.0.1 against the real server."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from bot.server import CONNECTION_LIMIT, MAX_BODY_BYTES, WsgiServer


def _connect(ferry) -> socket.socket:
    return socket.create_connection((ferry.server.host, ferry.server.port), timeout=5)


def _healthz(ferry, timeout: float = 5.0) -> int:
    with urllib.request.urlopen(ferry.driver.events_url.replace("/slack/events", "/healthz"), timeout=timeout) as r:
        return r.status


@pytest.fixture
def hostile_sockets():
    opened: list[socket.socket] = []
    yield opened
    for s in opened:
        s.close()


def test_idle_and_half_open_clients_do_not_freeze_the_endpoint(ferry, hostile_sockets, caplog):
    # More idle connections than there are workers, and more than the connection limit; some
    # never send a byte, some stop inside the headers, some inside a body they promised.
    for i in range(CONNECTION_LIMIT + 40):
        s = _connect(ferry)
        if i % 3 == 1:
            s.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Slack-")
        elif i % 3 == 2:
            s.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\ntext=")
        hostile_sockets.append(s)
    t0 = time.monotonic()
    delivery = ferry.command("status")
    assert delivery.status == 200
    assert "Nothing started yet" in json.dumps(ferry.responses_for(1, timeout=5)[0])
    assert _healthz(ferry) == 200
    assert time.monotonic() - t0 < 3.0  # Slack's ack deadline
    # A flood is not a log flood: no line per connection made room for.
    assert [r.getMessage() for r in caplog.records if r.name.startswith("waitress")] == []


def test_a_body_over_the_cap_is_refused_and_the_server_goes_on(ferry):
    # The headers announce the body; the server answers 413 before reading it (a client that kept
    # sending would race the server's close, so this one sends the headers only).
    url = urllib.parse.urlsplit(ferry.driver.events_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(f"POST {url.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode())
        status_line = s.recv(200).split(b"\r\n", 1)[0]
    assert b" 413 " in status_line
    assert ferry.command("status").status == 200


def test_an_idle_connection_is_closed_after_the_read_timeout():
    def app(environ, start_response):
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    server = WsgiServer(app, port=0, idle_timeout_s=1).start()
    try:
        s = socket.create_connection((server.host, server.port), timeout=10)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        t0 = time.monotonic()
        assert s.recv(100) == b""  # closed by the server, not by our own timeout
        assert time.monotonic() - t0 < 5
        s.close()
    finally:
        server.stop()
