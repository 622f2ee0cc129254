"""Load an estate (sandbox/estates/<name>.yaml or a dict) into the simulator's model.

The file format is described in sandbox/estates/README.md. Loading fills in what a real CM
would derive: host ids, role names, base role config groups, health rolled up from checks,
HDFS service capacity from its DataNodes.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sandbox.cloudera import catalog

ESTATES_DIR = Path(__file__).resolve().parent.parent / "estates"

_UNITS = {
    "": 1, "b": 1,
    "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4, "pb": 1000**5,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4, "pib": 1024**5,
}
_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([kmgtp]?i?b)?(?:/s)?\s*$", re.I)


class EstateError(ValueError):
    """The estate file or dict is malformed: the message names the estate and the key."""


def parse_size(value: Any) -> float:
    """'3.5 TiB', '100 MB/s', 12 -> a number of bytes (or bytes/s)."""
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    m = _SIZE.match(str(value))
    if not m:
        raise ValueError(f"not a size: {value!r}")
    return float(m.group(1)) * _UNITS[(m.group(2) or "").lower()]


def config_str(value: Any) -> str:
    """Config values travel as strings in the CM API; booleans as 'true'/'false'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def host_id_for(hostname: str) -> str:
    # Real CM host ids (CM 6+) are 32-hex-digit strings; derive a stable one.
    return hashlib.md5(hostname.encode()).hexdigest()


@dataclass
class Host:
    hostname: str
    host_id: str
    ip: str
    rack: str
    cores: int
    physical_cores: int
    memory: float
    cluster: str | None
    health_checks: dict[str, str]
    health: str
    metrics: dict[str, float]
    maintenance: bool = False
    roles: list[Role] = field(default_factory=list)
    mgmt_roles: list[str] = field(default_factory=list)  # Cloudera Management Service role names


@dataclass
class RoleConfigGroup:
    name: str
    role_type: str
    base: bool
    display_name: str
    config: dict[str, str]


@dataclass
class Role:
    name: str
    type: str
    host: Host
    service: Service
    group: RoleConfigGroup
    state: str
    health: str
    health_checks: dict[str, str]
    config: dict[str, str]
    staleness: str
    metrics: dict[str, float]
    ha_status: str | None = None
    zk_mode: str | None = None


@dataclass
class Service:
    name: str
    type: str
    display_name: str
    cluster: Cluster
    state: str
    health: str
    health_checks: dict[str, str]
    staleness: str
    client_staleness: str
    config: dict[str, str]
    metrics: dict[str, float]
    groups: dict[str, RoleConfigGroup] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    nameservices: list[dict[str, Any]] = field(default_factory=list)
    replications: list[dict[str, Any]] = field(default_factory=list)
    paths: dict[str, dict[str, float]] = field(default_factory=dict)
    # HBASE `tables:` / HIVE `databases:`: what a replication of this service reads from its peer
    datasets: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class Cluster:
    name: str
    display_name: str
    full_version: str
    kerberos: dict[str, Any]
    uuid: str
    hosts: dict[str, Host] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)


@dataclass
class Estate:
    name: str
    cm_version: str
    api_version: int
    kerberos: dict[str, Any]
    bandwidth: float
    latency: float
    clusters: dict[str, Cluster]
    hosts: dict[str, Host]  # by host id, every host CM manages
    raw: dict[str, Any]

    def host_by_name(self, name: str) -> Host | None:
        for h in self.hosts.values():
            if name in (h.host_id, h.hostname):
                return h
        return None


def load_estate(source: str | dict[str, Any] | Path) -> Estate:
    """An estate from a name (file in sandbox/estates/), a path to a YAML/JSON file, or a dict."""
    if isinstance(source, dict):
        data, label = copy.deepcopy(source), source.get("name", "<dict>")
    else:
        path = Path(source)
        if not path.suffix:
            candidates = [ESTATES_DIR / f"{source}.{ext}" for ext in ("yaml", "yml", "json")]
            found = [p for p in candidates if p.exists()]
            if not found:
                names = sorted(p.stem for p in ESTATES_DIR.glob("*.y*ml")) + sorted(
                    p.stem for p in ESTATES_DIR.glob("*.json"))
                raise EstateError(f"no estate named {source!r} in {ESTATES_DIR} (have: {', '.join(names)})")
            path = found[0]
        data, label = yaml.safe_load(path.read_text()), str(source)
    try:
        return _build(data, label)
    except EstateError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise EstateError(f"estate {label}: {exc!r}") from exc


def _checks(names: list[str], overrides: dict[str, str] | None) -> dict[str, str]:
    checks = dict.fromkeys(names, "GOOD")
    checks.update(overrides or {})
    return checks


