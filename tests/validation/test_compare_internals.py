"""The full compare's internals added in 6d1c036, de8101f and b2e1326, each against the real
sandbox servers: `Backend.key_hashes`, `Backend.grid_digests(..., cells=)`, `Digest.chunks` and
`hashdiff.narrow`, `Tuning.first_level_parts`, and the grouped checksum query's two shapes
(PostgreSQL: a UNION ALL with an empty branch; Redshift: a plain subquery).

The Redshift dialect's SQL is also run, on the sandbox PostgreSQL: a test schema gets a
`strtol(text, 16)` of its own (Redshift's function, written with PostgreSQL's BIT cast inside
the function, where the generated SQL never sees it), so both dialects' digests can be compared.
"""

from __future__ import annotations

import bisect
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from connectors.hbase import HBaseConnector
from connectors.warehouse import WarehouseConnector
from features.validation import hbase_backend
from features.validation.backend import EMPTY, Digest, KeyRange
from features.validation.hashdiff import Tuning, full_compare, narrow
from features.validation.warehouse_backend import WarehouseBackend
from sandbox.warehouse import Warehouse
from tests.validation.helpers import changed_keys, hbase_pair, warehouse_pair

# -- shared helpers ------------------------------------------------------------------------------


def sql_both(warehouse: Warehouse, asis: str, tobe: str | None = None) -> None:
    for db, text in (("asis", asis), ("tobe", asis if tobe is None else tobe)):
        with psycopg.connect(warehouse.dsn(db), autocommit=True) as conn:
            conn.execute(text)


class RecordingConnector(WarehouseConnector):
    """The real connector; it also keeps the text of every statement it was asked to run."""

    def __init__(self, dsn: str, **kwargs: Any) -> None:
        super().__init__(dsn, **kwargs)
        self.sent: list[str] = []
        self.settings: list[dict[str, str] | None] = []  # each statement's SET LOCALs

    def query(self, sql_text: str | sql.Composable, params: Any = None, *,
              settings: dict[str, str] | None = None) -> list[tuple]:
        self.sent.append(sql_text if isinstance(sql_text, str) else sql_text.as_string(None))
        self.settings.append(settings)
        return super().query(sql_text, params, settings=settings)


STRTOL = """CREATE FUNCTION {schema}.strtol(text, integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN $2 = 16 THEN CAST(CAST('x' || LPAD($1, 16, '0') AS BIT(64)) AS BIGINT) END $$"""


def dialect_dsn(warehouse: Warehouse, db: str, schema: str) -> str:
    """The database's DSN with the test schema first on the search path (its `strtol`)."""
    return warehouse.dsn(db) + "?options=" + quote(f"-c search_path={schema},public")


@pytest.fixture
def redshift_shim(warehouse: Warehouse, warehouse_schema: str) -> Iterator[Callable[[str, str], RecordingConnector]]:
    """`connect(db, dialect)`: a recording connector speaking `dialect` to the sandbox database,
    where Redshift's STRTOL exists (in the test's schema)."""
    for db in warehouse.databases:
        with psycopg.connect(warehouse.dsn(db), autocommit=True) as conn:
            conn.execute(STRTOL.format(schema=warehouse_schema))
    made: list[RecordingConnector] = []

    def connect(db: str, dialect: str) -> RecordingConnector:
        conn = RecordingConnector(dialect_dsn(warehouse, db, warehouse_schema), dialect=dialect)
        made.append(conn)
        return conn

    yield connect
    for conn in made:
        conn.close()


def by_range(pairs: Sequence[tuple[Any, int]], ranges: Sequence[KeyRange]) -> list[tuple[int, int]]:
    """(rows, sum of hashes) of each range, from (key, hash) pairs: a Digest's two numbers."""
    out = [[0, 0] for _ in ranges]
    for key, h in pairs:
        inside = [i for i, r in enumerate(ranges) if (r.lo is None or key >= r.lo) and (r.hi is None or key < r.hi)]
        assert len(inside) == 1, f"{key!r} is in {len(inside)} of the ranges asked for"
        out[inside[0]][0] += 1
        out[inside[0]][1] += h
    return [(n, s) for n, s in out]


# -- key_hashes ----------------------------------------------------------------------------------


