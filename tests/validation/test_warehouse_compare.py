"""Count, sample and full compare on PostgreSQL (the Redshift stand-in): the seeded drift, and
every correctness case of the issue."""

from __future__ import annotations

import psycopg
import pytest

from connectors.warehouse import WarehouseConnector
from connectors.warehouse_checksum import TableChecksums
from features.validation.hashdiff import full_compare
from sandbox.warehouse import Warehouse
from tests.validation.helpers import SMALL, changed_keys, run_all, warehouse_pair


def sql_both(warehouse: Warehouse, asis: str, tobe: str | None = None) -> None:
    for db, text in (("asis", asis), ("tobe", asis if tobe is None else tobe)):
        with psycopg.connect(warehouse.dsn(db), autocommit=True) as conn:
            conn.execute(text)


def test_seeded_drift_is_found_exactly_by_count_sample_and_full(warehouse, warehouse_seed):
    checks = run_all(*warehouse_pair(warehouse, "public.events", ["event_id"]), table="events")
    assert checks.count.rows_asis == warehouse_seed.rows["asis"]["public.events"]
    assert checks.count.difference == -len(warehouse_seed.missing_keys())
    expected_missing = sorted(str(k[0]) for k in warehouse_seed.missing_keys())
    expected_changed = {str(c.key[0]): [c.column] for c in warehouse_seed.changed if c.table == "public.events"}
    for result in checks.compares():
        assert sorted(result.missing) == expected_missing, result.check
        assert result.extra == [] and result.duplicates == []
        assert changed_keys(result) == expected_changed
    assert checks.full.stats["strategy"].startswith("integer grid")
    # Composite and text keys of the other seeded tables agree.
    for table, key in (("public.customers", ["region", "customer_no"]), ("sales.orders_summary", ["order_id"])):
        a, b = warehouse_pair(warehouse, table, key)
        assert full_compare(table, a, b, tuning=SMALL).passed
        a.close()
        b.close()


def test_correctness_values(warehouse, warehouse_schema):
    s = warehouse_schema
    ddl = (f"CREATE TABLE {s}.v (id INTEGER PRIMARY KEY, s VARCHAR(64), d DECIMAL(12,4), ts TIMESTAMP,"
           f" tz TIMESTAMPTZ, u VARCHAR(64))")
    rows = """(1, NULL, 1.0000, '2026-01-01 00:00:00', '2026-01-01 00:00:00+00', 'a'),
              (2, 'café ☕', 1.0000, '2026-01-01 00:00:00', '2026-01-01 00:00:00+00', 'a'),
              (3, 'x', 1.5000, '2026-01-01 00:00:00', '2026-01-01 00:00:00+00', 'a'),
              (4, 'x', 1.2345, '2026-01-01 00:00:00', '2026-01-01 00:00:00+00', 'a'),
              (5, 'x', 1.0000, '2026-01-01 00:00:00.000001', '2026-01-01 00:00:00+00', 'a'),
              (6, 'x', 1.0000, '2026-01-01 00:00:00', '2026-01-01 01:00:00+01', '日本語 Zoë'),
              (7, 'x', 1.0000, '2026-01-01 00:00:00', '2026-01-01 00:00:00+00', NULL)"""
    tobe_ddl = ddl.replace("DECIMAL(12,4)", "DECIMAL(14,2)")  # another scale: 1.5000 = 1.50, 1.2345 -> 1.23
    tobe_rows = (rows.replace("(1, NULL", "(1, ''").replace("'café ☕'", "'cafe ☕'")
                 .replace("00:00:00.000001", "00:00:00").replace("01:00:00+01', '日本語 Zoë'", "00:00:00+00', '日本語 Zoë'")
                 .replace("(7, 'x', 1.0000, '2026-01-01 00:00:00', '2026-01-01 00:00:00+00', NULL)",
                          "(7, 'x', 1.0000, '2026-01-01 00:00:00', '2026-01-01 00:00:00+00', NULL)"))
    sql_both(warehouse, f"{ddl}; INSERT INTO {s}.v VALUES {rows}", f"{tobe_ddl}; INSERT INTO {s}.v VALUES {tobe_rows}")
    checks = run_all(*warehouse_pair(warehouse, f"{s}.v", ["id"]))
    assert checks.count.passed
    for result in checks.compares():
        # NULL vs '' (1), unicode (2), DECIMAL precision lost (4), a microsecond (5); 1.5000 = 1.50 (3),
        # the same instant in another zone (6) and NULL = NULL (7) agree.
        assert changed_keys(result) == {"1": ["s"], "2": ["s"], "4": ["d"], "5": ["ts"]}, result.check
        assert not result.missing and not result.extra
    change = {c.key: c for c in checks.full.changed}
    assert change["1"].asis == {"s": "NULL"} and change["1"].tobe == {"s": "''"}
    assert change["2"].asis == {"s": "'café ☕'"}