def _metrics(raw: dict[str, Any] | None) -> dict[str, float]:
    return {k: parse_size(v) for k, v in (raw or {}).items()}


def _build(data: dict[str, Any], label: str) -> Estate:
    cm = data.get("cm", {})
    est = Estate(
        name=data.get("name", label),
        cm_version=str(cm.get("version", "6.3.1")),
        api_version=int(cm.get("api_version", 33)),
        kerberos=_kerberos(cm.get("kerberos")),
        bandwidth=parse_size(data.get("replication", {}).get("bandwidth", "100 MB/s")),
        latency=float(cm.get("latency_ms", 0)) / 1000.0,
        clusters={},
        hosts={},
        raw=data,
    )
    for h in data.get("unassigned_hosts", []):
        host = _host(h, None)
        est.hosts[host.host_id] = host
    for c in data.get("clusters", []):
        name = c["name"]
        cluster = Cluster(
            name=name,
            display_name=c.get("display_name", name),
            full_version=str(c.get("full_version", "6.3.2")),
            kerberos=_kerberos(c.get("kerberos")),
            uuid=str(c.get("uuid") or _uuid(f"{est.name}/{name}")),
        )
        est.clusters[name] = cluster
        for h in c.get("hosts", []):
            host = _host(h, name)
            if host.host_id in est.hosts:
                raise EstateError(f"estate {label}: host {host.hostname} listed twice")
            cluster.hosts[host.host_id] = host
            est.hosts[host.host_id] = host
        for s in c.get("services", []):
            svc = _service(s, cluster, label)
            cluster.services[svc.name] = svc
    # The Cloudera Management Service (Service Monitor, Host Monitor, ...) belongs to no cluster;
    # its roles show in their host's roleRefs under service "mgmt".
    mgmt = cm.get("management") or {}
    if mgmt:
        host = est.host_by_name(mgmt["host"]) or next(
            (h for h in est.hosts.values() if h.hostname.split(".")[0] == mgmt["host"]), None)
        if host is None:
            raise EstateError(f"estate {label}: cm.management.host {mgmt['host']!r} is not a host of the estate")
        host.mgmt_roles = [f"mgmt-{t.upper()}-{host.host_id}" for t in mgmt.get("roles", [])]
    return est


