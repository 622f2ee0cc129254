"""Seed the sandbox warehouse, with deliberate drift for validation to find.

AS-IS gets every table in full. TO-BE gets the same rows except in ``public.events``, where
exactly `missing` rows are left out, `changed` rows carry one different value and `extra` rows
(none by default) exist only on TO-BE, and in ``public.sessions`` (a text key), where 2 rows
are missing, 1 extra and 4 changed, each by a value a compare gets wrong most easily (NULL vs
'', a decomposed accent, a trailing space, one microsecond). The report names them exactly, so
tests can assert that counts and compares find precisely these.

Rows are generated once in Python from a seeded RNG (reproducible) and loaded with COPY into
tables created in the same transaction (with wal_level=minimal that skips the WAL entirely).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql

from sandbox.warehouse.schema import (
    CUSTOMERS,
    DAILY_REVENUE,
    EVENTS,
    ORDERS_SUMMARY,
    SESSIONS,
    TABLES,
    create_statements,
)
from sandbox.warehouse.server import Warehouse

REGIONS = ("eu", "us", "apac", "latam")
EVENT_TYPES = ("page_view", "click", "purchase", "signup", "refund")
#: Payloads exercise the hard cases of a compare: NULL vs '', unicode, quotes, backslashes,
#: tabs and newlines (COPY escaping), and a long value.
PAYLOADS: tuple[str | None, ...] = (
    None,
    "",
    '{"page": "/home"}',
    "café ☕ crème brûlée",
    "日本語のテキスト",
    "emoji 🚀🎉 ok",
    "Ελληνικά και Кириллица",
    "back\\slash and \"quotes\" and 'single'",
    "tab\there\nnewline",
    "x" * 300,
)
NAMES = ("José Álvarez", "Zoë Brontë", "王伟", "Søren Kierkegaard", "Ana", "O'Brien", "Mary-Jane Smith")
STATUSES = ("open", "paid", "shipped", "cancelled")
#: Columns changed in drifted rows, in turn.
DRIFT_COLUMNS = ("amount", "payload", "created_at", "event_type")

_EPOCH = datetime(2026, 1, 1)
#: The event ids jump by this much half-way: a large gap in the key space.
EVENT_ID_GAP = 5_000_000_000


@dataclass(frozen=True)
class ChangedValue:
    """One value that differs between AS-IS and TO-BE."""

    table: str
    key: tuple
    column: str
    asis: Any
    tobe: Any


@dataclass(frozen=True)
class SeedReport:
    """What seed() wrote. ``rows[database][table]`` are row counts; ``missing[table]`` the keys
    (tuples) present on AS-IS and absent from TO-BE; ``extra[table]`` the keys only TO-BE has;
    ``changed`` the differing values. Keys are sorted."""

    seed: int
    rows: dict[str, dict[str, int]]
    keys: dict[str, tuple[str, ...]]
    missing: dict[str, list[tuple]] = field(default_factory=dict)
    changed: list[ChangedValue] = field(default_factory=list)
    extra: dict[str, list[tuple]] = field(default_factory=dict)
    seconds: float = 0.0

    def missing_keys(self, table: str = EVENTS.name) -> list[tuple]:
        return list(self.missing.get(table, []))

    def changed_keys(self, table: str = EVENTS.name) -> list[tuple]:
        return [c.key for c in self.changed if c.table == table]

    def extra_keys(self, table: str = EVENTS.name) -> list[tuple]:
        return list(self.extra.get(table, []))


def event_id(i: int, rows: int) -> int:
    """The i-th event id: spaced by 7, with a jump of EVENT_ID_GAP in the middle (so
    ``event_id(i) + 3`` is never an AS-IS id: that is where extra TO-BE rows go)."""
    return 1_000_000 + 7 * i + (EVENT_ID_GAP if i >= rows // 2 else 0)


def _events(rng: random.Random, rows: int) -> list[tuple]:
    out = []
    for i in range(rows):
        kind = rng.choice(EVENT_TYPES)
        if kind == "purchase":
            amount: Decimal | None = Decimal(rng.randint(1, 99_999_999)) / 100
        elif kind == "refund":
            amount = -Decimal(rng.randint(1, 999_999)) / 100
        else:
            amount = None if rng.random() < 0.8 else Decimal("0.00")
        micros = rng.randrange(1_000_000) if rng.random() < 0.3 else 0
        created = _EPOCH + timedelta(seconds=i * 37 + rng.randrange(30), microseconds=micros)
        out.append((event_id(i, rows), rng.randint(1, 5000), kind, amount, created, rng.choice(PAYLOADS)))
    return out


def _customers(rng: random.Random, rows: int) -> list[tuple]:
    out = []
    for i in range(rows):
        region = REGIONS[i % len(REGIONS)]
        no = 1 + i // len(REGIONS)
        email = rng.choice((None, "", f"user{i}@example.com", f"ü{i}@exämple.de"))
        credit = None if rng.random() < 0.1 else Decimal(rng.randint(0, 5_000_000)) / 100
        signup = date(2020, 1, 1) + timedelta(days=rng.randrange(2000))
        out.append((region, no, rng.choice(NAMES), email, signup, rng.random() < 0.8, credit))
    return out


def _orders(rng: random.Random, rows: int, customers: int) -> list[tuple]:
    out = []
    for i in range(rows):
        c = rng.randrange(max(customers, 1))
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
        updated = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
            seconds=rng.randrange(86_400)
        )
        out.append(
            (
                f"ORD-{i * 3 + 1:09d}",  # a text key with gaps
                REGIONS[c % len(REGIONS)],
                1 + c // len(REGIONS),
                day,
                rng.randint(1, 40),
                Decimal(rng.randint(100, 10_000_000)) / 100,
                rng.choice(STATUSES),
                updated,
            )
        )
    return out


def _revenue(rng: random.Random, days: int) -> list[tuple]:
    out = []
    for d in range(days):
        for region in REGIONS:
            orders = rng.randint(0, 500)
            revenue = Decimal(rng.randint(0, 100_000_000)) / 100 if orders else Decimal("0.00")
            avg = float(revenue) / orders if orders else None
            out.append((date(2025, 1, 1) + timedelta(days=d), region, orders, revenue, avg))
    return out


#: Session ids start with these: upper and lower case, punctuation and an accent, which
#: collations order differently (C: 'APP' < '_api' < 'app' < 'ä'; en_US: '_api' < 'app' < 'APP' < 'ä').
SESSION_PREFIXES = ("app", "APP", "web", "Web", "_api", "ä-kiosk", "tv box")
DEVICES = ("ios", "android", "web", "tv")
#: TO-BE's drift in public.sessions: (column, AS-IS value or None to keep it, TO-BE value from AS-IS).
SESSION_CHANGES: tuple[tuple[str, Any, Any], ...] = (
    ("note", None, lambda v: ""),                                             # NULL -> ''
    ("note", "café au lait", lambda v: v.replace("é", "e\u0301")),           # decomposed accent
    ("device", "ios", lambda v: v + " "),                                     # trailing space
    ("started_at", "keep", lambda v: v + timedelta(microseconds=1)),          # one microsecond
)
SESSION_MISSING = 2
SESSION_EXTRA = 1


def _sessions(rng: random.Random, rows: int) -> list[tuple]:
    out = []
    for i in range(rows):
        sid = f"{SESSION_PREFIXES[i % len(SESSION_PREFIXES)]}-{i:06d}-{rng.getrandbits(32):08x}"
        started = _EPOCH + timedelta(seconds=i * 11, microseconds=rng.randrange(1_000_000))
        note = rng.choice((None, "", "first visit", "café au lait", "日本語 ✓"))
        out.append((sid, rng.randint(1, 5000), DEVICES[i % len(DEVICES)], started, note))
    return out


def _drift_sessions(rows: list[tuple], seed: int) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple],
                                                         list[ChangedValue]]:
    """(AS-IS rows, TO-BE rows, missing keys, extra keys, changes) of public.sessions. AS-IS rows
    picked for a change get the value the change needs (a NULL note, an accented one...)."""
    rng = random.Random(f"sessions-drift-{seed}")
    picked = rng.sample(range(len(rows)), SESSION_MISSING + len(SESSION_CHANGES) + SESSION_EXTRA)
    missing_idx = picked[:SESSION_MISSING]
    changed_idx = picked[SESSION_MISSING:SESSION_MISSING + len(SESSION_CHANGES)]
    extra_idx = picked[SESSION_MISSING + len(SESSION_CHANGES):]
    columns = SESSIONS.key + SESSIONS.columns
    asis, tobe = list(rows), list(rows)
    changes = []
    for i, (column, before, after) in zip(changed_idx, SESSION_CHANGES, strict=True):
        pos = columns.index(column)
        row = asis[i]
        if before != "keep":
            row = row[:pos] + (before,) + row[pos + 1:]
            asis[i] = row
        new = after(row[pos])
        tobe[i] = row[:pos] + (new,) + row[pos + 1:]
        changes.append(ChangedValue(SESSIONS.name, (row[0],), column, row[pos], new))
    gone = set(missing_idx)
    extra_rows = [(asis[i][0] + "x",) + asis[i][1:] for i in extra_idx]  # ids no AS-IS row has
    tobe = [r for i, r in enumerate(tobe) if i not in gone] + extra_rows
    missing = sorted((asis[i][0],) for i in missing_idx)
    return asis, tobe, missing, sorted((r[0],) for r in extra_rows), changes


def _drift(value: Any, column: str) -> Any:
    if column == "amount":
        return Decimal("0.01") if value is None else value + Decimal("0.01")
    if column == "payload":
        return "" if value is None else value + " (edited)"
    if column == "created_at":
        return value + timedelta(seconds=1)
    return next(t for t in EVENT_TYPES if t != value)  # event_type


def _copy(conn: psycopg.Connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    schema, name = table.split(".")
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(schema, name), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with conn.cursor().copy(stmt) as copy:
        for row in rows:
            copy.write_row(row)


def _load(dsn: str, data: dict[str, list[tuple]]) -> None:
    with psycopg.connect(dsn) as conn:  # one transaction: DDL, then COPY (no WAL with wal_level=minimal)
        for statement in create_statements():
            conn.execute(statement)
        for name, rows in data.items():
            table = TABLES[name]
            _copy(conn, name, table.key + table.columns, rows)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ANALYZE")


def seed(
    warehouse: Warehouse,
    events_rows: int = 50_000,
    missing: int = 2,
    changed: int = 1,
    seed: int = 42,
    *,
    customers_rows: int = 2_000,
    orders_rows: int = 5_000,
    revenue_days: int = 365,
    extra: int = 0,
    sessions_rows: int = 3_000,
) -> SeedReport:
    """(Re)create and fill every table in ``asis`` and ``tobe``; drift only in public.events.
    Existing sandbox tables are dropped first, so seeding twice gives the same result."""
    if sessions_rows < SESSION_MISSING + len(SESSION_CHANGES) + SESSION_EXTRA:
        raise ValueError(f"public.sessions needs at least {SESSION_MISSING + len(SESSION_CHANGES) + SESSION_EXTRA} rows")
    if min(missing, changed, extra) < 0 or missing + changed > events_rows or extra > events_rows:
        raise ValueError(
            f"cannot drift {missing} missing + {changed} changed (+ {extra} extra) rows out of {events_rows}"
        )
    began = time.monotonic()
    rng = random.Random(seed)
    asis = {
        EVENTS.name: _events(rng, events_rows),
        CUSTOMERS.name: _customers(rng, customers_rows),
        ORDERS_SUMMARY.name: _orders(rng, orders_rows, customers_rows),
        DAILY_REVENUE.name: _revenue(rng, revenue_days),
    }
    drift_rng = random.Random(f"drift-{seed}")
    picked = sorted(drift_rng.sample(range(events_rows), missing + changed))
    drift_rng.shuffle(picked)
    missing_idx = sorted(picked[:missing])
    changed_idx = sorted(picked[missing:])

    columns = EVENTS.key + EVENTS.columns
    tobe_events = list(asis[EVENTS.name])
    changes = []
    for n, i in enumerate(changed_idx):
        column = DRIFT_COLUMNS[n % len(DRIFT_COLUMNS)]
        pos = columns.index(column)
        row = tobe_events[i]
        new = _drift(row[pos], column)
        tobe_events[i] = row[:pos] + (new,) + row[pos + 1 :]
        changes.append(ChangedValue(EVENTS.name, (row[0],), column, row[pos], new))
    drop = set(missing_idx)
    tobe_events = [r for i, r in enumerate(tobe_events) if i not in drop]
    # Extra rows: drawn after the others, so adding them leaves the other drift unchanged.
    extra_idx = sorted(drift_rng.sample(range(events_rows), extra))
    extra_rows = [(r[0] + 3, *r[1:]) for r in (asis[EVENTS.name][i] for i in extra_idx)]
    tobe_events += extra_rows
    # public.sessions: its own generator, so the other tables are what they were without it.
    sessions_asis, sessions_tobe, sessions_missing, sessions_extra, sessions_changes = _drift_sessions(
        _sessions(random.Random(f"sessions-{seed}"), sessions_rows), seed)
    asis[SESSIONS.name] = sessions_asis
    tobe = {**asis, EVENTS.name: tobe_events, SESSIONS.name: sessions_tobe}

    # Both databases load at once: the server does most of the work, in two backends.
    failures: list[BaseException] = []

    def load(db: str, data: dict[str, list[tuple]]) -> None:
        try:
            _load(warehouse.dsn(db), data)
        except BaseException as exc:  # re-raised below, in the caller's thread
            failures.append(exc)

    threads = [threading.Thread(target=load, args=a) for a in (("asis", asis), ("tobe", tobe))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]

    return SeedReport(
        seed=seed,
        rows={"asis": {k: len(v) for k, v in asis.items()}, "tobe": {k: len(v) for k, v in tobe.items()}},
        keys={name: t.key for name, t in TABLES.items()},
        missing={EVENTS.name: [(asis[EVENTS.name][i][0],) for i in missing_idx], SESSIONS.name: sessions_missing},
        changed=changes + sessions_changes,
        extra={EVENTS.name: [(r[0],) for r in extra_rows], SESSIONS.name: sessions_extra},
        seconds=time.monotonic() - began,
    )


def is_seeded(warehouse: Warehouse) -> bool:
    """True when every sandbox table exists in both databases (e.g. a restarted data_dir)."""
    for db in warehouse.databases:
        with psycopg.connect(warehouse.dsn(db), autocommit=True) as conn:
            present = {
                f"{s}.{t}"
                for s, t in conn.execute("SELECT table_schema, table_name FROM information_schema.tables")
            }
        if not set(TABLES) <= present:
            return False
    return True