def test_text_keys(warehouse, warehouse_schema):
    s = warehouse_schema
    keys = [f"k{i:05d}" for i in range(600)] + ["ä-umlaut", "日本", "Z-upper", "a b"]
    values = ", ".join(f"('{k}', {i})" for i, k in enumerate(keys))
    sql_both(warehouse, f"CREATE TABLE {s}.t (k VARCHAR(32) PRIMARY KEY, v INTEGER); INSERT INTO {s}.t VALUES {values};",
             f"CREATE TABLE {s}.t (k VARCHAR(32) PRIMARY KEY, v INTEGER); INSERT INTO {s}.t VALUES {values};"
             f"DELETE FROM {s}.t WHERE k IN ('日本', 'k00300'); UPDATE {s}.t SET v = -1 WHERE k = 'ä-umlaut';"
             f"INSERT INTO {s}.t VALUES ('k00300x', 1)")
    checks = run_all(*warehouse_pair(warehouse, f"{s}.t", ["k"]))
    for result in checks.compares():
        assert sorted(result.missing) == ["k00300", "日本"] and result.extra == ["k00300x"], result.check
        assert changed_keys(result) == {"ä-umlaut": ["v"]}
    assert checks.full_small.stats["levels"] >= 2


def test_composite_keys(warehouse, warehouse_schema):
    s = warehouse_schema
    values = ", ".join(f"('{r}', {n}, DATE '2026-01-01' + {n % 30}, 'v{n}')" for r in ("eu", "us", "apac")
                       for n in range(200))
    ddl = f"CREATE TABLE {s}.c (region VARCHAR(8), no INTEGER, day DATE, v VARCHAR(16), PRIMARY KEY (region, no, day));"
    sql_both(warehouse, f"{ddl} INSERT INTO {s}.c VALUES {values};",
             f"{ddl} INSERT INTO {s}.c VALUES {values}; DELETE FROM {s}.c WHERE region = 'us' AND no = 150;"
             f" UPDATE {s}.c SET v = 'changed' WHERE region = 'apac' AND no = 7;"
             f" INSERT INTO {s}.c VALUES ('eu', 7, DATE '2027-01-01', 'new')")
    checks = run_all(*warehouse_pair(warehouse, f"{s}.c", ["region", "no", "day"]))
    for result in checks.compares():
        assert result.missing == ["us|150|2026-01-01"], result.check
        assert result.extra == ["eu|7|2027-01-01"]
        assert changed_keys(result) == {"apac|7|2026-01-08": ["v"]}


def test_large_gaps_in_the_key_space(warehouse, warehouse_schema):
    s = warehouse_schema
    ddl = f"CREATE TABLE {s}.g (id BIGINT PRIMARY KEY, v INTEGER);"
    fill = (f"INSERT INTO {s}.g SELECT i, i FROM generate_series(1, 2000) i;"
            f" INSERT INTO {s}.g SELECT 1000000000000000 + i, i FROM generate_series(1, 2000) i;")
    sql_both(warehouse, ddl + fill, ddl + fill + f"DELETE FROM {s}.g WHERE id IN (1500, 1000000000001999);"
             f" UPDATE {s}.g SET v = 0 WHERE id = 1000000000000003; INSERT INTO {s}.g VALUES (500000000000, 1)")
    checks = run_all(*warehouse_pair(warehouse, f"{s}.g", ["id"]))
    for result in checks.compares():
        assert sorted(result.missing) == ["1000000000001999", "1500"], result.check
        assert result.extra == ["500000000000"] and changed_keys(result) == {"1000000000000003": ["v"]}


