"""Generate a large estate in code (the 200-host benchmark estate), in the estate file format."""

from __future__ import annotations

import random
from typing import Any

TiB = 1024**4


def generate_estate(hosts: int = 200, *, name: str = "generated", racks: int = 4, brokers: int = 6,
                    zookeepers: int = 3, partitions: int = 12, seed: int = 7, latency_ms: float = 0.0,
                    api_version: int = 33, bandwidth: str = "500 MB/s") -> dict[str, Any]:
    """An estate dict of `hosts` hosts: 2 masters (HA NameNode), dedicated ZooKeeper and Kafka hosts,
    the rest workers (DataNode, RegionServer, NodeManager), spread over racks, each rack with its own
    DataNode/RegionServer role config group (as large clusters with mixed hardware have).
    DataNode usage is drawn around 60% (seeded, so every run sees the same estate)."""
    if hosts < 2 + zookeepers + brokers + 1:
        raise ValueError(f"need at least {2 + zookeepers + brokers + 1} hosts, got {hosts}")
    rnd = random.Random(seed)
    domain = f"{name}.internal"
    host_list: list[dict[str, Any]] = []

    def add(short: str, rack: int, cores: int, mem: str) -> str:
        n = len(host_list)
        host_list.append({
            "hostname": f"{short}.{domain}", "ip": f"10.{50 + rack}.{n // 250}.{n % 250 + 1}",
            "rack": f"/rack-{rack}", "cores": cores, "memory": mem,
            "network": {"rx": f"{rnd.uniform(5, 60):.1f} MB/s", "tx": f"{rnd.uniform(5, 60):.1f} MB/s"},
            "clock_offset_ms": rnd.randint(0, 5),
        })
        return short

    masters = [add(f"master-{i + 1}", i % racks, 16, "128 GiB") for i in range(2)]
    zks = [add(f"zk-{i + 1}", i % racks, 4, "16 GiB") for i in range(zookeepers)]
    kafkas = [add(f"kafka-{i + 1}", i % racks, 16, "64 GiB") for i in range(brokers)]
    n_workers = hosts - len(host_list)
    workers = [add(f"worker-{i + 1:03d}", i % racks, 32, "256 GiB") for i in range(n_workers)]

    dn_groups = {f"DATANODE-rack-{r}": {"role_type": "DATANODE", "name": f"hdfs-DATANODE-rack-{r}",
                                        "config": {"dfs_data_dir_list": "/dfs/dn1,/dfs/dn2",
                                                   "datanode_java_heapsize": 4 * 1024**3}}
                 for r in range(racks)}
    rs_groups = {f"REGIONSERVER-rack-{r}": {"role_type": "REGIONSERVER", "name": f"hbase-REGIONSERVER-rack-{r}",
                                            "config": {"hbase_regionserver_java_heapsize": 16 * 1024**3}}
                 for r in range(racks)}
    dn_roles, rs_roles = [], []
    for i, w in enumerate(workers):
        rack = i % racks
        used = min(0.95, max(0.05, rnd.gauss(0.6, 0.03)))
        dn_roles.append({"type": "DATANODE", "host": w, "group": f"hdfs-DATANODE-rack-{rack}",
                         "metrics": {"dfs_capacity": 8 * TiB, "dfs_capacity_used": int(8 * TiB * used),
                                     "dfs_capacity_used_non_hdfs": 50 * 1024**3}})
        rs_roles.append({"type": "REGIONSERVER", "host": w, "group": f"hbase-REGIONSERVER-rack-{rack}",
                         "metrics": {"regions": rnd.randint(90, 110)}})
    per_broker = partitions * 10 * 3 // brokers + 150 * 3 // brokers

    return {
        "name": name,
        "description": f"generated estate of {hosts} hosts",
        "cm": {"version": "6.3.1" if api_version < 40 else "7.4.4", "api_version": api_version,
               "kerberos": False, "latency_ms": latency_ms},
        "replication": {"bandwidth": bandwidth},
        "clusters": [{
            "name": name, "display_name": name, "full_version": "6.3.2" if api_version < 40 else "7.1.7",
            "kerberos": False, "hosts": host_list,
            "services": [
                {"name": "zookeeper", "type": "ZOOKEEPER", "roles": [{"type": "SERVER", "hosts": zks}]},
                {"name": "hdfs", "type": "HDFS", "config": {"zookeeper_service": "zookeeper"},
                 "paths": {"/hbase": {"bytes": f"{n_workers * 1.2:.1f} TiB", "files": n_workers * 2000}},
                 "role_config_groups": dn_groups,
                 "nameservices": [{"name": "nameservice1", "active": f"NAMENODE@{masters[0]}",
                                   "standby": f"NAMENODE@{masters[1]}"}],
                 "roles": [{"type": "NAMENODE", "hosts": masters, "ha_status": "ACTIVE",
                            "per_host": {masters[1]: {"ha_status": "STANDBY"}}},
                           {"type": "FAILOVERCONTROLLER", "hosts": masters},
                           {"type": "JOURNALNODE", "hosts": [*masters, zks[0]]},
                           *dn_roles],
                 "replications": [{"id": 1, "source_path": "/hbase"}]},
                {"name": "hbase", "type": "HBASE", "config": {"hdfs_service": "hdfs"},
                 "role_config_groups": rs_groups,
                 "roles": [{"type": "MASTER", "hosts": masters}, *rs_roles]},
                {"name": "kafka", "type": "KAFKA",
                 "config": {"num.partitions": partitions, "default.replication.factor": 3,
                            "min.insync.replicas": 2},
                 "roles": [{"type": "KAFKA_BROKER", "hosts": kafkas,
                            "metrics": {"kafka_partitions": per_broker}}]},
                {"name": "yarn", "type": "YARN",
                 "roles": [{"type": "RESOURCEMANAGER", "hosts": masters},
                           {"type": "NODEMANAGER", "hosts": workers}]},
            ],
        }],
    }
