"""The sandbox's HBase: a Thrift 1 server (happybase's Hbase.thrift) with regions, and seed data."""

from sandbox.hbase.seed import SeedReport, seed_orders
from sandbox.hbase.server import HBaseThriftServer

__all__ = ["HBaseThriftServer", "SeedReport", "seed_orders"]