def test_duplicate_keys_are_reported_as_such(warehouse, warehouse_schema):
    s = warehouse_schema
    ddl = f"CREATE TABLE {s}.d (id INTEGER, v VARCHAR(8));"  # no primary key, as on Redshift
    fill = f"INSERT INTO {s}.d SELECT i, 'v' FROM generate_series(1, 100) i; INSERT INTO {s}.d VALUES (7, 'v');"
    sql_both(warehouse, ddl + fill, ddl + fill + f"INSERT INTO {s}.d VALUES (5, 'v')")
    checks = run_all(*warehouse_pair(warehouse, f"{s}.d", ["id"]))
    assert checks.count.difference == 1
    for result in (checks.full, checks.full_small):
        assert {(d.key, d.asis, d.tobe) for d in result.duplicates} == {("5", 1, 2), ("7", 2, 2)}
        assert result.n_duplicates == 2 and not result.missing and not result.extra and not result.changed
    assert [(d.key, d.asis, d.tobe) for d in checks.sample.duplicates] == [("5", 1, 2), ("7", 2, 2)]


def test_empty_tables_and_one_empty_side(warehouse, warehouse_schema):
    s = warehouse_schema
    sql_both(warehouse, f"CREATE TABLE {s}.e (id INTEGER PRIMARY KEY, v TEXT)")
    checks = run_all(*warehouse_pair(warehouse, f"{s}.e", ["id"]))
    assert checks.count.passed and all(r.passed for r in checks.compares())
    sql_both(warehouse, f"INSERT INTO {s}.e SELECT i, 'x' FROM generate_series(1, 2500) i", "SELECT 1")
    checks = run_all(*warehouse_pair(warehouse, f"{s}.e", ["id"]))
    assert checks.count.difference == -2500
    assert checks.full.n_missing == 2500 and len(checks.full.missing) == 2500 and checks.full.rows_tobe == 0


def test_a_table_missing_on_one_side_is_a_finding(warehouse, warehouse_schema):
    s = warehouse_schema
    sql_both(warehouse, f"CREATE TABLE {s}.m (id INTEGER PRIMARY KEY, v TEXT)", "SELECT 1")
    checks = run_all(*warehouse_pair(warehouse, f"{s}.m", ["id"]))
    assert checks.count.rows_tobe is None and checks.count.findings[0].side == "to-be"
    for result in checks.compares():
        assert not result.passed and result.findings[0].side == "to-be" and "missing on TO-BE" in result.summary()


def test_a_column_missing_on_one_side_is_a_finding(warehouse, warehouse_schema):
    s = warehouse_schema
    sql_both(warehouse, f"CREATE TABLE {s}.n (id INTEGER PRIMARY KEY, v TEXT, w TEXT)",
             f"CREATE TABLE {s}.n (id INTEGER PRIMARY KEY, v TEXT)")
    checks = run_all(*warehouse_pair(warehouse, f"{s}.n", ["id"]))
    for result in checks.compares():
        assert not result.passed and "'w' does not exist" in result.summary()


def test_filter_leaves_rows_out(warehouse, warehouse_schema):
    s = warehouse_schema
    ddl = f"CREATE TABLE {s}.f (id INTEGER PRIMARY KEY, v INTEGER);"
    sql_both(warehouse, ddl + f"INSERT INTO {s}.f SELECT i, i FROM generate_series(1, 50) i",
             ddl + f"INSERT INTO {s}.f SELECT i, i FROM generate_series(1, 40) i")
    checks = run_all(*warehouse_pair(warehouse, f"{s}.f", ["id"], where="id <= 40"))
    assert checks.count.rows_asis == 40 and all(r.passed for r in checks.compares())


