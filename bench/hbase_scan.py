"""Benchmark: the sandbox HBase through happybase, and region-parallel counts through the connector.

    .venv/bin/python bench/hbase_scan.py [--rows 200000] [--repeat 2]

Figures (best of `--repeat` runs, since these machines are shared and noisy):
  1. key-only scan (`FirstKeyOnlyFilter() AND KeyOnlyFilter()`) through happybase, batch_size
     1000: rows/s, with the server in its own process (as in `make demo`) and in this process
     (as in the tests). Target: at least 80,000 rows/s.
  2. full-row scan through happybase, batch_size 1000: rows/s (for scale).
  3. `HBaseConnector.count` split by region, in parallel vs one sequential key-only scan of the
     whole table: rows/s and the ratio (sequential time / parallel time; > 1 means faster).
     Against the bare stand-in both sides are bound by Python's CPU (one GIL per process, 2
     cores), so threads cannot win; part 3 repeats it with the server simulating region servers
     that read `--region-rate` rows/s per scanner, as a cluster's disks would.
The server processes are started and stopped here; nothing is left running.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from hbase_sandbox import ROOT, best, server_process

KEY_ONLY = b"FirstKeyOnlyFilter() AND KeyOnlyFilter()"


def measure(host: str, port: int, rows: int, repeat: int, label: str) -> dict[str, float]:
    import happybase

    from connectors.hbase import HBaseConnector

    conn = happybase.Connection(host, port)
    table = conn.table("orders")
    n, t = best(lambda: sum(1 for _ in table.scan(filter=KEY_ONLY, batch_size=1000)), repeat)
    assert n == rows, (n, rows)
    key_only = n / t
    print(f"[{label}] key-only scan, happybase batch_size=1000: {n:,} rows in {t:.3f} s = {key_only:,.0f} rows/s"
          f"  (target >= 80,000: {'OK' if key_only >= 80_000 else 'MISSED'})")
    n, t = best(lambda: sum(1 for _ in table.scan(batch_size=1000)), 1)
    print(f"[{label}] full-row scan (4 cells/row), happybase batch_size=1000: {n / t:,.0f} rows/s")
    conn.close()

    with HBaseConnector(host, port) as hb:
        regions = len(hb.regions("orders"))
        n_seq, t_seq = best(lambda: hb.count_range("orders"), repeat)
        n_par, t_par = best(lambda: hb.count("orders", parallel=True), repeat)
        n_one, t_one = best(lambda: hb.count("orders", parallel=False), max(1, repeat - 1))
        n_big, t_big = best(lambda: hb.count("orders", parallel=True, caching=10_000), max(1, repeat - 1))
    assert n_seq == n_par == n_one == n_big == rows
    print(f"[{label}] count, one sequential key-only scan (caching 1000): {t_seq:.3f} s = {rows / t_seq:,.0f} rows/s")
    print(f"[{label}] count by region, {regions} regions in parallel:        {t_par:.3f} s = {rows / t_par:,.0f} rows/s"
          f"  ratio sequential/parallel = {t_seq / t_par:.2f}")
    print(f"[{label}] count by region, regions one after another:   {t_one:.3f} s = {rows / t_one:,.0f} rows/s")
    print(f"[{label}] count by region in parallel, caching 10000:   {t_big:.3f} s = {rows / t_big:,.0f} rows/s")
    return {"key_only": key_only, "ratio": t_seq / t_par}


def measure_split(host: str, port: int, rows: int, rate: float) -> float:
    from connectors.hbase import HBaseConnector

    with HBaseConnector(host, port) as hb:
        n_seq, t_seq = best(lambda: hb.count_range("orders"), 1)
        n_par, t_par = best(lambda: hb.count("orders", parallel=True), 2)
    assert n_seq == n_par == rows
    print(f"[region servers at {rate:,.0f} rows/s per scanner] one sequential key-only scan: {t_seq:.3f} s = "
          f"{rows / t_seq:,.0f} rows/s; 8 regions in parallel: {t_par:.3f} s = {rows / t_par:,.0f} rows/s; "
          f"ratio sequential/parallel = {t_seq / t_par:.2f}")
    return t_seq / t_par


def main() -> int:
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--region-rate", type=float, default=100_000, help="simulated rows/s per scanner in part 3")
    args = parser.parse_args()
    t_start = time.perf_counter()
    print(f"HBase sandbox benchmark: {args.rows:,} rows in `orders`, 8 regions; {os.cpu_count()} CPUs")

    # 1. the server in its own process, as `make demo` runs it
    with server_process(args.rows) as (host, port):
        measure(host, port, args.rows, args.repeat, "server process")

    # 2. the server as a thread of this process, as the tests run it
    from sandbox.hbase import HBaseThriftServer, seed_orders

    with HBaseThriftServer() as server:
        seed_orders(server, HBaseThriftServer(), rows=args.rows)
        measure(server.host, server.port, args.rows, args.repeat, "in-process")

    # 3. region servers as the limit (as on a cluster): what splitting by region buys
    with server_process(args.rows, "--scan-rows-per-second", str(args.region_rate)) as (host, port):
        measure_split(host, port, args.rows, args.region_rate)
    print(f"total benchmark time {time.perf_counter() - t_start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
