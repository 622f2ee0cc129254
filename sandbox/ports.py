"""The sandbox's parts listen where they did last time when they can (the written config, and so
the plan hash of pending cutover approvals, stays the same across restarts)."""

from __future__ import annotations

import socket
from typing import Any


def free(port: int) -> bool:
    """Whether a server could listen on the port now. SO_REUSEADDR as the servers set it: the
    connections of the last run linger in TIME_WAIT and do not make the port taken."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def reusable(port: Any) -> int:
    """The saved port if it is a valid one and free now, else 0 (any free port)."""
    return port if isinstance(port, int) and 1024 <= port <= 65535 and free(port) else 0
