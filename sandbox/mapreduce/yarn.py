"""A YARN ResourceManager REST stand-in (with JobHistory's counters endpoint) on 127.0.0.1.

    GET  /ws/v1/cluster/apps?applicationTags=a,b[&states=RUNNING,...]   {"apps": {"app": [...]}} | {"apps": null}
    GET  /ws/v1/cluster/apps/{id}                                        {"app": {...}}
    PUT  /ws/v1/cluster/apps/{id}/state   {"state": "KILLED"}           {"state": "KILLED"}
    GET  /ws/v1/history/mapreduce/jobs/{job_id}/counters                 {"jobCounters": {...}} (finished jobs)
    GET  /proxy/{id}/                                                    the tracking page

The gateway stand-in registers each job it runs (`submit`); an application advances by itself
over its `duration_s` (ACCEPTED, RUNNING with progress, then FINISHED/SUCCEEDED), so nothing
has to tick it. Tags are lower-cased as YARN does. Test hooks: `fail_next(n)` (the next n jobs
end FAILED half-way), `kill(app_id)` as an operator would, `slow(factor)`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

FINAL = ("FINISHED", "FAILED", "KILLED")
APP_PATH = re.compile(r"^/ws/v1/cluster/apps/(application_\d+_\d+)(/state)?/?$")
COUNTERS_PATH = re.compile(r"^/ws/v1/history/mapreduce/jobs/(job_\d+_\d+)/counters/?$")
PROXY_PATH = re.compile(r"^/proxy/(application_\d+_\d+)/?$")
MAX_BODY = 4096
_TS_LOCK = threading.Lock()
_LAST_TS = 0


@dataclass
class App:
    id: str
    name: str
    user: str
    tags: tuple[str, ...]
    queue: str
    duration_s: float
    started: float  # time.time()
    outcome: Any = None  # tools.Outcome, set once the job's work is computed
    fail_at: float | None = None  # fraction of the duration where it fails (a test hook)
    killed_at: float | None = None
    failed_reason: str = ""

    @property
    def job_id(self) -> str:
        return self.id.replace("application_", "job_", 1)

    def fraction(self, now: float) -> float:
        return min(1.0, max(0.0, (now - self.started) / self.duration_s)) if self.duration_s > 0 else 1.0

    def status(self, now: float) -> tuple[str, str, float]:
        """(state, finalStatus, progress 0..100) at `now`."""
        if self.killed_at is not None:
            return "KILLED", "KILLED", round(100 * self.fraction(self.killed_at), 1)
        f = self.fraction(now)
        if self.fail_at is not None and f >= self.fail_at:
            return "FAILED", "FAILED", round(100 * self.fail_at, 1)
        if f >= 1.0 and self.outcome is not None:
            return "FINISHED", "SUCCEEDED", 100.0
        if now - self.started < min(0.3, self.duration_s / 4):
            return "ACCEPTED", "UNDEFINED", 0.0
        return "RUNNING", "UNDEFINED", round(min(99.0, 100 * f), 1)


class YarnStandIn:
    """One cluster's ResourceManager (and JobHistory server)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, name: str = "cluster") -> None:
        self.host, self.port, self.name = host, port, name
        # A ResourceManager's start time (ms) prefixes its application ids; two stand-ins started in
        # the same millisecond still get their own.
        with _TS_LOCK:
            global _LAST_TS
            _LAST_TS = max(_LAST_TS + 1, int(time.time() * 1000))
            self.cluster_ts = _LAST_TS
        self.apps: dict[str, App] = {}
        self._seq = 0
        self._fail_next = 0
        self.slowdown = 1.0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.requests = 0

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> YarnStandIn:
        if self._server:
            return self
        rm = self

        class _Handler(_RequestHandler):
            standin = rm

        self._server = ThreadingHTTPServer((self.host, self.port), _Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"yarn-rm-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> YarnStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- what the gateway calls -------------------------------------------------------------
    def submit(self, name: str, user: str, tags: list[str], duration_s: float, queue: str = "default") -> App:
        with self._lock:
            self._seq += 1
            app = App(f"application_{self.cluster_ts}_{self._seq:04d}", name, user,
                      tuple(t.strip().lower()[:100] for t in tags if t.strip()), queue,
                      duration_s * self.slowdown, time.time())
            if self._fail_next > 0:
                self._fail_next -= 1
                app.fail_at = 0.5
                app.failed_reason = ("Task failed task_" + app.job_id[4:] + "_m_000000\nJob failed as tasks failed. "
                                     "failedMaps:1 failedReduces:0")
            self.apps[app.id] = app
        return app

    # -- test hooks -------------------------------------------------------------------------
    def fail_next(self, n: int = 1) -> None:
        with self._lock:
            self._fail_next += n

    def kill(self, app_id: str) -> bool:
        with self._lock:
            app = self.apps.get(app_id)
            if app is None:
                return False
            if app.status(time.time())[0] not in FINAL:
                app.killed_at = time.time()
            return True

    def slow(self, factor: float) -> None:
        """Jobs submitted from now on take `factor` times as long."""
        self.slowdown = float(factor)

    def by_tag(self, tag: str) -> list[App]:
        return [a for a in self.apps.values() if tag.lower() in a.tags]

    # -- JSON -------------------------------------------------------------------------------
    def app_json(self, app: App) -> dict[str, Any]:
        now = time.time()
        state, final, progress = app.status(now)
        ended = state in FINAL
        finished_ms = int(1000 * (app.killed_at or (app.started + app.duration_s * (app.fail_at or 1.0)))) if ended else 0
        diagnostics = ""
        if state == "KILLED":
            diagnostics = "Application killed by user."
        elif state == "FAILED":
            diagnostics = app.failed_reason
        tracking = (f"{self.url}/jobhistory/job/{app.job_id}" if state == "FINISHED"
                    else f"{self.url}/proxy/{app.id}/")
        return {"id": app.id, "user": app.user, "name": app.name, "queue": app.queue, "state": state,
                "finalStatus": final, "progress": progress, "trackingUI": "History" if ended else "ApplicationMaster",
                "trackingUrl": tracking, "diagnostics": diagnostics, "clusterId": self.cluster_ts,
                "applicationType": "MAPREDUCE", "applicationTags": ",".join(app.tags),
                "startedTime": int(app.started * 1000), "finishedTime": finished_ms,
                "elapsedTime": int(1000 * ((finished_ms / 1000 if ended else now) - app.started))}

    def counters_json(self, job_id: str) -> dict[str, Any] | None:
        app = next((a for a in self.apps.values() if a.job_id == job_id), None)
        if app is None or app.status(time.time())[0] != "FINISHED" or app.outcome is None:
            return None
        groups = [{"counterGroupName": group,
                   "counter": [{"name": n, "totalCounterValue": v, "mapCounterValue": v, "reduceCounterValue": 0}
                               for n, v in counters.items()]}
                  for group, counters in app.outcome.counters.items()]
        return {"jobCounters": {"id": job_id, "counterGroup": groups}}


class _RequestHandler(BaseHTTPRequestHandler):
    standin: YarnStandIn
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle client does not hold a thread for ever

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _not_found(self, message: str) -> None:
        self._send(404, {"RemoteException": {"exception": "NotFoundException", "message": message,
                                             "javaClassName": "org.apache.hadoop.yarn.webapp.NotFoundException"}})

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        rm = self.standin
        rm.requests += 1
        parts = urlsplit(self.path)
        path = parts.path
        if path.rstrip("/") == "/ws/v1/cluster/apps":
            query = parse_qs(parts.query)
            tags = {t.strip().lower() for v in query.get("applicationTags", []) for t in v.split(",") if t.strip()}
            states = {s.strip().upper() for v in query.get("states", []) for s in v.split(",") if s.strip()}
            apps = [rm.app_json(a) for a in list(rm.apps.values()) if not tags or tags & set(a.tags)]
            if states:
                apps = [a for a in apps if a["state"] in states]
            self._send(200, {"apps": {"app": apps} if apps else None})
            return
        m = APP_PATH.match(path)
        if m and not m.group(2):
            app = rm.apps.get(m.group(1))
            if app is None:
                self._not_found(f"java.lang.Exception: app with id: {m.group(1)} not found")
                return
            self._send(200, {"app": rm.app_json(app)})
            return
        if m:
            app = rm.apps.get(m.group(1))
            if app is None:
                self._not_found(f"java.lang.Exception: app with id: {m.group(1)} not found")
                return
            self._send(200, {"state": app.status(time.time())[0]})
            return
        m = COUNTERS_PATH.match(path)
        if m:
            body = rm.counters_json(m.group(1))
            if body is None:
                self._not_found(f"job, {m.group(1)}, is not found")
                return
            self._send(200, body)
            return
        m = PROXY_PATH.match(path) or re.match(r"^/jobhistory/job/(job_\d+_\d+)/?$", path)
        if m:
            self._send(200, f"<html><body><h1>{m.group(1)}</h1><p>MapReduce job on the sandbox cluster "
                            f"{rm.name}</p></body></html>", "text/html")
            return
        self._not_found(f"no such resource: {path}")

    def do_PUT(self) -> None:  # noqa: N802
        rm = self.standin
        rm.requests += 1
        m = APP_PATH.match(urlsplit(self.path).path)
        length = int(self.headers.get("Content-Length") or 0)
        if not m or not m.group(2) or length > MAX_BODY:
            self._send(400, {"RemoteException": {"exception": "BadRequestException", "message": "bad request"}})
            return
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = {}
        if body.get("state") != "KILLED":
            self._send(400, {"RemoteException": {"exception": "BadRequestException",
                                                 "message": "Only 'KILLED' is a valid target state"}})
            return
        if not rm.kill(m.group(1)):
            self._not_found(f"java.lang.Exception: app with id: {m.group(1)} not found")
            return
        self._send(200, {"state": rm.apps[m.group(1)].status(time.time())[0]})
