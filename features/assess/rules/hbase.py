"""HBase: regions spread over the RegionServers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from features.assess.rules.base import Hit, Thresholds, mean, rule, short

if TYPE_CHECKING:
    from connectors.cloudera import Inventory


@rule("hbase-region-skew", "medium", "HBase regions are unevenly spread over the RegionServers",
      why="""A RegionServer with many more regions takes more reads and writes, and its snapshot export (the way to
      copy HBase tables) takes longest: it sets the pace of the HBase copy, and TO-BE inherits the layout.""",
      fix="""Turn the HBase balancer on (`balance_switch true` in the HBase shell) and run it (`balancer`) before
      taking snapshots; look for hot tables with few, large regions.""",
      thresholds={"region_skew_pct": 20})
def region_skew(inv: Inventory, t: Thresholds) -> Hit | None:
    hb = inv.hbase
    if hb is None:
        return None
    counts = {r.hostname: r.regions for r in hb.regionservers if r.regions is not None}
    if len(counts) < 2:
        return None
    avg = mean(counts.values())
    if avg <= 0:
        return None
    limit = t["region_skew_pct"]
    skewed = {n: c for n, c in counts.items() if abs(c - avg) / avg * 100 > limit}
    if not skewed:
        return None
    worst = sorted(skewed, key=lambda n: -abs(counts[n] - avg))
    parts = [f"{short(n)} {int(counts[n])} regions ({(counts[n] - avg) / avg * 100:+.0f}%)" for n in worst]
    return Hit(f"Mean {avg:.0f} regions per RegionServer; " + ", ".join(parts) + f" (threshold ±{limit:g}%).",
               hosts=[short(n) for n in worst],
               numbers={"mean_regions": round(avg, 1), "regions": {short(n): int(c) for n, c in counts.items()}})
