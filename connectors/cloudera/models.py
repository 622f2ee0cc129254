"""Plain objects the Cloudera connector returns: no cm-client type ever leaves the connector.

Sizes are bytes, rates bytes per second, times seconds unless the name says otherwise.
Configuration values are CM's strings (e.g. "10", "true"); `Config.int()` / `.bool()` convert.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class HealthCheck:
    name: str
    summary: str  # GOOD, CONCERNING, BAD, DISABLED, ...


@dataclass(frozen=True)
class ConfigEntry:
    name: str
    value: str | None  # what is set; None when the default applies
    default: str | None
    related_name: str | None = None  # the Hadoop/Kafka property name, e.g. dfs.replication
    sensitive: bool = False

    @property
    def effective(self) -> str | None:
        """`value` if set, else `default` (what the daemon actually runs with)."""
        return self.value if self.value is not None else self.default


@dataclass
class Config:
    """Effective configuration of a service or role config group, by CM parameter name.

    `cfg["num.partitions"]` -> "10" (value else default); also found by related name
    (`cfg.get("dfs.replication")`). Sensitive values are never fetched in clear (CM shows REDACTED)."""

    entries: dict[str, ConfigEntry] = field(default_factory=dict)

    def _entry(self, name: str) -> ConfigEntry | None:
        if name in self.entries:
            return self.entries[name]
        return next((e for e in self.entries.values() if e.related_name == name), None)

    def __getitem__(self, name: str) -> str | None:
        e = self._entry(name)
        if e is None:
            raise KeyError(name)
        return e.effective

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._entry(name) is not None

    def get(self, name: str, default: str | None = None) -> str | None:
        e = self._entry(name)
        return default if e is None or e.effective is None else e.effective

    def int(self, name: str, default: int | None = None) -> int | None:
        v = self.get(name)
        try:
            return int(float(v)) if v is not None else default
        except ValueError:
            return default

    def bool(self, name: str, default: bool | None = None) -> bool | None:
        v = self.get(name)
        return default if v is None else v.strip().lower() == "true"

    def is_set(self, name: str) -> bool:
        e = self._entry(name)
        return e is not None and e.value is not None

    @classmethod
    def of(cls, values: dict[str, object] | None = None, defaults: dict[str, object] | None = None) -> Config:
        """A Config from plain dicts (for rule tests): `values` are set, `defaults` apply otherwise."""
        def s(v: object) -> str | None:
            if v is None:
                return None
            return ("true" if v else "false") if isinstance(v, bool) else str(v)

        values, defaults = values or {}, defaults or {}
        return cls({n: ConfigEntry(n, s(values.get(n)), s(defaults.get(n))) for n in {*values, *defaults}})

    def effective(self) -> dict[str, str | None]:
        """Every parameter -> its effective value (a plain dict, for reports and diffs)."""
        return {n: e.effective for n, e in self.entries.items()}


class _HealthChecked:
    """A host, service or role: what CM's health checks say of it."""

    health_checks: list[HealthCheck]

    @property
    def failing_checks(self) -> list[HealthCheck]:
        return [c for c in self.health_checks if c.summary in ("CONCERNING", "BAD")]


class _Deployed(_HealthChecked):
    """A service or role: its configuration may have changed without being deployed."""

    config_staleness: str | None

    @property
    def stale(self) -> bool:
        return (self.config_staleness or "FRESH") != "FRESH"


@dataclass
class Host(_HealthChecked):
    hostname: str
    host_id: str = ""
    ip: str | None = None
    rack: str | None = None
    cores: int | None = None
    physical_cores: int | None = None
    memory_bytes: int | None = None
    health: str | None = None
    maintenance_mode: bool = False
    role_types: list[str] = field(default_factory=list)  # e.g. ["DATANODE", "KAFKA_BROKER", "SERVER"], sorted, one per role
    roles: list[str] = field(default_factory=list)  # role names
    health_checks: list[HealthCheck] = field(default_factory=list)
    rx_bytes_per_s: float | None = None  # total over interfaces (time series; None if CM has none)
    tx_bytes_per_s: float | None = None
    clock_offset_ms: float | None = None

    @property
    def short_name(self) -> str:
        return self.hostname.split(".")[0]


