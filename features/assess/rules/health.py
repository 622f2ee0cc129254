"""What Cloudera Manager itself reports: health checks, clocks, configuration not deployed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from features.assess.rules.base import Hit, Thresholds, host_list, role_name, rule, short

if TYPE_CHECKING:
    from connectors.cloudera import Inventory


def _failing(inv: Inventory, summary: str) -> list[tuple[str, str, str]]:
    """(check, what, host) for every health check with this summary; roles are named by type and host."""
    roles = {r.name: r for r in inv.roles}
    out = []
    for kind, entity, check in inv.failing_checks():
        if check.summary != summary:
            continue
        if kind == "role" and entity in roles:
            r = roles[entity]
            out.append((check.name, f"{r.service} {role_name(r.type)} on {short(r.hostname)}", short(r.hostname)))
        elif kind == "host":
            out.append((check.name, f"host {short(entity)}", short(entity)))
        else:
            out.append((check.name, f"service {entity}", ""))
    return out


def _hit(items: list[tuple[str, str, str]], numbers_key: str) -> Hit | None:
    if not items:
        return None
    shown = "; ".join(f"{check} on {what}" for check, what, _ in items[:8])
    more = f"; and {len(items) - 8} more" if len(items) > 8 else ""
    hosts = sorted({h for _, _, h in items if h})
    return Hit(f"{len(items)} check{'s' * (len(items) > 1)}: {shown}{more}.", hosts=hosts,
               numbers={numbers_key: len(items), "checks": [f"{c} {w}" for c, w, _ in items]})


@rule("health-bad", "high", "Cloudera Manager reports BAD health",
      why="""A role or host in BAD health is failing now; a copy started on top of it fails or crawls, and its cause
      may be part of the configuration TO-BE is about to copy.""",
      fix="Open each check in Cloudera Manager (its page says what to do) and fix it before the copy starts.")
def bad(inv: Inventory, t: Thresholds) -> Hit | None:
    return _hit(_failing(inv, "BAD"), "bad_checks")


@rule("health-concerning", "medium", "Cloudera Manager reports CONCERNING health",
      why="""CONCERNING checks turn BAD under load, and the copy adds load (disk reads, network) to exactly these
      hosts for hours.""",
      fix="Fix or explain each check before the copy (free space, memory, clock, process restarts).")
def concerning(inv: Inventory, t: Thresholds) -> Hit | None:
    return _hit(_failing(inv, "CONCERNING"), "concerning_checks")


@rule("clock-offset", "medium", "Host clocks drift",
      why="""Kerberos refuses tickets beyond its clock skew, HBase refuses RegionServers whose clock is off, and
      timestamp-based checks of the copy (HBase cell versions, distcp modification times) compare clocks across
      hosts.""",
      fix="Run chronyd/ntpd on every host against the same source (Amazon Time Sync: 169.254.169.123).",
      thresholds={"clock_offset_ms": 3000})
def clock_offset(inv: Inventory, t: Thresholds) -> Hit | None:
    limit = t["clock_offset_ms"]
    off = [(h.hostname, h.clock_offset_ms) for h in inv.hosts
           if h.clock_offset_ms is not None and abs(h.clock_offset_ms) > limit]
    if not off:
        return None
    off.sort(key=lambda x: -abs(x[1]))
    return Hit(", ".join(f"{short(n)} {o:+.0f} ms" for n, o in off[:8]) + f" (threshold {limit:g} ms).",
               hosts=[short(n) for n, _ in off], numbers={"offset_ms": {short(n): o for n, o in off}})


@rule("stale-configuration", "medium", "Configuration changed in Cloudera Manager but not deployed",
      why="""The daemons do not run with what Cloudera Manager shows: a TO-BE built from CM's configuration
      differs from what AS-IS actually runs, and a restart during the migration applies changes nobody tested.""",
      fix="""Decide which is meant; then restart the stale roles (Cloudera Manager: the service → Actions →
      Restart, or the stale-configuration icon) before building TO-BE from it.""")
def stale(inv: Inventory, t: Thresholds) -> Hit | None:
    stale = inv.stale_configs()
    if not stale:
        return None
    services = [n for kind, n in stale if kind == "service"]
    roles = {r.name: r for r in inv.roles}
    stale_roles = [roles[n] for kind, n in stale if kind == "role" and n in roles]
    by_type: dict[str, list[str]] = {}
    for r in stale_roles:
        by_type.setdefault(f"{r.service} {role_name(r.type)}", []).append(r.hostname)
    parts = [f"service {', '.join(services)}"] if services else []
    parts += [f"{k} on {host_list(v)}" for k, v in sorted(by_type.items())]
    return Hit("Stale: " + "; ".join(parts) + ".", hosts=sorted({short(r.hostname) for r in stale_roles}),
               numbers={"stale_services": services, "stale_roles": len(stale_roles)})
