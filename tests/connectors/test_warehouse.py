"""connectors.warehouse against the sandbox's real PostgreSQL (asis and tobe databases)."""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Iterator
from decimal import Decimal

import psycopg
import pytest
from psycopg import sql

from connectors.warehouse import (
    COLUMN_SEPARATOR,
    POSTGRESQL,
    REDSHIFT,
    AuthError,
    Column,
    TableNotFound,
    Unreachable,
    WarehouseConnector,
    WarehouseError,
    dialect_for_version,
    parse_table,
)
from sandbox.warehouse import TABLES, SeedReport, Warehouse

EVENTS = "public.events"
EVENT_COLUMNS = ["user_id", "event_type", "amount", "created_at", "payload"]


@pytest.fixture
def asis(warehouse: Warehouse, warehouse_seed: SeedReport) -> Iterator[WarehouseConnector]:
    with WarehouseConnector(warehouse.dsn("asis")) as conn:
        yield conn


@pytest.fixture
def tobe(warehouse: Warehouse, warehouse_seed: SeedReport) -> Iterator[WarehouseConnector]:
    with WarehouseConnector(warehouse.dsn("tobe")) as conn:
        yield conn


def expected_hash(*values: str | None) -> int:
    """The row hash as specified, computed in Python: MD5 of the 'v'-prefixed values ('n' for
    NULL) joined by the separator, first 15 hex digits as an integer."""
    text = COLUMN_SEPARATOR.join("n" if v is None else "v" + v for v in values)
    return int(hashlib.md5(text.encode()).hexdigest()[:15], 16)


# -- connecting ---------------------------------------------------------------------------------


def test_ping_detects_postgresql(asis: WarehouseConnector) -> None:
    ping = asis.ping()
    assert ping.dialect == "postgresql" and "PostgreSQL" in ping.version and ping.seconds < 5
    assert asis.dialect is POSTGRESQL


def test_dialect_from_version_text() -> None:
    assert dialect_for_version("PostgreSQL 8.0.2 on i686-pc-linux-gnu, ... Redshift 1.0.77467") is REDSHIFT
    assert dialect_for_version("PostgreSQL 18.6 on x86_64-pc-linux-gnu") is POSTGRESQL


def test_wrong_password_is_a_clear_auth_error(warehouse: Warehouse) -> None:
    secret = "Wr0ng-S3cret-xyz"
    dsn = warehouse.dsn("asis").replace(warehouse.password, secret)
    conn = WarehouseConnector(dsn, connect_timeout=5)
    with pytest.raises(AuthError) as caught:
        conn.ping()
    message = str(caught.value)
    assert "refused user 'ferry'" in message and f"127.0.0.1:{warehouse.port}/asis" in message
    assert secret not in message and warehouse.password not in message
    assert secret not in repr(conn)


def test_closed_port_is_unreachable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    conn = WarehouseConnector(f"postgresql://ferry:pw-123456@127.0.0.1:{port}/asis", connect_timeout=2)
    with pytest.raises(
        Unreachable, match=f"cannot reach the warehouse at 127.0.0.1:{port}/asis: Connection refused"
    ) as caught:
        conn.count(EVENTS)
    assert "pw-123456" not in str(caught.value)


def test_unknown_database(warehouse: Warehouse) -> None:
    with pytest.raises(WarehouseError, match="'nosuchdb' does not exist"):
        WarehouseConnector(warehouse.dsn("nosuchdb")).ping()


def test_password_masked_in_query_errors(warehouse: Warehouse, asis: WarehouseConnector) -> None:
    with pytest.raises(WarehouseError) as caught:
        asis.query(f"SELECT CAST('{warehouse.password}' AS INTEGER)")
    assert warehouse.password not in str(caught.value) and "***" in str(caught.value)


def test_statement_timeout(warehouse: Warehouse) -> None:
    with WarehouseConnector(warehouse.dsn("asis"), statement_timeout_s=0.2) as conn:
        with pytest.raises(WarehouseError, match="statement timeout"):
            conn.query("SELECT pg_sleep(2)")
        assert conn.query("SELECT 1") == [(1,)]  # the connection is still usable


# -- catalog ------------------------------------------------------------------------------------


