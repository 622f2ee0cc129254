"""Collect an `Inventory` of one cluster: the calls, run concurrently where independent.

The calls, in three waves (each wave starts as soon as what it needs has arrived):

    wave 1  cluster, cluster kerberosInfo, cm/version, cm/kerberosInfo, hosts?view=full,
            services?view=full, and 5 time-series queries (HDFS, DataNodes, hosts, Kafka, HBase)
    wave 2  per service: roles?view=full, config?view=full, roleConfigGroups (+ HDFS nameservices)
    wave 3  per role config group: config?view=full

That is 11 + 3 x services + groups calls (about 35 for the field-note cluster), independent of the
number of hosts: every per-host fact comes from the cluster-wide lists and time series.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from connectors.cloudera.errors import ApiError, ClouderaError, NotFoundError
from connectors.cloudera.models import (
    Config,
    ConfigEntry,
    DataNodeUsage,
    HBase,
    Hdfs,
    HealthCheck,
    Host,
    Inventory,
    Kafka,
    KafkaBroker,
    RegionServer,
    Role,
    RoleConfigGroup,
    Security,
    Service,
    ZooKeeper,
)
from connectors.lazy import lazy

if TYPE_CHECKING:
    from connectors.cloudera.client import ClouderaManager

log = logging.getLogger(__name__)

# name -> tsquery (cluster filter appended). Metric names as CM 6/7 publish them; last() keeps one
# point per series (the answers are the biggest of the inventory).
cm_client = lazy("cm_client")  # loaded on first use (connectors/lazy.py)

TS_QUERIES = {
    "hdfs": "select last(dfs_capacity), last(dfs_capacity_used), last(dfs_capacity_used_non_hdfs), "
            "last(missing_blocks), last(corrupt_blocks), last(under_replicated_blocks) "
            "where category = SERVICE and serviceType = HDFS",
    "datanodes": "select last(dfs_capacity), last(dfs_capacity_used), last(dfs_capacity_used_non_hdfs) "
                 "where roleType = DATANODE",
    "hosts": "select last(total_bytes_receive_rate_across_network_interfaces), "
             "last(total_bytes_transmit_rate_across_network_interfaces), last(clock_offset) where category = HOST",
    "kafka": "select last(kafka_partitions), last(kafka_under_replicated_partitions) where roleType = KAFKA_BROKER",
    "hbase": "select last(regions) where roleType = REGIONSERVER",
}
TS_WINDOW = timedelta(minutes=10)


class _Waves:
    """Submit calls to a pool (or run them inline when sequential) and keep their futures."""

    def __init__(self, cm: ClouderaManager, cluster: str) -> None:
        self.cm, self.cluster = cm, cluster
        self.pool = ThreadPoolExecutor(max_workers=cm.max_workers, thread_name_prefix="cm-inventory")

    def submit(self, fn: Any, *args: Any, what: str, **kwargs: Any) -> Future:
        return self.pool.submit(self.cm._call, fn, *args, what=what, cluster=self.cluster, **kwargs)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def collect(cm: ClouderaManager, cluster: str | None) -> Inventory:
    t0 = time.perf_counter()
    calls0 = cm.http_calls
    clusters_api = cm._resource(cm_client.ClustersResourceApi)  # detects the API version first
    if cluster is None:
        cluster = _only_cluster(cm)
    w = _Waves(cm, cluster)
    warnings: list[str] = []
    try:
        services_api = cm._resource(cm_client.ServicesResourceApi)
        roles_api = cm._resource(cm_client.RolesResourceApi)
        groups_api = cm._resource(cm_client.RoleConfigGroupsResourceApi)
        cm_api = cm._resource(cm_client.ClouderaManagerResourceApi)
        ts_api = cm._resource(cm_client.TimeSeriesResourceApi)
        ns_api = cm._resource(cm_client.NameservicesResourceApi)

        # wave 1 (services first: wave 2 waits on it)
        f_services = w.submit(services_api.read_services, cluster, what="the services", view="full")
        f_cluster = w.submit(clusters_api.read_cluster, cluster, what="the cluster")
        f_hosts = w.submit(clusters_api.list_hosts, cluster, what="the hosts", view="full")
        f_kerberos = w.submit(clusters_api.get_kerberos_info, cluster, what="the cluster's Kerberos state")
        f_cm_kerberos = w.submit(cm_api.get_kerberos_info, what="CM's Kerberos state")
        f_cm_version = w.submit(cm_api.get_version, what="the CM version")
        now = datetime.now(UTC)
        frm, to = (now - TS_WINDOW).isoformat(), now.isoformat()
        f_ts = {k: w.submit(ts_api.query_time_series, what=f"time series ({k})",
                            query=f'{q} and clusterName = "{cluster}"', _from=frm, to=to, desired_rollup="RAW")
                for k, q in TS_QUERIES.items()}

        # wave 2
        try:
            services = f_services.result().items or []
        except NotFoundError as err:
            raise NotFoundError(f"Cluster '{cluster}' not found", url=cm.url, what="the services",
                                cluster=cluster, status=404,
                                hint=f"Clusters on this CM: {', '.join(_names(cm)) or 'none'}.") from err
        f_roles, f_cfg, f_groups, f_ns = {}, {}, {}, {}
        for s in services:
            f_roles[s.name] = w.submit(roles_api.read_roles, cluster, s.name, what=f"roles of '{s.name}'", view="full")
            f_cfg[s.name] = w.submit(services_api.read_service_config, cluster, s.name,
                                     what=f"configuration of '{s.name}'", view="full")
            f_groups[s.name] = w.submit(groups_api.read_role_config_groups, cluster, s.name,
                                        what=f"role config groups of '{s.name}'")
            if s.type == "HDFS":
                f_ns[s.name] = w.submit(ns_api.list_nameservices, cluster, s.name,
                                        what=f"nameservices of '{s.name}'", view="summary")

        # wave 3
        f_gcfg: dict[tuple[str, str], Future] = {}
        groups_raw: dict[str, list[Any]] = {}
        for s in services:
            groups_raw[s.name] = f_groups[s.name].result().items or []
            for g in groups_raw[s.name]:
                f_gcfg[(s.name, g.name)] = w.submit(groups_api.read_config, cluster, g.name, s.name,
                                                    what=f"configuration of group '{g.name}'", view="full")

        # gather
        ts = {}
        for k, f in f_ts.items():
            try:
                ts[k] = _series(f.result(), warnings)
            except (ApiError, NotFoundError) as err:  # Service/Host Monitor down: the rest is still worth having
                warnings.append(f"time series '{k}' unavailable: {err.detail}")
                ts[k] = {}
        nameservices: dict[str, list[Any]] = {}
        for k, f in f_ns.items():
            try:
                nameservices[k] = f.result().items or []
            except (ApiError, NotFoundError) as err:
                warnings.append(f"nameservices of '{k}' unavailable: {err.detail}")
                nameservices[k] = []
        roles_raw = {s.name: f_roles[s.name].result().items or [] for s in services}
        svc_cfg = {s.name: _config(f_cfg[s.name].result().items) for s in services}
        group_cfg = {key: _config(f.result().items) for key, f in f_gcfg.items()}
        c = f_cluster.result()
        hosts_raw = f_hosts.result().items or []
        kerberos = f_kerberos.result()
        cm_kerberos = f_cm_kerberos.result()
        cm_version = f_cm_version.result().version
    finally:
        w.close()

    role_type_by_name = {r.name: r.type for rs in roles_raw.values() for r in rs}
    hosts = [_host(h, role_type_by_name, ts.get("hosts", {})) for h in hosts_raw]
    hostname_by_id = {h.host_id: h.hostname for h in hosts}
    svc_objs = []
    for s in services:
        roles = [_role(r, s.name, hostname_by_id) for r in roles_raw[s.name]]
        groups = [RoleConfigGroup(name=g.name, role_type=g.role_type, base=bool(g.base),
                                  config=group_cfg[(s.name, g.name)],
                                  hostnames=sorted(r.hostname for r in roles if r.group == g.name))
                  for g in groups_raw[s.name]]
        svc_objs.append(Service(
            name=s.name, type=s.type, display_name=s.display_name, state=_s(s.service_state),
            health=_s(s.health_summary), config_staleness=_s(s.config_staleness_status),
            client_config_staleness=_s(s.client_config_staleness_status),
            health_checks=_checks(s.health_checks), config=svc_cfg[s.name], groups=groups, roles=roles,
            version=s.service_version))

    inv = Inventory(
        cm_url=cm.url, cm_version=cm_version, api_version=cm.api_version, cluster=c.name,
        cluster_display_name=c.display_name, cdh_version=c.full_version, hosts=hosts, services=svc_objs,
        security=_security(svc_objs, kerberos, cm_kerberos),
        hdfs=_hdfs(svc_objs, ts, nameservices), kafka=_kafka(svc_objs, ts), hbase=_hbase(svc_objs, ts),
        zookeeper=_zookeeper(svc_objs), http_calls=0, elapsed_s=0.0, warnings=warnings)
    inv.http_calls = cm.http_calls - calls0
    inv.elapsed_s = time.perf_counter() - t0
    log.info("inventory of cluster %r at %s: %d hosts, %d services, %d HTTP calls in %.2f s%s", cluster, cm.url,
             len(hosts), len(svc_objs), inv.http_calls, inv.elapsed_s, f" ({len(warnings)} warnings)" if warnings else "")
    return inv


def _names(cm: ClouderaManager) -> list[str]:
    try:
        return [c["name"] or "" for c in cm.clusters()]
    except ClouderaError:
        return []


def _only_cluster(cm: ClouderaManager) -> str:
    names = [c["name"] or "" for c in cm.clusters()]  # errors propagate: a 401 must stay a 401
    if len(names) == 1:
        return names[0]
    raise NotFoundError(
        "No cluster named and " + ("none exists" if not names else f"several exist ({', '.join(names)})"),
        url=cm.url, what="the list of clusters", hint="Name the cluster (cluster: in app.yaml).")


# -- conversions ---------------------------------------------------------------------------
def _s(v: Any) -> str | None:
    return None if v is None else str(v)


def _checks(raw: list[Any] | None) -> list[HealthCheck]:
    return [HealthCheck(c.name, _s(c.summary) or "") for c in raw or []]


def _config(items: list[Any] | None) -> Config:
    return Config({i.name: ConfigEntry(i.name, i.value, i.default, i.related_name, bool(i.sensitive))
                   for i in items or []})


def _series(resp: Any, warnings: list[str]) -> dict[tuple[str, str], float]:
    """(entity key, metric) -> last value. Entity key: roleName for roles, hostId for hosts,
    serviceName for services (from each series' attributes)."""
    out: dict[tuple[str, str], float] = {}
    for item in resp.items or []:
        for ts in item.time_series or []:
            md = ts.metadata
            attrs = md.attributes or {}
            cat = (attrs.get("category") or "").upper()
            key = {"ROLE": attrs.get("roleName"), "HOST": attrs.get("hostId"),
                   "SERVICE": attrs.get("serviceName")}.get(cat) or md.entity_name
            metric = md.metric_name
            if "(" in metric:  # last(x) -> x
                metric = metric[metric.index("(") + 1:metric.rindex(")")]
            if ts.data:
                out[(key, metric)] = float(ts.data[-1].value)
    return out


def _host(h: Any, role_types: dict[str, str], ts: dict[tuple[str, str], float]) -> Host:
    refs = h.role_refs or []
    types = []
    for ref in refs:
        t = role_types.get(ref.role_name)
        if t is None and ref.role_name.count("-") >= 2:  # e.g. mgmt-SERVICEMONITOR-<hash>
            t = ref.role_name.split("-")[1]
        if t:
            types.append(t)
    return Host(
        hostname=h.hostname, host_id=h.host_id, ip=h.ip_address, rack=h.rack_id, cores=h.num_cores,
        physical_cores=h.num_physical_cores,
        memory_bytes=int(h.total_phys_mem_bytes) if h.total_phys_mem_bytes is not None else None,
        health=_s(h.health_summary), maintenance_mode=bool(h.maintenance_mode), role_types=sorted(types),
        roles=[r.role_name for r in refs], health_checks=_checks(h.health_checks),
        rx_bytes_per_s=ts.get((h.host_id, "total_bytes_receive_rate_across_network_interfaces")),
        tx_bytes_per_s=ts.get((h.host_id, "total_bytes_transmit_rate_across_network_interfaces")),
        clock_offset_ms=ts.get((h.host_id, "clock_offset")),
    )


def _role(r: Any, service: str, hostname_by_id: dict[str, str]) -> Role:
    href = r.host_ref
    return Role(
        name=r.name, type=r.type, service=service, host_id=href.host_id if href else "",
        hostname=(href.hostname if href and href.hostname else hostname_by_id.get(href.host_id, "")) if href else "",
        group=r.role_config_group_ref.role_config_group_name if r.role_config_group_ref else None,
        state=_s(r.role_state), health=_s(r.health_summary), config_staleness=_s(r.config_staleness_status),
        ha_status=_s(r.ha_status), health_checks=_checks(r.health_checks))


def _hosts_of(svc: Service | None, role_type: str) -> list[str]:
    return sorted({r.hostname for r in svc.roles_of(role_type)}) if svc else []


def _first(services: list[Service], stype: str) -> Service | None:
    return next((s for s in services if s.type == stype), None)


def _hdfs(services: list[Service], ts: dict[str, dict], nameservices: dict[str, list[Any]]) -> Hdfs | None:
    svc = _first(services, "HDFS")
    if svc is None:
        return None
    sts, dts = ts.get("hdfs", {}), ts.get("datanodes", {})
    dns = []
    for r in svc.roles_of("DATANODE"):
        cap = dts.get((r.name, "dfs_capacity"))
        used = dts.get((r.name, "dfs_capacity_used"))
        if cap is not None and used is not None:
            dns.append(DataNodeUsage(r.hostname, r.name, cap, used, dts.get((r.name, "dfs_capacity_used_non_hdfs"))))
    dns.sort(key=lambda d: d.hostname)

    def metric(name: str) -> float | None:
        v = sts.get((svc.name, name))
        if v is None and name.startswith("dfs_capacity") and dns:
            parts = [getattr(d, {"dfs_capacity": "capacity_bytes", "dfs_capacity_used": "used_bytes",
                                 "dfs_capacity_used_non_hdfs": "non_dfs_used_bytes"}[name]) for d in dns]
            v = sum(p or 0.0 for p in parts)
        return v

    ns = nameservices.get(svc.name, [])
    ha = any(n.active is not None and n.stand_by is not None for n in ns) or len(svc.roles_of("NAMENODE")) >= 2
    return Hdfs(
        service=svc.name, replication=svc.config.int("dfs_replication"),
        capacity_bytes=metric("dfs_capacity"), used_bytes=metric("dfs_capacity_used"),
        non_dfs_used_bytes=metric("dfs_capacity_used_non_hdfs"), datanodes=dns,
        namenodes=_hosts_of(svc, "NAMENODE"), ha=ha, nameservices=[n.name for n in ns],
        missing_blocks=sts.get((svc.name, "missing_blocks")), corrupt_blocks=sts.get((svc.name, "corrupt_blocks")),
        under_replicated_blocks=sts.get((svc.name, "under_replicated_blocks")),
    )


def _group_flag(svc: Service, role_type: str, name: str) -> bool | None:
    values = [g.config.bool(name) for g in svc.groups_of(role_type)]
    values = [v for v in values if v is not None]
    return all(values) if values else None


def _kafka(services: list[Service], ts: dict[str, dict]) -> Kafka | None:
    svc = _first(services, "KAFKA")
    if svc is None:
        return None
    kts = ts.get("kafka", {})
    brokers = sorted((KafkaBroker(r.hostname, r.name, kts.get((r.name, "kafka_partitions")),
                                  kts.get((r.name, "kafka_under_replicated_partitions")))
                      for r in svc.roles_of("KAFKA_BROKER")), key=lambda b: b.hostname)
    cfg = svc.config
    return Kafka(
        service=svc.name, brokers=brokers, num_partitions=cfg.int("num.partitions"),
        default_replication_factor=cfg.int("default.replication.factor"),
        min_insync_replicas=cfg.int("min.insync.replicas"),
        unclean_leader_election=cfg.bool("unclean.leader.election.enable"),
        auto_create_topics=cfg.bool("auto.create.topics.enable"),
        ssl=_group_flag(svc, "KAFKA_BROKER", "ssl_enabled"), kerberos=cfg.bool("kerberos.auth.enable"),
    )


def _hbase(services: list[Service], ts: dict[str, dict]) -> HBase | None:
    svc = _first(services, "HBASE")
    if svc is None:
        return None
    hts = ts.get("hbase", {})
    rss = sorted((RegionServer(r.hostname, r.name, hts.get((r.name, "regions"))) for r in svc.roles_of("REGIONSERVER")),
                 key=lambda r: r.hostname)
    return HBase(service=svc.name, masters=_hosts_of(svc, "MASTER"), regionservers=rss)


def _zookeeper(services: list[Service]) -> ZooKeeper | None:
    svc = _first(services, "ZOOKEEPER")
    return ZooKeeper(svc.name, _hosts_of(svc, "SERVER")) if svc else None


def _security(services: list[Service], kerberos: Any, cm_kerberos: Any) -> Security:
    wire: dict[str, bool] = {}
    tls: dict[str, bool] = {}
    for s in services:
        cfg = s.config
        if s.type == "HDFS":
            wire[s.name] = cfg.get("hadoop_rpc_protection") == "privacy" and bool(cfg.bool("dfs_encrypt_data_transfer"))
            tls[s.name] = bool(cfg.bool("hdfs_hadoop_ssl_enabled"))
        elif s.type == "HBASE":
            wire[s.name] = cfg.get("hbase_rpc_protection") == "privacy"
            tls[s.name] = bool(cfg.bool("hbase_hadoop_ssl_enabled"))
        elif s.type == "KAFKA":
            wire[s.name] = tls[s.name] = bool(_group_flag(s, "KAFKA_BROKER", "ssl_enabled"))
        elif s.type == "ZOOKEEPER":
            wire[s.name] = tls[s.name] = bool(cfg.bool("zookeeper_tls_enabled"))
    return Security(
        kerberos=bool(kerberos.kerberized), cm_kerberos=bool(cm_kerberos.kerberized),
        realm=kerberos.kerberos_realm or cm_kerberos.kerberos_realm, wire_encryption=wire, tls=tls)
