"""Slack's Socket Mode, played locally: a small WebSocket server (RFC 6455) that Ferry's
SocketModeHandler connects to after `apps.connections.open`, and through which the sandbox
delivers slash commands and clicks as envelopes, collecting the acks.

    server = SocketModeServer().start(); standin.socket_mode = server
    ack = server.deliver("slash_commands", {...form fields...})   # the ack's payload, or {}
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import socket
import struct
import threading
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_ids = itertools.count(1)


class SocketModeServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._listener = socket.create_server((host, port))
        self.host, self.port = self._listener.getsockname()[:2]
        self._clients: list[socket.socket] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._cond = threading.Condition()
        self._stopped = False
        self._send_lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}/link"

    def start(self) -> SocketModeServer:
        threading.Thread(target=self._accept, name="socket-mode-accept", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped = True
        self._listener.close()
        with self._cond:
            for c in self._clients:
                try:
                    c.close()
                except OSError:
                    pass
            self._clients.clear()
            self._cond.notify_all()

    def wait_connected(self, timeout: float = 10.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._clients, timeout):
                raise TimeoutError("no Socket Mode client connected")

    def deliver(self, kind: str, payload: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
        """Send an envelope to a connected client; return the payload of its ack ({} if none)."""
        envelope_id = f"env-{next(_ids)}"
        message = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                   "accepts_response_payload": kind in ("slash_commands", "interactive"), "retry_attempt": 0}
        self.wait_connected(timeout)
        with self._cond:
            client = self._clients[-1]
        self._send(client, 0x1, json.dumps(message).encode())
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self._acks, timeout):
                raise TimeoutError(f"no ack for {envelope_id}")
            return self._acks.pop(envelope_id)

    # -- the WebSocket protocol -------------------------------------------------------------
    def _accept(self) -> None:
        while not self._stopped:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            key = next(line.split(b":", 1)[1].strip() for line in request.split(b"\r\n")
                       if line.lower().startswith(b"sec-websocket-key:"))
            accept = base64.b64encode(hashlib.sha1(key + _GUID.encode()).digest())
            conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
            self._send(conn, 0x1, json.dumps({"type": "hello", "num_connections": 1,
                                               "connection_info": {"app_id": "AFERRY"}}).encode())
            with self._cond:
                self._clients.append(conn)
                self._cond.notify_all()
            while not self._stopped:
                opcode, data = self._read_frame(conn)
                if opcode is None or opcode == 0x8:
                    return
                if opcode == 0x9:  # ping -> pong
                    self._send(conn, 0xA, data)
                elif opcode == 0x1:
                    message = json.loads(data)
                    if "envelope_id" in message:
                        with self._cond:
                            self._acks[message["envelope_id"]] = message.get("payload") or {}
                            self._cond.notify_all()
        except (OSError, StopIteration, ValueError):
            return
        finally:
            with self._cond:
                if conn in self._clients:
                    self._clients.remove(conn)
            conn.close()

    def _send(self, conn: socket.socket, opcode: int, data: bytes) -> None:
        header = bytes([0x80 | opcode])
        if len(data) < 126:
            header += bytes([len(data)])
        elif len(data) < 65536:
            header += bytes([126]) + struct.pack(">H", len(data))
        else:
            header += bytes([127]) + struct.pack(">Q", len(data))
        with self._send_lock:
            conn.sendall(header + data)

    @staticmethod
    def _read_exact(conn: socket.socket, n: int) -> bytes | None:
        buf = b""
        while len(buf) < n:
            chunk = conn.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf

    def _read_frame(self, conn: socket.socket) -> tuple[int | None, bytes]:
        head = self._read_exact(conn, 2)
        if head is None:
            return None, b""
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        masked = head[1] & 0x80
        if length == 126:
            length = struct.unpack(">H", self._read_exact(conn, 2) or b"\0\0")[0]
        elif length == 127:
            length = struct.unpack(">Q", self._read_exact(conn, 8) or b"\0" * 8)[0]
        mask = self._read_exact(conn, 4) if masked else b"\0\0\0\0"
        data = self._read_exact(conn, length) or b""
        if masked:
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        return opcode, data

