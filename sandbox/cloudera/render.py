"""The estate model as Cloudera Manager's JSON (shapes copied from real CM answers)."""

from __future__ import annotations

from typing import Any

from sandbox.cloudera import catalog
from sandbox.cloudera.estate import Cluster, Estate, Host, Role, RoleConfigGroup, Service

HEARTBEAT = "2026-11-28T18:00:00.000Z"
ENTITY_STATUS = {"GOOD": "GOOD_HEALTH", "CONCERNING": "CONCERNING_HEALTH", "BAD": "BAD_HEALTH"}


def _full(view: str | None) -> bool:
    return (view or "summary").lower() in ("full", "full_with_health_check_explanation", "export")


def checks(c: dict[str, str]) -> list[dict[str, Any]]:
    return [{"name": n, "summary": s, "suppressed": False} for n, s in sorted(c.items())]


def cluster_json(c: Cluster, base: str) -> dict[str, Any]:
    return {
        "name": c.name, "displayName": c.display_name, "fullVersion": c.full_version,
        "version": "CDH" + c.full_version.split(".")[0],
        "maintenanceMode": False, "maintenanceOwners": [],
        "clusterUrl": f"{base}/cmf/clusterRedirect/{c.name}", "hostsUrl": f"{base}/cmf/clusterRedirect/{c.name}/hosts",
        "entityStatus": ENTITY_STATUS.get(_cluster_health(c), "GOOD_HEALTH"), "uuid": c.uuid,
        "clusterType": "BASE_CLUSTER", "tags": [],
    }


def _cluster_health(c: Cluster) -> str:
    return catalog.worst([s.health for s in c.services.values()])


def role_ref(r: Role) -> dict[str, Any]:
    return {"clusterName": r.service.cluster.name, "serviceName": r.service.name, "roleName": r.name,
            "healthSummary": r.health, "roleStatus": r.state}


def host_json(h: Host, estate: Estate, view: str | None, base: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "hostId": h.host_id, "ipAddress": h.ip, "hostname": h.hostname, "rackId": h.rack,
        "hostUrl": f"{base}/cmf/hostRedirect/{h.host_id}", "lastHeartbeat": HEARTBEAT,
        "healthSummary": h.health, "maintenanceMode": h.maintenance, "commissionState": "COMMISSIONED",
        "numCores": h.cores, "numPhysicalCores": h.physical_cores, "totalPhysMemBytes": int(h.memory),
        "entityStatus": ENTITY_STATUS.get(h.health, "UNKNOWN_HEALTH"),
    }
    if h.cluster:
        c = estate.clusters[h.cluster]
        out["clusterRef"] = {"clusterName": c.name, "displayName": c.display_name}
    if _full(view):
        out["healthChecks"] = checks(h.health_checks)
        out["roleRefs"] = [role_ref(r) for r in h.roles] + [
            {"serviceName": "mgmt", "roleName": name, "healthSummary": "GOOD", "roleStatus": "STARTED"}
            for name in h.mgmt_roles]
        out["maintenanceOwners"] = []
        if estate.api_version >= 40:  # distribution and tags arrived with CM 7
            out["distribution"] = {"distributionType": "RHEL7", "name": "centos", "version": "7.9.2009"}
        if estate.api_version >= 41:
            out["tags"] = []
    return out


def service_json(s: Service, view: str | None, base: str) -> dict[str, Any]:
    c = s.cluster
    return {
        "name": s.name, "type": s.type, "displayName": s.display_name,
        "clusterRef": {"clusterName": c.name, "displayName": c.display_name},
        "serviceUrl": f"{base}/cmf/serviceRedirect/{s.name}",
        "roleInstancesUrl": f"{base}/cmf/serviceRedirect/{s.name}/instances",
        "serviceState": s.state, "healthSummary": s.health, "healthChecks": checks(s.health_checks),
        "configStalenessStatus": s.staleness, "clientConfigStalenessStatus": s.client_staleness,
        "maintenanceMode": False, "maintenanceOwners": [], "tags": [],
        "serviceVersion": f"CDH {c.full_version}",
        "entityStatus": ENTITY_STATUS.get(s.health, "UNKNOWN_HEALTH") if s.state == "STARTED" else "STOPPED",
    }