def test_warehouse_key_hashes_are_the_rows_of_the_ranges(warehouse, warehouse_schema):
    s = warehouse_schema
    ddl = f"CREATE TABLE {s}.k (id INTEGER PRIMARY KEY, s VARCHAR(16), v INTEGER);"
    fill = f"INSERT INTO {s}.k SELECT i, CASE WHEN i = 20 THEN NULL ELSE 's' || i END, i FROM generate_series(1, 3000) i;"
    sql_both(warehouse, ddl + fill, ddl + fill + f"UPDATE {s}.k SET v = -1 WHERE id = 10;"
             f" UPDATE {s}.k SET s = '' WHERE id = 20; DELETE FROM {s}.k WHERE id = 30;"
             f" INSERT INTO {s}.k VALUES (3001, 's3001', 3001)")
    a, b = warehouse_pair(warehouse, f"{s}.k", ["id"])
    ranges = [KeyRange(None, (5,)), KeyRange((10,), (21,)), KeyRange((29,), (31,)), KeyRange((2990,), None)]
    ka, kb = a.key_hashes(ranges), b.key_hashes(ranges)
    wanted = [*range(1, 5), *range(10, 21), 29, 30, *range(2990, 3001)]
    assert sorted(k for k, _ in ka) == [(i,) for i in wanted]
    assert sorted(k for k, _ in kb) == [(i,) for i in wanted if i != 30] + [(3001,)]
    assert all(isinstance(k, tuple) and isinstance(h, int) and 0 <= h < 2**60 for k, h in ka + kb)
    # The same numbers the warehouse sums into its digests, and what rows() gives.
    assert by_range(ka, ranges) == [(d.rows, d.checksum) for d in a.digests(ranges)]
    assert by_range(kb, ranges) == [(d.rows, d.checksum) for d in b.digests(ranges)]
    assert sorted(ka) == sorted((r.key, r.hash) for r in a.rows(ranges, with_values=False))
    # Equal rows hash equal on both sides; a changed value and NULL vs '' do not.
    ha, hb = dict(ka), dict(kb)
    assert {k for k in ha.keys() & hb.keys() if ha[k] != hb[k]} == {(10,), (20,)}
    # More ranges than one query holds (MAX_SEGMENTS_PER_QUERY = 2,048): every odd key, one range each.
    odd = [KeyRange((i,), (i + 1,)) for i in range(1, 4400, 2)]
    assert sorted(k for k, _ in a.key_hashes(odd)) == [(i,) for i in range(1, 3001, 2)]
    assert a.key_hashes([KeyRange((5000,), None)]) == []
    # Under a filter: only the rows it keeps, with the same hashes.
    fa, fb = warehouse_pair(warehouse, f"{s}.k", ["id"], where="v % 2 = 0")
    kept = fa.key_hashes(ranges)
    assert sorted(kept) == sorted(p for p in ka if p[0][0] % 2 == 0)
    assert sorted(k for k, _ in fb.key_hashes(ranges)) == [(i,) for i in wanted if i % 2 == 0 and i not in (10, 30)]
    for backend in (a, b, fa, fb):
        backend.close()


def test_warehouse_key_hashes_of_a_composite_key_repeat_a_duplicated_key(warehouse, warehouse_schema):
    s = warehouse_schema
    ddl = f"CREATE TABLE {s}.c (region VARCHAR(8), no INTEGER, v VARCHAR(8));"  # no key constraint: Redshift
    fill = (f"INSERT INTO {s}.c SELECT r, n, 'v' || n FROM (VALUES ('eu'), ('us')) x(r), generate_series(0, 9) n;"
            f" INSERT INTO {s}.c VALUES ('eu', 3, 'v3');")
    sql_both(warehouse, ddl + fill, ddl + fill + f"UPDATE {s}.c SET v = 'w' WHERE region = 'us' AND no = 7")
    a, b = warehouse_pair(warehouse, f"{s}.c", ["region", "no"])
    ranges = [KeyRange(("eu", 2), ("eu", 5)), KeyRange(("us", 6), None)]
    ka, kb = a.key_hashes(ranges), b.key_hashes(ranges)
    wanted = Counter([("eu", 2), ("eu", 3), ("eu", 3), ("eu", 4), ("us", 6), ("us", 7), ("us", 8), ("us", 9)])
    assert Counter(k for k, _ in ka) == wanted == Counter(k for k, _ in kb)
    assert len({h for k, h in ka if k == ("eu", 3)}) == 1  # the same row twice: the same hash twice
    assert by_range(ka, ranges) == [(d.rows, d.checksum) for d in a.digests(ranges)]
    assert sorted(set(ka) ^ set(kb)) == sorted(p for p in set(ka) | set(kb) if p[0] == ("us", 7))
    a.close()
    b.close()


