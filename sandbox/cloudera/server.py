"""A Cloudera Manager REST API simulator on 127.0.0.1, good enough for cm-client.

    with CMSimulator("fieldnote") as cm:          # or CMSimulator(generate_estate(hosts=200))
        cm.url      -> "http://127.0.0.1:PORT"      (what you give the connector)
        cm.api_url  -> "http://127.0.0.1:PORT/api/v33"  (what cm-client's host wants)

Basic auth (401 on wrong credentials), CM's JSON `{"message": ...}` errors, `/api/version` and
`/api/vNN/...` for any NN from 19 to 45. Read paths serve the estate; the only writes are the
replication schedules and command aborts. Test hooks: `fail_next(n)` (HTTP 500), `set_bandwidth()`,
`set_latency()`, `requests` (every (method, path) served, for counting calls).
"""

from __future__ import annotations

import base64
import hmac
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sandbox.cloudera import render, tsquery
from sandbox.cloudera.estate import Cluster, Estate, Service, load_estate
from sandbox.cloudera.replication import ReplicationError, Replications

MIN_API, MAX_API = 19, 45


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


Handler = Callable[..., Any]


class CMSimulator:
    """One simulated Cloudera Manager serving one estate. Start it, point cm-client at it, stop it."""

    def __init__(self, estate: str | dict[str, Any] | Path | Estate = "fieldnote", host: str = "127.0.0.1",
                 port: int = 0, username: str = "admin", password: str = "admin") -> None:
        self.estate: Estate = estate if isinstance(estate, Estate) else load_estate(estate)
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.replications = self._replications()
        self.latency = self.estate.latency
        self.requests: list[tuple[str, str]] = []
        self._fail: list[tuple[int, str]] = []
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._in_flight = 0
        self.peak_in_flight = 0  # most requests answered at once (counted while latency is set)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._routes = _routes(self)

    def _replications(self) -> Replications:
        """The estate file's schedules, with no command history."""
        repl = Replications(self.estate.bandwidth)
        for c in self.estate.clusters.values():
            for s in c.services.values():
                for body in s.replications:
                    repl.add(c.name, s.name, _schedule_body(body, s), s.paths)
        return repl

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> CMSimulator:
        if self._server:
            return self
        sim = self

        class _Handler(_RequestHandler):
            simulator = sim

        self._server = ThreadingHTTPServer((self.host, self.port), _Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"cm-sim-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        # A stopped CM answers nothing, not even on keep-alive connections clients still hold.
        with self._lock:
            open_connections, self._connections = list(self._connections), set()
        for conn in open_connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> CMSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_version(self) -> str:
        return f"v{self.estate.api_version}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/{self.api_version}"

    # -- test hooks ---------------------------------------------------------------------
    def fail_next(self, n: int = 1, status: int = 500, path: str = "") -> None:
        """The next n API requests (whose path contains `path`, if given) answer `status`
        (default 500) with a CM-style message, e.g. fail_next(5, path="/timeseries")."""
        with self._lock:
            self._fail.extend([(status, path)] * n)

    def set_bandwidth(self, bps: float) -> None:
        """Replication copy speed in bytes/s, from now on (running copies included)."""
        self.replications.set_bandwidth(bps)

    def set_latency(self, seconds: float) -> None:
        """Delay added to every request: a WAN-distant CM for benchmarks."""
        self.latency = float(seconds)

    def purge_commands(self, command_ids: list[int] | None = None) -> list[int]:
        """CM purged these commands (all when None) from its history: they answer 404 and vanish
        from the schedules' histories; what they copied stays. Returns the ids purged."""
        return self.replications.purge(command_ids)

    def restart(self, *, keep_history: bool = False) -> CMSimulator:
        """Stop and start again on the same port, like a restarted Cloudera Manager. Running
        commands are gone; unless keep_history, so is every schedule created through the API
        and every command (a fresh sandbox CM), as after `make demo` is started again."""
        self.stop()
        if keep_history:
            self.replications.purge([c.id for c in self.replications.commands.values() if c.active])
        else:
            bandwidth = self.replications.bandwidth
            self.replications = self._replications()
            self.replications.bandwidth = bandwidth
        return self.start()

    def set_replication_failures(self, schedule_id: int, files: int) -> None:
        """Runs of this schedule end failed with `files` files not copied (0 to heal)."""
        self.replications.set_fail_files(schedule_id, files)

    # -- dispatch -----------------------------------------------------------------------
    def _take_failure(self, path: str) -> int | None:
        with self._lock:
            for i, (status, part) in enumerate(self._fail):
                if part in path:
                    del self._fail[i]
                    return status
            return None

    def _record(self, method: str, path: str) -> None:
        with self._lock:
            self.requests.append((method, path))

    def _authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, pw = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        # compare both parts in constant time, bytes so that non-ASCII input cannot raise
        ok_user = hmac.compare_digest(user.encode(), self.username.encode())
        ok_pw = hmac.compare_digest(pw.encode(), self.password.encode())
        return ok_user and ok_pw

    def dispatch(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        if path.rstrip("/") == "/api/version":
            return 200, f"v{self.estate.api_version}"
        m = re.match(r"^/api/v(\d+)(/.*)$", path)
        if not m:
            raise ApiError(404, f"Path {path} not found.")
        if not MIN_API <= int(m.group(1)) <= MAX_API:
            raise ApiError(404, f"API version v{m.group(1)} is not supported (v{MIN_API}..v{MAX_API}).")
        rest = m.group(2).rstrip("/") or "/"
        for verb, pattern, fn in self._routes:
            if verb != method:
                continue
            pm = pattern.match(rest)
            if pm:
                return 200, fn(query=query, body=body, **{k: unquote(v) for k, v in pm.groupdict().items()})
        raise ApiError(404 if method == "GET" else 405, f"{method} {rest} is not supported by the simulator.")

    # -- lookups -------------------------------------------------------------------------
    def cluster(self, name: str) -> Cluster:
        c = self.estate.clusters.get(name)
        if c is None:
            raise ApiError(404, f"Cluster '{name}' not found.")
        return c

    def service(self, cluster: str, name: str) -> Service:
        s = self.cluster(cluster).services.get(name)
        if s is None:
            raise ApiError(404, f"Service '{name}' not found in cluster '{cluster}'.")
        return s


def _schedule_body(raw: dict[str, Any], s: Service) -> dict[str, Any]:
    """An estate file's replication entry -> an ApiReplicationSchedule body (plus sizes)."""
    src = raw.get("source", {})
    body: dict[str, Any] = {
        "id": raw.get("id"),
        "displayName": raw.get("display_name", f"{raw.get('source_path', '/')} to TO-BE"),
        "paused": bool(raw.get("paused", False)),
        "interval": int(raw.get("interval", 1)),
        "intervalUnit": raw.get("interval_unit", "DAY"),
        "hdfsArguments": {
            "sourceService": {"peerName": src.get("peer", "tobe"), "clusterName": src.get("cluster", s.cluster.name),
                              "serviceName": src.get("service", s.name)},
            "sourcePath": raw.get("source_path", "/"),
            "destinationPath": raw.get("destination_path", raw.get("source_path", "/")),
            "mapreduceServiceName": raw.get("mapreduce_service", "yarn"),
            "numMaps": int(raw.get("num_maps", 20)),
            "userName": "hdfs", "abortOnError": False, "removeMissingFiles": False,
            "preserveReplicationCount": True, "preserveBlockSize": True, "preservePermissions": False,
            "skipChecksumChecks": False, "replicationStrategy": "DYNAMIC",
        },
    }
    if raw.get("bandwidth_per_map_mb") is not None:  # unset: no cap but the simulator's bandwidth
        body["hdfsArguments"]["bandwidthPerMap"] = int(raw["bandwidth_per_map_mb"])
    for key in ("bytes", "files", "copied", "fail_files"):
        if key in raw:
            body["_" + key] = raw[key]
    return body


class _RequestHandler(BaseHTTPRequestHandler):
    simulator: CMSimulator
    protocol_version = "HTTP/1.1"  # keep-alive: cm-client's urllib3 pool reuses connections
    server_version = "CMSimulator/1.0"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without TCP_NODELAY every keep-alive
        # request stalls ~40 ms on Nagle + delayed ACK (1.9 s instead of 0.1 s for 45 calls).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.simulator._lock:
            self.simulator._connections.add(self.connection)

    def finish(self) -> None:
        with self.simulator._lock:
            self.simulator._connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence stderr access log
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        sim = self.simulator
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        sim._record(method, parts.path)
        if sim.latency:
            with sim._lock:
                sim._in_flight += 1
                sim.peak_in_flight = max(sim.peak_in_flight, sim._in_flight)
            try:
                time.sleep(sim.latency)
            finally:
                with sim._lock:
                    sim._in_flight -= 1
        if not sim._authorized(self.headers.get("Authorization")):
            self._send(401, {"message": "Authentication failed: wrong user name or password."},
                       {"WWW-Authenticate": 'Basic realm="Cloudera Manager"'})
            return
        forced = sim._take_failure(parts.path)
        if forced:
            self._send(forced, {"message": f"Simulated failure (HTTP {forced}) requested by the test."})
            return
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            self._send(400, {"message": "Malformed JSON body."})
            return
        try:
            status, payload = sim.dispatch(method, parts.path, query, body)
        except (ApiError, ReplicationError) as exc:
            status, payload = exc.status, {"message": exc.message}
        except Exception as exc:  # a simulator bug must still answer, like CM's 500
            status, payload = 500, {"message": f"Internal simulator error: {exc!r}"}
        self._send(status, payload)

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        if isinstance(payload, str):
            data, ctype = payload.encode(), "text/plain"
        else:
            data, ctype = json.dumps(payload).encode(), "application/json"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


def _routes(sim: CMSimulator) -> list[tuple[str, re.Pattern[str], Handler]]:
    """(method, path pattern, handler) for every path served under /api/vNN."""
    est = sim.estate

    def base() -> str:
        return sim.url

    def view(query: dict[str, str]) -> str | None:
        return query.get("view")

    def cm_version(query, body):
        return {"version": est.cm_version, "snapshot": False, "buildUser": "jenkins",
                "buildTimestamp": "20191016-1716", "gitHash": "ad5fc7dc2a4b6c7bd0c1f6a2e8c1a1dfb9e3c8f2"}

    def cm_kerberos(query, body):
        return est.kerberos

    def clusters(query, body):
        return {"items": [render.cluster_json(c, base()) for c in est.clusters.values()]}

    def cluster(query, body, c):
        return render.cluster_json(sim.cluster(c), base())

    def cluster_kerberos(query, body, c):
        return sim.cluster(c).kerberos

    def cluster_hosts(query, body, c):
        return {"items": [render.host_json(h, est, view(query), base()) for h in sim.cluster(c).hosts.values()]}

    def hosts(query, body):
        return {"items": [render.host_json(h, est, view(query), base()) for h in est.hosts.values()]}

    def host(query, body, h):
        found = est.host_by_name(h)
        if not found:
            raise ApiError(404, f"Host '{h}' not found.")
        return render.host_json(found, est, query.get("view", "full"), base())

    def services(query, body, c):
        return {"items": [render.service_json(s, view(query), base()) for s in sim.cluster(c).services.values()]}

    def service(query, body, c, s):
        return render.service_json(sim.service(c, s), view(query), base())

    def service_config(query, body, c, s):
        svc = sim.service(c, s)
        return {"items": render.config_list(svc.type, None, svc.config, view(query))}

    def roles(query, body, c, s):
        svc = sim.service(c, s)
        wanted = _role_filter(query.get("filter", ""))
        return {"items": [render.role_json(r, view(query), base()) for r in svc.roles.values() if wanted(r)]}

    def role(query, body, c, s, r):
        return render.role_json(_role(sim.service(c, s), r), view(query), base())

    def role_config(query, body, c, s, r):
        svc = sim.service(c, s)
        ro = _role(svc, r)
        return {"items": render.config_list(svc.type, ro.type, ro.config, view(query))}

    def groups(query, body, c, s):
        svc = sim.service(c, s)
        return {"items": [render.group_json(g, svc) for g in svc.groups.values()]}

    def group(query, body, c, s, g):
        svc = sim.service(c, s)
        return render.group_json(_group(svc, g), svc)

    def group_config(query, body, c, s, g):
        svc = sim.service(c, s)
        grp = _group(svc, g)
        return {"items": render.config_list(svc.type, grp.role_type, grp.config, view(query))}

    def group_roles(query, body, c, s, g):
        svc = sim.service(c, s)
        grp = _group(svc, g)
        return {"items": [render.role_json(r, None, base()) for r in svc.roles.values() if r.group is grp]}

    def nameservices(query, body, c, s):
        svc = sim.service(c, s)
        if svc.type != "HDFS":
            raise ApiError(400, f"Service '{s}' is not an HDFS service.")
        return {"items": [render.nameservice_json(ns, svc) for ns in svc.nameservices]}

    def nameservice(query, body, c, s, ns):
        svc = sim.service(c, s)
        for n in svc.nameservices:
            if n["name"] == ns:
                return render.nameservice_json(n, svc)
        raise ApiError(404, f"Nameservice '{ns}' not found.")

    def ts_get(query, body):
        if not query.get("query"):
            raise ApiError(400, "Parameter 'query' is required.")
        return tsquery.run(est, query["query"], query.get("from"), query.get("to"))

    def ts_post(query, body):
        body = body or {}
        if not body.get("query"):
            raise ApiError(400, "Request body needs a 'query'.")
        return tsquery.run(est, body["query"], body.get("from"), body.get("to"))

    def repl_list(query, body, c, s):
        sim.service(c, s)
        return sim.replications.list_json(c, s)

    def repl_create(query, body, c, s):
        svc = sim.service(c, s)
        items = (body or {}).get("items")
        if not isinstance(items, list) or not items:
            raise ApiError(400, "Request body must be an ApiReplicationScheduleList with items.")
        return sim.replications.create(c, s, items, svc.paths if svc.type == "HDFS" else svc.datasets, svc.type)

    def repl_read(query, body, c, s, sid):
        sim.service(c, s)
        return sim.replications.read_json(c, s, _int(sid))

    def repl_update(query, body, c, s, sid):
        sim.service(c, s)
        if not isinstance(body, dict):
            raise ApiError(400, "Request body must be an ApiReplicationSchedule.")
        return sim.replications.update(c, s, _int(sid), body)

    def repl_run(query, body, c, s, sid):
        sim.service(c, s)
        return sim.replications.run(c, s, _int(sid), dry_run=query.get("dryRun", "").lower() == "true")

    def repl_history(query, body, c, s, sid):
        sim.service(c, s)
        return sim.replications.history(c, s, _int(sid), int(query.get("limit", 20)), int(query.get("offset", 0)))

    def command(query, body, cid):
        return sim.replications.command(_int(cid))

    def abort(query, body, cid):
        return sim.replications.abort(_int(cid))

    C = r"/clusters/(?P<c>[^/]+)"
    S = C + r"/services/(?P<s>[^/]+)"
    table: list[tuple[str, str, Handler]] = [
        ("GET", r"/cm/version", cm_version),
        ("GET", r"/cm/kerberosInfo", cm_kerberos),
        ("GET", r"/clusters", clusters),
        ("GET", C, cluster),
        ("GET", C + r"/kerberosInfo", cluster_kerberos),
        ("GET", C + r"/hosts", cluster_hosts),
        ("GET", r"/hosts", hosts),
        ("GET", r"/hosts/(?P<h>[^/]+)", host),
        ("GET", C + r"/services", services),
        ("GET", S, service),
        ("GET", S + r"/config", service_config),
        ("GET", S + r"/roles", roles),
        ("GET", S + r"/roles/(?P<r>[^/]+)", role),
        ("GET", S + r"/roles/(?P<r>[^/]+)/config", role_config),
        ("GET", S + r"/roleConfigGroups", groups),
        ("GET", S + r"/roleConfigGroups/(?P<g>[^/]+)", group),
        ("GET", S + r"/roleConfigGroups/(?P<g>[^/]+)/config", group_config),
        ("GET", S + r"/roleConfigGroups/(?P<g>[^/]+)/roles", group_roles),
        ("GET", S + r"/nameservices", nameservices),
        ("GET", S + r"/nameservices/(?P<ns>[^/]+)", nameservice),
        ("GET", r"/timeseries", ts_get),
        ("POST", r"/timeseries", ts_post),
        ("GET", S + r"/replications", repl_list),
        ("POST", S + r"/replications", repl_create),
        ("GET", S + r"/replications/(?P<sid>[^/]+)", repl_read),
        ("PUT", S + r"/replications/(?P<sid>[^/]+)", repl_update),
        ("POST", S + r"/replications/(?P<sid>[^/]+)/run", repl_run),
        ("GET", S + r"/replications/(?P<sid>[^/]+)/history", repl_history),
        ("GET", r"/commands/(?P<cid>[^/]+)", command),
        ("POST", r"/commands/(?P<cid>[^/]+)/abort", abort),
    ]
    return [(m, re.compile("^" + p + "$"), fn) for m, p, fn in table]


def _int(v: str) -> int:
    try:
        return int(v)
    except ValueError:
        raise ApiError(400, f"'{v}' is not a number.") from None


def _role(svc: Service, name: str):
    r = svc.roles.get(name)
    if r is None:
        raise ApiError(404, f"Role '{name}' not found in service '{svc.name}'.")
    return r


def _group(svc: Service, name: str):
    g = svc.groups.get(name)
    if g is None:
        raise ApiError(404, f"Role config group '{name}' not found in service '{svc.name}'.")
    return g


def _role_filter(expr: str) -> Callable[[Any], bool]:
    """CM's role filter: `type==DATANODE;hostname==h1` (';' means AND); also healthSummary, roleState."""
    conds = []
    for part in (p for p in expr.split(";") if p.strip()):
        m = re.match(r"^\s*(\w+)\s*(==|!=)\s*(.+?)\s*$", part)
        if not m:
            raise ApiError(400, f"Invalid role filter: {part!r}")
        conds.append(m.groups())

    def attr(r: Any, key: str) -> str:
        return {"type": r.type, "hostname": r.host.hostname, "hostId": r.host.host_id,
                "healthSummary": r.health, "roleState": r.state,
                "roleConfigGroup": r.group.name}.get(key, "")

    def ok(r: Any) -> bool:
        return all((attr(r, k).lower() == v.lower()) == (op == "==") for k, op, v in conds)

    return ok