def test_tables_and_existence(asis: WarehouseConnector, tobe: WarehouseConnector) -> None:
    for side in (asis, tobe):
        assert set(TABLES) <= set(side.tables())
        assert side.tables("sales") == ["sales.orders_summary"]
        assert side.table_exists("public.events") and side.table_exists("events")
        assert not side.table_exists("public.nope")
    assert not any(t.startswith(("pg_", "information_schema")) for t in asis.tables())


def test_columns_with_redshift_types(asis: WarehouseConnector) -> None:
    assert asis.columns(EVENTS) == [
        Column("event_id", "bigint", False),
        Column("user_id", "bigint", False),
        Column("event_type", "character varying(32)", False),
        Column("amount", "numeric(12,2)", True),
        Column("created_at", "timestamp without time zone", False),
        Column("payload", "character varying(1024)", True),
    ]
    types = {c.name: c.type for c in asis.columns("sales.orders_summary")}
    assert types["updated_at"] == "timestamp with time zone" and types["items"] == "smallint"
    with pytest.raises(TableNotFound, match="public.nope does not exist"):
        asis.columns("public.nope")


def test_parse_table() -> None:
    assert parse_table("sales.orders") == ("sales", "orders")
    assert parse_table("orders") == ("public", "orders")
    assert parse_table('"Odd.Schema"."Mixed ""Case"""') == ("Odd.Schema", 'Mixed "Case"')
    for bad in ("a.b.c", "", "a.", '"open'):
        with pytest.raises(ValueError):
            parse_table(bad)


# -- counts and fetches -------------------------------------------------------------------------


def test_counts_match_the_seed(
    asis: WarehouseConnector, tobe: WarehouseConnector, warehouse_seed: SeedReport
) -> None:
    for table in TABLES:
        assert asis.count(table) == warehouse_seed.rows["asis"][table]
        assert tobe.count(table) == warehouse_seed.rows["tobe"][table]
    assert asis.count(EVENTS) - tobe.count(EVENTS) == len(warehouse_seed.missing_keys()) == 2
    assert (
        asis.count(EVENTS, where="payload IS NULL") + asis.count(EVENTS, where="payload IS NOT NULL")
        == 50_000
    )
    assert asis.count(EVENTS, where="event_type = %s", params=["purchase"]) > 0
    assert asis.count(EVENTS, where="payload LIKE '%🚀%'") > 0  # a literal % without params


def test_missing_table_is_table_not_found(asis: WarehouseConnector) -> None:
    with pytest.raises(TableNotFound, match="public.nope does not exist in 127.0.0.1:"):
        asis.count("public.nope")
    with pytest.raises(TableNotFound):
        asis.count("noschema.events")
    with pytest.raises(TableNotFound):
        asis.fetch_rows("public.nope", ["id"], [1], ["x"])


def test_fetch_rows_in_batches_finds_the_drift(
    asis: WarehouseConnector, tobe: WarehouseConnector, warehouse_seed: SeedReport
) -> None:
    sample = [r[0] for r in asis.query("SELECT event_id FROM public.events ORDER BY event_id LIMIT 40")]
    keys = sample + [k[0] for k in warehouse_seed.missing_keys() + warehouse_seed.changed_keys()]
    keys.append(-1)  # absent on both sides
    left = asis.fetch_rows(EVENTS, ["event_id"], keys, EVENT_COLUMNS, batch_size=7)
    right = tobe.fetch_rows(EVENTS, ["event_id"], [(k,) for k in keys], EVENT_COLUMNS, batch_size=500)
    assert len(left) == len(keys) - 1 and len(right) == len(keys) - 3
    left_by_key = {r[0]: r for r in left}
    right_by_key = {r[0]: r for r in right}
    assert sorted((k,) for k in left_by_key.keys() - right_by_key.keys()) == warehouse_seed.missing_keys()
    differing = [k for k in right_by_key if right_by_key[k] != left_by_key[k]]
    assert [(k,) for k in differing] == warehouse_seed.changed_keys()
    change = warehouse_seed.changed[0]
    pos = 1 + EVENT_COLUMNS.index(change.column)
    assert left_by_key[change.key[0]][pos] == change.asis and right_by_key[change.key[0]][pos] == change.tobe