def test_hbase_key_hashes_are_the_rows_of_the_ranges(hbase_server_factory):
    server = hbase_server_factory()
    rows = [(b"k%04d" % i, {b"d:v": b"%d" % i, b"d:w": b"x"}) for i in range(400)]
    server.load_table("a", ["d"], rows, [b"k0200"])
    tobe = [(k, {**c, b"d:v": b"changed"} if k == b"k0105" else c) for k, c in rows if k != b"k0110"]
    server.load_table("b", ["d"], tobe + [(b"k0107x", {b"d:v": b"new"})], [b"k0100", b"k0300"], timestamp=7)
    a, b = hbase_pair(server, "a", server, "b")
    ranges = [KeyRange(None, b"k0003"), KeyRange(b"k0100", b"k0120"), KeyRange(b"k0395", None)]
    ka, kb = a.key_hashes(ranges), b.key_hashes(ranges)
    wanted = [b"k%04d" % i for i in [*range(3), *range(100, 120), *range(395, 400)]]
    assert sorted(k for k, _ in ka) == wanted
    assert sorted(k for k, _ in kb) == sorted([k for k in wanted if k != b"k0110"] + [b"k0107x"])
    assert by_range(ka, ranges) == [(d.rows, d.checksum) for d in a.digests(ranges)]
    assert by_range(kb, ranges) == [(d.rows, d.checksum) for d in b.digests(ranges)]
    ha, hb = dict(ka), dict(kb)
    # Other cell timestamps and other regions on TO-BE: equal rows still hash equal.
    assert {k for k in ha.keys() & hb.keys() if ha[k] != hb[k]} == {b"k0105"}
    a.close()
    b.close()


# -- grid_digests(cells=) ------------------------------------------------------------------------

GRID = (100, 37, 100)  # base, width, segments: keys 100 .. 3,799; the table holds -50 .. 5,000


@pytest.mark.parametrize("dialect", ["postgresql", "redshift"])
@pytest.mark.parametrize("where", [None, "v % 3 <> 0"])
def test_grid_digests_of_some_cells_are_those_cells_of_the_full_grid(warehouse, warehouse_schema, redshift_shim,
                                                                     dialect, where):
    s = warehouse_schema
    sql_both(warehouse, f"CREATE TABLE {s}.g (id BIGINT PRIMARY KEY, s VARCHAR(16), v INTEGER);"
             f" INSERT INTO {s}.g SELECT i, 's' || i, i FROM generate_series(-50, 5000) i")
    backend = WarehouseBackend(redshift_shim("asis", dialect), "as-is", f"{s}.g", ["id"], None, where)
    base, width, n = GRID
    full = backend.grid_digests(base, width, n)
    assert set(full) == {-1, *range(n), n}  # rows below and above the grid have their own cells
    assert sum(d[0] for d in full.values()) == backend.count()
    for a, b in [(0, n), (0, 1), (1, 2), (0, 33), (33, 67), (67, n), (50, 51), (n - 1, n)]:
        part = backend.grid_digests(base, width, n, (a, b))
        allowed = set(range(a, b)) | ({-1} if a == 0 else set()) | ({n} if b == n else set())
        assert part == {i: d for i, d in full.items() if i in allowed}, (a, b)
    parts = [backend.grid_digests(base, width, n, c) for c in [(0, 33), (33, 67), (67, n)]]
    assert {i: d for p in parts for i, d in p.items()} == full and sum(map(len, parts)) == len(full)
    for bad in [(0, 0), (5, 3), (-1, 2), (0, n + 1)]:
        with pytest.raises(ValueError):
            backend.grid_digests(base, width, n, bad)
    if dialect == "redshift":  # the same digests as PostgreSQL's own SQL
        other = WarehouseBackend(redshift_shim("asis", "postgresql"), "as-is", f"{s}.g", ["id"], None, where)
        assert other.grid_digests(base, width, n, (33, 67)) == backend.grid_digests(base, width, n, (33, 67))
        assert other.grid_digests(base, width, n) == full


