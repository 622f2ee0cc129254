"""A Slack Web API stand-in on 127.0.0.1.

It answers the methods Ferry calls (auth.test, chat.postMessage, chat.update,
chat.postEphemeral, views.open, usergroups.users.list, and the file upload flow:
files.getUploadURLExternal, a POST of the bytes to the upload URL it hands out,
files.completeUploadExternal, files.info), keeps the channel's messages as Slack
would (ts, threads, updates in place), records every call, receives posts to `response_url`,
and can answer HTTP 429 with Retry-After to test rate limiting. Like Slack, it refuses
messages beyond Block Kit's limits with `invalid_blocks`.
"""

from __future__ import annotations

import itertools
import json
import mimetypes
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.time)


@dataclass
class SlackMessage:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    user: str  # who posted it (the bot's user id for Ferry)
    thread_ts: str | None = None
    ephemeral_to: str | None = None  # only this user sees it
    edited: int = 0
    files: list[dict[str, Any]] = field(default_factory=list)  # shared files, as Slack lists them

    def as_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "ts": self.ts, "text": self.text, "blocks": self.blocks, "user": self.user,
                "thread_ts": self.thread_ts, "ephemeral_to": self.ephemeral_to, "edited": self.edited,
                "files": self.files}


@dataclass
class UploadedFile:
    """A file of the upload flow: announced, then its bytes, then shared (or never)."""

    id: str
    name: str
    length: int
    alt: str = ""
    title: str = ""
    mimetype: str = ""
    data: bytes | None = None
    shared_in: list[tuple[str, str | None]] = field(default_factory=list)  # (channel, thread_ts)

    def info(self, url: str) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "title": self.title or self.name, "mimetype": self.mimetype,
                "size": len(self.data or b""), "alt_txt": self.alt, "url_private": f"{url}/files/{self.id}/{self.name}",
                "shares": {"public": {ch: [{"ts": "", "thread_ts": th}] for ch, th in self.shared_in}}}


