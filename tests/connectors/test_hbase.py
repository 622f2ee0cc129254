"""connectors/hbase.py against the sandbox HBase Thrift server (real happybase, real TCP)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from connectors.hbase import (
    Family,
    HBaseConnector,
    HBaseError,
    TableNotFound,
    Unreachable,
    row_bytes,
    row_hash,
)
from sandbox.hbase import HBaseThriftServer
from sandbox.hbase.seed import SEED_TIMESTAMP, order_key
from tests.fixtures.hbase import HBASE_SEED_ROWS, SeededHBase


@pytest.fixture(scope="module")
def asis(hbase_seeded: SeededHBase) -> Iterator[HBaseConnector]:
    with HBaseConnector(hbase_seeded.asis.host, hbase_seeded.asis.port) as c:
        yield c


@pytest.fixture(scope="module")
def tobe(hbase_seeded: SeededHBase) -> Iterator[HBaseConnector]:
    with HBaseConnector(hbase_seeded.tobe.host, hbase_seeded.tobe.port) as c:
        yield c


@pytest.fixture
def scratch(hbase_server: HBaseThriftServer) -> Iterator[HBaseConnector]:
    with HBaseConnector(hbase_server.host, hbase_server.port, pool_size=2) as c:
        yield c


def test_tables_families_regions(asis: HBaseConnector, hbase_seeded: SeededHBase) -> None:
    assert asis.tables() == ["customers", "orders"]
    assert asis.table_exists("orders") and not asis.table_exists("nope")
    assert asis.families("orders") == [Family(name="d")]
    regions = asis.regions("orders")
    assert len(regions) == 8
    assert [r.start_key for r in regions[1:]] == list(hbase_seeded.report.split_points)
    assert regions[0].start_key == b"" and regions[-1].end_key == b""
    assert all(a.end_key == b.start_key for a, b in zip(regions, regions[1:], strict=False))
    assert regions[0].name.startswith("orders,,") and regions[0].server.startswith("127.0.0.1:")


def test_count_by_region_equals_sequential_count(asis: HBaseConnector, tobe: HBaseConnector, hbase_seeded: SeededHBase) -> None:
    report = hbase_seeded.report
    parallel = asis.count_by_region("orders")
    sequential = asis.count_by_region("orders", parallel=False)
    assert [(rc.region, rc.rows) for rc in parallel] == [(rc.region, rc.rows) for rc in sequential]
    assert sum(rc.rows for rc in parallel) == report.rows_asis == HBASE_SEED_ROWS
    assert all(rc.rows == HBASE_SEED_ROWS // 8 for rc in parallel)
    assert asis.count("orders", parallel=False, caching=7) == report.rows_asis
    assert tobe.count("orders") == report.rows_tobe
    # the regions holding the missing rows are the ones whose counts differ
    diff = [a.region.start_key for a, b in zip(parallel, tobe.count_by_region("orders"), strict=True) if a.rows != b.rows]
    holding = {next(r.start_key for r in reversed(asis.regions("orders")) if k >= r.start_key) for k in report.missing_keys}
    assert set(diff) == holding
    assert asis.count_range("orders", order_key(10), order_key(20)) == 10
    assert asis.count_range("orders", None, order_key(5)) == 5
    assert asis.count_range("orders", order_key(HBASE_SEED_ROWS - 3)) == 3
    assert asis.count("customers") == report.customers_rows


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_scan_ranges_batches_and_checkpoints(asis: HBaseConnector, batch_size: int) -> None:
    rows = list(asis.scan("orders", order_key(1245), order_key(1260), batch_size=batch_size))
    assert [k for k, _ in rows] == [order_key(i) for i in range(1245, 1260)]
    assert set(rows[0][1]) == {b"d:customer", b"d:amount", b"d:status", b"d:created_at"}
    batches = list(asis.scan_batches("orders", order_key(1245), order_key(1260), batch_size=batch_size))
    assert all(len(b) <= batch_size for b in batches) and sum(len(b) for b in batches) == 15
    # resume strictly after a checkpoint key, as hbase-copy does
    resumed = [k for k, _ in asis.scan("orders", stop=order_key(1260), after=order_key(1250), batch_size=batch_size)]
    assert resumed == [order_key(i) for i in range(1251, 1260)]
    only = list(asis.scan("orders", order_key(3), order_key(4), columns=[b"d:status"], include_timestamp=True))
    assert len(only) == 1 and list(only[0][1]) == [b"d:status"] and only[0][1][b"d:status"][1] == SEED_TIMESTAMP
    keys = list(asis.keys("orders", order_key(5), order_key(9), batch_size=batch_size))
    assert keys == [order_key(i) for i in range(5, 9)]
    assert list(asis.keys("orders", after=order_key(HBASE_SEED_ROWS - 2))) == [order_key(HBASE_SEED_ROWS - 1)]


def test_abandoned_scan_releases_its_connection(asis: HBaseConnector) -> None:
    for _ in range(3 * asis.pool_size):  # more abandoned scans than pooled connections
        it = asis.scan("orders", batch_size=2)
        next(it)
        it.close()
    assert asis.count_range("orders", order_key(0), order_key(3)) == 3


def test_get_many_with_missing_keys(asis: HBaseConnector, tobe: HBaseConnector, hbase_seeded: SeededHBase) -> None:
    report = hbase_seeded.report
    wanted = [order_key(i) for i in range(0, HBASE_SEED_ROWS, 97)] + list(report.missing_keys) + [b"nope"]
    got = asis.get_many("orders", wanted, batch_size=10)
    assert set(got) == set(wanted) - {b"nope"}
    on_tobe = tobe.get_many("orders", wanted, columns=[b"d:amount", b"d:status"], batch_size=10)
    assert set(on_tobe) == set(wanted) - {b"nope"} - set(report.missing_keys)
    assert all(set(v) <= {b"d:amount", b"d:status"} for v in on_tobe.values())
    changed = report.changed_cells[0]
    assert asis.get_many("orders", [changed.row])[changed.row][changed.column] == changed.asis_value
    assert tobe.get_many("orders", [changed.row])[changed.row][changed.column] == changed.tobe_value
    assert asis.get_many("orders", []) == {}


def test_row_hash_and_row_bytes() -> None:
    assert row_hash(b"k", {b"d:a": b"1", b"d:b": b"2"}) == row_hash(b"k", {b"d:b": b"2", b"d:a": b"1"})
    assert row_hash(b"k", {b"d:a": b"12"}) != row_hash(b"k", {b"d:a1": b"2"})
    assert 0 <= row_hash(b"", {}) < 2**60
    assert row_bytes(b"key", {b"d:a": b"xy", b"d:b": (b"z", 5)}) == 3 + 3 + 2 + 3 + 1


def test_put_delete_and_tables(scratch: HBaseConnector, hbase_table_name: str, asis: HBaseConnector) -> None:
    name = hbase_table_name
    assert scratch.create_table_like(asis, "orders", name) is True
    assert scratch.create_table_like(asis, "orders", name) is False
    assert scratch.families(name) == asis.families("orders")
    # copy a slice keeping cell timestamps, in small batches
    n = scratch.put_many(name, asis.scan("orders", stop=order_key(25), include_timestamp=True), batch_size=4)
    assert n == 25 and scratch.count(name) == 25
    assert dict(scratch.scan(name)) == dict(asis.scan("orders", stop=order_key(25)))
    assert {ts for _, cells in scratch.scan(name, include_timestamp=True) for _, ts in cells.values()} == {SEED_TIMESTAMP}
    # plain values are written at the server's time; mixed rows work too
    scratch.put_many(name, [(b"x1", {b"d:a": b"1"}), (b"x2", {b"d:a": (b"2", 7), b"d:b": b"3"})])
    got = dict(scratch.scan(name, b"x", include_timestamp=True))
    assert got[b"x2"][b"d:a"] == (b"2", 7) and got[b"x1"][b"d:a"][1] > SEED_TIMESTAMP
    assert scratch.count(name) == 27
    with pytest.raises(HBaseError, match="NoSuchColumnFamily"):
        scratch.put_many(name, [(b"k", {b"zz:a": b"1"})])
    with pytest.raises(HBaseError, match="without column families zz"):
        scratch.ensure_table(name, ["d", "zz"])
    assert scratch.delete_table(name) is True and scratch.delete_table(name) is False
    assert scratch.ensure_table(name, ["d", b"e:"], split_points=[b"m"]) is True
    assert [f.name for f in scratch.families(name)] == ["d", "e"]
    scratch.delete_table(name)


def test_unknown_table_raises_table_not_found(asis: HBaseConnector) -> None:
    calls = [
        lambda: asis.families("nope"), lambda: asis.regions("nope"), lambda: asis.count("nope"),
        lambda: asis.count_range("nope"), lambda: list(asis.scan("nope")), lambda: asis.get_many("nope", [b"k"]),
        lambda: asis.put_many("nope", [(b"k", {b"d:a": b"1"})]),
        lambda: list(asis.keys("nope")),
    ]
    for call in calls:
        with pytest.raises(TableNotFound) as info:
            call()
        assert info.value.table == "nope"
        assert "'nope' does not exist on HBase Thrift 127.0.0.1:" in str(info.value)
    assert asis.count_range("orders", order_key(0), order_key(2)) == 2  # still usable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_server() -> None:
    port = _free_port()
    connector = HBaseConnector("127.0.0.1", port, timeout=2)  # building it does not connect
    with pytest.raises(Unreachable, match=f"127.0.0.1:{port} is unreachable"):
        connector.tables()
    with pytest.raises(Unreachable):
        connector.count("orders")
    with pytest.raises(ValueError):
        HBaseConnector("127.0.0.1", port, pool_size=0)


def test_server_going_away_and_coming_back(hbase_server_factory) -> None:
    server = hbase_server_factory()
    server.load_table("t", ["d"], [(b"a", {b"d:x": b"1"})])
    port = server.port
    connector = HBaseConnector(server.host, port, timeout=2, pool_size=2)
    assert connector.count("t") == 1
    server.stop()
    with pytest.raises(Unreachable):
        connector.count("t")
    with pytest.raises(Unreachable):
        connector.tables()
    back = hbase_server_factory(port=port)
    back.load_table("t", ["d"], [(b"a", {b"d:x": b"1"}), (b"b", {b"d:x": b"2"})])
    assert connector.count("t") == 2  # broken pooled connections were replaced
    connector.close()


def test_count_workers(asis: HBaseConnector, hbase_seeded: SeededHBase) -> None:
    for workers in (1, 3):
        assert asis.count("orders", workers=workers) == hbase_seeded.report.rows_asis