def role_json(r: Role, view: str | None, base: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": r.name, "type": r.type,
        "hostRef": {"hostId": r.host.host_id, "hostname": r.host.hostname},
        "serviceRef": {"clusterName": r.service.cluster.name, "serviceName": r.service.name,
                       "serviceDisplayName": r.service.display_name, "serviceType": r.service.type},
        "roleUrl": f"{base}/cmf/roleRedirect/{r.name}", "roleState": r.state,
        "healthSummary": r.health, "healthChecks": checks(r.health_checks),
        "configStalenessStatus": r.staleness, "commissionState": "COMMISSIONED",
        "maintenanceMode": False, "maintenanceOwners": [],
        "roleConfigGroupRef": {"roleConfigGroupName": r.group.name},
        "entityStatus": ENTITY_STATUS.get(r.health, "UNKNOWN_HEALTH") if r.state == "STARTED" else "STOPPED",
        "tags": [],
    }
    if r.ha_status:
        out["haStatus"] = r.ha_status
    if r.zk_mode:
        out["zooKeeperServerMode"] = r.zk_mode
    return out


def config_list(service_type: str, role_type: str | None, values: dict[str, str], view: str | None) -> list[dict]:
    """CM's ApiConfig list. summary: only what is set; full: every parameter, `value` only when set."""
    defs = {d.name: d for d in catalog.config_defs(service_type, role_type)}
    if not _full(view):
        return [{"name": k, "value": ("REDACTED" if defs.get(k) and defs[k].sensitive else v)}
                for k, v in sorted(values.items())]
    items = []
    for name in sorted(set(defs) | set(values)):
        d = defs.get(name)
        item: dict[str, Any] = {"name": name, "required": bool(d and d.required)}
        if name in values:
            item["value"] = "REDACTED" if d and d.sensitive else values[name]
        if d:
            if d.default is not None:
                item["default"] = d.default
            item["displayName"] = d.display_name
            if d.related_name:
                item["relatedName"] = d.related_name
            item["sensitive"] = d.sensitive
        else:
            item["displayName"] = name
            item["sensitive"] = False
        item["validationState"] = "OK"
        item["validationWarningsSuppressed"] = False
        items.append(item)
    return items


def group_json(g: RoleConfigGroup, s: Service) -> dict[str, Any]:
    return {
        "name": g.name, "roleType": g.role_type, "base": g.base, "displayName": g.display_name,
        "serviceRef": {"clusterName": s.cluster.name, "serviceName": s.name},
        "config": {"items": config_list(s.type, g.role_type, g.config, "summary")},
    }


def nameservice_json(ns: dict[str, Any], s: Service) -> dict[str, Any]:
    def ref(role_name: str | None) -> dict[str, Any] | None:
        if not role_name:
            return None
        r = _role_by(s, role_name)
        return {"clusterName": s.cluster.name, "serviceName": s.name, "roleName": r.name if r else role_name}

    out: dict[str, Any] = {"name": ns["name"], "mountPoints": ns.get("mount_points", ["/"]),
                           "healthSummary": ns.get("health", "GOOD"), "healthChecks": []}
    for key, field in (("active", "active"), ("standby", "standBy"), ("secondary", "secondary"),
                       ("active_failover_controller", "activeFailoverController"),
                       ("standby_failover_controller", "standByFailoverController")):
        r = ref(ns.get(key))
        if r:
            out[field] = r
    return out


def _role_by(s: Service, ref: str) -> Role | None:
    """A role by its name, or by 'TYPE@host' (how estate files name roles whose names CM generates)."""
    if ref in s.roles:
        return s.roles[ref]
    if "@" in ref:
        rtype, host = ref.split("@", 1)
        for r in s.roles.values():
            if r.type == rtype.upper() and host in (r.host.hostname, r.host.hostname.split(".")[0]):
                return r
    return None