@pytest.mark.parametrize("dialect", ["postgresql", "redshift"])
def test_pushed_down_sql_uses_functions_both_engines_have(warehouse, warehouse_seed, dialect):
    """The SQL sent for checksums, quantiles and samples: MD5 and standard SQL only (Redshift's
    dialect swaps the BIT(60) cast for STRTOL; both hash a row to the same number)."""
    conn = WarehouseConnector(warehouse.dsn("asis"), dialect=dialect)
    cs = TableChecksums(conn, "public.events", ["event_id"], ["amount", "payload", "created_at"])
    captured: list[str] = []
    real = conn.query
    conn.query = lambda q, params=None, settings=None: captured.append(q.as_string(None)) or (real(q, settings=settings) if dialect == "postgresql" else [])
    cs.grid_digests(0, 10**9, 8)
    cs.range_digests([(None, (2_000_000,)), ((2_000_000,), None)])
    cs.quantiles(None, None, 50_000, 4)
    cs.cut_points(8, 64)
    cs.sample_keys(5, 1)
    text = " ".join(captured)
    for pg_only in ("width_bucket", "hashtext", "::bit", "ntile", "tablesample", "setseed", "array_agg"):
        assert pg_only not in text.lower()
    assert ("STRTOL(" in text) == (dialect == "redshift") and "MD5(" in text
    conn.close()


def test_everything_differs_counts_stay_exact_and_lists_bounded(warehouse, warehouse_schema, monkeypatch):
    from features.validation import hashdiff, model

    monkeypatch.setattr(model, "MAX_LISTED", 100)
    monkeypatch.setattr(hashdiff, "MAX_LISTED", 100)
    monkeypatch.setattr(hashdiff, "MAX_RANGES_PER_LEVEL", 64)  # many small rounds, depth first
    s = warehouse_schema
    ddl = f"CREATE TABLE {s}.x (k VARCHAR(16) PRIMARY KEY, v INTEGER);"
    sql_both(warehouse, ddl + f"INSERT INTO {s}.x SELECT 'k' || LPAD(i::text, 6, '0'), i FROM generate_series(1, 3000) i",
             ddl + f"INSERT INTO {s}.x SELECT 'k' || LPAD(i::text, 6, '0'), -i FROM generate_series(1, 3000) i")
    a, b = warehouse_pair(warehouse, f"{s}.x", ["k"])
    result = full_compare("x", a, b, tuning=SMALL)
    assert result.n_changed == 3000 and len(result.changed) == 100 and result.truncated
    assert result.n_missing == result.n_extra == 0
    a.close()
    b.close()


def test_seeded_text_keyed_drift_is_found_exactly_by_count_sample_and_full(warehouse, warehouse_seed):
    """public.sessions: a text key whose ids collations order differently; 2 rows missing, 1 extra,
    4 changed by NULL vs '', a decomposed accent, a trailing space and one microsecond."""
    table = "public.sessions"
    checks = run_all(*warehouse_pair(warehouse, table, ["session_id"]), table="sessions")
    assert checks.count.rows_asis == warehouse_seed.rows["asis"][table] == 3_000
    assert checks.count.difference == len(warehouse_seed.extra_keys(table)) - len(warehouse_seed.missing_keys(table)) == -1
    expected_changed = {c.key[0]: [c.column] for c in warehouse_seed.changed if c.table == table}
    assert sorted(expected_changed.values()) == [["device"], ["note"], ["note"], ["started_at"]]
    for result in checks.compares():
        assert sorted(result.missing) == sorted(k[0] for k in warehouse_seed.missing_keys(table)), result.check
        assert sorted(result.extra) == sorted(k[0] for k in warehouse_seed.extra_keys(table)), result.check
        assert changed_keys(result) == expected_changed, result.check
    assert checks.full.stats["strategy"].startswith("key hash")
    assert len(warehouse_seed.missing_keys(table)) == 2 and len(warehouse_seed.extra_keys(table)) == 1
