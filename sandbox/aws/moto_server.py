"""moto's WSGI app on a werkzeug thread server that we own.

Why not `moto.server.ThreadedMotoServer` as is: its stop() leaves the listening socket open
and the keep-alive connection threads alive (boto3 keeps connections in a pool, so each
handler thread sits in readline until the client goes away), and werkzeug prints a line per
request and a traceback per unimplemented call to stderr. This is the same app and the same
request handler (moto's), with the request log sent to `logging`, port 0 honoured, and a
stop() that closes the socket and every connection and joins every thread it started.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import ThreadedWSGIServer

log = logging.getLogger("sandbox.aws")


class _Handler(MotoRequestHandler):
    # Set here, not left to werkzeug, which otherwise patches it onto the shared handler class.
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, threading.current_thread())  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)  # type: ignore[attr-defined]

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # werkzeug's own version colours the line with terminal escapes.
        log.debug('%s "%s" %s %s', self.address_string(), self.requestline, getattr(code, "value", code), size)

    def log(self, type: str, message: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), message % args if args else message)


class _Server(ThreadedWSGIServer):
    def __init__(self, host: str, port: int, app: Callable[..., Iterable[bytes]]) -> None:
        self._lock = threading.Lock()
        self._open: dict[socket.socket, threading.Thread] = {}
        super().__init__(host, port, app, handler=_Handler)

    def track(self, conn: socket.socket, thread: threading.Thread) -> None:
        with self._lock:
            self._open[conn] = thread

    def untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.pop(conn, None)

    def open_connections(self) -> dict[socket.socket, threading.Thread]:
        with self._lock:
            return dict(self._open)

    def log(self, type: str, message: str, *args: Any) -> None:
        # "Error on request" + traceback: moto's answer to a call it does not implement.
        text = message % args if args else message
        lines = [line for line in text.strip().splitlines() if line.strip()]
        summary = f"{lines[0]} ... {lines[-1]}" if len(lines) > 1 else text
        (log.info if type == "error" else log.debug)("moto: %s", summary)


class MotoHttpServer:
    """moto in server mode on host:port (0 = a free port) in a background thread.
    `wrap`, if given, wraps moto's WSGI app (middleware for what moto lacks)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        wrap: Callable[[Callable[..., Iterable[bytes]]], Callable[..., Iterable[bytes]]] | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._wrap = wrap
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        if self._server is None:
            raise RuntimeError("the moto server is not running: call start() first")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        if self._server is not None:
            return
        app: Callable[..., Iterable[bytes]] = DomainDispatcherApplication(create_backend_app)
        if self._wrap is not None:
            app = self._wrap(app)
        self._server = _Server(self._host, self._port, app)
        # A short poll interval: shutdown() waits for the loop to notice, up to one interval.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox-aws-moto", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.shutdown()  # ends serve_forever; no new connections are accepted
        server.server_close()
        open_now = server.open_connections()
        for conn in open_now:
            try:
                # Wakes the handler blocked reading the next keep-alive request: it sees EOF.
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for handler in open_now.values():
            handler.join(timeout)
        if thread is not None:
            thread.join(timeout)
