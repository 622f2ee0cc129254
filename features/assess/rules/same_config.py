"""AS-IS vs TO-BE: the plan is a target cluster with the same configuration, so every difference
that changes behaviour (versions, replication, Kafka settings, security, heap sizes) is reported.

`compare(as_is, to_be)` lists every difference (effective values: `value` else `default`);
`findings(...)` turns the ones that matter into findings, plus a capacity check of TO-BE.
Values that name a cluster's own hosts are expected to differ and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from config.units import human_bytes
from features.assess.rules.base import Finding, Hit, declare

if TYPE_CHECKING:
    from connectors.cloudera import Inventory, Service

# Parameters whose difference changes what the cluster does with the data, or how safely.
MATTERS = re.compile(
    r"heap|java_opts|replication|partitions|insync|unclean|auto\.create|kerberos|ssl|tls|protection|encrypt"
    r"|authentication|authorization|security|handler\.count|block\.?size|blocksize|retention|max\.message"
    r"|segment\.bytes|compression|log\.dirs|data_dir|name_dir|quorum|tickTime|maxClientCnxns",
    re.IGNORECASE)

SAME_CONFIG = declare(
    "same-config", "medium", "TO-BE's configuration differs from AS-IS",
    why="""The plan is a TO-BE cluster with the same configuration as AS-IS, so the copied data behaves the same
    there. A difference in versions, replication, Kafka settings, security or heap sizes changes how the data is
    stored or served after the cutover.""",
    fix="Set TO-BE to AS-IS's value (or record why it differs on purpose), then `/migrate assess to-be` again.")
TOBE_CAPACITY = declare(
    "tobe-capacity", "critical", "TO-BE has no room for AS-IS's data",
    why="""The copy writes AS-IS's logical data times TO-BE's replication factor; it fails part-way when TO-BE's
    DataNodes fill up, after hours of transfer.""",
    fix="Add DataNodes or disks to TO-BE (or lower what is copied) before starting the transfers.")


@dataclass
class Difference:
    area: str  # "cluster", "security", a service type ("HBASE"), or "HBASE REGIONSERVER"
    name: str
    as_is: str | None
    to_be: str | None
    matters: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def compare(as_is: Inventory, to_be: Inventory) -> list[Difference]:
    """Every difference between the two clusters, the ones that matter first."""
    out: list[Difference] = []

    def add(area: str, name: str, a: Any, b: Any, matters: bool = True) -> None:
        a_s, b_s = _text(a), _text(b)
        if a_s != b_s:
            out.append(Difference(area, name, a_s, b_s, matters))

    add("cluster", "Cloudera Manager version", as_is.cm_version, to_be.cm_version)
    add("cluster", "CDH/CDP version", as_is.cdh_version, to_be.cdh_version)
    types_a = {s.type for s in as_is.services}
    types_b = {s.type for s in to_be.services}
    for t in sorted(types_a | types_b):
        add("cluster", f"{t} service", "present" if t in types_a else "absent", "present" if t in types_b else "absent")
    for role_type in sorted(_role_counts(as_is) | _role_counts(to_be)):
        add("cluster", f"{role_type} roles", _role_counts(as_is).get(role_type, 0),
            _role_counts(to_be).get(role_type, 0), role_type in ("DATANODE", "KAFKA_BROKER", "REGIONSERVER", "SERVER",
                                                                  "NAMENODE"))
    add("security", "Kerberos", as_is.security.kerberos, to_be.security.kerberos)
    wa, wb = _by_type(as_is, as_is.security.wire_encryption), _by_type(to_be, to_be.security.wire_encryption)
    for t in sorted(set(wa) | set(wb)):
        add("security", f"{t} wire encryption", wa.get(t), wb.get(t))
    ta, tb = _by_type(as_is, as_is.security.tls), _by_type(to_be, to_be.security.tls)
    for t in sorted(set(ta) | set(tb)):
        add("security", f"{t} TLS", ta.get(t), tb.get(t))
    for t in sorted(types_a & types_b):
        sa, sb = as_is.service(t), to_be.service(t)
        if sa is None or sb is None:
            continue
        _diff_config(out, t, _effective(sa.config), _effective(sb.config), as_is, to_be)
        for role_type in sorted({g.role_type for g in sa.groups} | {g.role_type for g in sb.groups}):
            _diff_config(out, f"{t} {role_type}", _group_values(sa, role_type), _group_values(sb, role_type),
                         as_is, to_be)
    out.sort(key=lambda d: not d.matters)
    return out


def findings(as_is: Inventory, to_be: Inventory, differences: list[Difference]) -> list[Finding]:
    found: list[Finding] = []
    for d in differences:
        if not d.matters:
            continue
        found += SAME_CONFIG.findings(Hit(
            f"{d.area}: {d.name} is {d.as_is or 'unset'} on AS-IS, {d.to_be or 'unset'} on TO-BE.",
            scope=f"{d.area}/{d.name}", title=f"{_title(d)} differs: AS-IS {d.as_is or 'unset'}, "
                                                 f"TO-BE {d.to_be or 'unset'}",
            numbers={"area": d.area, "name": d.name, "as_is": d.as_is, "to_be": d.to_be}))
    capacity = _capacity(as_is, to_be)
    if capacity:
        found += TOBE_CAPACITY.findings(capacity)
    return found


def _capacity(as_is: Inventory, to_be: Inventory) -> Hit | None:
    a, b = as_is.hdfs, to_be.hdfs
    if a is None or b is None or a.logical_bytes is None or b.free_bytes is None:
        return None
    need = a.logical_bytes * (b.replication or 3)
    if need <= b.free_bytes:
        return None
    return Hit(f"AS-IS holds {human_bytes(a.logical_bytes)} of data; at TO-BE's replication {b.replication or 3} it "
               f"needs {human_bytes(need)}, TO-BE has {human_bytes(b.free_bytes)} free.",
               numbers={"needed_bytes": need, "free_bytes": b.free_bytes})


# -- helpers ---------------------------------------------------------------------------------
def _title(d: Difference) -> str:
    return f"{d.area} {d.name}" if d.area not in ("cluster", "security") else d.name


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "on" if v else "off"
    return str(v)


def _role_counts(inv: Inventory) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in inv.roles:
        counts[r.type] = counts.get(r.type, 0) + 1
    return counts


def _by_type(inv: Inventory, flags: dict[str, bool]) -> dict[str, bool]:
    out = {}
    for name, on in flags.items():
        svc = inv.service(name)
        out[svc.type if svc else name] = on
    return out


def _effective(cfg: Any) -> dict[str, str | None]:
    return {n: e.effective for n, e in cfg.entries.items() if not e.sensitive}


def _group_values(svc: Service, role_type: str) -> dict[str, str | None]:
    """Each parameter of a role type -> its distinct values across the type's groups ("a | b")."""
    names = {n for g in svc.groups_of(role_type) for n, e in g.config.entries.items() if not e.sensitive}
    out = {}
    for n in names:
        values = sorted({v for v in svc.role_config(role_type, n) if v is not None})
        out[n] = " | ".join(values) if values else None
    return out


def _names_host(value: str | None, inv: Inventory) -> bool:
    if not value:
        return False
    return any(h.hostname in value or re.search(rf"\b{re.escape(h.short_name)}\b", value) for h in inv.hosts)


def _diff_config(out: list[Difference], area: str, a: dict[str, str | None], b: dict[str, str | None],
                 as_is: Inventory, to_be: Inventory) -> None:
    for name in sorted(set(a) | set(b)):
        va, vb = a.get(name), b.get(name)
        if va == vb or (_names_host(va, as_is) and _names_host(vb, to_be)):
            continue
        out.append(Difference(area, name, _human(name, va), _human(name, vb), bool(MATTERS.search(name))))


def _human(name: str, value: str | None) -> str | None:
    """Heap sizes in bytes read better as GiB (8589934592 -> '8 GiB (8589934592)')."""
    if value is None or "heap" not in name.lower() or not value.isdigit():
        return value
    n = int(value)
    for unit, size in (("GiB", 2**30), ("MiB", 2**20)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return value
