"""Seed data with deliberate drift: an `orders` table on AS-IS whose TO-BE copy lacks a few rows
and has a few changed cells, so counts and compares have something real to find.

The report says exactly which rows and cells differ; tests assert that validation finds exactly
those. Everything is derived from `seed`, so the same arguments give the same data every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sandbox.hbase.server import HBaseThriftServer

ORDERS = "orders"
CUSTOMERS = "customers"
FAMILY = "d"
ORDER_COLUMNS = (b"d:customer", b"d:amount", b"d:status", b"d:created_at")
# One fixed cell timestamp (ms) for all seeded cells: both sides agree, and a copy that keeps
# timestamps can be checked against it.
SEED_TIMESTAMP = 1_764_000_000_000
STATUSES = (b"NEW", b"PAID", b"SHIPPED", b"DELIVERED", b"CANCELLED")
# Names with non-ASCII letters, so UTF-8 values go through every path.
NAMES = ("Ana", "Zoë", "José", "Łukasz", "Søren", "Mia", "李雷", "Ömer", "Chloé", "Noah")
COUNTRIES = (b"PT", b"DE", b"PL", b"DK", b"FR", b"CN", b"TR", b"US")


@dataclass(frozen=True)
class ChangedCell:
    row: bytes
    column: bytes
    asis_value: bytes
    tobe_value: bytes


@dataclass(frozen=True)
class SeedReport:
    """What `seed_orders` wrote. Keys are bytes, sorted."""

    table: str
    columns: tuple[bytes, ...]
    rows_asis: int
    rows_tobe: int
    split_points: tuple[bytes, ...]
    missing_keys: tuple[bytes, ...]  # on AS-IS, not on TO-BE
    changed_cells: tuple[ChangedCell, ...]  # same row on both sides, one cell differs
    customers_table: str
    customers_rows: int
    seed: int
    timestamp: int = SEED_TIMESTAMP


def order_key(i: int) -> bytes:
    return b"order-%08d" % i


def customer_key(i: int) -> bytes:
    return b"cust-%05d" % i


def even_split_points(n_rows: int, regions: int) -> list[bytes]:
    """Split points cutting keys `order_key(0..n_rows-1)` into `regions` regions of equal size."""
    cuts = sorted({n_rows * k // regions for k in range(1, max(1, regions))} - {0})
    return [order_key(c) for c in cuts if c < n_rows]


def seed_orders(
    asis: HBaseThriftServer,
    tobe: HBaseThriftServer,
    rows: int = 100_000,
    missing: int = 3,
    changed: int = 1,
    seed: int = 42,
    regions: int = 8,
    customers: int = 1_000,
    *,
    replace: bool = True,
) -> SeedReport:
    """Create `orders` and `customers` on both servers; TO-BE's `orders` drifts as reported.

    `orders`: keys `b"order-%08d"`, family `d` with customer, amount, status, created_at, split
    into `regions` equal regions on both sides. TO-BE lacks `missing` rows and has `changed`
    cells with another value. `customers`: `customers` rows, identical on both sides.
    With `replace=False` an existing table is an error (a restarted sandbox should skip seeding)."""
    if missing + changed > rows:
        raise ValueError("missing + changed cannot exceed rows")
    rng = random.Random(seed)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    n_customers = max(1, customers)
    order_rows: list[tuple[bytes, dict[bytes, bytes]]] = []
    for i in range(rows):
        created = base + timedelta(seconds=i * 37)
        order_rows.append(
            (
                order_key(i),
                {
                    b"d:customer": customer_key(rng.randrange(n_customers)),
                    b"d:amount": b"%d.%02d" % (rng.randrange(1, 5000), rng.randrange(100)),
                    b"d:status": rng.choice(STATUSES),
                    b"d:created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ").encode(),
                },
            )
        )
    drift = rng.sample(range(rows), missing + changed)
    missing_idx = set(drift[:missing])
    changed_cells: list[ChangedCell] = []
    tobe_rows: list[tuple[bytes, dict[bytes, bytes]]] = []
    changed_idx = drift[missing:]
    changes: dict[int, ChangedCell] = {}
    for n, i in enumerate(changed_idx):
        key, cells = order_rows[i]
        column = (b"d:amount", b"d:status")[n % 2]
        old = cells[column]
        if column == b"d:amount":
            units, cents = old.split(b".")
            new = b"%d.%02d" % divmod(int(units) * 100 + int(cents) + 1, 100)
        else:
            new = STATUSES[(STATUSES.index(old) + 1) % len(STATUSES)]
        changes[i] = ChangedCell(key, column, old, new)
    for i, (key, cells) in enumerate(order_rows):
        if i in missing_idx:
            continue
        change = changes.get(i)
        tobe_rows.append((key, {**cells, change.column: change.tobe_value} if change else cells))
    changed_cells = sorted(changes.values(), key=lambda c: (c.row, c.column))

    splits = even_split_points(rows, regions)
    for server, data in ((asis, order_rows), (tobe, tobe_rows)):
        server.load_table(ORDERS, [FAMILY], data, splits, timestamp=SEED_TIMESTAMP, replace=replace)

    customer_rows = [
        (
            customer_key(i),
            {
                b"d:name": f"{NAMES[i % len(NAMES)]} {i}".encode(),
                b"d:email": b"customer%d@example.com" % i,
                b"d:country": COUNTRIES[i % len(COUNTRIES)],
            },
        )
        for i in range(customers)
    ]
    customer_splits = [customer_key(customers // 2)] if customers > 1 else []
    for server in (asis, tobe):
        server.load_table(CUSTOMERS, [FAMILY], customer_rows, customer_splits, timestamp=SEED_TIMESTAMP, replace=replace)

    return SeedReport(
        table=ORDERS,
        columns=ORDER_COLUMNS,
        rows_asis=rows,
        rows_tobe=rows - missing,
        split_points=tuple(splits),
        missing_keys=tuple(sorted(order_key(i) for i in missing_idx)),
        changed_cells=tuple(changed_cells),
        customers_table=CUSTOMERS,
        customers_rows=customers,
        seed=seed,
    )
