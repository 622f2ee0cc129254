"""The channel as one user sees it, as JSON for the page, and a version to wait on.

Every change the stand-in reports (a post, an update, an ephemeral reply, a views.open) bumps
the version; the page asks `GET /channel/api/state?user=U…&since=N` and the request waits (a
long poll, a few seconds at most) until the version passes N.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from typing import Any

from sandbox.channel.views import ViewTracker
from sandbox.slack.standin import SlackMessage, SlackStandIn

BOT_NAME = "Ferry"
SLACKBOT = "USLACKBOT"  # who Slack's own notices (an unknown command) come from


class ChannelState:
    def __init__(self, standin: SlackStandIn, *, channel: str, channel_name: str,
                 users: list[dict[str, str]]) -> None:
        self.standin = standin
        self.channel = channel
        self.channel_name = channel_name
        self.users = [{"id": u["id"], "name": u.get("name") or u["id"], "role": u.get("role", "")} for u in users]
        self.views = ViewTracker(standin)
        self._names = {u["id"]: u["name"] for u in self.users} | {standin.BOT_USER: BOT_NAME, SLACKBOT: "Slackbot"}
        self._cond = threading.Condition()
        self._version = 0
        self._first_seen: dict[str, float] = {}  # ts -> wall clock (the stand-in's ts are counters)

    def changed(self) -> None:
        """Called by the stand-in on every change, and by the page for its own (a closed modal)."""
        self.views.scan()
        now = time.time()
        for m in list(self.standin.messages):  # every user's, ephemeral ones too
            self._first_seen.setdefault(m.ts, now)
        with self._cond:
            self._version += 1
            self._cond.notify_all()

    def wait(self, since: int, timeout: float) -> int:
        """Wait until the version passes `since`, `timeout` passes, or the stand-in stops (so no
        request thread of an open tab outlives the stand-in)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._version <= since and self._serving():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 0.25))
            return self._version

    def _serving(self) -> bool:
        thread = getattr(self.standin, "_thread", None)  # the stand-in's serve_forever thread
        return thread is None or thread.is_alive()

    def snapshot(self, user: str) -> dict[str, Any]:
        with self._cond:
            version = self._version
        visible = self.standin.channel_messages(self.channel, for_user=user)
        by_ts = {m.ts: m for m in visible}
        replies: dict[str, list[SlackMessage]] = {}
        top: list[SlackMessage] = []
        for m in visible:
            if m.thread_ts and m.thread_ts != m.ts and m.thread_ts in by_ts:
                replies.setdefault(m.thread_ts, []).append(m)
            else:
                top.append(m)
        return {
            "version": version,
            "channel": {"id": self.channel, "name": self.channel_name},
            "me": user,
            "users": self.users,
            "bot": {"id": self.standin.BOT_USER, "name": BOT_NAME},
            "messages": [self._message(m, replies.get(m.ts, [])) for m in top],
            "views": [v.as_dict() for v in self.views.for_user(user)],
        }

    def name_of(self, user_id: str) -> str:
        return self._names.get(user_id, user_id)

    def _message(self, m: SlackMessage, replies: list[SlackMessage]) -> dict[str, Any]:
        out = {
            "ts": m.ts, "user": m.user, "author": self.name_of(m.user), "bot": m.user in (self.standin.BOT_USER, SLACKBOT),
            "text": m.text, "blocks": m.blocks, "edited": m.edited, "ephemeral": m.ephemeral_to is not None,
            "thread_ts": m.thread_ts, "posted_at": self._first_seen.get(m.ts, time.time()),
            # shared files: the page links to the stand-in's copy (same origin)
            "files": [{"id": f["id"], "name": f["name"], "title": f["title"], "mimetype": f["mimetype"],
                       "size": f["size"], "alt": f.get("alt_txt", ""),
                       "url": f"/files/{urllib.parse.quote(f['id'])}/{urllib.parse.quote(f['name'])}"}
                      for f in m.files],
        }
        out["replies"] = [self._message(r, []) for r in replies]
        return out