def test_fetch_rows_composite_and_text_keys(asis: WarehouseConnector) -> None:
    rows = asis.fetch_rows(
        "public.customers",
        ["region", "customer_no"],
        [("eu", 1), ("us", 2), ("eu", 99_999)],
        ["name", "is_active"],
    )
    assert [(r[0], r[1]) for r in rows] == [("eu", 1), ("us", 2)]
    assert isinstance(rows[0][3], bool)
    orders = asis.fetch_rows(
        "sales.orders_summary", ["order_id"], ["ORD-000000001", "ORD-000000004"], ["total"]
    )
    assert [r[0] for r in orders] == ["ORD-000000001", "ORD-000000004"]
    assert isinstance(orders[0][1], Decimal)
    with pytest.raises(ValueError):
        asis.fetch_rows("public.customers", ["region", "customer_no"], [("eu",)], ["name"])


# -- hashing ------------------------------------------------------------------------------------


def test_hash_of_text_matches_the_specification(asis: WarehouseConnector) -> None:
    cols = [Column("a", "character varying(64)"), Column("b", "character varying(64)")]
    expr = asis.hash_expr(cols)
    values = [("café ☕", None), ("", None), (None, ""), ("日本語", "🚀"), ("a", "b"), ("a\x01", "b")]
    for a, b in values:
        got = asis.query(
            f"SELECT {expr} FROM (SELECT CAST(%s AS VARCHAR) AS a, CAST(%s AS VARCHAR) AS b) t", [a, b]
        )
        assert got == [(expected_hash(a, b),)], (a, b)
    assert expected_hash("", None) != expected_hash(None, "") != expected_hash(None, None)


def test_null_and_empty_string_hash_differently(warehouse_schema: str, asis: WarehouseConnector) -> None:
    table = f"{warehouse_schema}.nulls"
    asis.query(f"CREATE TABLE {table} (id INTEGER, v VARCHAR(10))")
    asis.query(f"INSERT INTO {table} VALUES (1, NULL), (2, ''), (3, 'n'), (4, 'v')")
    expr = asis.hash_expr(asis.columns(table)[1:])
    hashes = [h for (h,) in asis.query(f"SELECT {expr} FROM {table} ORDER BY id")]
    assert len(set(hashes)) == 4


def _hashes(conn: WarehouseConnector, table: str, key: str, cols: list[Column]) -> dict:
    return dict(conn.query(f"SELECT {key}, {conn.hash_expr(cols)} FROM {table}"))


def test_same_rows_hash_alike_on_both_databases(
    asis: WarehouseConnector, tobe: WarehouseConnector, warehouse_seed: SeedReport
) -> None:
    cols = asis.columns(EVENTS)
    left, right = _hashes(asis, EVENTS, "event_id", cols), _hashes(tobe, EVENTS, "event_id", cols)
    assert all(0 <= h < 2**60 for h in left.values())
    changed = {k[0] for k in warehouse_seed.changed_keys()}
    assert {k for k in right if right[k] != left[k]} == changed
    assert len(set(left.values())) == len(left)  # no collisions among 50,000 rows


def test_rendering_is_stable_across_types_and_session_settings(
    warehouse: Warehouse, warehouse_schema: str, asis: WarehouseConnector
) -> None:
    table = f"{warehouse_schema}.typed"
    asis.query(
        f"CREATE TABLE {table} (id INTEGER, d2 DECIMAL(12,2), d4 DECIMAL(14,4), ts TIMESTAMP, tz TIMESTAMPTZ,"
        " day DATE, flag BOOLEAN, c CHAR(5))"
    )
    asis.query(
        f"INSERT INTO {table} VALUES (1, 1.50, 1.5000, '2026-01-02 03:04:05', '2026-01-02 03:04:05+00',"
        " '2026-01-02', TRUE, 'ab'), (2, 120.00, 12.0000, '2026-01-02 03:04:05.5', '2026-01-02 05:04:05+02',"
        " '2026-01-02', FALSE, 'ab   ')"
    )
    cols = {c.name: c for c in asis.columns(table)}

    def render(conn: WarehouseConnector, name: str) -> list:
        return [r[0] for r in conn.query(f"SELECT {conn.hash_expr([cols[name]])} FROM {table} ORDER BY id")]

    assert render(asis, "d2")[0] == render(asis, "d4")[0] == expected_hash("1.5")  # scale does not matter
    assert render(asis, "d2")[1] == expected_hash("120") != render(asis, "d4")[1] == expected_hash("12")
    assert render(asis, "ts") == [
        expected_hash("2026-01-02 03:04:05.000000"),
        expected_hash("2026-01-02 03:04:05.500000"),
    ]
    assert render(asis, "tz") == [expected_hash("2026-01-02 03:04:05.000000")] * 2
    assert render(asis, "day") == [expected_hash("2026-01-02")] * 2
    assert render(asis, "flag") == [expected_hash("1"), expected_hash("0")]
    assert render(asis, "c") == [expected_hash("ab")] * 2

    # Another session's DateStyle and time zone do not change the text that is hashed.
    with psycopg.connect(warehouse.dsn("asis"), autocommit=True) as raw:
        raw.execute("SET DateStyle = 'SQL, DMY'")
        raw.execute("SET TimeZone = 'America/New_York'")
        for name in ("ts", "tz", "day"):
            got = [
                r[0] for r in raw.execute(f"SELECT {asis.hash_expr([cols[name]])} FROM {table} ORDER BY id")
            ]
            assert got == render(asis, name), name


