"""HTTP mode: Bolt behind a small threaded WSGI server on the address you choose (App.start()
would bind 0.0.0.0). POST /slack/events for commands and interactivity, GET /healthz."""

from __future__ import annotations

import json
import logging
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from state import Store, outbox

log = logging.getLogger(__name__)


class _PooledWSGIServer(WSGIServer):
    """Requests are handled by a fixed pool of threads, not a new thread each: no thread start
    per request, and each worker keeps its own state-database connection (Store.db)."""

    allow_reuse_address = True
    request_queue_size = 128
    workers = 16

    def server_activate(self) -> None:
        super().server_activate()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="ferry-http")

    def get_request(self):
        conn, address = super().get_request()
        # wsgiref writes the status line, the headers and the body in separate small writes:
        # with Nagle's algorithm on, the body waits for the client's delayed ACK (~40 ms).
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, address

    def process_request(self, request, client_address) -> None:
        self._pool.submit(self._handle, request, client_address)

    def _handle(self, request, client_address) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        self._pool.shutdown(wait=False, cancel_futures=True)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        log.debug("http: " + format, *args)


def wsgi_app(app: App, store: Store):
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            body = json.dumps({"ok": True, "migrations": store.applied_migrations, "outbox": outbox.counts(store)}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return slack(environ, start_response)

    return application


class HttpServer:
    def __init__(self, app: App, store: Store, host: str = "127.0.0.1", port: int = 3000) -> None:
        self.httpd = make_server(host, port, wsgi_app(app, store), server_class=_PooledWSGIServer,
                                 handler_class=_QuietHandler)
        self.host, self.port = self.httpd.server_address[:2]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> HttpServer:
        self._thread = threading.Thread(target=self.serve_forever, name="ferry-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(5)
