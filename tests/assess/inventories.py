"""Inventories built by hand for rule tests: `healthy()` fires no rule except the info note;
each test changes one thing and checks that exactly its rule fires."""

from __future__ import annotations

from connectors.cloudera import (
    Config,
    DataNodeUsage,
    HBase,
    Hdfs,
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

TiB = 2**40
GiB = 2**30
DOMAIN = ".t.internal"


def fqdn(short: str) -> str:
    return short + DOMAIN


LAYOUT = {
    "m-1": ["NAMENODE", "MASTER", "RESOURCEMANAGER", "FAILOVERCONTROLLER", "JOURNALNODE"],
    "m-2": ["NAMENODE", "MASTER", "RESOURCEMANAGER", "FAILOVERCONTROLLER", "JOURNALNODE"],
    "zk-1": ["SERVER", "JOURNALNODE"], "zk-2": ["SERVER"], "zk-3": ["SERVER"],
    "k-1": ["KAFKA_BROKER"], "k-2": ["KAFKA_BROKER"], "k-3": ["KAFKA_BROKER"],
    "w-1": ["DATANODE", "REGIONSERVER", "NODEMANAGER"], "w-2": ["DATANODE", "REGIONSERVER", "NODEMANAGER"],
    "w-3": ["DATANODE", "REGIONSERVER", "NODEMANAGER"],
}
SERVICE_OF = {"NAMENODE": "hdfs", "DATANODE": "hdfs", "FAILOVERCONTROLLER": "hdfs", "JOURNALNODE": "hdfs",
              "MASTER": "hbase", "REGIONSERVER": "hbase", "RESOURCEMANAGER": "yarn", "NODEMANAGER": "yarn",
              "SERVER": "zookeeper", "KAFKA_BROKER": "kafka"}
TYPES = {"hdfs": "HDFS", "hbase": "HBASE", "yarn": "YARN", "zookeeper": "ZOOKEEPER", "kafka": "KAFKA"}


def healthy(layout: dict[str, list[str]] | None = None, *, heap: int = 16 * GiB, used_pct=(60, 61, 62),
            regions=(100, 101, 99), cluster: str = "test") -> Inventory:
    layout = layout or LAYOUT
    hosts = [Host(fqdn(h), host_id=f"id-{h}", rack="/r1", cores=16, memory_bytes=64 * GiB, health="GOOD",
                  role_types=sorted(types), rx_bytes_per_s=10e6, tx_bytes_per_s=12e6, clock_offset_ms=1.0)
             for h, types in layout.items()]
    services: dict[str, Service] = {}
    for name, stype in TYPES.items():
        services[name] = Service(name, stype, state="STARTED", health="GOOD", config_staleness="FRESH")
    for h, types in layout.items():
        for t in types:
            svc = services[SERVICE_OF[t]]
            svc.roles.append(Role(f"{svc.name}-{t}-{h}", t, svc.name, fqdn(h), f"id-{h}",
                                  group=f"{svc.name}-{t}-BASE", state="STARTED", health="GOOD",
                                  config_staleness="FRESH"))
    for svc in services.values():
        for t in sorted({r.type for r in svc.roles}):
            cfg = Config.of({"hbase_regionserver_java_heapsize": heap}) if t == "REGIONSERVER" else Config()
            svc.groups.append(RoleConfigGroup(f"{svc.name}-{t}-BASE", t, True, cfg,
                                              sorted(r.hostname for r in svc.roles_of(t))))
    services["kafka"].config = Config.of({"num.partitions": 12, "default.replication.factor": 3,
                                          "min.insync.replicas": 2})
    services["hdfs"].config = Config.of({"dfs_replication": 3})

    def on(role_type: str) -> list[str]:
        return sorted(fqdn(h) for h, types in layout.items() if role_type in types)

    dns = [DataNodeUsage(n, capacity_bytes=4 * TiB, used_bytes=4 * TiB * p / 100, non_dfs_used_bytes=40 * GiB)
           for n, p in zip(on("DATANODE"), used_pct, strict=False)]
    cap = sum(d.capacity_bytes for d in dns)
    used = sum(d.used_bytes for d in dns)
    return Inventory(
        cm_url="http://cm.test:7180", cm_version="7.4.4", api_version="v41", cluster=cluster, cdh_version="7.1.7",
        hosts=hosts, services=list(services.values()),
        security=Security(kerberos=True, cm_kerberos=True, realm="T.INTERNAL",
                          wire_encryption={"hdfs": True, "hbase": True, "kafka": True, "zookeeper": True},
                          tls={"hdfs": True, "hbase": True, "kafka": True, "zookeeper": True}),
        hdfs=Hdfs("hdfs", replication=3, capacity_bytes=cap, used_bytes=used, non_dfs_used_bytes=120 * GiB,
                  datanodes=dns, namenodes=on("NAMENODE"), ha=True, nameservices=["ns1"], missing_blocks=0,
                  corrupt_blocks=0, under_replicated_blocks=0),
        kafka=Kafka("kafka", brokers=[KafkaBroker(n, partitions=146) for n in on("KAFKA_BROKER")], num_partitions=12,
                    default_replication_factor=3, min_insync_replicas=2, unclean_leader_election=False,
                    auto_create_topics=False, ssl=True, kerberos=True),
        hbase=HBase("hbase", masters=on("MASTER"),
                    regionservers=[RegionServer(n, regions=r) for n, r in zip(on("REGIONSERVER"), regions,
                                                                               strict=False)]),
        zookeeper=ZooKeeper("zookeeper", on("SERVER")),
    )


def moved(layout_changes: dict[str, list[str]]) -> dict[str, list[str]]:
    """LAYOUT with some hosts' roles replaced."""
    return {**LAYOUT, **layout_changes}