@dataclass
class Role(_Deployed):
    name: str
    type: str
    service: str = ""
    hostname: str = ""
    host_id: str = ""
    group: str | None = None  # role config group name
    state: str | None = None
    health: str | None = None
    config_staleness: str | None = None  # FRESH, STALE, STALE_REFRESHABLE
    ha_status: str | None = None
    health_checks: list[HealthCheck] = field(default_factory=list)


@dataclass
class RoleConfigGroup:
    name: str
    role_type: str
    base: bool = False
    config: Config = field(default_factory=Config)
    hostnames: list[str] = field(default_factory=list)  # hosts of the roles in this group


@dataclass
class Service(_Deployed):
    name: str
    type: str
    display_name: str | None = None
    state: str | None = None
    health: str | None = None
    config_staleness: str | None = None
    client_config_staleness: str | None = None
    health_checks: list[HealthCheck] = field(default_factory=list)
    config: Config = field(default_factory=Config)  # service-wide
    groups: list[RoleConfigGroup] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    version: str | None = None

    def roles_of(self, role_type: str) -> list[Role]:
        return [r for r in self.roles if r.type == role_type]

    def groups_of(self, role_type: str) -> list[RoleConfigGroup]:
        return [g for g in self.groups if g.role_type == role_type]

    def role_config(self, role_type: str, name: str) -> list[str | None]:
        """Distinct effective values of a role-type parameter across its groups (base group first)."""
        values: list[str | None] = []
        for g in sorted(self.groups_of(role_type), key=lambda g: not g.base):
            v = g.config.get(name)
            if v not in values:
                values.append(v)
        return values


@dataclass
class DataNodeUsage:
    hostname: str
    role: str = ""
    capacity_bytes: float = 0.0
    used_bytes: float = 0.0  # DFS used
    non_dfs_used_bytes: float | None = None

    @property
    def used_pct(self) -> float:
        return 100.0 * self.used_bytes / self.capacity_bytes if self.capacity_bytes else 0.0


@dataclass
class Hdfs:
    service: str = ""
    replication: int | None = None  # dfs.replication (effective)
    capacity_bytes: float | None = None
    used_bytes: float | None = None  # raw DFS used, all replicas
    non_dfs_used_bytes: float | None = None
    datanodes: list[DataNodeUsage] = field(default_factory=list)
    namenodes: list[str] = field(default_factory=list)  # hostnames
    ha: bool = False  # a nameservice with an active and a standby NameNode
    nameservices: list[str] = field(default_factory=list)
    missing_blocks: float | None = None
    corrupt_blocks: float | None = None
    under_replicated_blocks: float | None = None

    @property
    def logical_bytes(self) -> float | None:
        """Data size before replication: what a copy to another cluster moves (used / replication)."""
        if self.used_bytes is None or not self.replication:
            return None
        return self.used_bytes / self.replication

    @property
    def used_pct(self) -> float | None:
        if not self.capacity_bytes or self.used_bytes is None:
            return None
        return 100.0 * self.used_bytes / self.capacity_bytes

    @property
    def free_bytes(self) -> float | None:
        if self.capacity_bytes is None or self.used_bytes is None:
            return None
        return self.capacity_bytes - self.used_bytes - (self.non_dfs_used_bytes or 0.0)


@dataclass
class KafkaBroker:
    hostname: str
    role: str = ""
    partitions: float | None = None  # partition replicas hosted (kafka_partitions), None if no metric
    under_replicated_partitions: float | None = None


@dataclass
class Kafka:
    service: str = ""
    brokers: list[KafkaBroker] = field(default_factory=list)
    num_partitions: int | None = None
    default_replication_factor: int | None = None
    min_insync_replicas: int | None = None
    unclean_leader_election: bool | None = None
    auto_create_topics: bool | None = None
    ssl: bool | None = None  # broker TLS enabled (every broker group)
    kerberos: bool | None = None