class SlackStandIn:
    BOT_USER = "UFERRYBOT"
    TEAM = "T0SANDBOX"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, token: str = "xoxb-sandbox",
                 usergroups: dict[str, list[str]] | None = None, app_token: str = "xapp-sandbox") -> None:
        self.token = token
        self.app_token = app_token
        self.socket_mode = None  # a SocketModeServer, handed out by apps.connections.open
        self.usergroups = usergroups or {}
        self.calls: list[Call] = []
        self.messages: list[SlackMessage] = []
        self.responses: list[dict[str, Any]] = []  # posts to response_url
        self.files: dict[str, UploadedFile] = {}  # by file id, in the order announced
        self._failing_uploads = 0  # test hook: the next N posts of bytes get HTTP 500
        self._drop_reply: dict[str, int] = {}  # test hook: method -> calls done but not answered
        self._slow: dict[str, float] = {}  # test hook: method (or "upload") -> seconds to wait before answering
        self._rate_limits: dict[str, list[int]] = {}  # method -> [remaining, retry_after]
        self._ts = itertools.count(1)
        self._lock = threading.Condition()
        self._listeners: list = []  # callables notified on every change (the local channel page)
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - stdlib name
                standin._handle_post(self)

            def do_GET(self) -> None:  # noqa: N802
                standin._handle_get(self)

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.host, self.port = self._server.server_address[:2]
        self._thread: threading.Thread | None = None
        self.extra_get_routes: dict[str, Any] = {}  # path -> handler(request) for the local channel
        self.extra_post_routes: dict[str, Any] = {}

    # -- lifecycle --------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def start(self) -> SlackStandIn:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="slack-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(5)

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- test controls ----------------------------------------------------------------------
    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with HTTP 429 and Retry-After."""
        with self._lock:
            self._rate_limits[method] = [times, retry_after]

    def fail_uploads(self, times: int = 1) -> None:
        """The next `times` posts of a file's bytes answer HTTP 500 (an upload URL gone bad)."""
        with self._lock:
            self._failing_uploads = times

    def drop_reply(self, method: str, times: int = 1) -> None:
        """Do the next `times` calls of `method`, then close the connection without answering
        (a network cut after Slack acted: the caller cannot know it happened)."""
        with self._lock:
            self._drop_reply[method] = times

    def slow(self, method: str, seconds: float) -> None:
        """Act on `method` (or "upload", a post of bytes) at once but answer `seconds` later: a
        caller killed in between cannot know whether it happened."""
        with self._lock:
            self._slow[method] = seconds

    def shared_files(self, channel: str | None = None) -> list[UploadedFile]:
        """Files shared by files.completeUploadExternal (with their bytes), oldest first."""
        with self._lock:
            return [f for f in self.files.values() if f.shared_in and (channel is None
                                                                      or any(c == channel for c, _ in f.shared_in))]

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, predicate, timeout: float = 10.0) -> Any:
        """Wait until predicate(self) returns something truthy; return it."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                result = predicate(self)
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the Slack stand-in did not see what was expected in time")
                self._lock.wait(min(left, 0.1))

    def channel_messages(self, channel: str | None = None, *, for_user: str | None = None) -> list[SlackMessage]:
        with self._lock:
            return [m for m in self.messages if (channel is None or m.channel == channel)
                    and (m.ephemeral_to is None or m.ephemeral_to == for_user)]

    def subscribe(self, callback) -> None:
        self._listeners.append(callback)

    def add_message(self, message: SlackMessage) -> SlackMessage:
        """Record a message (also used for what a user types in the local channel)."""
        with self._lock:
            self.messages.append(message)
            self._lock.notify_all()
        self._notify()
        return message

    def next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.{next(self._ts) % 1_000_000:06d}"

    # -- HTTP -------------------------------------------------------------------------------
    def _handle_get(self, req: BaseHTTPRequestHandler) -> None:
        path = urllib.parse.urlparse(req.path).path
        handler = self.extra_get_routes.get(path)
        if handler:
            return handler(req)
        if path.startswith("/files/"):
            return self._file_bytes(req, path)
        if path.startswith("/api/"):  # files.info is a GET in slack_sdk
            query = urllib.parse.urlparse(req.path).query
            return self._api(req, path[len("/api/"):], {k: v[0] for k, v in urllib.parse.parse_qs(query).items()})
        self._reply(req, 404, {"ok": False, "error": "unknown_method"})

    def _handle_post(self, req: BaseHTTPRequestHandler) -> None:
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length) if length else b""
        path = urllib.parse.urlparse(req.path).path
        if path in self.extra_post_routes:
            return self.extra_post_routes[path](req, raw)
        if path.startswith("/response/"):
            return self._response_url(req, path.rsplit("/", 1)[1], raw)
        if path.startswith("/upload/"):
            return self._upload_bytes(req, path.rsplit("/", 1)[1], raw)
        if not path.startswith("/api/"):
            return self._reply(req, 404, {"ok": False, "error": "unknown_method"})
        self._api(req, path[len("/api/"):], _params(req.headers.get("Content-Type", ""), raw))

    def _api(self, req: BaseHTTPRequestHandler, method: str, params: dict[str, Any]) -> None:
        with self._lock:
            self.calls.append(Call(method, params))
            limit = self._rate_limits.get(method)
            if limit and limit[0] > 0:
                limit[0] -= 1
                self._lock.notify_all()
                return self._reply(req, 429, {"ok": False, "error": "ratelimited"},
                                   headers={"Retry-After": str(limit[1])})
        auth = req.headers.get("Authorization", "")
        expected = self.app_token if method == "apps.connections.open" else self.token
        if method != "api.test" and auth != f"Bearer {expected}":
            return self._reply(req, 200, {"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return self._reply(req, 200, {"ok": False, "error": "unknown_method"})
        body = handler(params)
        with self._lock:
            self._lock.notify_all()
            drop = self._drop_reply.get(method, 0) > 0
            if drop:
                self._drop_reply[method] -= 1
        self._notify()
        if self._slow.get(method):
            time.sleep(self._slow[method])
        if drop:
            req.close_connection = True
            req.connection.shutdown(2)  # socket.SHUT_RDWR: the caller gets no answer
            return
        self._reply(req, 200, body)

    def _upload_bytes(self, req: BaseHTTPRequestHandler, file_id: str, raw: bytes) -> None:
        with self._lock:
            self.calls.append(Call("upload", {"file_id": file_id, "bytes": len(raw)}))
            f = self.files.get(file_id)
            failing = self._failing_uploads > 0
            if failing:
                self._failing_uploads -= 1
            elif f is not None and not f.shared_in:
                f.data = raw
                f.mimetype = mimetypes.guess_type(f.name)[0] or "application/octet-stream"  # as Slack: by name
            self._lock.notify_all()
        if self._slow.get("upload"):
            time.sleep(self._slow["upload"])
        if failing:
            return self._reply(req, 500, {"ok": False, "error": "upload_failed"})
        if f is None or f.shared_in:
            return self._reply(req, 404, {"ok": False, "error": "file_not_found"})
        # Slack's upload endpoint answers in plain text
        data = f"OK - {len(raw)}".encode()
        req.send_response(200)
        req.send_header("Content-Type", "text/plain")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    def _file_bytes(self, req: BaseHTTPRequestHandler, path: str) -> None:
        """GET /files/<id>/<name>: a shared file's bytes (url_private; the local channel shows them)."""
        parts = path.split("/")
        with self._lock:
            f = self.files.get(parts[2]) if len(parts) >= 3 else None
        if f is None or not f.shared_in or f.data is None:
            return self._reply(req, 404, {"ok": False, "error": "file_not_found"})
        req.send_response(200)
        # Served as a download unless it is an image: an uploaded HTML report must not run as a page here.
        image = f.mimetype in ("image/png", "image/jpeg", "image/gif")
        req.send_header("Content-Type", f.mimetype if image else "application/octet-stream")
        if not image:
            req.send_header("Content-Disposition", f'attachment; filename="{urllib.parse.quote(f.name)}"')
        req.send_header("X-Content-Type-Options", "nosniff")
        req.send_header("Content-Length", str(len(f.data)))
        req.send_header("Connection", "close")
        req.end_headers()
        req.wfile.write(f.data)

    def _response_url(self, req: BaseHTTPRequestHandler, token: str, raw: bytes) -> None:
        body = json.loads(raw or b"{}")
        meta = self._response_targets.get(token, {}) if hasattr(self, "_response_targets") else {}
        self.record_response({"token": token, **body}, channel=meta.get("channel"), user=meta.get("user"))
        self._reply(req, 200, {"ok": True})

    def record_response(self, body: dict[str, Any], *, channel: str | None, user: str | None) -> None:
        """A reply to a command or click (posted to response_url, or returned in the ack)."""
        with self._lock:
            self.responses.append(body)
            if channel:
                in_channel = body.get("response_type") == "in_channel"
                self.messages.append(SlackMessage(channel=channel, ts=self.next_ts(), text=body.get("text", ""),
                                                  blocks=body.get("blocks") or [], user=self.BOT_USER,
                                                  ephemeral_to=None if in_channel else user))
            self._lock.notify_all()
        self._notify()

    def response_url_for(self, channel: str, user: str) -> str:
        """A response_url for one command or click; what is posted to it shows to `user` only."""
        if not hasattr(self, "_response_targets"):
            self._response_targets: dict[str, dict[str, str]] = {}
        token = f"r{next(self._ts)}"
        self._response_targets[token] = {"channel": channel, "user": user}
        return f"{self.url}/response/{token}"

    @staticmethod
    def _reply(req: BaseHTTPRequestHandler, status: int, body: dict[str, Any], headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        req.send_response(status)
        req.send_header("Content-Type", "application/json; charset=utf-8")
        req.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            req.send_header(k, v)
        req.end_headers()
        req.wfile.write(data)

    def _notify(self) -> None:
        for callback in list(self._listeners):
            try:
                callback()
            except Exception:
                pass

    # -- the Web API methods ----------------------------------------------------------------
    def _api_api_test(self, p: dict) -> dict:
        return {"ok": True}

    def _api_auth_test(self, p: dict) -> dict:
        return {"ok": True, "url": "https://sandbox.slack.invalid/", "team": "Sandbox", "user": "ferry",
                "team_id": self.TEAM, "user_id": self.BOT_USER, "bot_id": "BFERRY"}

    def _api_apps_connections_open(self, p: dict) -> dict:
        if self.socket_mode is None:
            return {"ok": False, "error": "socket_mode_not_enabled"}
        return {"ok": True, "url": self.socket_mode.url}

    def _api_chat_postMessage(self, p: dict) -> dict:  # noqa: N802 - Slack's method name
        problem = _check_message(p)
        if problem:
            return {"ok": False, "error": "invalid_blocks", "errors": [problem]}
        m = SlackMessage(channel=p["channel"], ts=self.next_ts(), text=p.get("text", ""), blocks=_blocks(p),
                         user=self.BOT_USER, thread_ts=p.get("thread_ts") or None)
        with self._lock:
            self.messages.append(m)
        return {"ok": True, "channel": m.channel, "ts": m.ts, "message": m.as_dict()}

    def _api_chat_update(self, p: dict) -> dict:
        problem = _check_message(p)
        if problem:
            return {"ok": False, "error": "invalid_blocks", "errors": [problem]}
        with self._lock:
            for m in self.messages:
                if m.channel == p.get("channel") and m.ts == p.get("ts") and m.ephemeral_to is None:
                    m.text, m.blocks = p.get("text", m.text), _blocks(p)
                    m.edited += 1
                    return {"ok": True, "channel": m.channel, "ts": m.ts}
        return {"ok": False, "error": "message_not_found"}

    def _api_chat_postEphemeral(self, p: dict) -> dict:  # noqa: N802
        problem = _check_message(p)
        if problem:
            return {"ok": False, "error": "invalid_blocks", "errors": [problem]}
        m = SlackMessage(channel=p["channel"], ts=self.next_ts(), text=p.get("text", ""), blocks=_blocks(p),
                         user=self.BOT_USER, ephemeral_to=p.get("user"))
        with self._lock:
            self.messages.append(m)
        return {"ok": True, "message_ts": m.ts}

    def _api_views_open(self, p: dict) -> dict:
        view = p.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        return {"ok": True, "view": {"id": f"V{next(self._ts)}", **(view or {})}}

    def _api_files_getUploadURLExternal(self, p: dict) -> dict:  # noqa: N802 - Slack's method name
        name = str(p.get("filename") or "")
        try:
            length = int(p.get("length") or 0)
        except ValueError:
            length = 0
        if not name or length <= 0:
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ts):08d}"
        with self._lock:
            self.files[file_id] = UploadedFile(file_id, name, length, alt=str(p.get("alt_txt") or ""))
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _api_files_completeUploadExternal(self, p: dict) -> dict:  # noqa: N802
        try:
            files = json.loads(p["files"]) if isinstance(p.get("files"), str) else p.get("files")
        except (KeyError, ValueError):
            files = None
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        channel, thread_ts = p.get("channel_id") or p.get("channels"), p.get("thread_ts") or None
        with self._lock:
            found = [self.files.get(str(f.get("id"))) for f in files]
            if any(f is None or f.data is None for f in found):
                return {"ok": False, "error": "file_not_found"}  # announced, but its bytes never came
            if any(len(f.data or b"") != f.length for f in found if f):
                return {"ok": False, "error": "file_upload_size_mismatch"}
            shared = []
            for f, given in zip(found, files, strict=True):
                assert f is not None
                f.title = str(given.get("title") or f.name)
                if channel:
                    f.shared_in.append((channel, thread_ts))
                shared.append(f.info(self.url))
            if channel:  # Slack shows a message with the files in the channel (or thread)
                self.messages.append(SlackMessage(channel=channel, ts=self.next_ts(),
                                                  text=str(p.get("initial_comment") or ""), blocks=[],
                                                  user=self.BOT_USER, thread_ts=thread_ts, files=shared))
        return {"ok": True, "files": [{"id": f["id"], "title": f["title"]} for f in shared]}

    def _api_files_info(self, p: dict) -> dict:
        with self._lock:
            f = self.files.get(str(p.get("file") or ""))
            return {"ok": True, "file": f.info(self.url)} if f else {"ok": False, "error": "file_not_found"}

    def _api_usergroups_users_list(self, p: dict) -> dict:
        group = p.get("usergroup")
        if group not in self.usergroups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(self.usergroups[group])}


def _params(content_type: str, raw: bytes) -> dict[str, Any]:
    if "application/json" in content_type:
        return json.loads(raw or b"{}")
    return {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}


def _blocks(p: dict) -> list[dict[str, Any]]:
    blocks = p.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return blocks


def _check_message(p: dict) -> str | None:
    """The limits Slack enforces on a message, as `invalid_blocks` would report them."""
    if not p.get("channel"):
        return "channel_not_found"
    blocks = _blocks(p)
    if len(blocks) > 50:
        return f"must provide at most 50 blocks, got {len(blocks)}"
    for i, b in enumerate(blocks):
        text = (b.get("text") or {}).get("text", "") if isinstance(b.get("text"), dict) else ""
        if b.get("type") == "section" and len(text) > 3000:
            return f"blocks[{i}].text must be at most 3000 characters"
        if b.get("type") == "header" and len(text) > 150:
            return f"blocks[{i}].text must be at most 150 characters"
        if b.get("type") == "section" and len(b.get("fields") or []) > 10:
            return f"blocks[{i}].fields must have at most 10 items"
    return None
