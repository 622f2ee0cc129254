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

    @property
    def is_default(self) -> bool:
        return self.value is None


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

    def effective(self) -> dict[str, str | None]:
        """Every parameter -> its effective value (a plain dict, for reports and diffs)."""
        return {n: e.effective for n, e in self.entries.items()}


@dataclass
class Host:
    hostname: str
    host_id: str
    ip: str | None
    rack: str | None
    cores: int | None
    physical_cores: int | None
    memory_bytes: int | None
    health: str | None
    maintenance_mode: bool
    role_types: list[str]  # e.g. ["DATANODE", "KAFKA_BROKER", "SERVER"], sorted, one per role
    roles: list[str]  # role names
    health_checks: list[HealthCheck]
    rx_bytes_per_s: float | None = None  # total over interfaces (time series; None if CM has none)
    tx_bytes_per_s: float | None = None
    clock_offset_ms: float | None = None

    @property
    def failing_checks(self) -> list[HealthCheck]:
        return [c for c in self.health_checks if c.summary in ("CONCERNING", "BAD")]

    @property
    def short_name(self) -> str:
        return self.hostname.split(".")[0]


@dataclass
class Role:
    name: str
    type: str
    service: str
    hostname: str
    host_id: str
    group: str | None  # role config group name
    state: str | None
    health: str | None
    config_staleness: str | None  # FRESH, STALE, STALE_REFRESHABLE
    ha_status: str | None
    health_checks: list[HealthCheck]

    @property
    def failing_checks(self) -> list[HealthCheck]:
        return [c for c in self.health_checks if c.summary in ("CONCERNING", "BAD")]

    @property
    def stale(self) -> bool:
        return (self.config_staleness or "FRESH") != "FRESH"


@dataclass
class RoleConfigGroup:
    name: str
    role_type: str
    base: bool
    config: Config
    hostnames: list[str]  # hosts of the roles in this group


@dataclass
class Service:
    name: str
    type: str
    display_name: str | None
    state: str | None
    health: str | None
    config_staleness: str | None
    client_config_staleness: str | None
    health_checks: list[HealthCheck]
    config: Config  # service-wide
    groups: list[RoleConfigGroup]
    roles: list[Role]
    version: str | None = None

    @property
    def failing_checks(self) -> list[HealthCheck]:
        return [c for c in self.health_checks if c.summary in ("CONCERNING", "BAD")]

    @property
    def stale(self) -> bool:
        return (self.config_staleness or "FRESH") != "FRESH"

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
    role: str
    capacity_bytes: float
    used_bytes: float  # DFS used
    non_dfs_used_bytes: float | None = None

    @property
    def used_pct(self) -> float:
        return 100.0 * self.used_bytes / self.capacity_bytes if self.capacity_bytes else 0.0


@dataclass
class Hdfs:
    service: str
    replication: int | None  # dfs.replication (effective)
    capacity_bytes: float | None
    used_bytes: float | None  # raw DFS used, all replicas
    non_dfs_used_bytes: float | None
    datanodes: list[DataNodeUsage]
    namenodes: list[str]  # hostnames
    ha: bool  # a nameservice with an active and a standby NameNode
    nameservices: list[str]
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
    role: str
    partitions: float | None  # partition replicas hosted (kafka_partitions), None if no metric
    under_replicated_partitions: float | None = None


@dataclass
class Kafka:
    service: str
    brokers: list[KafkaBroker]
    num_partitions: int | None
    default_replication_factor: int | None
    min_insync_replicas: int | None
    unclean_leader_election: bool | None
    auto_create_topics: bool | None
    ssl: bool | None  # broker TLS enabled (every broker group)
    kerberos: bool | None


@dataclass
class RegionServer:
    hostname: str
    role: str
    regions: float | None


@dataclass
class HBase:
    service: str
    masters: list[str]
    regionservers: list[RegionServer]


@dataclass
class ZooKeeper:
    service: str
    servers: list[str]  # hostnames


@dataclass
class Security:
    kerberos: bool  # the cluster is kerberized (clusters/{c}/kerberosInfo)
    cm_kerberos: bool  # CM has Kerberos configured (cm/kerberosInfo)
    realm: str | None
    # per service: is data on the wire encrypted? hdfs: RPC privacy + data transfer encryption;
    # hbase: RPC privacy; kafka: broker TLS; zookeeper: TLS. Only services present are listed.
    wire_encryption: dict[str, bool]
    # per service: TLS on web UIs / client ports (hdfs and hbase web TLS, kafka SSL, zookeeper TLS).
    tls: dict[str, bool]

    @property
    def all_wire_encrypted(self) -> bool:
        return bool(self.wire_encryption) and all(self.wire_encryption.values())


@dataclass
class Inventory:
    """Everything an assessment reads from one cluster of one Cloudera Manager."""

    cm_url: str
    cm_version: str | None
    api_version: str
    cluster: str
    cluster_display_name: str | None
    cdh_version: str | None
    hosts: list[Host]
    services: list[Service]
    security: Security
    hdfs: Hdfs | None
    kafka: Kafka | None
    hbase: HBase | None
    zookeeper: ZooKeeper | None
    http_calls: int  # HTTP requests this inventory took (version detection included if it ran)
    elapsed_s: float
    warnings: list[str] = field(default_factory=list)  # partial data (e.g. a metric CM had no value for)

    def host(self, name: str) -> Host | None:
        """A host by hostname, short name or host id."""
        return next((h for h in self.hosts if name in (h.hostname, h.short_name, h.host_id)), None)

    def service(self, name_or_type: str) -> Service | None:
        """A service by name, else the first of that type (e.g. "KAFKA")."""
        return next((s for s in self.services if s.name == name_or_type), None) or next(
            (s for s in self.services if s.type == name_or_type.upper()), None)

    def services_of(self, service_type: str) -> list[Service]:
        return [s for s in self.services if s.type == service_type.upper()]

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


@dataclass
class ReplicationSchedule:
    id: int
    display_name: str | None
    source_path: str | None
    destination_path: str | None
    source_peer: str | None
    source_cluster: str | None
    source_service: str | None
    paused: bool
    active: bool  # a run is in progress
    interval: int | None
    interval_unit: str | None
    last_run: ReplicationProgress | None


@dataclass
class ReplicationProgress:
    """One run of a schedule. `state`: running | succeeded | failed | aborted | never_run
    (never_run: the schedule has no run yet; every counter is then 0)."""

    schedule_id: int
    command_id: int | None
    state: str
    active: bool
    paused: bool  # the schedule is paused (no further scheduled runs)
    progress_pct: int  # of this run
    bytes_copied: int  # by this run
    bytes_expected: int  # by this run (what was left when it started)
    bytes_skipped: int  # already on the target when the run started (distcp -update)
    files_copied: int
    files_expected: int
    files_skipped: int
    files_failed: int
    throughput_bytes_per_s: float | None
    remaining_s: int | None
    started_at: str | None
    ended_at: str | None
    message: str | None

    @property
    def total_bytes(self) -> int:
        """The whole source: skipped (copied by earlier runs) plus what this run copies."""
        return self.bytes_skipped + self.bytes_expected

    @property
    def total_bytes_done(self) -> int:
        return self.bytes_skipped + self.bytes_copied


@dataclass
class CommandStatus:
    id: int
    name: str | None
    active: bool
    success: bool | None  # None while active
    message: str | None
    started_at: str | None
    ended_at: str | None
