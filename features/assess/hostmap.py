"""The host × role map: which hosts run which roles, so co-location is visible at a glance.

    host         ZK KB NN DN RS HM NM other     note
    fn-worker-1  ●  ●     ●  ●     ●            ZK+Kafka, ZK+data

Large clusters group hosts with the same roles into one row ("worker-001…worker-191 (191)").
"""

from __future__ import annotations

from connectors.cloudera import Inventory

# (column, role types) in display order; ZooKeeper comes from the ZooKeeper service (its role type
# is the generic "SERVER").
COLUMNS = (("KB", "KAFKA_BROKER"), ("NN", "NAMENODE"), ("DN", "DATANODE"), ("RS", "REGIONSERVER"),
           ("HM", "MASTER"), ("NM", "NODEMANAGER"))
OTHER = {"SECONDARYNAMENODE": "SNN", "JOURNALNODE": "JN", "FAILOVERCONTROLLER": "FC", "BALANCER": "BAL",
         "HBASETHRIFTSERVER": "THRIFT", "HBASERESTSERVER": "REST", "RESOURCEMANAGER": "RM", "JOBHISTORY": "JHS",
         "HTTPFS": "HTTPFS", "NFSGATEWAY": "NFS", "KAFKA_MIRROR_MAKER": "MM", "GATEWAY": ""}
CM_ROLES = {"SERVICEMONITOR", "HOSTMONITOR", "EVENTSERVER", "ALERTPUBLISHER", "ACTIVITYMONITOR", "REPORTSMANAGER",
            "NAVIGATOR", "NAVIGATORMETASERVER", "TELEMETRYPUBLISHER"}
MARK = "●"
HEADER = ["host", "ZK", *[c for c, _ in COLUMNS], "other", "note"]


def _row(inv: Inventory, zk: set[str], hostname: str) -> list[str]:
    h = inv.host(hostname)
    types = set(h.role_types) if h else set()
    on_zk = hostname in zk
    cells = [MARK if on_zk else ""] + [MARK if t in types else "" for _, t in COLUMNS]
    known = {t for _, t in COLUMNS} | ({"SERVER"} if on_zk else set())
    other = sorted({OTHER.get(t, t.lower()) for t in types - known - CM_ROLES} - {""})
    if types & CM_ROLES:
        other.append("CM-mgmt")
    notes = []
    if on_zk and "KAFKA_BROKER" in types:
        notes.append("ZK+Kafka")
    if on_zk and types & {"DATANODE", "REGIONSERVER"}:
        notes.append("ZK+data")
    return [*cells, " ".join(other), ", ".join(notes)]


def rows(inv: Inventory, max_rows: int | None = 20) -> list[list[str]]:
    """One row per host, or, beyond `max_rows` hosts, one row per distinct set of roles."""
    zk = set(inv.zookeeper.servers) if inv.zookeeper else set()
    per_host = [(h.short_name, _row(inv, zk, h.hostname)) for h in sorted(inv.hosts, key=lambda h: h.hostname)]
    if max_rows is None or len(per_host) <= max_rows:
        return [[name, *cells] for name, cells in per_host]
    groups: dict[tuple[str, ...], list[str]] = {}
    for name, cells in per_host:
        groups.setdefault(tuple(cells), []).append(name)
    out = []
    for cells, names in sorted(groups.items(), key=lambda kv: (-bool(kv[0][-1]), kv[1][0])):
        label = names[0] if len(names) == 1 else f"{names[0]}…{names[-1]} ({len(names)})"
        out.append([label, *cells])
    return out


def co_located(inv: Inventory) -> int:
    """Hosts where ZooKeeper shares the host with Kafka or data roles."""
    return sum(1 for r in rows(inv, None) if r[-1])
