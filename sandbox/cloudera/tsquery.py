"""A small tsquery evaluator: the few query shapes an assessment sends to CM's time-series API.

Supported: ``SELECT m1[, m2 ...] [WHERE cond [AND cond ...]]`` with metrics optionally wrapped in
an aggregate (``last(m)``, ``max(m)``, ...), conditions ``attr = value`` / ``attr != value`` /
``attr IN (a, b)`` on the attributes CM attaches to every entity (entityName, category, roleType,
serviceName, serviceType, hostname, hostId, clusterName, rackId), several statements separated by
``;``. Anything else yields an empty result with a warning, as CM does for a metric it has no
data for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.cloudera.estate import Estate

UNITS: dict[str, tuple[list[str], list[str]]] = {
    "dfs_capacity": (["bytes"], []),
    "dfs_capacity_used": (["bytes"], []),
    "dfs_capacity_used_non_hdfs": (["bytes"], []),
    "total_bytes_receive_rate_across_network_interfaces": (["bytes"], ["seconds"]),
    "total_bytes_transmit_rate_across_network_interfaces": (["bytes"], ["seconds"]),
    "clock_offset": (["ms"], []),
    "kafka_partitions": (["partitions"], []),
    "kafka_under_replicated_partitions": (["partitions"], []),
    "regions": (["regions"], []),
}
# Per-interface names people type for host traffic: answer them from the summed host metrics.
ALIASES = {
    "bytes_receive_rate": "total_bytes_receive_rate_across_network_interfaces",
    "bytes_transmit_rate": "total_bytes_transmit_rate_across_network_interfaces",
}

_STMT = re.compile(r"^\s*select\s+(?P<metrics>.+?)(?:\s+where\s+(?P<where>.+?))?\s*$", re.I | re.S)
_METRIC = re.compile(r"^\s*(?:(?P<fn>\w+)\((?P<inner>\w+)\)|(?P<plain>\w+))\s*(?:as\s+\w+)?\s*$", re.I)
_COND = re.compile(r"^\s*(?P<attr>\w+)\s*(?P<op>!=|=|\bin\b)\s*(?P<val>.+?)\s*$", re.I | re.S)


@dataclass
class Entity:
    name: str  # what CM shows as metadata.entityName
    attributes: dict[str, str]
    metrics: dict[str, float]


def entities(estate: Estate) -> list[Entity]:
    """Every entity of the estate that carries metrics, with CM's attributes."""
    out: list[Entity] = []
    for h in estate.hosts.values():
        attrs = {"category": "HOST", "entityName": h.host_id, "hostname": h.hostname, "hostId": h.host_id,
                 "rackId": h.rack, "active": "true"}
        if h.cluster:
            c = estate.clusters[h.cluster]
            attrs.update(clusterName=c.name, clusterDisplayName=c.display_name, version=f"CDH {c.full_version}")
        out.append(Entity(h.hostname, attrs, h.metrics))
    for c in estate.clusters.values():
        for s in c.services.values():
            sattrs = {"clusterName": c.name, "clusterDisplayName": c.display_name, "serviceName": s.name,
                      "serviceType": s.type, "serviceDisplayName": s.display_name, "version": f"CDH {c.full_version}",
                      "active": "true"}
            out.append(Entity(s.name, {**sattrs, "category": "SERVICE", "entityName": s.name}, s.metrics))
            for r in s.roles.values():
                rattrs = {**sattrs, "category": "ROLE", "entityName": r.name, "roleName": r.name, "roleType": r.type,
                          "hostname": r.host.hostname, "hostId": r.host.host_id, "rackId": r.host.rack,
                          "roleConfigGroup": r.group.name}
                out.append(Entity(f"{s.name}-{r.type}-{r.host.hostname}", rattrs, r.metrics))
    return out


def _unquote(v: str) -> str:
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        return v[1:-1]
    return v


