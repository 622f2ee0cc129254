"""`tables:` in app.yaml: each logical table with its AS-IS and TO-BE location, its key, the
columns (or HBase families) compared, and an optional filter.

    tables:
      - id: events
        as-is: {warehouse: public.events}
        to-be: {warehouse: public.events}
        key: [event_id]                 # one or more columns (HBase: the row key, implicit)
        columns: [user_id, amount]      # default: every column (HBase: every family)
        filter: "created_at < CURRENT_DATE"   # warehouse: a SQL predicate (e.g. a watermark)
      - id: hbase-orders
        as-is: {hbase: orders}
        to-be: {hbase: orders}
        columns: [d]                    # families (d) or columns (d:amount)
        key_from: "order-"              # HBase: compare only row keys in [key_from, key_to)
        key_to: "order-9"
        engine: mapreduce               # HBase: thrift | mapreduce (README: MapReduce validation);
        rows: 2000000000                # default by these size hints against `mapreduce:` thresholds
        size: 3TB

Both sides of a table live in the same kind of store (HBase with HBase, warehouse with
warehouse): that is what the migration copies, and what a compare can hash alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config.entries import Entries, each_entry
from config.errors import ConfigError
from config.reader import Reader, join
from core.names import parse_table

KINDS = ("hbase", "warehouse")
COLUMN_PATTERN = r"[A-Za-z_][A-Za-z0-9_$]*"
HBASE_COLUMN_PATTERN = r"[^:\s]+(:[^\s]*)?"


@dataclass(frozen=True)
class TableSide:
    """Where one side of a table lives: an HBase table, or a warehouse `schema.table`."""

    kind: str  # "hbase" | "warehouse"
    name: str
    estate: str  # "as-is" | "to-be"


@dataclass(frozen=True)
class TableSpec:
    id: str
    as_is: TableSide
    to_be: TableSide
    key: tuple[str, ...] = ()  # warehouse key columns; empty for HBase (the row key)
    columns: tuple[str, ...] = ()  # empty: all columns / families
    filter: str | None = None  # warehouse SQL predicate
    key_from: str | None = None  # HBase row-key range [key_from, key_to)
    key_to: str | None = None
    engine: str | None = None  # HBase: "thrift" | "mapreduce"; None: chosen by size (engine_for)
    rows_hint: int | None = None
    size_hint: int | None = None

    @property
    def kind(self) -> str:
        return self.as_is.kind

    def side(self, estate: str) -> TableSide:
        return self.as_is if estate == "as-is" else self.to_be


@dataclass(frozen=True)
class Tables(Entries[TableSpec]):
    """The parsed section: `cfg.tables.get("events")`, `list(cfg.tables)`."""


def _side(r: Reader, estate: str, estates: dict[str, Any]) -> TableSide:
    given = [k for k in KINDS if r.has(k)]
    if len(given) != 1:
        raise ConfigError(r.path, f"give exactly one of {', '.join(KINDS)} (e.g. `warehouse: public.events`)")
    kind = given[0]
    name = r.str(kind)
    r.done()
    endpoint = getattr(estates.get(estate), kind, None) if estates else None
    if endpoint is None:
        raise ConfigError(join(r.path, kind), f"estates.{estate}.{kind} is not configured")
    if kind == "warehouse" and not _warehouse_name_ok(name):
        raise ConfigError(join(r.path, kind), f"{name!r} is not a table name (schema.table)")
    return TableSide(kind, name, estate)


def _engine(r: Reader, parsed: dict[str, Any]) -> tuple[str | None, int | None, int | None]:
    from config.mapreduce import ENGINES, ready
    from config.units import parse_size

    engine = r.choice("engine", ENGINES) if r.has("engine") else None
    rows = r.int("rows", default=None, minimum=0)
    size_raw = r.raw("size", None)
    try:
        size = parse_size(size_raw) if size_raw is not None else None
    except ValueError as e:
        raise ConfigError(join(r.path, "size"), str(e)) from None
    if engine == "mapreduce":
        missing = ready(parsed.get("estates", {}))
        if missing:
            raise ConfigError(join(r.path, "engine"), "mapreduce needs " + ", ".join(missing))
    return engine, rows, size


def engine_for(spec: TableSpec, estates: dict[str, Any], settings: Any) -> str:
    """The engine a table's count and full compare run on: its `engine:`, else MapReduce when a
    size hint is above the `mapreduce:` thresholds and both estates can run jobs, else Thrift."""
    from config.mapreduce import MapReduceSettings, ready

    if spec.kind != "hbase":
        return "warehouse"
    if spec.engine:
        return spec.engine
    s = settings if isinstance(settings, MapReduceSettings) else MapReduceSettings()
    big = ((spec.rows_hint is not None and spec.rows_hint > s.above_rows)
           or (spec.size_hint is not None and spec.size_hint > s.above_size))
    return "mapreduce" if big and not ready(estates) else "thrift"


def _warehouse_name_ok(name: str) -> bool:
    try:
        parse_table(name)
    except ValueError:
        return False
    return True


def parse(value: Any, path: str, parsed: dict[str, Any]) -> Tables:
    estates = parsed.get("estates", {})
    out: list[TableSpec] = []
    for ident, r in each_entry(value, path, "tables"):
        as_is = _side(r.section("as-is", required=True), "as-is", estates)
        to_be = _side(r.section("to-be", required=True), "to-be", estates)
        if as_is.kind != to_be.kind:
            raise ConfigError(join(r.path, "to-be"), f"is {to_be.kind} but as-is is {as_is.kind}: both sides "
                                                     "must be the same kind of store")
        kind = as_is.kind
        if kind == "warehouse":
            key = r.str_list("key", pattern=COLUMN_PATTERN, what="a column name")
            if not key:
                raise ConfigError(join(r.path, "key"), "needs at least one key column")
            columns = r.str_list("columns", default=(), pattern=COLUMN_PATTERN, what="a column name")
            overlap = set(key) & set(columns)
            if overlap:
                raise ConfigError(join(r.path, "columns"), f"{sorted(overlap)[0]!r} is a key column already")
            filt = r.str("filter", default=None)
            if filt is not None and ";" in filt:
                raise ConfigError(join(r.path, "filter"), "is one SQL predicate: no ';'")
            spec = TableSpec(ident, as_is, to_be, tuple(key), tuple(columns), filt)
        else:
            if r.has("key") and tuple(r.str_list("key")) not in ((), ("row",), ("rowkey",)):
                raise ConfigError(join(r.path, "key"), "an HBase table's key is its row key: leave `key` out")
            if r.has("filter"):
                r.raw("filter")
                raise ConfigError(join(r.path, "filter"), "is for warehouse tables; for HBase use key_from / key_to")
            columns = r.str_list("columns", default=(), pattern=HBASE_COLUMN_PATTERN,
                                 what="a family (d) or column (d:amount)")
            key_from, key_to = r.str("key_from", default=None), r.str("key_to", default=None)
            if key_from is not None and key_to is not None and key_from.encode() >= key_to.encode():
                raise ConfigError(join(r.path, "key_to"), "must sort after key_from")
            engine, rows_hint, size_hint = _engine(r, parsed)
            spec = TableSpec(ident, as_is, to_be, (), tuple(columns), None, key_from, key_to, engine, rows_hint,
                             size_hint)
        r.done()
        out.append(spec)
    return Tables(tuple(out))
