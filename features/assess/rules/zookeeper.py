"""ZooKeeper placement and ensemble size (the field note's first finding)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from config.units import human_rate
from features.assess.rules.base import Hit, Thresholds, host_list, role_name, rule, short

if TYPE_CHECKING:
    from connectors.cloudera import Inventory


def _zk_hosts(inv: Inventory) -> list[str]:
    return sorted(inv.zookeeper.servers) if inv.zookeeper else []


@rule("zk-on-kafka-hosts", "high", "ZooKeeper shares hosts with Kafka brokers",
      why="""Both are network-chatty. ZooKeeper's quorum exchanges small messages that must arrive fast; a broker
      busy replicating (and, during the migration, a copy reading from the same hosts) delays them, sessions expire,
      and brokers and HBase RegionServers drop out. The TO-BE cluster is built with the same configuration: this
      layout would be copied along.""",
      fix="""Give ZooKeeper its own small hosts (3, or 5 for large clusters) without Kafka brokers on the TO-BE
      cluster; on AS-IS, add ZooKeeper servers on other hosts and remove those on broker hosts one at a time,
      keeping the ensemble odd.""")
def zk_on_kafka(inv: Inventory, t: Thresholds) -> Hit | None:
    zk = set(_zk_hosts(inv))
    brokers = {b.hostname for b in inv.kafka.brokers} if inv.kafka else set()
    both = sorted(zk & brokers)
    if not both:
        return None
    traffic = []
    for name in both:
        h = inv.host(name)
        if h and h.rx_bytes_per_s is not None and h.tx_bytes_per_s is not None:
            traffic.append(f"{short(name)} {human_rate(h.rx_bytes_per_s)} in / {human_rate(h.tx_bytes_per_s)} out")
    evidence = (f"ZooKeeper server and Kafka broker on the same {len(both)} host{'s' * (len(both) > 1)}: "
                f"{host_list(both)} ({len(both)} of {len(zk)} ZooKeeper servers, {len(both)} of {len(brokers)} "
                "brokers).")
    if traffic:
        evidence += " Network now: " + "; ".join(traffic) + "."
    return Hit(evidence, hosts=[short(h) for h in both],
               numbers={"zookeeper_servers": len(zk), "brokers": len(brokers), "shared": len(both)})


@rule("zk-on-data-hosts", "medium", "ZooKeeper runs on DataNode/RegionServer hosts",
      why="""DataNodes and RegionServers do heavy disk and network I/O, and the copy reads every block from the
      DataNodes: ZooKeeper's transaction log fsyncs and heartbeats on the same disks and links slow down, and
      HBase loses its RegionServers when ZooKeeper sessions time out under that load.""",
      fix="""Move ZooKeeper to hosts without DataNode or RegionServer roles (or give its dataLogDir a dedicated
      disk) on the TO-BE cluster before the copy starts.""")
def zk_on_data(inv: Inventory, t: Thresholds) -> Hit | None:
    heavy = ("DATANODE", "REGIONSERVER")
    shared = []
    for name in _zk_hosts(inv):
        h = inv.host(name)
        roles = [r for r in heavy if h and r in h.role_types]
        if roles:
            shared.append((name, roles))
    if not shared:
        return None
    kinds = sorted({r for _, r_list in shared for r in r_list})
    return Hit(f"ZooKeeper servers on {' and '.join(role_name(k) for k in kinds)} hosts: "
               f"{host_list(n for n, _ in shared)} ({len(shared)} of {len(_zk_hosts(inv))} servers).",
               hosts=[short(n) for n, _ in shared], numbers={"shared": len(shared)})


@rule("zk-ensemble-size", "high", "ZooKeeper ensemble is not odd or is below 3",
      why="""A ZooKeeper ensemble needs a majority to work: with fewer than 3 servers one failure stops HDFS
      failover, HBase and Kafka; an even count tolerates no more failures than the odd count below it and adds
      quorum traffic. Restarts during the migration are exactly when a server is down.""",
      fix="Run an odd ensemble of at least 3 servers (5 for large clusters) on separate hosts and racks.",
      thresholds={"min_zookeeper_servers": 3})
def zk_ensemble(inv: Inventory, t: Thresholds) -> Hit | None:
    if inv.zookeeper is None:
        return None
    n = len(inv.zookeeper.servers)
    minimum = int(t["min_zookeeper_servers"])
    if n >= minimum and n % 2 == 1:
        return None
    problem = f"below {minimum}" if n < minimum else "even"
    return Hit(f"{n} ZooKeeper server{'s' * (n != 1)} ({problem}): {host_list(inv.zookeeper.servers) or 'none'}; "
               f"it survives {max(0, (n - 1) // 2)} failure{'s' * ((n - 1) // 2 != 1)}.",
               hosts=[short(h) for h in inv.zookeeper.servers], numbers={"servers": n})