def _uuid(seed: str) -> str:
    h = hashlib.md5(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _kerberos(raw: Any) -> dict[str, Any]:
    if not raw:
        return {"kerberized": False}
    if raw is True:
        raw = {}
    realm = raw.get("realm", "EXAMPLE.INTERNAL")
    return {
        "kerberized": True,
        "kdcType": raw.get("kdc_type", "MIT KDC"),
        "kerberosRealm": realm,
        "kdcHost": raw.get("kdc_host", "kdc." + realm.lower()),
        "adminHost": raw.get("admin_host", "kdc." + realm.lower()),
        "domain": raw.get("domain", [realm.lower()]),
    }


def _host(h: dict[str, Any], cluster: str | None) -> Host:
    hostname = h["hostname"]
    metrics = _metrics(h.get("metrics"))
    net = h.get("network") or {}
    # CM's per-host network metrics are summed across interfaces; accept short names in the file.
    if "rx" in net:
        metrics["total_bytes_receive_rate_across_network_interfaces"] = parse_size(net["rx"])
    if "tx" in net:
        metrics["total_bytes_transmit_rate_across_network_interfaces"] = parse_size(net["tx"])
    if "clock_offset_ms" in h:
        metrics["clock_offset"] = float(h["clock_offset_ms"])
    checks = _checks(catalog.HOST_HEALTH_CHECKS, h.get("health_checks"))
    cores = int(h.get("cores", 8))
    return Host(
        hostname=hostname,
        host_id=str(h.get("id") or host_id_for(hostname)),
        ip=str(h.get("ip", "10.0.0.1")),
        rack=str(h.get("rack", "/default")),
        cores=cores,
        physical_cores=int(h.get("physical_cores", max(1, cores // 2))),
        memory=parse_size(h.get("memory", "64 GiB")),
        cluster=cluster,
        health_checks=checks,
        health=h.get("health") or catalog.worst(list(checks.values())),
        metrics=metrics,
        maintenance=bool(h.get("maintenance", False)),
    )


def _find_host(cluster: Cluster, ref: str, label: str) -> Host:
    for h in cluster.hosts.values():
        if ref in (h.hostname, h.host_id, h.hostname.split(".")[0]):
            return h
    raise EstateError(f"estate {label}: role refers to unknown host {ref!r} in cluster {cluster.name!r}")


def _service(s: dict[str, Any], cluster: Cluster, label: str) -> Service:
    name, stype = s["name"], s["type"].upper()
    checks = _checks(catalog.SERVICE_HEALTH_CHECKS.get(stype, []), s.get("health_checks"))
    svc = Service(
        name=name,
        type=stype,
        display_name=s.get("display_name", name.upper() if len(name) <= 5 else name),
        cluster=cluster,
        state=s.get("state", "STARTED"),
        health="GOOD",
        health_checks=checks,
        staleness=s.get("config_staleness", "FRESH"),
        client_staleness=s.get("client_config_staleness", "FRESH"),
        config={k: config_str(v) for k, v in (s.get("config") or {}).items()},
        metrics=_metrics(s.get("metrics")),
        nameservices=list(s.get("nameservices", [])),
        replications=list(s.get("replications", [])),
        paths={p: {"bytes": parse_size(v.get("bytes", 0)), "files": float(v.get("files", 0))}
               for p, v in (s.get("paths") or {}).items()},
        datasets={n: {"bytes": parse_size(v.get("bytes", 0)), "files": float(v.get("files", v.get("tables", 0)))}
                  for n, v in (s.get("tables") or s.get("databases") or {}).items()},
    )
    # Role config groups: a base group per role type always exists; the file may add others.
    groups_raw = s.get("role_config_groups") or {}
    for gname, g in groups_raw.items():
        g = g or {}
        rtype = g.get("role_type", gname).upper()
        base = g.get("base", "role_type" not in g)
        full = f"{name}-{rtype}-BASE" if base else g.get("name", f"{name}-{gname}")
        svc.groups[full] = RoleConfigGroup(
            name=full, role_type=rtype, base=base,
            display_name=g.get("display_name", f"{rtype.title()} Default Group" if base else gname),
            config={k: config_str(v) for k, v in (g.get("config") or {}).items()},
        )
    for r in s.get("roles", []):
        rtype = r["type"].upper()
        hosts = r.get("hosts") or [r["host"]]
        for ref in hosts:
            host = _find_host(cluster, ref, label)
            group = _group_for(svc, rtype, r.get("group"), label)
            rchecks = _checks(catalog.ROLE_HEALTH_CHECKS.get(rtype, []), r.get("health_checks"))
            per_host = (r.get("per_host") or {}).get(host.hostname.split(".")[0], {})
            metrics = _metrics(r.get("metrics"))
            metrics.update(_metrics(per_host.get("metrics")))
            rchecks.update(per_host.get("health_checks") or {})
            role = Role(
                name=r.get("name") if len(hosts) == 1 and r.get("name") else f"{name}-{rtype}-{host.host_id}",
                type=rtype,
                host=host,
                service=svc,
                group=group,
                state=per_host.get("state", r.get("state", "STARTED")),
                health=per_host.get("health") or r.get("health") or catalog.worst(list(rchecks.values())),
                health_checks=rchecks,
                config={k: config_str(v) for k, v in (r.get("config") or {}).items()},
                staleness=per_host.get("config_staleness", r.get("config_staleness", "FRESH")),
                metrics=metrics,
                ha_status=per_host.get("ha_status", r.get("ha_status")),
                zk_mode=per_host.get("zk_mode", r.get("zk_mode")),
            )
            svc.roles[role.name] = role
            host.roles.append(role)
    if svc.type == "HDFS":
        _derive_hdfs_metrics(svc)
    # As in CM, a service's health comes from its own checks (which look at its roles in aggregate),
    # so one CONCERNING DataNode shows on the role, not on the HDFS service.
    svc.health = s.get("health") or catalog.worst(list(checks.values()))
    return svc


def _group_for(svc: Service, rtype: str, gname: str | None, label: str) -> RoleConfigGroup:
    if gname:
        for g in svc.groups.values():
            if gname in (g.name, g.display_name) or g.name == f"{svc.name}-{gname}":
                return g
        raise EstateError(f"estate {label}: role group {gname!r} not defined in service {svc.name}")
    base = f"{svc.name}-{rtype}-BASE"
    if base not in svc.groups:
        svc.groups[base] = RoleConfigGroup(base, rtype, True, f"{rtype.title()} Default Group", {})
    return svc.groups[base]


def _derive_hdfs_metrics(svc: Service) -> None:
    # The HDFS service's capacity is the sum over its DataNodes, as the NameNode reports it.
    dns = [r for r in svc.roles.values() if r.type == "DATANODE"]
    for m in ("dfs_capacity", "dfs_capacity_used", "dfs_capacity_used_non_hdfs"):
        if m not in svc.metrics and any(m in r.metrics for r in dns):
            svc.metrics[m] = sum(r.metrics.get(m, 0.0) for r in dns)
    for m in ("missing_blocks", "corrupt_blocks", "under_replicated_blocks"):
        svc.metrics.setdefault(m, 0.0)
