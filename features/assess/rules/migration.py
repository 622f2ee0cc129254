"""The field note's plan, as a note in every assessment: disk images do not migrate HDFS."""

from __future__ import annotations

from typing import TYPE_CHECKING

from config.units import human_bytes
from features.assess.rules.base import Hit, Thresholds, rule

if TYPE_CHECKING:
    from connectors.cloudera import Inventory


@rule("disk-image-copy", "info", "Disk-image (AMI/EBS snapshot) copies do not migrate HDFS",
      why="""HDFS's block map lives in the NameNode's memory and its metadata directory, not in the DataNodes'
      disks; host names and addresses change in the other account. Copied images give DataNodes full of blocks
      no NameNode knows.""",
      fix="""Stand up a TO-BE cluster with the same configuration (`/migrate assess to-be` checks it), copy HDFS
      with distcp / Cloudera replication (`/migrate plan` for the ETA), and HBase with snapshots (ExportSnapshot)
      rather than copying /hbase under a live HBase.""")
def disk_images(inv: Inventory, t: Thresholds) -> Hit | None:
    h = inv.hdfs
    if h is None:
        return None
    numbers = {"datanodes": len(h.datanodes), "replication": h.replication}
    if h.logical_bytes is None:
        return Hit(f"HDFS on {len(h.datanodes)} DataNodes; the NameNode holds the block map.", numbers=numbers)
    numbers.update(logical_bytes=h.logical_bytes, used_bytes=h.used_bytes)
    return Hit(f"HDFS holds {human_bytes(h.logical_bytes)} of data ({human_bytes(h.used_bytes or 0)} with "
               f"replication {h.replication}) on {len(h.datanodes)} DataNodes; the block map is in the NameNode"
               f"{'s' if len(h.namenodes) > 1 else ''} on {', '.join(n.split('.')[0] for n in h.namenodes)}.",
               numbers=numbers)