@pytest.mark.parametrize("key_type", ["BIGINT", "TEXT"])
def test_rows_of_key_ranges_are_exactly_those_keys(warehouse, warehouse_schema, key_type):
    """Listing the rows of many ranges: an integer key's WHERE is written as text directly,
    any other key's composed; both select exactly the keys in the ranges (open ends, adjacent
    ranges merged, negative bounds)."""
    s = warehouse_schema
    sql_both(warehouse, f"CREATE TABLE {s}.r (id {key_type} PRIMARY KEY, v INTEGER);"
             f" INSERT INTO {s}.r SELECT CAST(i AS {key_type}), i FROM generate_series(-50, 5000) i")
    backend = WarehouseBackend(WarehouseConnector(warehouse.dsn("asis")), "as-is", f"{s}.r", ["id"], None, None)
    ints = [KeyRange(None, (-40,)), KeyRange((-40,), (-30,)), KeyRange((-7,), (3,)),
            *(KeyRange((i,), (i + 2,)) for i in range(100, 4000, 5)), KeyRange((4990,), None)]
    if key_type == "BIGINT":
        wanted = {i for i in range(-50, 5001) if any((r.lo is None or i >= r.lo[0]) and (r.hi is None or i < r.hi[0])
                                                    for r in ints)}
        got = [k[0] for k, _ in backend.key_hashes(ints)]
        assert sorted(got) == sorted(wanted) and len(got) == len(wanted)
    else:  # text keys order as text: '-7' .. '3' and the like, the engine's collation
        texts = [KeyRange(None, ("1",)), KeyRange(("2",), ("3",)), KeyRange(("4",), None)]
        got = [k[0] for k, _ in backend.key_hashes(texts)]
        with psycopg.connect(warehouse.dsn("asis")) as pg:
            wanted_text = [r[0] for r in pg.execute(
                f"SELECT id FROM {s}.r WHERE id < '1' OR (id >= '2' AND id < '3') OR id >= '4'")]
        assert sorted(got) == sorted(wanted_text) and len(got) > 1000
    backend.close()


# -- the grouped checksum query's two shapes ----------------------------------------------------


def grouped(sent: list[str]) -> list[str]:
    return [q for q in sent if "GROUP BY ferry_seg" in q]


def test_grouped_checksum_sql_for_redshift_has_no_postgresql_only_construct(warehouse, warehouse_schema, redshift_shim):
    s = warehouse_schema
    sql_both(warehouse, f"CREATE TABLE {s}.q (id INTEGER PRIMARY KEY, region VARCHAR(4), v VARCHAR(8));"
             f" INSERT INTO {s}.q SELECT i, CASE WHEN i % 2 = 0 THEN 'eu' ELSE 'us' END, 'v' || i"
             f" FROM generate_series(1, 2000) i")
    found: dict[str, list] = {}
    for dialect in ("redshift", "postgresql"):
        conn = redshift_shim("asis", dialect)
        one = WarehouseBackend(conn, "as-is", f"{s}.q", ["id"], None, None)
        two = WarehouseBackend(conn, "as-is", f"{s}.q", ["region", "id"], ["v"], None)  # composite: NULL, NULL
        found[dialect] = [one.grid_digests(1, 100, 20), one.grid_digests(1, 100, 20, (5, 12)),
                          one.digests([KeyRange(None, (500,)), KeyRange((500,), (501,)), KeyRange((900,), None)]),
                          two.digests([KeyRange(None, ("eu", 100)), KeyRange(("eu", 100), ("us", 7))])]
        queries = grouped(conn.sent)
        assert len(queries) == 4, conn.sent
        for q in queries:
            text = " ".join(q.split())
            if dialect == "redshift":
                assert "STRTOL(" in text and "SUM(CAST(ferry_h AS DECIMAL(38,0)))" in text, text
                assert "::bit" not in text.lower() and "bit(" not in text.lower(), text
                assert "UNION ALL" not in text.upper() and "1 = 0" not in text, text
            else:
                # The rows come out of a UNION ALL whose second branch is empty by construction.
                assert text.count(" UNION ALL ") == 1 and "(1 = 0)" in text.split(" UNION ALL ")[1], text
                assert "STRTOL" not in text.upper()
        if dialect == "postgresql":
            # What the empty branch is for: PostgreSQL expects 200 groups of the whole-table grid,
            # not one per row as it does of the first branch alone (large tables: a hash
            # aggregate, not a sort of every row).
            with psycopg.connect(warehouse.dsn("asis"), autocommit=True) as pg:
                pg.execute(f"ANALYZE {s}.q")

                def plan(query: str) -> dict:
                    return pg.execute("EXPLAIN (FORMAT JSON) " + query).fetchone()[0][0]["Plan"]

                whole_grid = queries[0]
                alone = whole_grid.split(" UNION ALL ")[0] + ") ferry_g GROUP BY ferry_seg"
                assert (plan(whole_grid)["Strategy"], plan(whole_grid)["Plan Rows"]) == ("Hashed", 200)
                assert plan(alone)["Plan Rows"] == 2000
    # PostgreSQL's query runs and counts every row once (the empty branch adds none); the
    # Redshift text (run here through a stand-in STRTOL) gives the same digests.
    grid, part, ranges, composite = found["postgresql"]
    assert sum(d[0] for d in grid.values()) == 2000 and part == {i: grid[i] for i in range(5, 12)}
    assert [d.rows for d in ranges] == [499, 1, 1101] and (ranges[0].first, ranges[0].last) == (1, 499)
    assert [d.rows for d in composite] == [49, 1000 - 49 + 3] and composite[0].first is None
    assert found["redshift"] == found["postgresql"]


