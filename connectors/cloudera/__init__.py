"""Cloudera Manager connector (cm-client): read-only inventory of a cluster, and the replication
schedules the transfers drive. Returns plain dataclasses (models.py); raises ClouderaError subclasses."""

from connectors.cloudera.client import ClouderaManager
from connectors.cloudera.errors import (
    ApiError,
    AuthError,
    ClouderaError,
    CommandGone,
    NotFoundError,
    UnreachableError,
)
from connectors.cloudera.models import (
    CommandStatus,
    Config,
    ConfigEntry,
    DataNodeUsage,
    DryRun,
    HBase,
    Hdfs,
    HealthCheck,
    Host,
    Inventory,
    Kafka,
    KafkaBroker,
    RegionServer,
    ReplicationProgress,
    ReplicationSchedule,
    ReplicationSpec,
    Role,
    RoleConfigGroup,
    Security,
    Service,
    ZooKeeper,
)

__all__ = [
    "ApiError", "AuthError", "ClouderaError", "ClouderaManager", "CommandGone", "CommandStatus", "Config",
    "ConfigEntry", "DataNodeUsage", "DryRun", "HBase", "Hdfs", "HealthCheck", "Host", "Inventory", "Kafka",
    "KafkaBroker", "NotFoundError", "RegionServer", "ReplicationProgress", "ReplicationSchedule", "ReplicationSpec",
    "Role", "RoleConfigGroup", "Security", "Service", "UnreachableError", "ZooKeeper",
]
