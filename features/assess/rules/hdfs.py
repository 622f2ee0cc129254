"""HDFS: replication, balance, block health, NameNode HA, free space."""

from __future__ import annotations

from typing import TYPE_CHECKING

from config.units import human_bytes
from features.assess.rules.base import Hit, Thresholds, host_list, mean, pct, rule, short

if TYPE_CHECKING:
    from connectors.cloudera import Inventory


@rule("hdfs-replication-factor", "high", "HDFS keeps fewer than 3 copies of each block",
      why="""With dfs.replication below 3 a DataNode lost during the migration (and the copy keeps every DataNode
      busy for hours) can lose the only copies of blocks, and distcp then fails on missing blocks.""",
      fix="""Set dfs.replication = 3 and raise existing files with `hdfs dfs -setrep -w 3 /` before the copy (the
      copy itself moves logical bytes, not replicas: the ETA does not change).""",
      thresholds={"min_hdfs_replication": 3})
def replication(inv: Inventory, t: Thresholds) -> Hit | None:
    h = inv.hdfs
    want = int(t["min_hdfs_replication"])
    if h is None or h.replication is None or h.replication >= want or len(h.datanodes) < want:
        return None
    return Hit(f"dfs.replication = {h.replication} with {len(h.datanodes)} DataNodes.",
               numbers={"replication": h.replication, "datanodes": len(h.datanodes)})


@rule("hdfs-datanode-imbalance", "medium", "HDFS DataNodes are unevenly filled",
      why="""distcp reads each block from a DataNode that holds it: the fullest DataNode serves the most blocks and
      sets the pace of the copy, and it is the first to run out of space while snapshots and the copy's temporary
      files land. A TO-BE cluster built the same way ends up with the same skew.""",
      fix="""Run the HDFS balancer before the copy (Cloudera Manager: HDFS → Actions → Rebalance, threshold 10),
      and find why those DataNodes fill faster (fewer disks, rack placement, a writer on that host).""",
      thresholds={"datanode_spread_points": 10})
def datanode_imbalance(inv: Inventory, t: Thresholds) -> Hit | None:
    h = inv.hdfs
    if h is None or len(h.datanodes) < 2:
        return None
    usage = {d.hostname: d.used_pct for d in h.datanodes if d.capacity_bytes}
    avg = mean(usage.values())
    limit = t["datanode_spread_points"]
    # rounded to a tenth of a point, so 55.0 vs a mean of 65.0 is exactly 10, not 10.0000001
    outliers = {n: u for n, u in usage.items() if round(abs(u - avg), 1) > limit}
    if not outliers:
        return None
    ordered = sorted(outliers, key=lambda n: -abs(usage[n] - avg))
    parts = [f"{short(n)} at {pct(usage[n])} vs a mean of {pct(avg)} ({usage[n] - avg:+.0f} points)" for n in ordered]
    others = [f"{short(n)} {pct(u)}" for n, u in sorted(usage.items()) if n not in outliers]
    evidence = "; ".join(parts) + f"; the balancer's default threshold is {limit:g} points."
    if others:
        evidence += " Others: " + ", ".join(others) + "."
    return Hit(evidence, hosts=[short(n) for n in ordered],
               numbers={"mean_pct": round(avg, 1), "used_pct": {short(n): round(u, 1) for n, u in usage.items()},
                        "threshold_points": limit})


@rule("hdfs-missing-blocks", "critical", "HDFS has missing or corrupt blocks",
      why="""A file with a missing or corrupt block cannot be read: distcp fails on it and the TO-BE copy would be
      incomplete. Fix it before the copy, not after the cutover.""",
      fix="""List them with `hdfs fsck / -list-corruptfileblocks`; bring back the DataNodes that hold them or
      restore the files from their source, and `hdfs fsck -delete` what cannot be recovered (decided with the
      data owners).""")
