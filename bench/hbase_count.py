"""`/migrate count` on HBase: the region-parallel key-only count Ferry runs, against one
sequential key-only scan of the same table, in the same run.

    .venv/bin/python bench/hbase_count.py [--rows 400000] [--regions 8] [--region-rate 50000] [--repeat 2]

The sandbox HBase runs in its own process (`python -m sandbox.hbase`, seeded `orders`). Two set-ups:
  bare       the stand-in as fast as Python serves it: both sides are CPU-bound on a 2-core
             machine, so parallel scans cannot win much;
  simulated  each scanner reads at most `--region-rate` rows/s, as a region server reading its
             disks does: the case RowCounter's one-mapper-per-region plan is for.
Prints, for each: rows/s of both and the ratio sequential time / parallel time (> 1: faster).
Nothing is left running.
"""

from __future__ import annotations

import argparse
import sys

from hbase_sandbox import ROOT, best, server_process

sys.path.insert(0, str(ROOT))


def measure(label: str, rows: int, regions: int, rate: float | None, repeat: int) -> float:
    from connectors.hbase import HBaseConnector
    from features.validation.hbase_backend import HBaseBackend

    extra = ["--regions", str(regions), *(["--scan-rows-per-second", str(rate)] if rate else [])]
    with server_process(rows, *extra) as (host, port):
        conn = HBaseConnector(host, port, pool_size=max(8, regions))
        backend = HBaseBackend(conn, "as-is", "orders", [])
        n_par, t_par = best(backend.count, repeat)  # what /migrate count runs
        n_seq, t_seq = best(lambda: conn.count_range("orders"), repeat)  # one key-only scan
        conn.close()
    assert n_par == n_seq == rows, (n_par, n_seq, rows)
    ratio = t_seq / t_par
    print(f"{label:<10} region-parallel count: {t_par:6.2f}s {rows / t_par:>10,.0f} rows/s | sequential scan:"
          f" {t_seq:6.2f}s {rows / t_seq:>10,.0f} rows/s | ratio {ratio:.2f}")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--regions", type=int, default=8)
    parser.add_argument("--region-rate", type=float, default=50_000, help="rows/s per scanner in the simulated set-up")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(f"{args.rows:,} rows in {args.regions} regions; best of {args.repeat}")
    measure("bare", args.rows, args.regions, None, args.repeat)
    ratio = measure("simulated", args.rows, args.regions, args.region_rate, args.repeat)
    print(f"ratio with region servers reading {args.region_rate:,.0f} rows/s each: {ratio:.2f}"
          f" (ideal {args.regions}, one scan per region)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