# -- content-defined chunks and narrow() -------------------------------------------------------


def differing_keys(seeded, extra: Sequence[bytes]) -> set[bytes]:
    return set(seeded.report.missing_keys) | {c.row for c in seeded.report.changed_cells} | set(extra)


def inside(key: bytes, parts: Sequence[KeyRange]) -> bool:
    return any((p.lo is None or key >= p.lo) and (p.hi is None or key < p.hi) for p in parts)


def check_chunks(d: Digest) -> int:
    """The chunks add up to the digest and start at keys crc32 marks; returns the mask's bits."""
    assert d.chunks and d.chunks[0][0] is None
    assert sum(c[1] for c in d.chunks) == d.rows and sum(c[2] for c in d.chunks) == d.checksum
    starts = [c[0] for c in d.chunks[1:]]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    bits = 0
    while all(zlib.crc32(k) & ((2 << bits) - 1) == 0 for k in starts) and bits < 32:
        bits += 1
    return bits


@pytest.fixture
def drifted_orders(hbase_seeded_factory):
    """10,000 orders in 2 regions; TO-BE lacks 3, has 4 changed cells and 3 extra rows."""
    seeded = hbase_seeded_factory(rows=ORDERS, regions=2, missing=3, changed=4, customers=10)
    extra = [b"order-00001234x", b"order-00006000x", b"order-00009999x"]
    with HBaseConnector(seeded.tobe.host, seeded.tobe.port) as conn:
        conn.put_many("orders", [(k, {b"d:status": b"NEW"}) for k in extra])
    a, b = hbase_pair(seeded.asis, "orders", seeded.tobe, "orders")
    yield seeded, extra, a, b
    a.close()
    b.close()


ORDERS = 10_000
ORDER_KEYS = [b"order-%08d" % i for i in range(ORDERS)]  # seed_orders' keys on AS-IS, sorted


def rows_in(parts: Sequence[KeyRange]) -> int:
    """AS-IS rows inside the parts."""
    def position(key: bytes | None, open_end: int) -> int:
        return open_end if key is None else bisect.bisect_left(ORDER_KEYS, key)

    return sum(position(p.hi, ORDERS) - position(p.lo, 0) for p in parts)


