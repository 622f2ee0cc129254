"""The Hadoop side of the sandbox: SSH gateway (edge host) stand-ins that run HBase's MapReduce
tools against the HBase stand-in's data, and a YARN ResourceManager REST stand-in per cluster."""

from sandbox.mapreduce.gateway import GatewayStandIn, SandboxCluster
from sandbox.mapreduce.keys import ensure_key, write_known_hosts
from sandbox.mapreduce.yarn import YarnStandIn

__all__ = ["GatewayStandIn", "SandboxCluster", "YarnStandIn", "ensure_key", "write_known_hosts"]
