"""A cluster's YARN ResourceManager REST API (and the MapReduce JobHistory server's counters).

    rm = YarnClient("http://rm.asis:8088", history_url="http://jhs.asis:19888")
    rm.apps_by_tag("ferry-job-...") -> [YarnApp]         (newest first)
    rm.app("application_..._0001") -> YarnApp
    rm.kill(app_id)                                       PUT .../state {"state": "KILLED"}
    rm.counters(app_id) -> {"ROWS": 100000, ...}          flattened over groups (finished jobs)

Plain urllib (no extra dependency); answers are bounded and parsed as JSON; errors are typed
(`YarnError`, `YarnUnreachable`, `AppNotFound`) with a sentence that names the ResourceManager.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

MAX_ANSWER = 8 * 1024 * 1024
FINAL_STATES = ("FINISHED", "FAILED", "KILLED")


class YarnError(RuntimeError):
    pass


class YarnUnreachable(YarnError):
    pass


class AppNotFound(YarnError):
    pass



def job_id(app_id: str) -> str:
    """The MapReduce job of a YARN application: application_1_0042 -> job_1_0042."""
    return app_id.replace("application_", "job_", 1)

@dataclass(frozen=True)
class YarnApp:
    id: str
    name: str
    state: str  # NEW … ACCEPTED, RUNNING, FINISHED, FAILED, KILLED
    final_status: str  # UNDEFINED, SUCCEEDED, FAILED, KILLED
    progress: float  # 0..100
    tracking_url: str
    diagnostics: str
    tags: tuple[str, ...]
    started_ms: int

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def succeeded(self) -> bool:
        return self.state == "FINISHED" and self.final_status == "SUCCEEDED"

    @property
    def job_id(self) -> str:
        return job_id(self.id)

    @classmethod
    def from_json(cls, a: dict[str, Any]) -> YarnApp:
        tags = a.get("applicationTags") or ""
        return cls(str(a.get("id", "")), str(a.get("name", "")), str(a.get("state", "")),
                   str(a.get("finalStatus", "")), float(a.get("progress") or 0.0), str(a.get("trackingUrl") or ""),
                   str(a.get("diagnostics") or ""), tuple(t for t in str(tags).split(",") if t),
                   int(a.get("startedTime") or 0))


def normalize_tag(text: str) -> str:
    """A YARN application tag: lower case (YARN lowers them), ASCII letters, digits and '-', ≤ 100."""
    out = "".join(c if c.isascii() and c.isalnum() else "-" for c in text.lower())
    return "-".join(p for p in out.split("-") if p)[:100]


class YarnClient:
    def __init__(self, url: str, *, history_url: str | None = None, timeout: float = 10.0, where: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.history_url = (history_url or url).rstrip("/")
        self.timeout = timeout
        self.where = where or f"YARN ResourceManager {self.url}"
        self.bytes_received = 0

    def _call(self, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Accept": "application/json", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read(MAX_ANSWER + 1)
        except urllib.error.HTTPError as e:
            raw = e.read(MAX_ANSWER) if e.fp else b""
            self.bytes_received += len(raw)
            message = _remote_message(raw) or e.reason
            if e.code == 404:
                raise AppNotFound(f"{self.where}: {message}") from None
            raise YarnError(f"{self.where} answered HTTP {e.code}: {message}") from None
        except (urllib.error.URLError, OSError, TimeoutError) as e:
            reason = getattr(e, "reason", e)
            raise YarnUnreachable(f"cannot reach {self.where}: {reason}") from None
        self.bytes_received += len(raw)
        if len(raw) > MAX_ANSWER:
            raise YarnError(f"{self.where} sent more than {MAX_ANSWER // 2**20} MB: refused")
        try:
            return json.loads(raw or b"null")
        except ValueError:
            raise YarnError(f"{self.where} did not answer JSON (is {self.url} the ResourceManager's web address?)") from None

    def apps_by_tag(self, tag: str) -> list[YarnApp]:
        query = urllib.parse.urlencode({"applicationTags": normalize_tag(tag)})
        answer = self._call("GET", f"{self.url}/ws/v1/cluster/apps?{query}") or {}
        apps = ((answer.get("apps") or {}).get("app") or []) if isinstance(answer, dict) else []
        found = [YarnApp.from_json(a) for a in apps if isinstance(a, dict)]
        return sorted(found, key=lambda a: (a.started_ms, a.id), reverse=True)

    def app(self, app_id: str) -> YarnApp:
        answer = self._call("GET", f"{self.url}/ws/v1/cluster/apps/{urllib.parse.quote(app_id)}")
        if not isinstance(answer, dict) or not isinstance(answer.get("app"), dict):
            raise YarnError(f"{self.where}: no application in the answer for {app_id}")
        return YarnApp.from_json(answer["app"])

    def kill(self, app_id: str) -> str:
        answer = self._call("PUT", f"{self.url}/ws/v1/cluster/apps/{urllib.parse.quote(app_id)}/state",
                            {"state": "KILLED"})
        return str((answer or {}).get("state", "")) if isinstance(answer, dict) else ""

    def counters(self, app_id: str) -> dict[str, int]:
        """The finished MapReduce job's counters, by name (groups flattened; a name in two groups
        keeps the first). From the JobHistory server: `/ws/v1/history/mapreduce/jobs/{job}/counters`."""
        job = job_id(app_id)
        answer = self._call("GET", f"{self.history_url}/ws/v1/history/mapreduce/jobs/{urllib.parse.quote(job)}/counters")
        out: dict[str, int] = {}
        groups = ((answer or {}).get("jobCounters") or {}).get("counterGroup") or [] if isinstance(answer, dict) else []
        for group in groups:
            for c in group.get("counter") or []:
                name = str(c.get("name", ""))
                if name and name not in out:
                    out[name] = int(c.get("totalCounterValue") or 0)
        return out


def _remote_message(raw: bytes) -> str:
    try:
        data = json.loads(raw)
    except ValueError:
        return raw[:200].decode("utf-8", "replace").strip()
    if isinstance(data, dict):
        exc = data.get("RemoteException") or {}
        return str(exc.get("message") or exc.get("exception") or "")[:300]
    return ""