def narrowed(a, b, ranges: list[KeyRange], da: list[Digest], db: list[Digest], wanted: set[bytes], *,
             merge: bool = False) -> list[int]:
    """narrow() of each range: the parts lie in the range, in order, and hold every differing
    key (with `merge`, a merge of the parts on both sides finds exactly those keys); returns the
    AS-IS rows each range's parts hold."""
    covered = []
    for rng, x, y in zip(ranges, da, db, strict=True):
        parts = narrow(rng, x, y)
        mine = {k for k in wanted if inside(k, [rng])}
        if x.same(y):
            assert not mine
            covered.append(0)
            continue
        assert parts, rng
        for p in parts:  # inside the range, each non-empty
            assert (rng.lo is None or (p.lo is not None and p.lo >= rng.lo)) and (
                rng.hi is None or (p.hi is not None and p.hi <= rng.hi)), (rng, parts)
            assert p.lo is None or p.hi is None or p.lo < p.hi, parts
        for p, q in zip(parts, parts[1:], strict=False):  # in key order, apart (touching parts are joined)
            assert p.hi is not None and q.lo is not None and p.hi < q.lo, parts
        missed = [k for k in mine if not inside(k, parts)]
        assert not missed, f"narrow() left out differing keys {missed} of {rng}: {parts}"
        if merge:
            ha, hb = dict(a.key_hashes(parts)), dict(b.key_hashes(parts))
            assert {k for k in ha.keys() | hb.keys() if ha.get(k) != hb.get(k)} == mine
            assert len(ha) == rows_in(parts)
        covered.append(rows_in(parts))
    return covered


def test_narrow_keeps_only_the_differing_chunks_of_a_region(drifted_orders):
    seeded, extra, a, b = drifted_orders
    ranges = [KeyRange(lo, hi) for lo, hi in a.regions()]
    assert len(ranges) == 2
    da, db = a.digests(ranges), b.digests(ranges)
    for d in da + db:
        assert check_chunks(d) >= 6  # CHUNK_ROWS = 64: at least the low 6 bits are zero
        assert ORDERS // 2 // 64 // 3 < len(d.chunks) <= hbase_backend.MAX_CHUNKS + 1
    wanted = differing_keys(seeded, extra)
    covered = narrowed(a, b, ranges, da, db, wanted, merge=True)
    # 10 differing rows in 10,000: a few chunks of ~64 rows each, not the 5,000-row regions.
    assert 0 < sum(covered) <= 10 * 64 * 4 and max(covered) < ORDERS // 2 // 5, covered
    # The full compare streams those parts only, and finds exactly the drift.
    result = full_compare("orders", a, b)
    assert sorted(result.missing) == sorted(k.decode() for k in seeded.report.missing_keys)
    assert sorted(result.extra) == sorted(k.decode() for k in extra)
    assert changed_keys(result) == {c.row.decode(): [c.column.decode()] for c in seeded.report.changed_cells}


def test_chunks_of_ranges_digested_in_one_scan_are_each_their_own(drifted_orders):
    """digests() scans contiguous ranges together: each range still gets its own chunks, starting
    inside it, and narrow() of each finds the differing keys of that range only."""
    seeded, extra, a, b = drifted_orders
    cuts = ORDER_KEYS[250::250]  # 40 ranges of 250 rows: more than 2 x the pool, grouped per scan
    ranges = [KeyRange(lo, hi) for lo, hi in zip([None, *cuts], [*cuts, None], strict=True)]
    assert len(ranges) > 2 * a.conn.pool_size
    da, db = a.digests(ranges), b.digests(ranges)
    for rng, d in zip(ranges, da, strict=True):
        check_chunks(d)
        assert d.rows == 250 and all(inside(c[0], [rng]) for c in d.chunks[1:])
    narrowed(a, b, ranges, da, db, differing_keys(seeded, extra), merge=True)


def test_narrow_without_chunks_is_the_whole_range(drifted_orders):
    seeded, extra, a, b = drifted_orders
    rng = KeyRange(*a.regions()[0])
    x, y = a.digests([rng])[0], b.digests([rng])[0]
    assert not x.same(y) and x.chunks and y.chunks
    bare_x, bare_y = Digest(x.rows, x.checksum, x.first, x.last), Digest(y.rows, y.checksum, y.first, y.last)
    assert narrow(rng, bare_x, y) == [rng] == narrow(rng, x, bare_y) == narrow(rng, bare_x, bare_y)
    assert narrow(rng, EMPTY, y) == [rng] == narrow(rng, x, EMPTY)
    # Chunk sums that differ everywhere: the whole range (adjacent differing stretches joined).
    everywhere = Digest(x.rows, x.checksum + 1, chunks=tuple((c[0], c[1], c[2] + 1) for c in x.chunks))
    assert narrow(rng, x, everywhere) == [rng]


