"""Modals Ferry opens with views.open, and whose they are.

views.open carries only a trigger_id; Slack knows whose click or command minted it, and so must
we. Commands are delivered with a trigger_id we choose, so their modals are matched exactly.
SlackDriver.click mints its own trigger_id (unless it accepts `trigger_id=`), so a modal with an
unknown trigger goes to whoever last acted on the page — on a one-person demo page, the same.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from sandbox.slack.standin import SlackStandIn

_triggers = itertools.count(1)


@dataclass
class OpenView:
    id: str
    user: str
    view: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, **self.view}


class ViewTracker:
    def __init__(self, standin: SlackStandIn) -> None:
        self._standin = standin
        self._lock = threading.Lock()
        self._owners: dict[str, str] = {}  # trigger_id -> user
        self._last_actor: str | None = None
        self._seen_calls = 0
        self._open: list[OpenView] = []
        self._ids = itertools.count(1)

    def new_trigger(self, user: str) -> str:
        """A trigger_id for one delivery by `user`; a modal opened with it is theirs."""
        trigger = f"{next(_triggers)}.{int(time.time() * 1000)}.channel"
        with self._lock:
            self._owners[trigger] = user
            self._last_actor = user
        return trigger

    def acted(self, user: str) -> None:
        with self._lock:
            self._last_actor = user

    def scan(self) -> bool:
        """Pick up views.open calls made since the last scan; True if a modal opened."""
        calls = self._standin.calls_of("views.open")
        opened = False
        with self._lock:
            for call in calls[self._seen_calls:]:
                owner = self._owners.get(call.params.get("trigger_id", "")) or self._last_actor
                view = call.params.get("view")
                if isinstance(view, str):
                    view = json.loads(view)
                if owner and isinstance(view, dict):
                    self._open.append(OpenView(f"LV{next(self._ids)}", owner, view))
                    opened = True
            self._seen_calls = len(calls)
        return opened

    def for_user(self, user: str) -> list[OpenView]:
        with self._lock:
            return [v for v in self._open if v.user == user]

    def get(self, view_id: str, user: str) -> OpenView | None:
        with self._lock:
            return next((v for v in self._open if v.id == view_id and v.user == user), None)

    def close(self, view_id: str) -> None:
        with self._lock:
            self._open = [v for v in self._open if v.id != view_id]
