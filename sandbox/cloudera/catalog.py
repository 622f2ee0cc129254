"""What the simulated Cloudera Manager knows without being told: configuration parameters
with their defaults, and the health checks each kind of entity reports.

An estate file only lists what differs from these (a set `value`), as a real CM's
`view=summary` does; `view=full` merges the two. Names, defaults and related names follow
CDH 6.3 / CM 6.3 so the connector is exercised on the names it will meet in the field.
Sizes are bytes (heap sizes of some roles are MiB in CM; those are marked so in the name).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigDef:
    name: str
    default: str | None
    display_name: str
    related_name: str = ""
    sensitive: bool = False
    required: bool = False


def _d(name: str, default: object, display: str, related: str = "", sensitive: bool = False) -> ConfigDef:
    if isinstance(default, bool):
        default = "true" if default else "false"
    return ConfigDef(name, None if default is None else str(default), display, related, sensitive)


GiB = 1024**3

# (service type, role type or None for service-wide) -> parameters
CONFIG_DEFS: dict[tuple[str, str | None], list[ConfigDef]] = {
    ("HDFS", None): [
        _d("dfs_replication", 3, "Replication Factor", "dfs.replication"),
        _d("dfs_block_size", 134217728, "HDFS Block Size", "dfs.blocksize"),
        _d("hadoop_security_authentication", "simple", "Hadoop Secure Authentication",
           "hadoop.security.authentication"),
        _d("hadoop_security_authorization", False, "Hadoop Secure Authorization", "hadoop.security.authorization"),
        _d("hadoop_rpc_protection", "authentication", "Hadoop RPC Protection", "hadoop.rpc.protection"),
        _d("dfs_encrypt_data_transfer", False, "Enable Data Transfer Encryption", "dfs.encrypt.data.transfer"),
        _d("hdfs_hadoop_ssl_enabled", False, "Hadoop TLS/SSL Enabled", "hadoop.ssl.enabled"),
        _d("dfs_permissions", True, "Check HDFS Permissions", "dfs.permissions"),
        _d("zookeeper_service", None, "ZooKeeper Service"),
        _d("dfs_ha_fencing_methods", "shell(true)", "HDFS High Availability Fencing Methods",
           "dfs.ha.fencing.methods"),
        _d("hdfs_ssl_server_keystore_password", None, "Hadoop TLS/SSL Server Keystore File Password",
           "ssl.server.keystore.password", sensitive=True),
    ],
    ("HDFS", "NAMENODE"): [
        _d("namenode_java_heapsize", 4 * GiB, "Java Heap Size of NameNode in Bytes"),
        _d("dfs_name_dir_list", None, "NameNode Data Directories", "dfs.namenode.name.dir"),
        _d("dfs_namenode_handler_count", 30, "NameNode Handler Count", "dfs.namenode.handler.count"),
        _d("dfs_federation_namenode_nameservice", None, "NameNode Nameservice"),
        _d("autofailover_enabled", False, "Enable Automatic Failover", "dfs.ha.automatic-failover.enabled"),
    ],
    ("HDFS", "SECONDARYNAMENODE"): [
        _d("secondary_namenode_java_heapsize", 4 * GiB, "Java Heap Size of Secondary NameNode in Bytes"),
        _d("fs_checkpoint_dir_list", None, "HDFS Checkpoint Directories", "dfs.namenode.checkpoint.dir"),
    ],
    ("HDFS", "DATANODE"): [
        _d("datanode_java_heapsize", 1 * GiB, "Java Heap Size of DataNode in Bytes"),
        _d("dfs_data_dir_list", None, "DataNode Data Directory", "dfs.datanode.data.dir"),
        _d("dfs_datanode_du_reserved", 10 * GiB, "Reserved Space for Non DFS Use", "dfs.datanode.du.reserved"),
        _d("dfs_datanode_failed_volumes_tolerated", 0, "DataNode Failed Volumes Tolerated",
           "dfs.datanode.failed.volumes.tolerated"),
        _d("dfs_balance_bandwidthPerSec", 10485760, "DataNode Balancing Bandwidth",
           "dfs.datanode.balance.bandwidthPerSec"),
    ],
    ("HDFS", "JOURNALNODE"): [
        _d("journalNode_java_heapsize", 512 * 1024**2, "Java Heap Size of JournalNode in Bytes"),
        _d("dfs_journalnode_edits_dir", None, "JournalNode Edits Directory", "dfs.journalnode.edits.dir"),
    ],
    ("HDFS", "FAILOVERCONTROLLER"): [
        _d("failover_controller_java_heapsize", 256 * 1024**2, "Java Heap Size of Failover Controller in Bytes"),
    ],
    ("HDFS", "BALANCER"): [
        _d("balancer_java_heapsize", 1 * GiB, "Java Heap Size of Balancer in Bytes"),
        _d("dfs_balancer_threshold", 10, "Rebalancing Threshold", "dfs.balancer.threshold"),
    ],
    ("HBASE", None): [
        _d("hbase_security_authentication", "simple", "HBase Secure Authentication", "hbase.security.authentication"),
        _d("hbase_security_authorization", False, "HBase Secure Authorization", "hbase.security.authorization"),
        _d("hbase_hadoop_ssl_enabled", False, "Web UI TLS/SSL Encryption Enabled", "hadoop.ssl.enabled"),
        _d("hbase_rpc_protection", "authentication", "HBase Transport Security", "hbase.rpc.protection"),
        _d("hdfs_rootdir", "/hbase", "HDFS Root Directory", "hbase.rootdir"),
        _d("hdfs_service", None, "HDFS Service"),
        _d("zookeeper_service", None, "ZooKeeper Service"),
        _d("hbase_replication", False, "Enable Replication", "hbase.replication"),
        _d("hbase_snapshot_enabled", True, "Enable Snapshots", "hbase.snapshot.enabled"),
    ],
    ("HBASE", "MASTER"): [
        _d("hbase_master_java_heapsize", 1 * GiB, "Java Heap Size of HBase Master in Bytes"),
        _d("hbase_balancer_period", 300000, "HBase Master Balancer Period", "hbase.balancer.period"),
    ],
    ("HBASE", "REGIONSERVER"): [
        _d("hbase_regionserver_java_heapsize", 4 * GiB, "Java Heap Size of HBase RegionServer in Bytes"),
        _d("hbase_hregion_max_filesize", 10 * GiB, "HStore Maximum File Size", "hbase.hregion.max.filesize"),
        _d("hbase_regionserver_handler_count", 30, "HBase RegionServer Handler Count",
           "hbase.regionserver.handler.count"),
    ],
    ("HBASE", "HBASETHRIFTSERVER"): [
        _d("hbase_thriftserver_java_heapsize", 1 * GiB, "Java Heap Size of HBase Thrift Server in Bytes"),
        _d("hbase_thriftserver_port", 9090, "HBase Thrift Server Port", "hbase.regionserver.thrift.port"),
    ],
    ("KAFKA", None): [
        _d("num.partitions", 1, "Default Number of Partitions", "num.partitions"),
        _d("default.replication.factor", 1, "Default Replication Factor", "default.replication.factor"),
        _d("min.insync.replicas", 1, "Minimum number of replicas in ISR", "min.insync.replicas"),
        _d("unclean.leader.election.enable", False, "Enable Unclean Leader Election",
           "unclean.leader.election.enable"),
        _d("auto.create.topics.enable", True, "Topic Auto Creation", "auto.create.topics.enable"),
        _d("offsets.topic.replication.factor", 3, "Offset Commit Topic Replication Factor",
           "offsets.topic.replication.factor"),
        _d("log.retention.hours", 168, "Data Retention Hours", "log.retention.hours"),
        _d("zookeeper.chroot", "", "ZooKeeper Root", "zookeeper.chroot"),
        _d("kerberos.auth.enable", False, "Enable Kerberos Authentication", "kerberos.auth.enable"),
        _d("zookeeper_service", None, "ZooKeeper Service"),
    ],
    ("KAFKA", "KAFKA_BROKER"): [
        _d("broker_max_heap_size", 1024, "Java Heap Size of Broker (MiB)", "broker_max_heap_size"),
        _d("log.dirs", "/var/local/kafka/data", "Data Directories", "log.dirs"),
        _d("port", 9092, "TCP Port", "port"),
        _d("ssl_port", 9093, "TLS/SSL Port", "ssl_port"),
        _d("ssl_enabled", False, "Enable TLS/SSL for Kafka Broker", "ssl_enabled"),
        _d("security.inter.broker.protocol", "INFERRED", "Inter Broker Protocol",
           "security.inter.broker.protocol"),
        _d("num.io.threads", 8, "Number of I/O Threads", "num.io.threads"),
        _d("ssl_server_keystore_password", None, "Kafka Broker TLS/SSL Server JKS Keystore File Password",
           "ssl.keystore.password", sensitive=True),
    ],
    ("ZOOKEEPER", None): [
        _d("enableSecurity", False, "Enable Kerberos Authentication", "enableSecurity"),
        _d("zookeeper_tls_enabled", False, "Enable TLS/SSL for ZooKeeper", "secureClientPort"),
        _d("tickTime", 2000, "Tick Time", "tickTime"),
        _d("initLimit", 10, "Initialization Limit", "initLimit"),
        _d("syncLimit", 5, "Synchronization Limit", "syncLimit"),
    ],
    ("ZOOKEEPER", "SERVER"): [
        _d("zookeeper_server_java_heapsize", 1 * GiB, "Java Heap Size of ZooKeeper Server in Bytes"),
        _d("maxClientCnxns", 60, "Maximum Client Connections", "maxClientCnxns"),
        _d("dataDir", "/var/lib/zookeeper", "Data Directory", "dataDir"),
        _d("dataLogDir", "/var/lib/zookeeper", "Transaction Log Directory", "dataLogDir"),
        _d("clientPort", 2181, "Client Port", "clientPort"),
    ],
    ("YARN", None): [
        _d("hadoop_secure_web_ui", False, "Enable Kerberos Authentication for HTTP Web-Consoles",
           "hadoop.http.authentication.type"),
        _d("yarn_service_mapred_classpath", None, "YARN Application Classpath"),
    ],
    ("YARN", "RESOURCEMANAGER"): [
        _d("resource_manager_java_heapsize", 1 * GiB, "Java Heap Size of ResourceManager in Bytes"),
    ],
    ("YARN", "NODEMANAGER"): [
        _d("node_manager_java_heapsize", 1 * GiB, "Java Heap Size of NodeManager in Bytes"),
        _d("yarn_nodemanager_resource_memory_mb", 8192, "Container Memory", "yarn.nodemanager.resource.memory-mb"),
        _d("yarn_nodemanager_resource_cpu_vcores", 8, "Container Virtual CPU Cores",
           "yarn.nodemanager.resource.cpu-vcores"),
    ],
    ("YARN", "JOBHISTORY"): [
        _d("mr2_jobhistory_java_heapsize", 1 * GiB, "Java Heap Size of JobHistory Server in Bytes"),
    ],
}

# Health checks each entity reports (all GOOD unless the estate says otherwise).
SERVICE_HEALTH_CHECKS: dict[str, list[str]] = {
    "HDFS": ["HDFS_CANARY_HEALTH", "HDFS_CORRUPT_BLOCKS", "HDFS_DATA_NODES_HEALTHY", "HDFS_FREE_SPACE_REMAINING",
             "HDFS_MISSING_BLOCKS", "HDFS_NAME_NODE_HEALTH", "HDFS_UNDER_REPLICATED_BLOCKS"],
    "HBASE": ["HBASE_MASTER_HEALTH", "HBASE_REGION_SERVERS_HEALTHY"],
    "KAFKA": ["KAFKA_BROKERS_HEALTHY"],
    "ZOOKEEPER": ["ZOOKEEPER_CANARY_HEALTH", "ZOOKEEPER_SERVERS_HEALTHY"],
    "YARN": ["YARN_JOBHISTORY_HEALTH", "YARN_NODE_MANAGERS_HEALTHY", "YARN_RESOURCEMANAGERS_HEALTH"],
}
ROLE_HEALTH_CHECKS: dict[str, list[str]] = {
    "NAMENODE": ["NAME_NODE_DIRECTORY_FAILURES", "NAME_NODE_HEAP_DUMP_DIRECTORY_FREE_SPACE",
                 "NAME_NODE_RPC_LATENCY", "NAME_NODE_SAFE_MODE", "NAME_NODE_UPGRADE_STATUS"],
    "SECONDARYNAMENODE": ["SECONDARY_NAME_NODE_CHECKPOINT_DIRECTORIES_FREE_SPACE"],
    "DATANODE": ["DATA_NODE_BLOCK_COUNT", "DATA_NODE_FREE_SPACE_REMAINING", "DATA_NODE_HA_CONNECTIVITY",
                 "DATA_NODE_VOLUME_FAILURES"],
    "REGIONSERVER": ["REGION_SERVER_MEMSTORE_SIZE", "REGION_SERVER_STORE_FILE_IDX_SIZE"],
    "MASTER": ["MASTER_CANARY_HEALTH"],
    "KAFKA_BROKER": ["KAFKA_KAFKA_BROKER_UNEXPECTED_EXITS"],
    "SERVER": ["ZOOKEEPER_SERVER_QUORUM_MEMBERSHIP", "ZOOKEEPER_SERVER_MAX_LATENCY"],
    "NODEMANAGER": ["NODE_MANAGER_CONNECTIVITY"],
    "RESOURCEMANAGER": ["RESOURCE_MANAGER_GC_DURATION"],
}
HOST_HEALTH_CHECKS = ["HOST_AGENT_LOG_DIRECTORY_FREE_SPACE", "HOST_CLOCK_OFFSET", "HOST_DNS_RESOLUTION",
                      "HOST_FRAME_ERRORS", "HOST_MEMORY_SWAPPING", "HOST_NETWORK_INTERFACES_SLOW_MODE",
                      "HOST_SCM_HEALTH"]

HEALTH_ORDER = ["DISABLED", "HISTORY_NOT_AVAILABLE", "NOT_AVAILABLE", "GOOD", "CONCERNING", "BAD"]


def config_defs(service_type: str, role_type: str | None) -> list[ConfigDef]:
    """The parameters of a service (role_type None) or of one of its role types."""
    return CONFIG_DEFS.get((service_type, role_type), [])


def worst(summaries: list[str], default: str = "GOOD") -> str:
    """The worst health among summaries: what CM shows for a parent whose checks disagree."""
    ranked = [s for s in summaries if s in ("GOOD", "CONCERNING", "BAD")]
    if not ranked:
        return default
    return max(ranked, key=HEALTH_ORDER.index)
