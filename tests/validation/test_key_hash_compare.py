"""The full compare's key-hash first level (features/validation/bucketdiff.py over
connectors.warehouse_checksum's bucket queries), on the sandbox PostgreSQL: every key shape, in
both SQL dialects (Redshift's through a stand-in STRTOL, see test_compare_internals), and two
databases whose collations order the keys differently."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from connectors.warehouse import WarehouseConnector
from connectors.warehouse_checksum import BITMAP_FROM, TableChecksums
from features.validation.hashdiff import Tuning, full_compare
from features.validation.warehouse_backend import WarehouseBackend
from tests.validation.helpers import SMALL, changed_keys, warehouse_pair
from tests.validation.test_compare_internals import (  # noqa: F401  (a fixture, used by name)
    RecordingConnector,
    redshift_shim,
    sql_both,
)

ROWS = 3_000
HEX = "0123456789abcdef"
#: Key shapes: (key columns' DDL, each key column as an expression of the row number j).
SHAPES = {
    "text": ("k VARCHAR(24)", ("'k-' || LPAD(CAST(j AS TEXT), 7, '0')",)),
    "uuid": ("u UUID", ("CAST(MD5(CAST(j AS TEXT)) AS UUID)",)),
    "comp2": ("region VARCHAR(8), no BIGINT", ("(ARRAY['eu', 'us', 'apac'])[1 + j % 3]", "j")),
    "comp3": ("region VARCHAR(8), no INTEGER, day DATE",
              ("(ARRAY['eu', 'us'])[1 + j % 2]", "CAST(j / 100 AS INTEGER)", "DATE '2026-01-01' + CAST(j % 100 AS INTEGER)")),
    "date": ("d DATE", ("DATE '2000-01-01' + CAST(j AS INTEGER)",)),
    "ts": ("ts TIMESTAMP", ("TIMESTAMP '2026-01-01' + j * INTERVAL '1 second' + j * INTERVAL '1 microsecond'",)),
    "int": ("id BIGINT", ("j * 7",)),
}


def make_shape(warehouse, schema: str, shape: str) -> tuple[list[str], dict[str, list[str]]]:
    """A table of ROWS rows per side with planted differences; returns the key columns and the
    expected keys (as Ferry writes them) of each kind."""
    columns, exprs = SHAPES[shape]
    key = [c.split()[0] for c in columns.split(", ")]
    keys = ", ".join(f"{e} AS {c}" for e, c in zip(exprs, key, strict=True))
    ddl = (f"CREATE TABLE {schema}.t ({columns}, note VARCHAR(32), at TIMESTAMP, s VARCHAR(16), PRIMARY KEY ({', '.join(key)}));"
           f" CREATE FUNCTION {schema}.key_of(j BIGINT) RETURNS TABLE ({columns}) LANGUAGE sql AS $$ SELECT {', '.join(exprs)} $$;")
    fill = (f"INSERT INTO {schema}.t SELECT {keys}, CASE j % 4 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE 'café ' || j END,"
            f" TIMESTAMP '2026-01-01' + j * INTERVAL '1 minute', 's' || j FROM generate_series(CAST(1 AS BIGINT), {ROWS}) j;")
    match = " AND ".join(f"t.{c} = k.{c}" for c in key)

    def where(js: list[int]) -> str:
        return f"FROM {schema}.key_of_many(ARRAY{js}::BIGINT[]) k WHERE {match}"

    many = (f"CREATE FUNCTION {schema}.key_of_many(js BIGINT[]) RETURNS TABLE ({columns}) LANGUAGE sql AS"
            f" $$ SELECT k.* FROM unnest(js) j, {schema}.key_of(j) k $$;")
    missing, changed = [11, 500, 2999], [4, 5, 6, 7, 1200]
    extra = [ROWS + 1, ROWS + 50]
    drift = (f"DELETE FROM {schema}.t t USING {schema}.key_of_many(ARRAY{missing}::BIGINT[]) k WHERE {match};"
             f" INSERT INTO {schema}.t SELECT {keys}, 'new', NULL, 'x' FROM unnest(ARRAY{extra}::BIGINT[]) j;"
             f" UPDATE {schema}.t t SET note = '' {where([4])};"                                  # NULL -> ''
             f" UPDATE {schema}.t t SET note = NULL {where([5])};"                                # '' -> NULL
             f" UPDATE {schema}.t t SET note = 'cafe' || U&'\\0301' || ' 6' {where([6])};"         # decomposed é
             f" UPDATE {schema}.t t SET at = at + INTERVAL '1 microsecond' {where([7])};"        # 1 µs
             f" UPDATE {schema}.t t SET s = s || ' ' {where([1200])};")                          # trailing space
    sql_both(warehouse, ddl + many + fill, ddl + many + fill + drift)
    from features.validation.model import key_text

    expected = {}
    with psycopg.connect(warehouse.dsn("asis"), autocommit=True) as conn:
        for kind, js in (("missing", missing), ("extra", extra), ("changed", changed)):
            rows = conn.execute(f"SELECT * FROM {schema}.key_of_many(%s::BIGINT[])", [js]).fetchall()
            expected[kind] = sorted(key_text(tuple(r)) for r in rows)
    return key, expected


def found(result) -> dict[str, list[str]]:
    return {"missing": sorted(result.missing), "extra": sorted(result.extra), "changed": sorted(changed_keys(result))}


@pytest.mark.parametrize("dialect", ["postgresql", "redshift"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_key_shape_is_compared_exactly_by_key_hash(warehouse, warehouse_schema, redshift_shim, shape, dialect):  # noqa: F811
    key, expected = make_shape(warehouse, warehouse_schema, shape)
    table = f"{warehouse_schema}.t"
    conns = [redshift_shim(db, dialect) for db in ("asis", "tobe")]
    for tuning in (Tuning(first_level="hash"), replace(SMALL, first_level="hash")):
        a = WarehouseBackend(conns[0], "as-is", table, key, None, None)
        b = WarehouseBackend(conns[1], "to-be", table, key, None, None, columns_from=a)
        result = full_compare("t", a, b, tuning=tuning)
        assert found(result) == expected, (shape, dialect, tuning)
        assert result.stats["strategy"].startswith("key hash"), result.stats
        assert result.rows_asis == ROWS and result.rows_tobe == ROWS - 3 + 2
    # SMALL starts from 16 buckets of 1 hex digit: its differing buckets are split again.
    assert result.stats["levels"] >= 2
    bucket_sql = [q for q in conns[0].sent if "GROUP BY ferry_seg" in q]
    assert len(bucket_sql) >= 2
    # PostgreSQL plans the grouped levels without parallel workers (cheaper with many groups).
    grouped = [st for q, st in zip(conns[0].sent, conns[0].settings, strict=True) if "GROUP BY ferry_seg" in q]
    assert all(st == ({"max_parallel_workers_per_gather": "0"} if dialect == "postgresql" else None) for st in grouped)
    for q in bucket_sql:
        assert ("STRTOL(" in q) == (dialect == "redshift") and ("BIT(" in q) == (dialect == "postgresql"), q
        bucket = q.split(" AS ferry_seg")[0]
        if dialect == "postgresql":  # both sides PostgreSQL, same key types: its own hash of the values
            assert "extended(" in bucket and "MD5(" not in bucket and "COALESCE('v' ||" not in bucket, q
            assert "AS INT4" in q  # the grouped sum in by-value halves
        else:  # hex digits of the key's MD5
            assert "SUBSTRING(MD5(COALESCE('v' || " in bucket and "hashtextextended" not in q, q
        assert ("UNION ALL" in q) == (dialect == "postgresql")
    assert result.stats["strategy"].endswith("MD5(key)" if dialect == "redshift" else "PostgreSQL's own hash(key)")
    # Key ranges by quantiles (what HBase uses; forced here) find the same, UUID keys included
    # (PostgreSQL has no MIN(uuid): their ranges carry no smallest and largest key).
    if dialect == "postgresql":
        ranges = full_compare("t", WarehouseBackend(conns[0], "as-is", table, key, None, None),
                              WarehouseBackend(conns[1], "to-be", table, key, None, None),
                              tuning=replace(SMALL, first_level="ranges"))
        assert found(ranges) == expected and ranges.stats["strategy"].startswith("key ranges"), shape
    if shape != "int":  # the default picks the key hash for any key but one integer column
        a, b = warehouse_pair(warehouse, table, key)
        assert full_compare("t", a, b).stats["strategy"].startswith("key hash")
        a.close()
        b.close()


@pytest.mark.parametrize("dialect, key_hash", [("postgresql", "native64:text,int"), ("postgresql", "hash64"),
                                               ("postgresql", "md5"), ("redshift", "md5")])
def test_bucket_digests_and_rows_partition_the_table_alike(warehouse, warehouse_schema, redshift_shim,  # noqa: F811
                                                           dialect, key_hash):
    s = warehouse_schema
    sql_both(warehouse, f"CREATE TABLE {s}.b (region VARCHAR(8), no INTEGER, v TEXT);"
             f" INSERT INTO {s}.b SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE 'r' || i % 5 END, i, 'v' || i"
             f" FROM generate_series(1, 2000) i")
    cs = TableChecksums(redshift_shim("asis", dialect), f"{s}.b", ["region", "no"], ["v"])
    assert cs.bucket_hashes() == (("native64:text,int", "hash64", "md5") if dialect == "postgresql" else ("md5",))
    one = cs.bucket_digests(1, key_hash=key_hash)
    assert set(one) <= set(HEX) and sum(d[0] for d in one.values()) == 2000  # NULL keys too
    total = TableChecksums(redshift_shim("asis", "redshift"), f"{s}.b", ["region", "no"], ["v"]).bucket_digests(1)
    assert sum(d[1] for d in one.values()) == sum(d[1] for d in total.values())  # the same sum
    two = cs.bucket_digests(3, within=["0", "7"], within_digits=1, key_hash=key_hash)
    assert {b[0] for b in two} == {"0", "7"} and {len(b) for b in two} == {3}
    assert sum(d[0] for d in two.values()) == one["0"][0] + one["7"][0]
    assert sum(d[1] for d in two.values()) == one["0"][1] + one["7"][1]
    rows = cs.bucket_key_hashes(["0", "7"], 1, key_hash=key_hash)
    assert len(rows) == one["0"][0] + one["7"][0]
    assert sum(h for _, h in rows) == one["0"][1] + one["7"][1]
    assert len(cs.bucket_key_hashes(list(HEX), 1, limit=5, key_hash=key_hash)) == 5
    # Many buckets at once (past BITMAP_FROM: a bitmap on PostgreSQL's own hashes, not an IN list).
    for digits in (2, 4):
        each = cs.bucket_digests(digits, key_hash=key_hash)
        some = sorted(each)[::2][:BITMAP_FROM + 40]
        assert len(some) > BITMAP_FROM
        listed = cs.bucket_key_hashes(some, digits, key_hash=key_hash)
        assert len(listed) == sum(each[b][0] for b in some)
        assert sum(h for _, h in listed) == sum(each[b][1] for b in some)
        if digits == 2:
            finer = cs.bucket_digests(4, within=some, within_digits=2, key_hash=key_hash)
            assert {b[:2] for b in finer} == set(some)
            assert sum(d[1] for d in finer.values()) == sum(each[b][1] for b in some)
    # All of a hash's digits: a bucket is one key; the names above 7fff... (negative BIGINTs
    # for the 64-bit hashes) select their rows too.
    full = 32 if key_hash == "md5" else 16
    each = cs.bucket_digests(full, key_hash=key_hash)
    assert sum(d[0] for d in each.values()) == 2000 and {len(b) for b in each} == {full}
    high = sorted(b for b in each if b[0] in "89abcdef")[:40]
    assert len(cs.bucket_key_hashes(high, full, key_hash=key_hash)) == sum(each[b][0] for b in high)
    for digits, within, within_digits in ((0, (), 0), (full + 1, (), 0), (2, ["1"], 2), (2, ["A"], 1), (2, ["1'"], 1)):
        with pytest.raises(ValueError):
            cs.bucket_digests(digits, within, within_digits, key_hash=key_hash)
    if dialect == "redshift":
        with pytest.raises(ValueError, match="does not bucket by"):
            cs.bucket_digests(1, key_hash="hash64")
    with pytest.raises(ValueError, match="does not bucket by"):  # other key types: another hash
        cs.bucket_digests(1, key_hash="native64:uuid")


@pytest.mark.parametrize("asis_type, tobe_type, chosen", [
    ("INTEGER", "BIGINT", "PostgreSQL's own hash(key)"),   # a key widened by the migration
    ("VARCHAR(40)", "TEXT", "PostgreSQL's own hash(key)"),
    ("UUID", "VARCHAR(36)", "hashtextextended(key)"),        # same text, other types: the text's hash
])
def test_key_columns_of_other_types_on_each_side_are_bucketed_alike(warehouse, warehouse_schema, asis_type, tobe_type,
                                                                      chosen):
    s = warehouse_schema
    value = "CAST(MD5(CAST(i AS TEXT)) AS UUID)" if "UUID" in (asis_type, tobe_type) else "i"
    for db, type_, drop in (("asis", asis_type, ""), ("tobe", tobe_type, " DELETE FROM {s}.k WHERE n = 7;")):
        with psycopg.connect(warehouse.dsn(db), autocommit=True) as conn:
            conn.execute(f"CREATE TABLE {s}.k (id {type_} PRIMARY KEY, n INTEGER);"
                         f" INSERT INTO {s}.k SELECT CAST({value} AS {type_}), i FROM generate_series(1, 500) i;"
                         + drop.format(s=s))
    a, b = warehouse_pair(warehouse, f"{s}.k", ["id"])
    result = full_compare("k", a, b, tuning=Tuning(first_level="hash"))
    assert result.stats["strategy"].endswith(chosen) and result.n_missing == 1 and not result.changed, result.stats
    a.close()
    b.close()


def test_a_postgresql_side_and_a_redshift_side_bucket_by_md5(warehouse, warehouse_schema, redshift_shim):  # noqa: F811
    key, expected = make_shape(warehouse, warehouse_schema, "text")
    table = f"{warehouse_schema}.t"
    a = WarehouseBackend(redshift_shim("asis", "postgresql"), "as-is", table, key, None, None)
    b = WarehouseBackend(redshift_shim("tobe", "redshift"), "to-be", table, key, None, None, columns_from=a)
    result = full_compare("t", a, b, tuning=Tuning(first_level="hash"))
    assert found(result) == expected and result.stats["strategy"].endswith("MD5(key)")


# -- two databases, two collations --------------------------------------------------------------


@pytest.fixture(scope="module")
def en_us_locale() -> Iterator[Path]:
    """en_US.UTF-8 compiled from the system's locale sources into a directory of our own (the
    machine has only C and C.UTF-8); a PostgreSQL started with LOCPATH pointing there can use it.
    Not under pytest's tmp_path: PostgreSQL runs as another user, who cannot enter that."""
    where = Path(tempfile.mkdtemp(prefix="ferry-locales-"))
    where.chmod(0o755)
    done = subprocess.run(["localedef", "-i", "en_US", "-f", "UTF-8", str(where / "en_US.UTF-8")],
                          capture_output=True, text=True, check=False)
    if not (where / "en_US.UTF-8").is_dir():
        pytest.skip(f"localedef could not build en_US.UTF-8: {done.stderr.strip()[-300:]}")
    for path in [where, *where.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield where
    shutil.rmtree(where, ignore_errors=True)


KEYS = ["a", "A", "b", "B", "_x", "x_", "Z", "z", "a b", "ab", "é", "e", "f", "ä", "1", "10", "9", "-1", "a-c", "ac"]
TEXT_KEYS = [f"{k}{n}" if n else k for n in ("", "x", "Y", " 7") for k in KEYS]


def test_two_databases_whose_collations_order_the_keys_differently(warehouse_factory, en_us_locale, monkeypatch,
                                                                   tmp_path):
    monkeypatch.setenv("LOCPATH", str(en_us_locale))
    wh = warehouse_factory()
    with psycopg.connect(wh.dsn("postgres"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE coll_en TEMPLATE template0 ENCODING 'UTF8' LOCALE 'en_US.UTF-8'")
        conn.execute("CREATE DATABASE coll_c TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'")
    values = ", ".join(f"('{k}', {i})" for i, k in enumerate(TEXT_KEYS))
    ddl = f"CREATE TABLE public.t (k VARCHAR(16) PRIMARY KEY, v INTEGER); INSERT INTO public.t VALUES {values};"
    drift = ("DELETE FROM public.t WHERE k IN ('B', 'ä 7', 'ab'); UPDATE public.t SET v = -1 WHERE k IN ('_x', 'Zx');"
             " INSERT INTO public.t VALUES ('a_', 1), ('Ä', 2)")
    orders = {}
    for db, text in (("coll_en", ddl), ("coll_c", ddl + drift)):
        with psycopg.connect(wh.dsn(db), autocommit=True) as conn:
            conn.execute(text)
            orders[db] = [r[0] for r in conn.execute("SELECT k FROM public.t ORDER BY k").fetchall()]
    common = [k for k in orders["coll_en"] if k in set(orders["coll_c"])]
    assert common != [k for k in orders["coll_c"] if k in set(orders["coll_en"])]  # the orders differ
    expected = {"missing": sorted(["B", "ä 7", "ab"]), "extra": sorted(["a_", "Ä"]), "changed": sorted(["_x", "Zx"])}
    for tuning in (Tuning(), SMALL):
        a = WarehouseBackend(WarehouseConnector(wh.dsn("coll_en")), "as-is", "public.t", ["k"], None, None)
        b = WarehouseBackend(WarehouseConnector(wh.dsn("coll_c")), "to-be", "public.t", ["k"], None, None, columns_from=a)
        result = full_compare("t", a, b, tuning=tuning)
        assert found(result) == expected, tuning
        assert result.stats["strategy"].startswith("key hash")
        a.close()
        b.close()
    # What the key hash is for: key ranges cut on one side mean other rows on the other.
    a = WarehouseBackend(WarehouseConnector(wh.dsn("coll_en")), "as-is", "public.t", ["k"], None, None)
    b = WarehouseBackend(WarehouseConnector(wh.dsn("coll_c")), "to-be", "public.t", ["k"], None, None, columns_from=a)
    ranges = full_compare("t", a, b, tuning=replace(SMALL, first_level="ranges"))
    assert found(ranges) != expected and len(ranges.missing) > len(expected["missing"])
    a.close()
    b.close()


def test_duplicated_text_keys_by_key_hash(warehouse, warehouse_schema):
    """No key constraint (as on Redshift): a key twice is a duplicate, not a change, whatever
    bucket it falls in; the counts stay exact when everything else agrees."""
    s = warehouse_schema
    ddl = f"CREATE TABLE {s}.d (k VARCHAR(16), v INTEGER);"
    fill = (f"INSERT INTO {s}.d SELECT 'id-' || i, i FROM generate_series(1, 2000) i;"
            f" INSERT INTO {s}.d VALUES ('id-7', 7);")
    sql_both(warehouse, ddl + fill, ddl + fill + f"INSERT INTO {s}.d VALUES ('id-5', 5); UPDATE {s}.d SET v = 0"
             f" WHERE k = 'id-1500'; DELETE FROM {s}.d WHERE k = 'id-1999'")
    a, b = warehouse_pair(warehouse, f"{s}.d", ["k"])
    for tuning in (Tuning(), SMALL):
        r = full_compare("d", a, b, tuning=tuning)
        assert {(d.key, d.asis, d.tobe) for d in r.duplicates} == {("id-5", 1, 2), ("id-7", 2, 2)}, tuning
        assert (r.missing, r.extra, changed_keys(r)) == (["id-1999"], [], {"id-1500": ["v"]}), tuning
        assert r.stats["strategy"].startswith("key hash")
    a.close()
    b.close()


def test_tuning_of_the_first_level_is_checked():
    assert (Tuning().first_level, Tuning().bucket_digits) == ("auto", 4)
    for bad in ({"first_level": "quantiles"}, {"bucket_digits": 0}, {"bucket_digits": 5},
                {"row_level_threshold": 100, "rows_per_fetch": 100, "bucket_rows_per_fetch": 50}):
        with pytest.raises(ValueError):
            Tuning(**bad)


def test_a_sides_catalog_is_read_once_when_threads_ask_for_it_together(warehouse, warehouse_schema):  # noqa: F811
    """A compare's side thread and its duplicate-key check both need the side's TableChecksums
    at the start: one of them reads the catalog, the other waits for that answer."""
    s = warehouse_schema
    sql_both(warehouse, f"CREATE TABLE {s}.once (k TEXT PRIMARY KEY, v TEXT)")

    class CountingConnector(WarehouseConnector):
        reads = 0

        def columns(self, schema_table: str):  # type: ignore[no-untyped-def]
            CountingConnector.reads += 1
            return super().columns(schema_table)

    conn = CountingConnector(warehouse.dsn("asis"))
    side = WarehouseBackend(conn, "as-is", f"{s}.once", ["k"], None, None)
    start = threading.Barrier(8)

    def ask() -> object:
        start.wait()
        return side.cs

    with ThreadPoolExecutor(8) as pool:
        seen = list(pool.map(lambda _: ask(), range(8)))
    assert CountingConnector.reads == 1  # column_names() and TableChecksums share one answer
    assert all(x is seen[0] for x in seen) and seen[0].columns == ["v"]
    conn.close()
