"""HTTP mode: Bolt behind waitress on the address you choose (App.start() would bind 0.0.0.0).
POST /slack/events for commands and interactivity, GET /healthz.

Why waitress (and not cheroot, the other well-kept pure-Python WSGI server): waitress reads
every request whole in one asynchronous loop and hands only complete requests to its worker
threads, so a slow, idle or half-open client costs a socket, never a worker. cheroot gives each
connection a worker thread while it reads, which is the very failure this replaced (16 idle
connections froze a 16-thread pool). On top of waitress's own limits (idle timeout, header and
body caps) one rule is added: at the connection limit the longest-idle connection that has no
request in service is closed to make room, so idle sockets cannot fill the limit either.
"""

from __future__ import annotations

import json
import logging
import sys
import threading

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import TcpWSGIServer

from state import Store, outbox

log = logging.getLogger(__name__)
# waitress warns at every request queued behind busy workers: under a burst that is expected
# and the latency figures (bench/ack_latency.py) are what tell whether it matters.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)


class _NoLimitFlapping(logging.Filter):
    """waitress logs each time it stops and resumes accepting at the connection limit; with the
    idlest connection closed to make room that is every new connection of a flood: dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "connection limit" not in record.getMessage()


logging.getLogger("waitress").addFilter(_NoLimitFlapping())

# Slack's largest payload is a click on a full message (50 blocks of up to 3,000 characters,
# form-encoded): far below 1 MiB. Anything bigger is not from Slack and gets 413.
MAX_BODY_BYTES = 1024 * 1024
MAX_HEADER_BYTES = 64 * 1024
IDLE_TIMEOUT_S = 10  # a connection silent this long (between or inside requests) is closed
CONNECTION_LIMIT = 256
WORKERS = 16


class _Server(TcpWSGIServer):
    """waitress's TCP server, with room made at the connection limit and a loop that stops."""

    def readable(self) -> bool:
        # waitress counts every socket of its map against the limit (the listener and its wake-up
        # pipe too): the same count here, so room is made exactly when it would stop accepting.
        if self.accepting and len(self._map) >= self.adj.connection_limit:
            self._evict_idlest()
        return super().readable()

    def _evict_idlest(self) -> None:
        channels = list(self.active_channels.values())
        if any(c.will_close for c in channels):
            return  # room is already being made: one closes per connection waiting
        idle = [c for c in channels if not c.requests]
        if idle:
            oldest = min(idle, key=lambda c: c.last_activity)
            log.debug("connection limit reached: closing the longest-idle connection from %s", oldest.addr)
            oldest.will_close = True  # closed by the loop on its next turn (the channel is writable)


def _timestamp_ok(environ) -> bool:
    """Bolt reads X-Slack-Request-Timestamp with int() and answers 500 to anything else: a
    timestamp is ASCII digits, and anything else is refused here with 401."""
    value = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    return 0 < len(value) <= 12 and value.isascii() and value.isdigit()


def _answer(start_response, status: str, body: dict) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def slack_wsgi(app: App):
    """Bolt's WSGI adapter behind the checks Bolt lacks."""
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and not _timestamp_ok(environ):
            return _answer(start_response, "401 Unauthorized", {"error": "invalid request"})
        try:
            return slack(environ, start_response)
        except Exception:  # Bolt reads the body before the signature: `payload=<not JSON>` raised here
            log.warning("unreadable request to %s refused", environ.get("PATH_INFO"), exc_info=log.isEnabledFor(
                logging.DEBUG))
            return _answer(lambda status, headers: start_response(status, headers, sys.exc_info()),
                           "400 Bad Request", {"error": "unreadable request"})

    return application


def wsgi_app(app: App, store: Store):
    slack = slack_wsgi(app)

    def application(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            return _answer(start_response, "200 OK",
                           {"ok": True, "migrations": store.applied_migrations, "outbox": outbox.counts(store)})
        return slack(environ, start_response)

    return application


class WsgiServer:
    """A WSGI application served by waitress in a thread of this process, until stop()."""

    def __init__(self, application, host: str = "127.0.0.1", port: int = 3000, *, workers: int = WORKERS,
                 connection_limit: int = CONNECTION_LIMIT, idle_timeout_s: int = IDLE_TIMEOUT_S,
                 max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.server = _Server(
            application, host=host, port=port, threads=workers, connection_limit=connection_limit,
            channel_timeout=idle_timeout_s, cleanup_interval=1, max_request_body_size=max_body_bytes,
            max_request_header_size=MAX_HEADER_BYTES, ident="ferry", expose_tracebacks=False,
            asyncore_loop_timeout=0.2, clear_untrusted_proxy_headers=True)
        self.host, self.port = self.server.effective_host, self.server.effective_port
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        from waitress import wasyncore

        try:
            while not self._stopping.is_set():
                wasyncore.loop(timeout=0.2, map=self.server._map, use_poll=True, count=1)
        finally:
            # Close every connection from the loop's own thread, then the workers.
            for channel in list(self.server._map.values()):
                try:
                    channel.close()
                except OSError:
                    pass
            self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=2)

    def start(self) -> WsgiServer:
        self._thread = threading.Thread(target=self.serve_forever, name="ferry-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Idempotent: a test's teardown may stop what the code under test already stopped."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        try:
            self.server.pull_trigger()  # wake the loop now rather than at its next timeout
        except OSError:
            pass
        if self._thread:
            self._thread.join(5)
        else:
            self.server.close()


class HttpServer(WsgiServer):
    """Ferry's Bolt app and /healthz."""

    def __init__(self, app: App, store: Store, host: str = "127.0.0.1", port: int = 3000, **kw) -> None:
        super().__init__(wsgi_app(app, store), host, port, **kw)