def _conditions(where: str | None) -> list[tuple[str, str, list[str]]]:
    if not where:
        return []
    conds = []
    for part in re.split(r"\s+and\s+", where, flags=re.I):
        m = _COND.match(part)
        if not m:
            raise ValueError(f"cannot parse condition {part.strip()!r}")
        op, val = m.group("op").lower(), m.group("val")
        if op == "in":
            values = [_unquote(v) for v in val.strip().strip("()").split(",")]
        else:
            values = [_unquote(val)]
        conds.append((m.group("attr"), op, values))
    return conds


def _matches(e: Entity, conds: list[tuple[str, str, list[str]]]) -> bool:
    for attr, op, values in conds:
        # CM compares enum-like attributes (category, roleType, serviceType) case-insensitively.
        actual = e.attributes.get(attr)
        hit = actual is not None and any(actual.lower() == v.lower() for v in values)
        if attr == "entityName" and not hit:
            hit = any(v.lower() == e.name.lower() for v in values)
        if (op == "!=") == hit:
            return False
    return True


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _parse_time(value: str | None, default: datetime) -> datetime:
    if not value or value == "now":
        return default
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return default


def run(estate: Estate, query: str, start: str | None = None, end: str | None = None) -> dict[str, Any]:
    """Evaluate a tsquery; returns an ApiTimeSeriesResponseList as a dict."""
    now = datetime.now(UTC)
    t_end = _parse_time(end, now)
    t_start = _parse_time(start, t_end - timedelta(minutes=5))
    ents = entities(estate)
    items = []
    for stmt in (s for s in query.split(";") if s.strip()):
        items.append(_statement(ents, stmt.strip(), t_start, t_end))
    return {"items": items}


def _statement(ents: list[Entity], stmt: str, t_start: datetime, t_end: datetime) -> dict[str, Any]:
    result: dict[str, Any] = {"timeSeries": [], "warnings": [], "timeSeriesQuery": stmt}
    m = _STMT.match(stmt)
    if not m:
        result["warnings"].append(f"Unsupported query in the simulator: {stmt}")
        return result
    try:
        conds = _conditions(m.group("where"))
    except ValueError as exc:
        result["warnings"].append(str(exc))
        return result
    for raw in m.group("metrics").split(","):
        mm = _METRIC.match(raw)
        if not mm:
            result["warnings"].append(f"Unsupported metric expression: {raw.strip()}")
            continue
        metric = mm.group("inner") or mm.group("plain")
        shown = raw.strip()
        fn = (mm.group("fn") or "").lower()
        key = ALIASES.get(metric, metric)
        found = False
        for e in ents:
            if key not in e.metrics or not _matches(e, conds):
                continue
            found = True
            result["timeSeries"].append(_series(e, shown, key, fn, t_start, t_end))
        if not found:
            result["warnings"].append(f"No data for metric {shown} matching the query.")
    return result


def _series(e: Entity, shown: str, key: str, fn: str, t_start: datetime, t_end: datetime) -> dict[str, Any]:
    num, den = UNITS.get(key, ([], []))
    value = e.metrics[key]
    if fn or t_end - t_start <= timedelta(minutes=1):
        points = [t_end]
    else:
        # One sample a minute over the window, at most 10: enough for a chart, cheap to serve.
        step = max((t_end - t_start) / 10, timedelta(minutes=1))
        points = []
        t = t_end
        while t > t_start and len(points) < 10:
            points.append(t)
            t -= step
        points.reverse()
    where = f'entityName = "{e.attributes["entityName"]}" AND category = {e.attributes["category"]}'
    return {
        "metadata": {
            "metricName": shown,
            "entityName": e.name,
            "startTime": _iso(t_start),
            "endTime": _iso(t_end),
            "attributes": dict(e.attributes),
            "unitNumerators": num,
            "unitDenominators": den,
            "expression": f"SELECT {shown} WHERE {where}",
            "metricCollectionFrequencyMs": 60000,
            "rollupUsed": "RAW",
        },
        "data": [{"timestamp": _iso(t), "value": value, "type": "SAMPLE"} for t in points],
    }