def test_narrow_with_capped_chunks_still_holds_every_differing_key(drifted_orders, monkeypatch):
    """Past MAX_CHUNKS a range's chunks merge (a wider crc32 mask); when one side merged and
    the other did not, they still align on the keys both cut at."""
    seeded, extra, a, b = drifted_orders
    ranges = [KeyRange(lo, hi) for lo, hi in a.regions()]
    wanted = differing_keys(seeded, extra)
    fine_a, fine_b = a.digests(ranges), b.digests(ranges)
    monkeypatch.setattr(hbase_backend, "MAX_CHUNKS", 16)
    capped_a, capped_b = a.digests(ranges), b.digests(ranges)
    for d in capped_a + capped_b:
        assert len(d.chunks) <= 16 + 1 and check_chunks(d) >= 9  # 10,000 rows in <= 17 chunks: the mask grew
    fine = narrowed(a, b, ranges, fine_a, fine_b, wanted)
    both_capped = narrowed(a, b, ranges, capped_a, capped_b, wanted)
    one_capped = narrowed(a, b, ranges, capped_a, fine_b, wanted)
    other_capped = narrowed(a, b, ranges, fine_a, capped_b, wanted)
    assert sum(fine) <= sum(both_capped) <= ORDERS and sum(one_capped) <= ORDERS and sum(other_capped) <= ORDERS
    # Capped to a single chunk per range, the parts are the whole range.
    monkeypatch.setattr(hbase_backend, "CHUNK_ROWS", 2**32)  # a 32-bit mask: no key of these starts a chunk
    single_a, single_b = a.digests(ranges), b.digests(ranges)
    assert all(len(d.chunks) == 1 for d in single_a + single_b)
    for rng, x, y in zip(ranges, single_a, single_b, strict=True):
        assert narrow(rng, x, y) == [rng]


# -- Tuning.first_level_parts -------------------------------------------------------------------


def test_first_level_parts_default_and_bounds():
    assert Tuning().first_level_parts == 1
    with pytest.raises(ValueError):
        Tuning(first_level_parts=0)


def test_more_first_level_parts_than_ranges(warehouse, warehouse_schema):
    s = warehouse_schema
    ddl = f"CREATE TABLE {s}.tiny (id INTEGER PRIMARY KEY, v INTEGER);"
    sql_both(warehouse, ddl + f"INSERT INTO {s}.tiny VALUES (1, 1), (2, 2)",
             ddl + f"INSERT INTO {s}.tiny VALUES (2, 3), (3, 3)")
    a, b = warehouse_pair(warehouse, f"{s}.tiny", ["id"])
    for tuning in (Tuning(target_segments=2, first_level_parts=5), Tuning(first_level_parts=1000)):
        r = full_compare("tiny", a, b, tuning=tuning)
        assert (r.missing, r.extra, changed_keys(r), r.rows_asis, r.rows_tobe) == (["1"], ["3"], {"2": ["v"]}, 2, 2)
    a.close()
    b.close()


def test_first_level_in_parts_tells_duplicated_keys_from_changes(warehouse, warehouse_schema):
    """Each part's differences are listed while the next is digested, once the duplicated keys
    (found alongside) are known."""
    s = warehouse_schema
    ddl = f"CREATE TABLE {s}.dup (id INTEGER, v INTEGER);"  # no key constraint, as on Redshift
    fill = f"INSERT INTO {s}.dup SELECT i, i FROM generate_series(1, 5000) i; INSERT INTO {s}.dup VALUES (4000, 4000);"
    sql_both(warehouse, ddl + fill, ddl + fill + f"INSERT INTO {s}.dup VALUES (10, 10);"
             f" UPDATE {s}.dup SET v = 0 WHERE id = 2500; DELETE FROM {s}.dup WHERE id = 4999")
    a, b = warehouse_pair(warehouse, f"{s}.dup", ["id"])
    for tuning in (Tuning(), Tuning(first_level_parts=3), Tuning(target_segments=64, row_level_threshold=16,
                                                                 rows_per_fetch=64, first_level_parts=3)):
        r = full_compare("dup", a, b, tuning=tuning)
        assert {(d.key, d.asis, d.tobe) for d in r.duplicates} == {("10", 1, 2), ("4000", 2, 2)}, tuning
        assert (r.missing, r.extra, changed_keys(r)) == (["4999"], [], {"2500": ["v"]}), tuning
    a.close()
    b.close()