@dataclass
class RegionServer:
    hostname: str
    role: str = ""
    regions: float | None = None


@dataclass
class HBase:
    service: str = ""
    masters: list[str] = field(default_factory=list)
    regionservers: list[RegionServer] = field(default_factory=list)


@dataclass
class ZooKeeper:
    service: str = ""
    servers: list[str] = field(default_factory=list)  # hostnames


@dataclass
class Security:
    kerberos: bool = False  # the cluster is kerberized (clusters/{c}/kerberosInfo)
    cm_kerberos: bool = False  # CM has Kerberos configured (cm/kerberosInfo)
    realm: str | None = None
    # per service: is data on the wire encrypted? hdfs: RPC privacy + data transfer encryption;
    # hbase: RPC privacy; kafka: broker TLS; zookeeper: TLS. Only services present are listed.
    wire_encryption: dict[str, bool] = field(default_factory=dict)
    # per service: TLS on web UIs / client ports (hdfs and hbase web TLS, kafka SSL, zookeeper TLS).
    tls: dict[str, bool] = field(default_factory=dict)

    @property
    def all_wire_encrypted(self) -> bool:
        return bool(self.wire_encryption) and all(self.wire_encryption.values())


@dataclass
class Inventory:
    """Everything an assessment reads from one cluster of one Cloudera Manager."""

    cm_url: str = ""
    cm_version: str | None = None
    api_version: str = ""
    cluster: str = ""
    cluster_display_name: str | None = None
    cdh_version: str | None = None
    hosts: list[Host] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    security: Security = field(default_factory=Security)
    hdfs: Hdfs | None = None
    kafka: Kafka | None = None
    hbase: HBase | None = None
    zookeeper: ZooKeeper | None = None
    http_calls: int = 0  # HTTP requests this inventory took (version detection included if it ran)
    elapsed_s: float = 0.0
    warnings: list[str] = field(default_factory=list)  # partial data (e.g. a metric CM had no value for)

    def host(self, name: str) -> Host | None:
        """A host by hostname, short name or host id."""
        return next((h for h in self.hosts if name in (h.hostname, h.short_name, h.host_id)), None)

    def service(self, name_or_type: str) -> Service | None:
        """A service by name, else the first of that type (e.g. "KAFKA")."""
        return next((s for s in self.services if s.name == name_or_type), None) or next(
            (s for s in self.services if s.type == name_or_type.upper()), None)

    def hosts_with(self, role_type: str) -> list[Host]:
        return [h for h in self.hosts if role_type in h.role_types]

    @property
    def roles(self) -> list[Role]:
        return [r for s in self.services for r in s.roles]

    def failing_checks(self) -> list[tuple[str, str, HealthCheck]]:
        """Every CONCERNING or BAD health check: (kind "host"|"service"|"role", entity name, check)."""
        out: list[tuple[str, str, HealthCheck]] = []
        out += [("host", h.hostname, c) for h in self.hosts for c in h.failing_checks]
        out += [("service", s.name, c) for s in self.services for c in s.failing_checks]
        out += [("role", r.name, c) for r in self.roles for c in r.failing_checks]
        return out

    def stale_configs(self) -> list[tuple[str, str]]:
        """Services and roles whose configuration changed but was not deployed: (kind, name)."""
        return [("service", s.name) for s in self.services if s.stale] + \
            [("role", r.name) for r in self.roles if r.stale]


