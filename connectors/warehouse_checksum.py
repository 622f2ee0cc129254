"""Segment checksums, quantiles, samples and row fetches pushed down into the warehouse, for
Ferry's compares. SQL that runs on Redshift and on PostgreSQL alike; the per-row hash is the
warehouse connector's dialect expression (MD5 based, `Dialect.hash_expr`).

One query checksums many key ranges at once (one table scan, not one per range):

    integer key, equal-width grid (a full compare's first level):
        SELECT CASE WHEN k < base THEN -1 WHEN k >= end THEN n ELSE (k - base) / width END,
               COUNT(*), SUM(h), MIN(k), MAX(k)  FROM t  GROUP BY 1

    any key (text, dates, composite), explicit boundaries p0 < p1 < ... :
        SELECT CASE WHEN k < p4 THEN (CASE WHEN k < p2 THEN ... END) ELSE (...) END, ...
        -- a binary search written as nested CASE: log2(segments) comparisons per row
        WHERE <the union of the ranges>                 (index range scans on PostgreSQL)

    any key, hash buckets (a full compare's first level where the key is not one integer):
        SELECT SUBSTRING(MD5(<key text>), 1, d), COUNT(*), SUM(h)  FROM t  GROUP BY 1
        -- the first d hex digits of a hash of the key's text: the same bucket on both sides
        -- whatever the key's type, the engines' collations or the order of the rows; a
        -- differing bucket is split by more digits (WHERE SUBSTRING(..., 1, d) IN (...)), and
        -- its rows are listed in the same way. The hash is MD5 unless both sides are
        -- PostgreSQL: then hashtextextended of the key's bytes (BUCKET_HASHES).

On PostgreSQL a grouped SUM(h) is two SUMs of 30-bit INT4 halves: SUM(BIGINT) keeps a
128-bit state per group in memory of its own, SUM(INT4) a BIGINT inside the group's entry, and
with tens of thousands of groups that is the difference between 2.0x and 1.5x the time of one
ungrouped checksum (measured on 10^6 rows, serial plans). The total is the same number.

Composite keys compare lexicographically, spelled out (`connectors.warehouse.key_range`), since
Redshift does not compare row constructors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from psycopg import sql

from connectors.warehouse import Column, WarehouseConnector, WarehouseError, key_range, parse_table

#: Ranges per nested-CASE query: keeps the SQL text small (a few hundred kB at most).
MAX_SEGMENTS_PER_QUERY = 2_048
#: Hash buckets named in one IN list (each a few hex digits: about 0.6 MB of SQL at most).
MAX_BUCKETS_PER_QUERY = 65_536
#: The hashes a bucket of the key can be named by, cheapest first, with their hex digits.
#: `hash64`: PostgreSQL's hashtextextended(text, 0) of the key's text taken as bytes (COLLATE
#: "C"): the function hash partitioning relies on, so stable across PostgreSQL releases since
#: 11; measured here 0.12 s per 10^6 keys against MD5's 0.28 s, in the first level and again
#: in the row listing. `md5`: on every engine (Redshift, and a PostgreSQL compared with one).
BUCKET_HASHES = {"native64": 16, "hash64": 16, "md5": 32}
MAX_BUCKET_DIGITS = max(BUCKET_HASHES.values())
#: Buckets of up to this many digits are named by a bitmap (PostgreSQL's get_bit) when there are
#: more than BITMAP_FROM of them; fewer, or finer buckets, by an IN list.
BITMAP_DIGITS = 4
BITMAP_FROM = 64
INTEGER_TYPES = ("smallint", "integer", "bigint", "int2", "int4", "int8")
#: `native64`: cheaper still where both sides are PostgreSQL and their key columns are of the same
#: families: each key column hashed from its own value by the function PostgreSQL's hash
#: partitioning uses for its type (no rendering as text first: a timestamp's TO_CHAR alone costs
#: more than its hash), the columns' hashes XOR-ed, a seed each. Named `native64:<families>`, so
#: that two sides agree on it only when their families match. Keyed by the base type.
NATIVE_HASHES: dict[str, tuple[str, str]] = {
    **{t: ("int", "hashint8extended(CAST({c} AS BIGINT), {seed})") for t in INTEGER_TYPES},
    **{t: ("text", 'hashtextextended({c} COLLATE "C", {seed})') for t in ("text", "character varying", "varchar")},
    "uuid": ("uuid", "uuid_hash_extended({c}, {seed})"),
    "timestamp without time zone": ("timestamp", "timestamp_hash_extended({c}, {seed})"),
    "timestamp": ("timestamp", "timestamp_hash_extended({c}, {seed})"),
    "date": ("date", "hashint4extended({c} - DATE '2000-01-01', {seed})"),
    "numeric": ("numeric", "hash_numeric_extended({c}, {seed})"),
    "decimal": ("numeric", "hash_numeric_extended({c}, {seed})"),
}


def bucket_hash_digits(key_hash: str) -> int:
    """How many hex digits a bucket hash has (`native64:<families>` has native64's)."""
    return BUCKET_HASHES[key_hash.split(":")[0]]

Key = tuple
Bound = tuple | None


class SegmentDigest(NamedTuple):
    """Rows and hash sum of one segment (a named tuple: a grid makes tens of thousands)."""

    rows: int
    checksum: int
    first: Any = None  # MIN/MAX of a one-column key (None for composite keys)
    last: Any = None


@dataclass(frozen=True)
class HashedRow:
    key: Key
    hash: int
    values: tuple


class TableChecksums:
    """The pushed-down operations of one warehouse table (one side of a compare)."""

    def __init__(self, conn: WarehouseConnector, table: str, key_cols: Sequence[str], columns: Sequence[str],
                 where: str | None = None, *, parallel_grouping: bool = False,
                 catalog: Sequence[Column] | None = None) -> None:
        """`catalog`: the table's columns, when the caller has just read them (one catalog query
        fewer)."""
        self.conn = conn
        self.parallel_grouping = parallel_grouping
        self.table = table
        self.key_cols = list(key_cols)
        self.columns = list(columns)
        self.where = where
        self._ident = sql.Identifier(*parse_table(table))
        known = {c.name: c for c in (catalog if catalog is not None else conn.columns(table))}
        missing = [c for c in [*self.key_cols, *self.columns] if c not in known]
        if missing:
            raise WarehouseError(f"column {missing[0]!r} does not exist in {table} at {conn.where}")
        self.typed: list[Column] = [known[c] for c in [*self.key_cols, *self.columns]]
        self._hash = sql.SQL(conn.dialect.hash_expr(self.typed))
        self._keys = sql.SQL(", ").join(sql.Identifier(c) for c in self.key_cols)
        self._values = sql.SQL(", ").join(sql.Identifier(c) for c in self.columns) if self.columns else None

    @property
    def integer_key(self) -> bool:
        return len(self.typed) > 0 and len(self.key_cols) == 1 and self.typed[0].type.lower() in INTEGER_TYPES

    # -- helpers -------------------------------------------------------------------------------

    def _filter(self, *parts: sql.Composable | None) -> sql.Composable:
        chosen = [p for p in parts if p is not None]
        if self.where:
            chosen.append(sql.SQL(self.where))
        if not chosen:
            return sql.SQL("")
        return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(sql.SQL("(") + p + sql.SQL(")") for p in chosen)

    def _run(self, query: sql.Composable) -> list[tuple]:
        return self.conn.query(query)

    def _run_grouped(self, query: sql.Composable) -> list[tuple]:
        """A level's grouped digests (_grouped). On PostgreSQL without parallel workers unless
        `parallel_grouping`: each worker would build every group of its own and a final step
        merge them all, and with tens of thousands of groups that costs more than it saves:
        measured on 2 x 10^6 rows, 65,536 buckets, both sides at once, the parallel plan took
        1.32x the server CPU of the serial one (5.18 s against 3.92 s) and 1.30x its time."""
        if self.conn.dialect.name == "postgresql" and not self.parallel_grouping:
            return self.conn.query(query, settings={"max_parallel_workers_per_gather": "0"})
        return self.conn.query(query)

    # -- operations ----------------------------------------------------------------------------

    def key_bounds(self) -> tuple[Any, Any]:
        """MIN and MAX of a one-column key (None, None on an empty table)."""
        k = sql.Identifier(self.key_cols[0])
        row = self._run(sql.SQL("SELECT MIN({k}), MAX({k}) FROM {t}").format(k=k, t=self._ident) + self._filter())[0]
        return row[0], row[1]

    def grid_digests(self, base: int, width: int, segments: int,
                     cells: tuple[int, int] | None = None) -> dict[int, tuple[int, int]]:
        """Checksums of [base + i*width, base + (i+1)*width) for i in 0..segments-1, in one scan.
        Rows below `base` come back as segment -1, rows at or above the grid's end as `segments`.

        `cells=(a, b)`: only the cells a..b-1 (a key range: an index range scan where there is an
        index, blocks skipped by zone maps on Redshift), with the rows below the grid when a == 0
        and those above it when b == segments. A compare asks for the grid in a few such parts
        to work on one part's differences while the warehouse digests the next."""
        lower = upper = None
        if cells is not None:
            a, b = cells
            if not 0 <= a < b <= segments:
                raise ValueError(f"cells {cells!r} are not a part of a grid of {segments} cells")
            lower = (base + a * width,) if a > 0 else None
            upper = (base + b * width,) if b < segments else None
        k = sql.SQL("CAST({} AS BIGINT)").format(sql.Identifier(self.key_cols[0]))
        end = base + width * segments
        seg = sql.SQL("CASE WHEN {k} < {b} THEN -1 WHEN {k} >= {e} THEN {n} ELSE ({k} - {b}) / {w} END").format(
            k=k, b=sql.Literal(base), e=sql.Literal(end), n=sql.Literal(segments), w=sql.Literal(width))
        # No MIN/MAX here: a grid cell's bounds are known, and each extra aggregate costs on every row.
        bounded = key_range(self.key_cols, lower, upper) if lower is not None or upper is not None else None
        return self._digests(self._grouped(seg, bounded, minmax=False))

    def _digests(self, query: sql.Composable) -> dict[Any, tuple[int, int]]:
        """{group: (rows, checksum)} of a grouped query without MIN/MAX (_grouped), as plain
        tuples: a grid or a first level of buckets has tens of thousands, built in a tenth of
        the time named tuples take. PostgreSQL's sums come in two by-value halves (_grouped_sums)."""
        if self._sum_scale == 1:
            return {r[0]: (r[1], int(r[2])) for r in self._run_grouped(query)}
        return {r[0]: (r[1], (r[2] << 30) + r[3]) for r in self._run_grouped(query)}

    def _grouped(self, seg: sql.Composable, bounded: sql.Composable | None, *, minmax: bool,
                 name: str = "ferry_seg") -> sql.Composable:
        """`SELECT name(seg), COUNT(*), SUM(hash) as two columns [, MIN(key), MAX(key)] ... GROUP
        BY seg` over the rows in `bounded` (and the filter), shaped so the engine hash-aggregates
        (MIN/MAX of a one-column key; NULL, NULL for a composite key). The group's checksum is
        column 2 x _sum_scale + column 3 (_grouped_sums).

        PostgreSQL cannot estimate how many groups an expression of the key makes, assumes one
        per row, and plans a parallel sort of every row before grouping: measured on 2 x 10^6
        rows, 1.26x the CPU and 1.29x the time of one ungrouped checksum query per side. When
        the grouped rows come out of a UNION ALL (here with a branch that is empty by
        construction, WHERE 1 = 0, which costs nothing), it assumes 200 groups and plans a
        parallel hash aggregate instead: 1.13x the CPU and the time. Redshift always
        hash-aggregates: there the query is the plain one."""
        body = sql.SQL("SELECT {seg} AS ferry_seg, {h} AS ferry_h{k} FROM {t}")
        # MIN/MAX of a one-column key, where the type has them (PostgreSQL has no MIN(uuid)).
        one_key = minmax and len(self.key_cols) == 1 and self.typed[0].type.lower() != "uuid"
        key = sql.SQL(", {k} AS ferry_k").format(k=sql.Identifier(self.key_cols[0])) if one_key else sql.SQL("")
        rows = body.format(seg=seg, h=self._hash, k=key, t=self._ident) + self._filter(bounded)
        if self.conn.dialect.name == "postgresql":
            rows += (sql.SQL(" UNION ALL ") + body.format(seg=seg, h=self._hash, k=key, t=self._ident)
                     + self._filter(bounded, sql.SQL("1 = 0")))
        query = sql.SQL("SELECT {n}, COUNT(*), {s}").format(n=sql.SQL(name), s=sql.SQL(self._grouped_sums("ferry_h")))
        if minmax:
            query += sql.SQL(", MIN(ferry_k), MAX(ferry_k)") if one_key else sql.SQL(", NULL, NULL")
        return query + sql.SQL(" FROM (") + rows + sql.SQL(") ferry_g GROUP BY ferry_seg")

    def _grouped_sums(self, h: str) -> str:
        """SUM(h) per group as two columns, a and b, with SUM(h) = a x _sum_scale + b: on
        PostgreSQL the sums of h's upper and lower 30 bits, each a SUM(INT4) whose state is a
        BIGINT held by value (see the module's notes), read as integers, not as NUMERIC."""
        if self.conn.dialect.name == "postgresql":
            return f"SUM(CAST({h} >> 30 AS INT4)), SUM(CAST({h} & 1073741823 AS INT4))"
        return f"{self.conn.dialect.sum_expr(h)}, 0"

    @property
    def _sum_scale(self) -> int:
        return 1 << 30 if self.conn.dialect.name == "postgresql" else 1

    # -- hash buckets (any key type; no order, no collation) ---------------------------------

    def bucket_hashes(self) -> tuple[str, ...]:
        """The hashes this side can name buckets by (BUCKET_HASHES), cheapest first. A compare
        uses the first one both sides have."""
        if self.conn.dialect.name != "postgresql":
            return ("md5",)
        native = self._native_hash()
        return (native[0], "hash64", "md5") if native else ("hash64", "md5")

    def _native_hash(self) -> tuple[str, str] | None:
        """(`native64:<families>`, the SQL of the key's hash), when every key column's type has
        one (NATIVE_HASHES)."""
        parts = []
        for seed, column in enumerate(self.typed[:len(self.key_cols)], start=1):
            found = NATIVE_HASHES.get(column.type.lower().split("(")[0].strip())
            if found is None:
                return None
            parts.append((found[0], found[1].format(c=sql.Identifier(column.name).as_string(None), seed=seed)))
        name = "native64:" + ",".join(family for family, _ in parts)
        # A NULL key column hashes as 0; XOR of one seeded hash per column.
        return name, "(" + " # ".join(f"COALESCE({h}, 0)" for _, h in parts) + ")"

    def _bucket(self, digits: int, key_hash: str) -> sql.Composable:
        """The first `digits` hex digits of the hash of the key's text (the dialect's rendering:
        the same text on Redshift and PostgreSQL for the same value). MD5's are grouped as text,
        not as a number: measured on PostgreSQL (2 x 10^6 rows, one process), the hex-to-BIGINT
        cast cost 0.08 x a full checksum's CPU in the first level and 0.06 x in a row listing.
        hash64's and native64's are the top 4 x digits bits of the hash, a BIGINT."""
        if key_hash not in self.bucket_hashes():
            raise ValueError(f"{self.table} on {self.conn.dialect.name} does not bucket by {key_hash!r}")
        most = bucket_hash_digits(key_hash)
        if not 1 <= digits <= most:
            raise ValueError(f"a {key_hash} bucket has 1 to {most} hex digits, not {digits}")
        key = self.conn.dialect.row_text(self.typed[:len(self.key_cols)])
        if key_hash == "md5":
            return sql.SQL(f"SUBSTRING(MD5({key}), 1, {int(digits)})")
        if key_hash == "hash64":  # COLLATE "C": the key's bytes are hashed, whatever its collation
            h64 = f'hashtextextended(({key}) COLLATE "C", 0)'
        else:
            h64 = self._native_hash()[1]  # type: ignore[index]  # bucket_hashes() offered it
        if digits == 16:
            return sql.SQL(h64)
        return sql.SQL(f"(({h64} >> {64 - 4 * digits}) & {16 ** digits - 1})")

    def _bucket_value(self, name: str, key_hash: str) -> sql.Composable:
        if key_hash == "md5":
            return sql.Literal(name)
        value = int(name, 16)
        return sql.Literal(value - 2**64 if len(name) == 16 and value >= 2**63 else value)

    def _in_buckets(self, buckets: Sequence[str], digits: int, key_hash: str) -> sql.Composable:
        """Rows whose key falls in one of `buckets` (`digits` lower-case hex digits each)."""
        if any(len(b) != digits or b.strip("0123456789abcdef") for b in buckets):
            raise ValueError(f"a bucket here is {digits} lower-case hex digits")
        if key_hash != "md5" and digits <= BITMAP_DIGITS and len(buckets) > BITMAP_FROM:
            # A bitmap of every bucket of that many digits (8 kB for 4): one bit test per row
            # instead of a probe of the IN list's hash table. Measured on 10^6 rows, 900
            # buckets: a listing scan took 0.12 s against 0.15 s with IN.
            bits = bytearray(16 ** digits // 8 or 1)
            for b in buckets:
                n = int(b, 16)
                bits[n // 8] |= 1 << (n % 8)  # get_bit numbers a byte's bits from its lowest
            return sql.SQL("get_bit({m}, CAST({b} AS INT4)) = 1").format(m=sql.Literal(bytes(bits)),
                                                                         b=self._bucket(digits, key_hash))
        return sql.SQL("{b} IN ({v})").format(b=self._bucket(digits, key_hash),
                                               v=sql.SQL(", ").join(self._bucket_value(b, key_hash) for b in buckets))

    def bucket_digests(self, digits: int, within: Sequence[str] = (), within_digits: int = 0, *,
                       key_hash: str = "md5") -> dict[str, tuple[int, int]]:
        """Rows and hash sums per bucket of the first `digits` hex digits of the key's `key_hash`, in
        one scan (a hash aggregate: no sort, no index, no key order), as (rows, checksum) tuples
        (_digests). `within`:
        only the rows of these coarser buckets (of `within_digits` digits), split into their
        finer buckets; the engine hashes a row's values only for the rows that pass that filter."""
        if within and len(within) > MAX_BUCKETS_PER_QUERY:
            raise ValueError(f"at most {MAX_BUCKETS_PER_QUERY:,} buckets per query")
        if within and not 1 <= within_digits < digits:
            raise ValueError("a split bucket has more digits than the buckets it splits")
        where = self._in_buckets(within, within_digits, key_hash) if within else None
        # The 64-bit hashes' buckets are named in the engine (65,536 of them: cheaper there than here).
        name = "ferry_seg" if key_hash == "md5" else f"LPAD(TO_HEX(ferry_seg), {int(digits)}, '0')"
        return self._digests(self._grouped(self._bucket(digits, key_hash), where, minmax=False, name=name))

    def bucket_key_hashes(self, buckets: Sequence[str], digits: int, limit: int | None = None, *,
                          key_hash: str = "md5") -> list[tuple[Key, int]]:
        """(key, hash) of every row in `buckets` (of `digits` hex digits), any order: one scan.
        `limit`: at most that many rows (keys to list of buckets found on one side only)."""
        out: list[tuple[Key, int]] = []
        width = len(self.key_cols)
        for start in range(0, len(buckets), MAX_BUCKETS_PER_QUERY):
            chunk = buckets[start:start + MAX_BUCKETS_PER_QUERY]
            query = (sql.SQL("SELECT {k}, {h} FROM {t}").format(k=self._keys, h=self._hash, t=self._ident)
                     + self._filter(self._in_buckets(chunk, digits, key_hash)))
            if limit is not None:
                query += sql.SQL(" LIMIT {}").format(sql.Literal(max(0, limit - len(out))))
            found = self._run(query)
            if width == 1:
                out.extend(((r[0],), int(r[1])) for r in found)
            else:
                out.extend((tuple(r[:width]), int(r[width])) for r in found)
            if limit is not None and len(out) >= limit:
                break
        return out

    def range_digests(self, ranges: Sequence[tuple[Bound, Bound]]) -> list[SegmentDigest]:
        """Checksums of each [lo, hi) of `ranges` (ordered, disjoint; None is an open end)."""
        out: list[SegmentDigest] = []
        for start in range(0, len(ranges), MAX_SEGMENTS_PER_QUERY):
            chunk = ranges[start:start + MAX_SEGMENTS_PER_QUERY]
            case, where = segment_case(self.key_cols, chunk)
            query = self._grouped(case, where, minmax=True)
            scale = self._sum_scale
            found = {r[0]: SegmentDigest(r[1], int(r[2]) * scale + r[3], r[4], r[5]) for r in self._run_grouped(query)}
            out.extend(found.get(i, SegmentDigest(0, 0)) for i in range(len(chunk)))
        return out

    def quantiles(self, lo: Bound, hi: Bound, rows: int, parts: int) -> list[Key]:
        """About `parts - 1` keys cutting [lo, hi) (holding about `rows` rows) into equal parts,
        in key order: the first key of each part after the first."""
        step = max(1, -(-rows // parts))
        inner = (sql.SQL("SELECT {k}, ROW_NUMBER() OVER (ORDER BY {k}) AS ferry_rn FROM {t}").format(
            k=self._keys, t=self._ident) + self._filter(key_range(self.key_cols, lo, hi)))
        query = sql.SQL("SELECT {k} FROM (") .format(k=self._keys) + inner + sql.SQL(
            ") ferry_q WHERE MOD(ferry_rn, {s}) = 0 AND ferry_rn > 1 ORDER BY {k}").format(
            s=sql.Literal(step), k=self._keys)
        return [tuple(r) for r in self._run(query)]

    def cut_points(self, target: int, min_rows: int) -> list[Key]:
        """Keys cutting the whole table into about `target` ranges of at least `min_rows` rows,
        in one window query (the row count comes with it: COUNT(*) OVER ())."""
        inner = (sql.SQL("SELECT {k}, ROW_NUMBER() OVER (ORDER BY {k}) AS ferry_rn, COUNT(*) OVER () AS ferry_n"
                         " FROM {t}").format(k=self._keys, t=self._ident) + self._filter())
        step = sql.SQL("GREATEST(CAST(CEIL(CAST(ferry_n AS DECIMAL(20,2)) / {p}) AS BIGINT), {m})").format(
            p=sql.Literal(int(target)), m=sql.Literal(int(min_rows)))
        query = sql.SQL("SELECT {k} FROM (").format(k=self._keys) + inner + sql.SQL(
            ") ferry_q WHERE MOD(ferry_rn, {s}) = 0 AND ferry_rn > 1 ORDER BY {k}").format(s=step, k=self._keys)
        return [tuple(r) for r in self._run(query)]

    def rows(self, ranges: Sequence[tuple[Bound, Bound]], limit: int | None = None, *,
             with_values: bool = True) -> list[HashedRow]:
        """Rows of the ranges with their hash (any order); `with_values=False`: keys and hashes only
        (values are then fetched for the few rows whose hashes differ)."""
        out: list[HashedRow] = []
        width = len(self.key_cols)
        for start in range(0, len(ranges), MAX_SEGMENTS_PER_QUERY):
            chunk = ranges[start:start + MAX_SEGMENTS_PER_QUERY]
            _, where = segment_case(self.key_cols, chunk, with_case=False)
            query = sql.SQL("SELECT {k}, {h}").format(k=self._keys, h=self._hash)
            if self._values is not None and with_values:
                query += sql.SQL(", ") + self._values
            query += sql.SQL(" FROM {t}").format(t=self._ident) + self._filter(where)
            if limit is not None:
                query += sql.SQL(" LIMIT {}").format(sql.Literal(max(0, limit - len(out))))
            for r in self._run(query):
                out.append(HashedRow(tuple(r[:width]), int(r[width]), tuple(r[width + 1:])))
            if limit is not None and len(out) >= limit:
                break
        return out

    def key_hashes(self, ranges: Sequence[tuple[Bound, Bound]]) -> list[tuple[Key, int]]:
        """(key, hash) of every row of the ranges, any order, as plain tuples: the row level of
        a full compare reads tens of thousands of these, and builds no object per row."""
        width = len(self.key_cols)
        out: list[tuple[Key, int]] = []
        for start in range(0, len(ranges), MAX_SEGMENTS_PER_QUERY):
            _, where = segment_case(self.key_cols, ranges[start:start + MAX_SEGMENTS_PER_QUERY], with_case=False)
            query = (sql.SQL("SELECT {k}, {h} FROM {t}").format(k=self._keys, h=self._hash, t=self._ident)
                     + self._filter(where))
            found = self._run(query)
            if width == 1:
                out.extend(((r[0],), int(r[1])) for r in found)
            else:
                out.extend((tuple(r[:width]), int(r[width])) for r in found)
        return out

    def sample_keys(self, n: int, seed: int) -> list[tuple[str, Key]]:
        """The `n` keys with the smallest MD5(seed, key): a reproducible sample (same seed, same
        data: same keys), computed by the warehouse (a top-n sort, bounded memory)."""
        keys_text = self.conn.dialect.row_text(self.typed[:len(self.key_cols)])
        h = sql.SQL("MD5({} || {})").format(sql.Literal(f"{seed}:"), sql.SQL(keys_text))
        query = (sql.SQL("SELECT {h} AS ferry_h, {k} FROM {t}").format(h=h, k=self._keys, t=self._ident)
                 + self._filter() + sql.SQL(" ORDER BY 1 LIMIT {}").format(sql.Literal(int(n))))
        return [(str(r[0]), tuple(r[1:])) for r in self._run(query)]

    def fetch(self, keys: Iterable[Key]) -> list[tuple]:
        """Rows `(*key, *columns)` of these keys, one query per batch of keys (missing keys absent;
        a duplicated key comes back twice)."""
        return self.conn.fetch_rows(self.table, self.key_cols, keys, self.columns)

    def key_is_unique_by_constraint(self) -> bool:
        """True when PostgreSQL enforces a PRIMARY KEY / UNIQUE constraint on exactly the key
        columns. Redshift's constraints are informational: never trusted there."""
        if self.conn.dialect.name == "redshift":
            return False
        schema, table = parse_table(self.table)
        rows = self._run(sql.SQL(
            "SELECT tc.constraint_name, kcu.column_name FROM information_schema.table_constraints tc"
            " JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name"
            " AND kcu.table_schema = tc.table_schema AND kcu.table_name = tc.table_name"
            " WHERE tc.table_schema = {s} AND tc.table_name = {t}"
            " AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE')").format(s=sql.Literal(schema), t=sql.Literal(table)))
        by_constraint: dict[str, set[str]] = {}
        for name, column in rows:
            by_constraint.setdefault(name, set()).add(column)
        return any(cols == set(self.key_cols) for cols in by_constraint.values())

    def duplicate_keys(self, limit: int) -> tuple[int, list[tuple[Key, int]]]:
        """(how many keys occur more than once, the first `limit` of them with their counts)."""
        if self.key_is_unique_by_constraint():
            return 0, []
        grouped = (sql.SQL("SELECT {k}, COUNT(*) AS ferry_n FROM {t}").format(k=self._keys, t=self._ident)
                   + self._filter() + sql.SQL(" GROUP BY {k} HAVING COUNT(*) > 1").format(k=self._keys))
        total = int(self._run(sql.SQL("SELECT COUNT(*) FROM (") + grouped + sql.SQL(") ferry_d"))[0][0])
        if total == 0:
            return 0, []
        listed = self._run(grouped + sql.SQL(" ORDER BY {k} LIMIT {n}").format(k=self._keys, n=sql.Literal(limit)))
        width = len(self.key_cols)
        return total, [(tuple(r[:width]), int(r[width])) for r in listed]


def segment_case(key_cols: Sequence[str], ranges: Sequence[tuple[Bound, Bound]], *,
                 with_case: bool = True) -> tuple[sql.Composable | None, sql.Composable | None]:
    """(a CASE giving each row's range index, a WHERE fragment selecting the union of `ranges`).

    `ranges` are ordered (in the database's key order) and disjoint. The CASE is a binary
    search over the ranges' end points, so each row costs log2(len(ranges)) comparisons."""
    if not ranges:
        raise ValueError("no ranges")
    points: list[tuple] = []
    labels: list[int] = [0 if ranges[0][0] is None else -1]  # labels[j]: the interval starting at point j-1
    for i, (lo, hi) in enumerate(ranges):
        if lo is not None:
            lo = tuple(lo)
            if points and points[-1] == lo:
                labels[-1] = i
            else:
                points.append(lo)
                labels.append(i)
        elif i != 0:
            raise ValueError("only the first range may be open below")
        if hi is not None:
            points.append(tuple(hi))
            labels.append(-1)
        elif i != len(ranges) - 1:
            raise ValueError("only the last range may be open above")

    def below(point: tuple) -> sql.Composable:
        return key_range(key_cols, None, point)

    def build(a: int, b: int) -> sql.Composable:
        if all(labels[j] == labels[a] for j in range(a, b + 1)):
            return sql.Literal(labels[a])
        mid = (a + b + 1) // 2
        return sql.SQL("CASE WHEN {} THEN {} ELSE {} END").format(below(points[mid - 1]), build(a, mid - 1),
                                                                  build(mid, b))

    case = build(0, len(labels) - 1) if with_case else None
    runs: list[tuple[tuple | None, tuple | None]] = []  # adjacent ranges merged: (lower, upper)
    j = 0
    m = len(labels)
    while j < m:
        if labels[j] < 0:
            j += 1
            continue
        start = j
        while j + 1 < m and labels[j + 1] >= 0:
            j += 1
        runs.append((points[start - 1] if start > 0 else None, points[j] if j < len(points) else None))
        j += 1
    if len(runs) == 1 and ranges[0][0] is None and ranges[-1][1] is None:
        return case, None  # the whole key space
    if len(key_cols) == 1 and all(b is None or type(b[0]) is int for run in runs for b in run):
        # One integer column (a grid's cells, listed): the text written directly. Composing a
        # thousand ranges out of psycopg's sql objects cost 0.06 s of CPU per listing, measured.
        k = sql.Identifier(key_cols[0]).as_string(None)
        text = " OR ".join(
            "(" + " AND ".join(([f"{k} >= {lo[0]}"] if lo is not None else [])
                               + ([f"{k} < {hi[0]}"] if hi is not None else [])) + ")"
            for lo, hi in runs)
        return case, sql.SQL(text)
    return case, sql.SQL(" OR ").join(sql.SQL("(") + key_range(key_cols, lo, hi) + sql.SQL(")") for lo, hi in runs)