@pytest.mark.parametrize("key_type", ["INTEGER", "VARCHAR(16)"])
def test_first_level_in_three_parts_finds_the_same_differences(warehouse, warehouse_schema, key_type):
    s = warehouse_schema
    key = "i" if key_type == "INTEGER" else "'k' || LPAD(CAST(i AS VARCHAR), 6, '0')"
    ddl = f"CREATE TABLE {s}.p (id {key_type} PRIMARY KEY, s VARCHAR(16), v INTEGER);"
    fill = (f"INSERT INTO {s}.p SELECT {key}, CASE WHEN i % 500 = 7 THEN NULL ELSE 's' || i END, i"
            f" FROM generate_series(1, 20000) i WHERE i % 997 <> 0;")

    def k(i: int) -> str:
        return str(i) if key_type == "INTEGER" else f"k{i:06d}"

    def lit(i: int) -> str:
        return str(i) if key_type == "INTEGER" else f"'{k(i)}'"

    missing = [1, 2, 5003, 12345, 19999, 20000]  # the first and last keys among them
    extra = [997, 9970, 19940, 25000]  # in the AS-IS gaps, and past its end
    changed = [17, 4444, 15001]
    null_vs_empty = [7, 10007]  # NULL on AS-IS, '' on TO-BE
    to_null = [13508]  # a value on AS-IS, NULL on TO-BE
    if key_type == "INTEGER":
        extra.append(-5)  # below AS-IS's first key: a grid starting lower
    drift = (f"DELETE FROM {s}.p WHERE id IN ({', '.join(map(lit, missing))});"
             f" INSERT INTO {s}.p SELECT {key}, 'x', i FROM unnest(ARRAY{extra}) i;"
             f" UPDATE {s}.p SET v = -v WHERE id IN ({', '.join(map(lit, changed))});"
             f" UPDATE {s}.p SET s = '' WHERE id IN ({', '.join(map(lit, null_vs_empty))});"
             f" UPDATE {s}.p SET s = NULL WHERE id IN ({', '.join(map(lit, to_null))});")
    sql_both(warehouse, ddl + fill, ddl + fill + drift)
    a, b = warehouse_pair(warehouse, f"{s}.p", ["id"])
    small = dict(target_segments=64, split_factor=4, row_level_threshold=16, rows_per_fetch=64)
    # A text key's default is the key hash (bucketdiff); its key ranges (quantiles) stay covered here.
    ranges = {} if key_type == "INTEGER" else {"first_level": "ranges"}
    results = {name: full_compare("p", a, b, tuning=t) for name, t in [
        ("default", Tuning()), ("parts", Tuning(first_level_parts=3, **ranges)),
        ("small", Tuning(**small)), ("small-parts", Tuning(**small, first_level_parts=3, **ranges))]}
    expected = {
        "missing": sorted(map(k, missing)), "extra": sorted(map(k, extra)),
        "changed": {**{k(i): ["v"] for i in changed}, **{k(i): ["s"] for i in null_vs_empty + to_null}},
    }
    for name, r in results.items():
        assert sorted(r.missing) == expected["missing"], name
        assert sorted(r.extra) == expected["extra"], name
        assert changed_keys(r) == expected["changed"], name
        assert not r.duplicates and (r.n_missing, r.n_extra, r.n_changed) == (6, len(extra), 6)
        assert (r.rows_asis, r.rows_tobe) == (a.count(), b.count()), name
        assert [(c.key, c.asis, c.tobe) for c in r.changed] == [(c.key, c.asis, c.tobe)
                                                               for c in results["default"].changed], name
    if key_type == "INTEGER":
        assert results["parts"].stats["strategy"].endswith("digested in 3 parts")
        assert "parts" not in results["default"].stats["strategy"]
    else:
        assert results["default"].stats["strategy"].startswith("key hash")
        assert results["parts"].stats["strategy"].startswith("key ranges")
    change = {c.key: c for c in results["parts"].changed}
    assert change[k(7)].asis == {"s": "NULL"} and change[k(7)].tobe == {"s": "''"}
    a.close()
    b.close()
