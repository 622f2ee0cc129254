"""The page's HTTP routes, mounted on the Slack stand-in's own server (no second server).

    GET  /                      the page (also /channel)
    GET  /channel/static/<f>    its CSS and JavaScript
    GET  /channel/api/state     ?user=U…&since=N: the channel as U sees it (waits for a change past N)
    POST /channel/api/message   {"user", "text", "thread_ts"?}: a message or a /migrate command
    POST /channel/api/click     {"user", "ts", "action_id", "value"}: a button press
    POST /channel/api/view      {"user", "view_id", "text"}: submit a modal
    POST /channel/api/view/close {"user", "view_id"}
"""

from __future__ import annotations

import json
import urllib.parse
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from sandbox.channel.actions import ChannelActions
from sandbox.channel.state import ChannelState
from sandbox.slack.driver import SlackDriver
from sandbox.slack.standin import SlackStandIn

STATIC = Path(__file__).parent / "static"
STATIC_FILES = {"channel.css": "text/css", "mrkdwn.js": "text/javascript", "blocks.js": "text/javascript",
                "channel.js": "text/javascript"}
LONG_POLL_S = 8.0  # how long a state request waits for a change before answering anyway


def mount(standin: SlackStandIn, driver: SlackDriver, *, channel: str, users: list[dict[str, str]],
          channel_name: str = "migration") -> str:
    """Serve the local channel page from the stand-in's server; return the page's URL.

    `users` are the people you can be on the page, in switcher order: dicts with `id` (U…),
    `name` and `role` (e.g. "operator", "approver", "viewer").
    """
    if not users:
        raise ValueError("the local channel needs at least one user to act as")
    state = ChannelState(standin, channel=channel, channel_name=channel_name, users=users)
    actions = ChannelActions(state, driver)
    known = {u["id"] for u in state.users}
    standin.subscribe(state.changed)
    state.changed()

    def index(req: BaseHTTPRequestHandler) -> None:
        _send(req, 200, (STATIC / "index.html").read_bytes(), "text/html")

    def static(name: str, content_type: str):
        def serve(req: BaseHTTPRequestHandler) -> None:
            _send(req, 200, (STATIC / name).read_bytes(), content_type)
        return serve

    def get_state(req: BaseHTTPRequestHandler) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlparse(req.path).query)
        user = (query.get("user") or [state.users[0]["id"]])[0]
        if user not in known:
            return _json(req, 400, {"ok": False, "error": "user_not_found"})
        try:
            since = int((query.get("since") or ["-1"])[0])
        except ValueError:
            since = -1
        state.wait(since, LONG_POLL_S)
        _json(req, 200, {"ok": True, **state.snapshot(user)})

    def post(handler):
        def route(req: BaseHTTPRequestHandler, raw: bytes) -> None:
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return _json(req, 400, {"ok": False, "error": "invalid_json"})
            if not isinstance(body, dict) or body.get("user") not in known:
                return _json(req, 400, {"ok": False, "error": "user_not_found"})
            _json(req, 200, handler(body))
        return route

    standin.extra_get_routes.update({"/": index, "/channel": index, "/channel/": index,
                                     "/channel/api/state": get_state})
    for name, content_type in STATIC_FILES.items():
        standin.extra_get_routes[f"/channel/static/{name}"] = static(name, content_type)
    standin.extra_post_routes.update({
        "/channel/api/message": post(lambda b: actions.type_text(b["user"], str(b.get("text", "")),
                                                                 b.get("thread_ts") or None)),
        "/channel/api/click": post(lambda b: actions.click(b["user"], str(b.get("ts", "")),
                                                           str(b.get("action_id", "")), str(b.get("value", "")))),
        "/channel/api/view": post(lambda b: actions.submit_view(b["user"], str(b.get("view_id", "")),
                                                                str(b.get("text", "")))),
        "/channel/api/view/close": post(lambda b: actions.close_view(b["user"], str(b.get("view_id", "")))),
    })
    return f"{standin.url}/"


def _send(req: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str) -> None:
    req.send_response(status)
    req.send_header("Content-Type", f"{content_type}; charset=utf-8")
    req.send_header("Content-Length", str(len(data)))
    req.send_header("Cache-Control", "no-store")
    # One request per connection: an idle keep-alive connection from an open tab would otherwise
    # keep a request thread of the stand-in blocked on it for as long as the tab stays open.
    req.send_header("Connection", "close")
    req.end_headers()
    req.wfile.write(data)


def _json(req: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    _send(req, status, json.dumps(body).encode(), "application/json")