@dataclass(frozen=True)
class ReplicationSpec:
    """A replication schedule as Ferry wants it (`ClouderaManager.ensure_replication`): created on
    the destination's CM, pulling from the source CM known there as the peer `peer`, and owned by
    its display name `name`. kind: hdfs (path), hbase (tables, with an initial snapshot), hive
    (databases: "db" for all its tables or "db.table")."""

    name: str
    kind: str  # hdfs | hbase | hive
    peer: str
    source_cluster: str
    source_service: str
    path: str | None = None  # hdfs: the source path
    destination_path: str | None = None  # hdfs: default the same path
    tables: tuple[str, ...] = ()  # hbase: "table" or "namespace:table"
    initial_snapshot: bool = True  # hbase: copy what exists first (ExportSnapshot), then replicate edits
    databases: tuple[str, ...] = ()  # hive
    num_maps: int | None = None  # distcp / ExportSnapshot mappers (CM's default when None)
    bandwidth_per_map_mb: int | None = None  # MB/s per mapper (CM's default, 100, when None)
    pool: str | None = None  # YARN scheduler pool of the copy jobs
    mapreduce_service: str = "yarn"


@dataclass
class ReplicationSchedule:
    id: int
    display_name: str | None = None
    kind: str = "hdfs"  # hdfs | hbase | hive (which arguments the schedule has)
    source_path: str | None = None
    destination_path: str | None = None
    source_peer: str | None = None
    source_cluster: str | None = None
    source_service: str | None = None
    tables: tuple[str, ...] = ()  # hbase: table names; hive: "db" or "db.table"
    num_maps: int | None = None
    bandwidth_per_map_mb: int | None = None
    pool: str | None = None
    paused: bool = False
    active: bool = False  # a run is in progress
    interval: int | None = None
    interval_unit: str | None = None
    last_run: ReplicationProgress | None = None


@dataclass
class ReplicationProgress:
    """One run of a schedule. `state`: running | succeeded | failed | aborted | never_run
    (never_run: the schedule has no run yet; every counter is then 0).

    HDFS runs report bytes of this run (copied, expected) and of earlier runs (skipped). HBase
    runs report each table's initial snapshot, counted over all runs (bytes_skipped stays 0);
    `phase` says where each table is (EXPORT_SNAPSHOT, REPLICATING, ...). Hive runs report their
    data copy like HDFS, `phase` (EXPORT, DATA, IMPORT) and tables done / expected."""

    schedule_id: int
    command_id: int | None = None
    state: str = "never_run"
    active: bool = False
    paused: bool = False  # the schedule is paused (no further scheduled runs)
    progress_pct: int = 0  # of this run
    bytes_copied: int = 0  # by this run
    bytes_expected: int = 0  # by this run (what was left when it started)
    bytes_skipped: int = 0  # already on the target when the run started (distcp -update)
    files_copied: int = 0
    files_expected: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    throughput_bytes_per_s: float | None = None
    remaining_s: int | None = None
    started_at: str | None = None
    ended_at: str | None = None
    message: str | None = None
    kind: str = "hdfs"
    dry_run: bool = False  # an HDFS dry run: nothing copied, dry_run_* say what a run would copy
    dry_run_files: int = 0
    dry_run_bytes: int = 0
    phase: str | None = None  # hbase: "orders EXPORT_SNAPSHOT, customers PENDING"; hive: EXPORT | DATA | IMPORT
    operations: tuple[str, ...] = ()  # hbase: CM's replicationOperations as given
    tables_done: int = 0  # hive
    tables_expected: int = 0  # hive

    @property
    def total_bytes(self) -> int:
        """The whole source: skipped (copied by earlier runs) plus what this run copies."""
        return self.bytes_skipped + self.bytes_expected

    @property
    def total_bytes_done(self) -> int:
        return self.bytes_skipped + self.bytes_copied


@dataclass(frozen=True)
class DryRun:
    """What an HDFS replication run would copy now (CM's dry run). finished=False: the dry run was
    still running when Ferry stopped waiting (files and bytes are then None)."""

    command_id: int | None
    finished: bool
    files: int | None = None
    bytes: int | None = None
    message: str | None = None


@dataclass
class CommandStatus:
    id: int
    name: str | None = None
    active: bool = False
    success: bool | None = None  # None while active
    message: str | None = None
    started_at: str | None = None
    ended_at: str | None = None
