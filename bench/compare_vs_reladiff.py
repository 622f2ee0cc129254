"""Full compare: Ferry against reladiff 0.6.0, on the same two PostgreSQL databases, same run.

The sandbox Warehouse (embedded PostgreSQL; databases asis and tobe) gets `bench.items` with
1,000,000 rows on each side and 300 scattered differences on TO-BE: 100 rows missing, 100
extra, 100 changed. Then, one after the other:

  floor     one full-table checksum query per side, both at once (the least a checksum compare
            can do: every row hashed once on each side)
  ferry     features.validation.hashdiff.full_compare, in a child process (its peak RSS is measured)
  reladiff  reladiff.diff_tables (hashdiff, threaded), in a child process

Checks: Ferry reports exactly reladiff's differences (in every run); Ferry's time ≤ 0.5 ×
reladiff's; Ferry / floor ≤ 1.5 (target); Ferry's peak memory < 200 MB. Exit status 1 if one
fails. Each run's figures are printed; with --repeat > 1 also min/median of each and the
per-run Ferry / floor (the machine is shared: one run proves little).

    .venv/bin/python bench/compare_vs_reladiff.py [--rows 1000000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TABLE = "bench.items"
KEY = "id"
COLUMNS = ("user_id", "amount", "status", "created_at", "note")
DIFFS = 100  # of each kind: missing, extra, changed
MEMORY_LIMIT_MB = 200

DDL = """
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
CREATE TABLE bench.items (
    id          BIGINT        NOT NULL PRIMARY KEY,
    user_id     INTEGER       NOT NULL,
    amount      DECIMAL(12,2),
    status      VARCHAR(16)   NOT NULL,
    created_at  TIMESTAMP     NOT NULL,
    note        VARCHAR(64)
);
INSERT INTO bench.items
SELECT i * 2,                                               -- even ids: odd ones are free for extras
       (i * 7919) % 50000,
       CASE WHEN i % 5 = 0 THEN NULL ELSE ((i * 31) % 1000000) / 100.0 END,
       (ARRAY['open', 'paid', 'shipped', 'cancelled'])[1 + i % 4],
       TIMESTAMP '2026-01-01' + i * INTERVAL '37 seconds',
       CASE WHEN i % 7 = 0 THEN NULL WHEN i % 11 = 0 THEN '' ELSE 'note ' || md5(i::text) END
FROM generate_series(CAST(1 AS BIGINT), %(rows)s) AS i;
ANALYZE bench.items;
"""


def drift_statements(rows: int) -> tuple[str, dict[str, list[int]]]:
    """TO-BE's 300 scattered differences: deterministic ids spread over the whole key space."""
    step = rows // (3 * DIFFS + 1)
    picks = [2 * (step * (j + 1) + 17) for j in range(3 * DIFFS)]
    missing, changed, extra_near = picks[0::3], picks[1::3], picks[2::3]
    extra = [k + 1 for k in extra_near]  # odd ids: not on AS-IS
    sql = f"""
DELETE FROM bench.items WHERE id IN ({", ".join(map(str, missing))});
UPDATE bench.items SET status = status || '!' WHERE id IN ({", ".join(map(str, changed))});
INSERT INTO bench.items SELECT id + 1, user_id, amount, status, created_at, note FROM bench.items
    WHERE id IN ({", ".join(map(str, extra_near))});
ANALYZE bench.items;
"""
    return sql, {"missing": missing, "extra": extra, "changed": changed}


def prepare(wh, rows: int) -> dict[str, list[int]]:
    import psycopg

    def load(db: str) -> None:
        with psycopg.connect(wh.dsn(db), autocommit=True) as conn:
            conn.execute(DDL.replace("%(rows)s", str(int(rows))))

    with ThreadPoolExecutor(2) as ex:
        list(ex.map(load, ("asis", "tobe")))
    sql, expected = drift_statements(rows)
    with psycopg.connect(wh.dsn("tobe"), autocommit=True) as conn:
        conn.execute(sql)
    return expected


def floor(wh) -> float:
    """One full-table checksum query per side (the warehouse connector's checksum), both at once."""
    from connectors.warehouse import WarehouseConnector

    conns = [WarehouseConnector(wh.dsn(db)) for db in ("asis", "tobe")]
    for c in conns:
        c.ping()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(2) as ex:
        list(ex.map(lambda c: c.checksum(TABLE, [KEY], list(COLUMNS)), conns))
    seconds = time.perf_counter() - t0
    for c in conns:
        c.close()
    return seconds


# -- child processes (each measures itself) ------------------------------------------------------