def missing_blocks(inv: Inventory, t: Thresholds) -> Hit | None:
    h = inv.hdfs
    if h is None:
        return None
    missing, corrupt = int(h.missing_blocks or 0), int(h.corrupt_blocks or 0)
    if not missing and not corrupt:
        return None
    return Hit(f"{missing} missing and {corrupt} corrupt blocks reported by the NameNode.",
               numbers={"missing_blocks": missing, "corrupt_blocks": corrupt})


@rule("hdfs-under-replicated-blocks", "medium", "HDFS has under-replicated blocks",
      why="""Under-replicated blocks have fewer copies than dfs.replication: the NameNode re-replicates them,
      competing with the copy for DataNode disks and network, and one more DataNode failure can lose them.""",
      fix="""Let re-replication finish (or find the dead DataNode or full disk causing it) before starting the copy;
      `hdfs fsck / | grep -i under` lists them.""")
def under_replicated(inv: Inventory, t: Thresholds) -> Hit | None:
    h = inv.hdfs
    if h is None or not h.under_replicated_blocks:
        return None
    n = int(h.under_replicated_blocks)
    return Hit(f"{n} under-replicated blocks reported by the NameNode.", numbers={"under_replicated_blocks": n})


@rule("hdfs-namenode-ha", "medium", "HDFS has a single NameNode (no HA)",
      why="""The copy runs for hours and reads through the NameNode: a NameNode restart or failure stops HDFS and
      every copy job with it. A SecondaryNameNode only checkpoints, it cannot take over.""",
      fix="""Enable NameNode HA (Cloudera Manager: HDFS → Actions → Enable High Availability: a standby NameNode,
      JournalNodes, failover controllers) on TO-BE, and on AS-IS if the copy window cannot afford an outage.""")
def namenode_ha(inv: Inventory, t: Thresholds) -> Hit | None:
    h = inv.hdfs
    if h is None or h.ha:
        return None
    secondary = inv.hosts_with("SECONDARYNAMENODE")
    extra = f", a SecondaryNameNode on {host_list(x.hostname for x in secondary)}" if secondary else ""
    return Hit(f"One NameNode ({host_list(h.namenodes) or 'none found'}){extra}, no nameservice.",
               hosts=[short(n) for n in h.namenodes], numbers={"namenodes": len(h.namenodes)})


@rule("hdfs-free-space", "high", "HDFS is running out of space",
      why="""HDFS snapshots (for a consistent HBase copy) and the copy's temporary files need room on AS-IS;
      DataNodes that fill up stop taking writes and production suffers during the migration.""",
      fix="Free space or add DataNodes before the copy; delete old snapshots and trash (`hdfs dfs -expunge`).",
      thresholds={"min_free_pct": 20, "datanode_min_free_pct": 10})
def free_space(inv: Inventory, t: Thresholds) -> list[Hit]:
    h = inv.hdfs
    if h is None:
        return []
    hits = []
    if h.capacity_bytes and h.free_bytes is not None:
        free_pct = 100 * h.free_bytes / h.capacity_bytes
        if free_pct < t["min_free_pct"]:
            hits.append(Hit(f"{human_bytes(h.free_bytes)} free of {human_bytes(h.capacity_bytes)} ({pct(free_pct)}; "
                            f"threshold {t['min_free_pct']:g}%).", scope="cluster",
                            numbers={"free_pct": round(free_pct, 1), "free_bytes": h.free_bytes}))
    low = []
    for d in h.datanodes:
        if d.capacity_bytes:
            free = d.capacity_bytes - d.used_bytes - (d.non_dfs_used_bytes or 0)
            if 100 * free / d.capacity_bytes < t["datanode_min_free_pct"]:
                low.append((d.hostname, 100 * free / d.capacity_bytes))
    if low:
        hits.append(Hit("DataNodes nearly full: " + ", ".join(f"{short(n)} {pct(p)} free" for n, p in low)
                        + f" (threshold {t['datanode_min_free_pct']:g}%).", hosts=[short(n) for n, _ in low],
                        scope="datanodes", severity="medium", title="HDFS DataNodes are nearly full",
                        numbers={"free_pct": {short(n): round(p, 1) for n, p in low}}))
    return hits
