"""Typed configuration objects. The features' sections (transfers, tables, ...) are parsed by
their own modules in this package and kept on `Config` as the typed objects they return."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from config.assess import AssessSettings
from config.cutover import Runbook
from config.mapreduce import MapReduceSettings
from config.sections import SECTIONS
from config.tables import Tables
from config.transfers import Transfers
from config.validations import Validations


@dataclass(frozen=True)
class SlackConfig:
    channel: str


@dataclass(frozen=True)
class People:
    operators: tuple[str, ...]
    approvers: tuple[str, ...]
    # Optional: how the console and `run` print a mention (`@alice` for <@U0ALICE01>); Slack shows names itself.
    names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StateConfig:
    path: str


@dataclass(frozen=True)
class ClouderaEndpoint:
    url: str
    username: str
    password: str = field(repr=False)
    cluster: str | None = None
    verify_tls: bool = True
    timeout_s: float = 10.0


@dataclass(frozen=True)
class HBaseEndpoint:
    host: str
    port: int = 9090
    timeout_s: float = 10.0


@dataclass(frozen=True)
class GatewayEndpoint:
    """A cluster's gateway (edge) host, reached over SSH with a key; jobs are submitted there.
    `hdfs` and `zookeeper` name that cluster's HDFS and HBase quorum, as its jobs (SyncTable) see them."""

    host: str
    port: int = 22
    user: str = "ferry"
    key_file: str = ""
    known_hosts: str = "~/.ssh/known_hosts"
    timeout_s: float = 15.0
    hdfs: str | None = None  # hdfs://namenode:8020
    zookeeper: str | None = None  # zk1,zk2,zk3:2181:/hbase


@dataclass(frozen=True)
class YarnEndpoint:
    """The cluster's ResourceManager web address (and JobHistory's, for counters)."""

    url: str
    history_url: str | None = None
    timeout_s: float = 10.0


@dataclass(frozen=True)
class WarehouseEndpoint:
    dsn: str = field(repr=False)
    timeout_s: float = 10.0


@dataclass(frozen=True)
class AwsEndpoint:
    region: str
    endpoint_url: str | None = None
    account_id: str | None = None
    access_key_id: str | None = field(default=None, repr=False)
    secret_access_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Estate:
    """One side of the migration: AS-IS (the source) or TO-BE (the target)."""

    name: str
    cloudera: ClouderaEndpoint | None = None
    hbase: HBaseEndpoint | None = None
    warehouse: WarehouseEndpoint | None = None
    aws: AwsEndpoint | None = None
    gateway: GatewayEndpoint | None = None
    yarn: YarnEndpoint | None = None


@dataclass(frozen=True)
class Network:
    """What the copy can use. The field note: the source's usable bandwidth sets the pace."""

    source_bandwidth: float | None = None  # bytes/s of the source's network link
    usable_fraction: float = 0.7  # share of it the copy may take without starving production
    target_bandwidth: float | None = None

    @property
    def usable_bandwidth(self) -> float | None:
        if self.source_bandwidth is None:
            return None
        limit = self.source_bandwidth * self.usable_fraction
        if self.target_bandwidth is not None:
            limit = min(limit, self.target_bandwidth)
        return limit


@dataclass(frozen=True)
class Config:
    slack: SlackConfig
    people: People
    state: StateConfig
    estates: dict[str, Estate]
    network: Network
    source_path: str | None = None
    version: str = ""  # hash of the file as written (no secrets): approvals freeze it
    # The features' sections (config/sections.py), typed; each is empty when app.yaml omits it.
    transfers: Transfers = field(default_factory=Transfers)
    mapreduce: MapReduceSettings = field(default_factory=MapReduceSettings)
    tables: Tables = field(default_factory=Tables)
    validations: Validations = field(default_factory=Validations)
    cutover: Runbook = field(default_factory=Runbook)
    assess: AssessSettings = field(default_factory=AssessSettings)

    @property
    def sections(self) -> dict[str, Any]:
        """The features' sections by their app.yaml key, in the order of config/sections.py."""
        return {name: getattr(self, name) for name in SECTIONS}

    @property
    def as_is(self) -> Estate:
        return self.estates["as-is"]

    @property
    def to_be(self) -> Estate:
        return self.estates["to-be"]