def child_ferry() -> dict:
    from connectors.warehouse import WarehouseConnector
    from features.validation.hashdiff import full_compare
    from features.validation.warehouse_backend import WarehouseBackend

    a = WarehouseBackend(WarehouseConnector(os.environ["BENCH_DSN_ASIS"]), "as-is", TABLE, [KEY], COLUMNS, None)
    b = WarehouseBackend(WarehouseConnector(os.environ["BENCH_DSN_TOBE"]), "to-be", TABLE, [KEY], COLUMNS, None)
    t0 = time.perf_counter()
    r = full_compare("items", a, b)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "missing": sorted(int(k) for k in r.missing), "extra": sorted(int(k) for k in r.extra),
            "changed": sorted(int(c.key) for c in r.changed), "stats": r.stats,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_reladiff() -> dict:
    import reladiff

    t1 = reladiff.connect_to_table(os.environ["BENCH_DSN_ASIS"], TABLE, KEY, extra_columns=COLUMNS)
    t2 = reladiff.connect_to_table(os.environ["BENCH_DSN_TOBE"], TABLE, KEY, extra_columns=COLUMNS)
    t0 = time.perf_counter()
    diff = list(reladiff.diff_tables(t1, t2))
    seconds = time.perf_counter() - t0
    minus = {int(row[0]) for sign, row in diff if sign == "-"}
    plus = {int(row[0]) for sign, row in diff if sign == "+"}
    return {"seconds": seconds, "missing": sorted(minus - plus), "extra": sorted(plus - minus),
            "changed": sorted(minus & plus), "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_child(which: str, wh) -> dict:
    env = {**os.environ, "BENCH_DSN_ASIS": wh.dsn("asis"), "BENCH_DSN_TOBE": wh.dsn("tobe")}
    out = subprocess.run([sys.executable, __file__, "--child", which], env=env, capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise SystemExit(f"{which} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best time counts")
    parser.add_argument("--child", choices=("ferry", "reladiff"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_ferry() if args.child == "ferry" else child_reladiff()))
        return 0

    from sandbox.warehouse import Warehouse

    with Warehouse() as wh:
        t0 = time.perf_counter()
        expected = prepare(wh, args.rows)
        print(f"prepared 2 x {args.rows:,} rows with {3 * DIFFS} differences in {time.perf_counter() - t0:.1f}s")
        floors, ferries, reladiffs = [], [], []
        for i in range(args.repeat):
            floors.append(floor(wh))
            ferries.append(run_child("ferry", wh))
            reladiffs.append(run_child("reladiff", wh))
            print(f"run {i + 1}: floor {floors[-1]:.2f}s  ferry {ferries[-1]['seconds']:.2f}s"
                  f"  reladiff {reladiffs[-1]['seconds']:.2f}s  ferry/floor {ferries[-1]['seconds'] / floors[-1]:.2f}"
                  f"  ferry/reladiff {ferries[-1]['seconds'] / reladiffs[-1]['seconds']:.2f}", flush=True)
    fl = min(floors)
    fe = min(ferries, key=lambda r: r["seconds"])
    rd = min(reladiffs, key=lambda r: r["seconds"])
    # Every run must be exact, not only the fastest.
    same = all(f[k] == r[k] for f in ferries for r in reladiffs for k in ("missing", "extra", "changed"))
    exact = all(f[k] == sorted(expected[k]) for f in ferries for k in ("missing", "extra", "changed"))
    peak = max(r["maxrss_mb"] for r in ferries)
    print(f"differences  ferry: {len(fe['missing'])} missing, {len(fe['extra'])} extra, {len(fe['changed'])} changed;"
          f" reladiff: {len(rd['missing'])} missing, {len(rd['extra'])} extra, {len(rd['changed'])} changed")
    print(f"same differences as reladiff: {'yes' if same else 'NO'}; as seeded: {'yes' if exact else 'NO'}")
    print(f"floor (one checksum query per side, both at once): {fl:.2f}s")
    print(f"ferry full compare:    {fe['seconds']:.2f}s   ({fe['stats']['strategy']}; levels {fe['stats']['levels']},"
          f" rows fetched {fe['stats']['rows_fetched']:,})")
    print(f"reladiff diff_tables:  {rd['seconds']:.2f}s")
    ratio_rd = fe["seconds"] / rd["seconds"]
    ratio_floor = fe["seconds"] / fl
    print(f"ferry / reladiff = {ratio_rd:.2f}  (must be <= 0.50)")
    print(f"ferry / floor    = {ratio_floor:.2f}  (target <= 1.50)")
    print(f"ferry peak memory (RSS of its process) = {peak:.0f} MB  (must be < {MEMORY_LIMIT_MB} MB);"
          f" reladiff's: {rd['maxrss_mb']:.0f} MB")
    if args.repeat > 1:
        def mm(xs: list[float]) -> str:
            return f"min {min(xs):.2f}s, median {statistics.median(xs):.2f}s"
        print(f"over {args.repeat} runs: floor {mm(floors)}; ferry {mm([r['seconds'] for r in ferries])};"
              f" reladiff {mm([r['seconds'] for r in reladiffs])}")
        per_run = [f["seconds"] / x for f, x in zip(ferries, floors, strict=True)]
        print(f"ferry / floor per run: {', '.join(f'{x:.2f}' for x in per_run)}"
              f" (median {statistics.median(per_run):.2f}, worst {max(per_run):.2f})")
    ok = same and exact and ratio_rd <= 0.5 and peak < MEMORY_LIMIT_MB
    if ratio_floor > 1.5:
        print("note: above the floor target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