def test_redshift_expression_gives_the_same_hashes(warehouse: Warehouse, warehouse_seed: SeedReport) -> None:
    """Run the Redshift dialect's SQL on PostgreSQL, with STRTOL supplied as Redshift has it
    (base 16 suffices), in a private schema: both dialects must agree row for row."""
    cols = [Column("event_id", "bigint"), *WarehouseConnector(warehouse.dsn("asis")).columns(EVENTS)[1:]]
    with psycopg.connect(warehouse.dsn("asis"), autocommit=True) as raw:
        raw.execute("BEGIN")
        raw.execute("CREATE SCHEMA redshift_shim")
        raw.execute(
            "CREATE FUNCTION redshift_shim.strtol(t TEXT, base INTEGER) RETURNS BIGINT IMMUTABLE LANGUAGE sql"
            " AS $$ SELECT CAST(CAST('x' || LPAD(t, 16, '0') AS BIT(64)) AS BIGINT) $$"
        )
        raw.execute("SET LOCAL search_path = redshift_shim, public")
        query = f"SELECT {POSTGRESQL.hash_expr(cols)}, {REDSHIFT.hash_expr(cols)} FROM public.events"
        pairs = raw.execute(query).fetchall()
        sums = raw.execute(
            f"SELECT {POSTGRESQL.checksum_expr(cols)}, {REDSHIFT.checksum_expr(cols)} FROM public.events"
        ).fetchone()
        raw.execute("ROLLBACK")
    assert len(pairs) == 50_000 and all(a == b for a, b in pairs)
    assert sums[0] == sums[1] == sum(a for a, _ in pairs)
    assert "STRTOL(" in REDSHIFT.hash_expr(cols) and "DECIMAL(38,0)" in REDSHIFT.checksum_expr(cols)


# -- checksums and ranges -----------------------------------------------------------------------


def test_concurrent_calls_use_separate_connections(asis: WarehouseConnector) -> None:
    pids: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            # Each call holds its connection for the whole sleep: four at once need four backends.
            pids.append(asis.query("SELECT pg_backend_pid(), pg_sleep(0.3)")[0][0])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(pids)) == 4
    # Afterwards they wait in the pool for reuse.
    assert asis.query("SELECT pg_backend_pid()")[0][0] in pids


def test_identifiers_are_quoted(warehouse_schema: str, asis: WarehouseConnector) -> None:
    name = sql.Identifier(warehouse_schema, 'Odd "Name"').as_string()
    asis.query(f'CREATE TABLE {name} ("Key" INTEGER, "a b" VARCHAR(5))')
    asis.query(f"INSERT INTO {name} VALUES (1, 'x')")
    table = f'{warehouse_schema}."Odd ""Name"""'
    assert asis.count(table) == 1
    assert asis.fetch_rows(table, ["Key"], [1], ["a b"]) == [(1, "x")]
    dotted = sql.Identifier(warehouse_schema, "with.dot").as_string()
    asis.query(f"CREATE TABLE {dotted} (k INTEGER)")
    listed = asis.tables(warehouse_schema)
    assert f'{warehouse_schema}."with.dot"' in listed and all(asis.table_exists(t) for t in listed)


