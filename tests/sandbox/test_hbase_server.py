"""The sandbox HBase Thrift server, driven by the real client (happybase) over TCP."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import happybase
import pytest

from sandbox.hbase import HBaseThriftServer, seed_orders
from sandbox.hbase.handler import HBaseHandler, thrift_module
from sandbox.hbase.seed import SEED_TIMESTAMP

KEY_ONLY = b"FirstKeyOnlyFilter() AND KeyOnlyFilter()"
N = 500
SPLITS = [b"row-00100", b"row-00250", b"row-00400"]


def key(i: int) -> bytes:
    return b"row-%05d" % i


def cells(i: int) -> dict[bytes, bytes]:
    return {b"d:a": b"a%d" % i, b"d:b": b"b%d" % i, b"x:c": b"c%d" % i}


@pytest.fixture
def conn(hbase_server: HBaseThriftServer) -> Iterator[happybase.Connection]:
    c = happybase.Connection(hbase_server.host, hbase_server.port)
    yield c
    c.close()


@pytest.fixture
def loaded(hbase_server: HBaseThriftServer, hbase_table_name: str) -> Iterator[str]:
    """A table of N rows, families d and x, 4 regions; dropped afterwards."""
    hbase_server.load_table(hbase_table_name, ["d", "x"], ((key(i), cells(i)) for i in range(N)), SPLITS, timestamp=1000)
    yield hbase_table_name
    hbase_server.drop_table(hbase_table_name)


def test_every_service_method_has_a_handler() -> None:
    # A missing method does not raise on the client: it kills the connection.
    missing = [name for name in thrift_module().Hbase.thrift_services if not callable(getattr(HBaseHandler, name, None))]
    assert missing == []


def test_tables_lifecycle(conn: happybase.Connection, hbase_table_name: str) -> None:
    conn.create_table(hbase_table_name, {"d": dict(max_versions=5), "x": {}})
    assert hbase_table_name.encode() in conn.tables()
    families = conn.table(hbase_table_name).families()
    assert set(families) == {b"d", b"x"}
    assert families[b"d"]["max_versions"] == 5
    with pytest.raises(thrift_module().AlreadyExists):
        conn.create_table(hbase_table_name, {"d": {}})
    assert conn.is_table_enabled(hbase_table_name)
    with pytest.raises(thrift_module().IOError, match="TableNotDisabledException"):
        conn.delete_table(hbase_table_name)
    conn.disable_table(hbase_table_name)
    assert not conn.is_table_enabled(hbase_table_name)
    with pytest.raises(thrift_module().IOError, match="TableNotEnabledException"):
        conn.table(hbase_table_name).row(b"k")
    conn.delete_table(hbase_table_name)
    assert hbase_table_name.encode() not in conn.tables()


def test_regions_follow_split_points(conn: happybase.Connection, loaded: str, hbase_server: HBaseThriftServer) -> None:
    regions = conn.table(loaded).regions()
    assert [(r["start_key"], r["end_key"]) for r in regions] == [
        (b"", b"row-00100"), (b"row-00100", b"row-00250"), (b"row-00250", b"row-00400"), (b"row-00400", b""),
    ]
    ids = {r["id"] for r in regions}
    assert len(ids) == 1
    rid = ids.pop()
    for r in regions:
        assert r["name"].startswith(b"%s,%s,%d." % (loaded.encode(), r["start_key"], rid))
        assert r["name"].endswith(b".") and r["port"] > 0
    hbase_server.split_table(loaded, [b"row-00300"])
    assert [r["start_key"] for r in conn.table(loaded).regions()] == [b"", b"row-00300"]
    assert sum(1 for _ in conn.table(loaded).scan(filter=KEY_ONLY)) == N


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_scans_with_batch_sizes_and_ranges(conn: happybase.Connection, loaded: str, batch_size: int) -> None:
    table = conn.table(loaded)
    full = list(table.scan(batch_size=batch_size))
    assert [k for k, _ in full] == [key(i) for i in range(N)]
    assert full[123][1] == cells(123)
    # across region boundaries, start inclusive and stop exclusive, keys that do not exist
    part = [k for k, _ in table.scan(row_start=b"row-00095", row_stop=b"row-00255", batch_size=batch_size)]
    assert part == [key(i) for i in range(95, 255)]
    part = [k for k, _ in table.scan(row_start=b"row-00099x", row_stop=b"row-00101", batch_size=batch_size)]
    assert part == [key(100)]
    assert [k for k, _ in table.scan(row_start=b"row-00400", batch_size=batch_size)] == [key(i) for i in range(400, N)]
    assert [k for k, _ in table.scan(row_stop=b"row-00003", batch_size=batch_size)] == [key(0), key(1), key(2)]
    assert list(table.scan(row_start=b"zzz", batch_size=batch_size)) == []
    assert len(list(table.scan(limit=10, batch_size=batch_size))) == 10


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_key_only_filter_returns_one_empty_cell_per_row(conn: happybase.Connection, loaded: str, batch_size: int) -> None:
    rows = list(conn.table(loaded).scan(filter=KEY_ONLY, batch_size=batch_size, include_timestamp=True))
    assert len(rows) == N
    assert all(cols == {b"d:a": (b"", 1000)} for _, cols in rows)
    only_key = list(conn.table(loaded).scan(filter=b"KeyOnlyFilter()", limit=1))
    assert only_key == [(key(0), {b"d:a": b"", b"d:b": b"", b"x:c": b""})]
    first = list(conn.table(loaded).scan(filter=b"FirstKeyOnlyFilter()", limit=1))
    assert first == [(key(0), {b"d:a": b"a0"})]


def test_prefix_filter_and_combinations(conn: happybase.Connection, loaded: str) -> None:
    table = conn.table(loaded)
    assert [k for k, _ in table.scan(filter=b"PrefixFilter('row-0012')")] == [key(i) for i in range(120, 130)]
    got = list(table.scan(filter=b"PrefixFilter('row-0012') AND (FirstKeyOnlyFilter() AND KeyOnlyFilter())", batch_size=3))
    assert got == [(key(i), {b"d:a": b""}) for i in range(120, 130)]
    assert [k for k, _ in table.scan(row_prefix=b"row-0049")] == [key(i) for i in range(490, 500)]
    assert list(table.scan(filter=b"PrefixFilter('nope')")) == []
    # quotes inside a literal are doubled, as in HBase's filter language
    assert list(table.scan(filter=b"PrefixFilter('it''s')")) == []
    assert list(table.scan(filter=b"ColumnPrefixFilter('b')", limit=1)) == [(key(0), {b"d:b": b"b0"})]


def test_unsupported_filter_is_an_error_and_the_connection_survives(conn: happybase.Connection, loaded: str) -> None:
    table = conn.table(loaded)
    with pytest.raises(thrift_module().IOError, match="not supported"):
        list(table.scan(filter=b"SingleColumnValueFilter('d', 'a', =, 'binary:a1')"))
    with pytest.raises(thrift_module().IOError):
        list(table.scan(filter=b"PrefixFilter('a') OR KeyOnlyFilter()"))
    with pytest.raises(thrift_module().IOError):
        list(table.scan(filter=b"PrefixFilter("))
    assert len(list(table.scan(limit=2))) == 2


def test_columns_timestamps_sorting_batching_and_reverse(conn: happybase.Connection, loaded: str) -> None:
    table = conn.table(loaded)
    assert list(table.scan(columns=[b"x"], limit=1)) == [(key(0), {b"x:c": b"c0"})]
    assert list(table.scan(columns=[b"d:b", b"x:"], limit=1)) == [(key(0), {b"d:b": b"b0", b"x:c": b"c0"})]
    sorted_row = next(iter(table.scan(sorted_columns=True, limit=1)))[1]
    assert list(sorted_row) == [b"d:a", b"d:b", b"x:c"]
    # scan_batching (Scan.setBatching) cuts a row into partial rows of at most 2 cells
    partial = list(table.scan(row_stop=key(2), scan_batching=2, batch_size=1))
    assert [(k, len(c)) for k, c in partial] == [(key(0), 2), (key(0), 1), (key(1), 2), (key(1), 1)]
    rev = [k for k, _ in table.scan(row_start=key(102), row_stop=key(97), reverse=True, batch_size=2)]
    assert rev == [key(i) for i in (102, 101, 100, 99, 98)]
    assert [k for k, _ in table.scan(reverse=True, limit=3)] == [key(499), key(498), key(497)]
    assert list(table.scan(timestamp=1000, limit=1)) == []  # the time range is [0, ts)
    assert len(list(table.scan(timestamp=1001, limit=5))) == 5


def test_get_and_multi_get(conn: happybase.Connection, loaded: str) -> None:
    table = conn.table(loaded)
    assert table.row(key(7)) == cells(7)
    assert table.row(key(7), columns=[b"x"]) == {b"x:c": b"c7"}
    assert table.row(b"missing") == {}
    got = table.rows([key(1), b"missing", key(450), key(1)], columns=[b"d:a"])
    assert got == [(key(1), {b"d:a": b"a1"}), (key(450), {b"d:a": b"a450"}), (key(1), {b"d:a": b"a1"})]
    assert table.rows([]) == {}
    assert dict(table.rows([key(3)]))[key(3)] == cells(3)


def test_puts_deletes_and_unknown_family(conn: happybase.Connection, loaded: str) -> None:
    table = conn.table(loaded)
    table.put(b"new", {b"d:a": b"1", b"x:c": b"2"})
    assert table.row(b"new") == {b"d:a": b"1", b"x:c": b"2"}
    table.delete(b"new", columns=[b"d:a"])
    assert table.row(b"new") == {b"x:c": b"2"}
    table.delete(b"new")
    assert table.row(b"new") == {}
    with table.batch(batch_size=7) as b:
        for i in range(20):
            b.put(b"batch-%02d" % i, {b"d:a": b"%d" % i})
        b.delete(key(0))
    assert len(list(table.scan(row_prefix=b"batch-"))) == 20
    assert table.row(key(0)) == {}
    assert sum(1 for _ in table.scan(filter=KEY_ONLY)) == N - 1 + 20
    with pytest.raises(thrift_module().IOError, match="NoSuchColumnFamilyException"):
        table.put(b"k", {b"nope:a": b"1"})
    conn.client.deleteAll(loaded.encode(), key(1), b"x:c", {})
    assert table.row(key(1)) == {b"d:a": b"a1", b"d:b": b"b1"}
    conn.client.deleteAllRow(loaded.encode(), key(1), {})
    assert table.row(key(1)) == {}


def test_timestamps_and_versions(conn: happybase.Connection, loaded: str) -> None:
    table = conn.table(loaded)
    table.put(b"v", {b"d:a": b"old"}, timestamp=10)
    table.put(b"v", {b"d:a": b"new"}, timestamp=20)
    assert table.row(b"v", include_timestamp=True) == {b"d:a": (b"new", 20)}
    assert table.row(b"v", timestamp=20) == {b"d:a": b"old"}
    assert table.cells(b"v", b"d:a", include_timestamp=True) == [(b"new", 20), (b"old", 10)]
    assert table.cells(b"v", b"d:a", versions=1) == [b"new"]
    table.put(b"now", {b"d:a": b"x"})
    ts = table.row(b"now", include_timestamp=True)[b"d:a"][1]
    assert abs(ts - __import__("time").time() * 1000) < 60_000
    table.delete(b"v", columns=[b"d:a"], timestamp=15)  # versions <= 15 go
    assert table.cells(b"v", b"d:a") == [b"new"]
    # a bulk-loaded cell (timestamp 1000) gains versions like any other
    table.put(key(5), {b"d:a": b"newer"}, timestamp=2000)
    assert table.cells(key(5), b"d:a", include_timestamp=True) == [(b"newer", 2000), (b"a5", 1000)]
    assert table.row(key(5), timestamp=2000) == cells(5)
    table.delete(key(5), columns=[b"d:a"], timestamp=1000)
    assert table.cells(key(5), b"d:a") == [b"newer"]


def test_counters(conn: happybase.Connection, loaded: str) -> None:
    table = conn.table(loaded)
    assert table.counter_inc(b"c", b"d:n") == 1
    assert table.counter_inc(b"c", b"d:n", 41) == 42
    assert table.counter_get(b"c", b"d:n") == 42
    table.counter_set(b"c", b"d:n", 7)
    assert table.counter_dec(b"c", b"d:n") == 6


def test_unknown_table_is_a_clear_error_and_the_connection_survives(conn: happybase.Connection) -> None:
    IOError_ = thrift_module().IOError
    table = conn.table("no_such_table")
    for call in (lambda: table.row(b"k"), lambda: list(table.scan()), lambda: table.put(b"k", {b"d:a": b"1"}),
                 lambda: table.families(), lambda: table.rows([b"k"])):
        with pytest.raises(IOError_, match="TableNotFoundException: no_such_table"):
            call()
    assert table.regions() == []  # as HBase's own Thrift server answers
    assert isinstance(conn.tables(), list)


def test_scanner_resumes_by_key_while_rows_change(conn: happybase.Connection, loaded: str) -> None:
    table = conn.table(loaded)
    sid = conn.client.scannerOpenWithScan(loaded.encode(), thrift_module().TScan(startRow=b"", caching=10), {})
    first = conn.client.scannerGetList(sid, 10)
    assert [r.row for r in first] == [key(i) for i in range(10)]
    table.put(b"row-00009z", {b"d:a": b"inserted"})  # after the last key served: must be seen
    table.put(b"row-00005z", {b"d:a": b"behind"})  # before it: must not be
    table.delete(key(10))
    nxt = conn.client.scannerGetList(sid, 3)
    assert [r.row for r in nxt] == [b"row-00009z", key(11), key(12)]
    conn.client.scannerClose(sid)
    with pytest.raises(thrift_module().IllegalArgument):
        conn.client.scannerGetList(sid, 1)


def test_data_survives_a_restart(tmp_path) -> None:
    path = tmp_path / "hbase.pickle"
    with HBaseThriftServer(data_path=path) as server:
        server.load_table("kept", ["d"], [(b"a", {b"d:x": b"1"})], [b"m"], timestamp=5)
        c = happybase.Connection(server.host, server.port)
        c.table("kept").put(b"z", {b"d:x": b"2"}, timestamp=6)
        c.close()
    assert path.exists()
    with HBaseThriftServer(data_path=path) as again:
        c = happybase.Connection(again.host, again.port)
        assert list(c.table("kept").scan(include_timestamp=True)) == [(b"a", {b"d:x": (b"1", 5)}), (b"z", {b"d:x": (b"2", 6)})]
        assert [r["start_key"] for r in c.table("kept").regions()] == [b"", b"m"]
        c.close()


def test_data_file_cannot_run_code(tmp_path) -> None:
    import pickle

    path = tmp_path / "evil.pickle"
    path.write_bytes(pickle.dumps({"format": 1, "tables": [threading.Lock]}))
    with pytest.raises(pickle.UnpicklingError):
        HBaseThriftServer(data_path=path).start()


def test_stop_closes_port_and_connections(hbase_server_factory) -> None:
    server = hbase_server_factory()
    c = happybase.Connection(server.host, server.port)
    assert c.tables() == []
    before = threading.active_count()
    server.stop()
    with pytest.raises(OSError):
        socket.create_connection((server.host, server.port), timeout=1).close()
    assert threading.active_count() <= before
    c.close()


def test_idle_connection_is_not_dropped(hbase_server: HBaseThriftServer, conn: happybase.Connection) -> None:
    conn.tables()
    threading.Event().wait(3.2)  # thriftpy2's default server drops clients idle for 3 s
    assert isinstance(conn.tables(), list)


def test_seed_report_is_exact(hbase_seeded_factory) -> None:
    seeded = hbase_seeded_factory(rows=3_000, missing=4, changed=3, seed=7, regions=5, customers=50)
    report = seeded.report
    a = happybase.Connection(seeded.asis.host, seeded.asis.port)
    b = happybase.Connection(seeded.tobe.host, seeded.tobe.port)
    asis = dict(a.table("orders").scan(include_timestamp=True))
    tobe = dict(b.table("orders").scan(include_timestamp=True))
    assert len(asis) == report.rows_asis == 3_000 and len(tobe) == report.rows_tobe == 2_996
    assert tuple(sorted(set(asis) - set(tobe))) == report.missing_keys
    assert set(tobe) <= set(asis)
    changed = sorted((k, c, asis[k][c][0], tobe[k][c][0]) for k in tobe for c in tobe[k] if tobe[k][c] != asis[k][c])
    assert changed == [(c.row, c.column, c.asis_value, c.tobe_value) for c in report.changed_cells]
    assert len(changed) == 3
    assert all(ts == SEED_TIMESTAMP for row in asis.values() for _, ts in row.values())
    assert set(next(iter(asis.values()))) == set(report.columns)
    for conn in (a, b):
        assert [r["start_key"] for r in conn.table("orders").regions()][1:] == list(report.split_points)
        assert len(report.split_points) == 4
        assert sum(1 for _ in conn.table("customers").scan(filter=KEY_ONLY)) == 50
    assert dict(a.table("customers").scan()) == dict(b.table("customers").scan())
    # the same arguments give the same data
    with HBaseThriftServer() as x, HBaseThriftServer() as y:
        assert seed_orders(x, y, rows=3_000, missing=4, changed=3, seed=7, regions=5, customers=50) == report
    a.close()
    b.close()


def test_concurrent_writers_and_readers(hbase_server: HBaseThriftServer, hbase_table_name: str) -> None:
    hbase_server.create_table(hbase_table_name, ["d"], [b"w1", b"w2", b"w3"])
    errors: list[BaseException] = []

    def write(w: int) -> None:
        try:
            c = happybase.Connection(hbase_server.host, hbase_server.port)
            with c.table(hbase_table_name).batch(batch_size=50) as b:
                for i in range(300):
                    b.put(b"w%d-%04d" % (w, i), {b"d:v": b"%d" % i})
            sum(1 for _ in c.table(hbase_table_name).scan(filter=KEY_ONLY, batch_size=7))
            c.close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    c = happybase.Connection(hbase_server.host, hbase_server.port)
    keys = [k for k, _ in c.table(hbase_table_name).scan(filter=KEY_ONLY)]
    assert keys == sorted(b"w%d-%04d" % (w, i) for w in range(4) for i in range(300))
    c.close()
    hbase_server.drop_table(hbase_table_name)


def test_standalone_process(tmp_path) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox.hbase", "--seed-rows", "200", "--regions", "4", "--until-stdin-closes",
         "--data-path", str(tmp_path / "h.pickle")],
        cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        ready = proc.stdout.readline().split()  # type: ignore[union-attr]
        assert ready[0] == "READY"
        c = happybase.Connection(ready[1], int(ready[2]))
        assert sum(1 for _ in c.table("orders").scan(filter=KEY_ONLY)) == 200
        assert len(c.table("orders").regions()) == 4
        c.close()
    finally:
        proc.stdin.close()  # type: ignore[union-attr]
        assert proc.wait(timeout=10) == 0
    assert (tmp_path / "h.pickle").exists()


def test_simulated_region_server_rate(hbase_server_factory) -> None:
    import time

    server = hbase_server_factory(scan_rows_per_second=2_000)
    server.load_table("t", ["d"], [(key(i), {b"d:a": b"1"}) for i in range(200)])
    c = happybase.Connection(server.host, server.port)
    t0 = time.monotonic()
    assert sum(1 for _ in c.table("t").scan(filter=KEY_ONLY, batch_size=50)) == 200
    assert time.monotonic() - t0 >= 0.09  # 200 rows at 2,000 rows/s
    c.close()


def test_store_key_ranges_match_brute_force() -> None:
    """The per-region range walk (forward, reverse, resumed) against a sorted list."""
    import random

    from sandbox.hbase.store import Table

    rng = random.Random(5)
    alphabet = b"abc\x00\xff"
    for _ in range(40):
        keys = sorted({bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(0, 40))})
        splits = sorted({bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 2))) for _ in range(rng.randint(0, 5))})
        table = Table(name=b"t", families={b"d": {}}, split_points=splits, rows={k: {b"d:a": b"v"} for k in keys})
        for _ in range(30):
            start = rng.choice([b"", *keys, b"b", b"ab\x00"])
            stop = rng.choice([b"", *keys, b"c", b"a\xff"])
            after = rng.choice([None, None, *keys, b"b"])
            limit = rng.randint(1, 50)
            want = [k for k in keys if k >= start and (not stop or k < stop) and (after is None or k > after)][:limit]
            assert table.keys_from(start, stop, after, limit) == want, (keys, splits, start, stop, after, limit)
            # reversed: start is the inclusive top, stop the exclusive bottom
            want_r = [k for k in reversed(keys) if (not start or k <= start) and (not stop or k > stop)
                      and (after is None or k < after)][:limit]
            assert table.keys_from(start, stop, after, limit, reverse=True) == want_r, (keys, splits, start, stop, after, limit)


def test_every_call_answers_and_keeps_the_connection(conn: happybase.Connection, loaded: str) -> None:
    """Each Thrift call, with good and bad input, answers (a value or a declared exception)."""
    T = thrift_module()
    c, t = conn.client, loaded.encode()
    declared = (T.IOError, T.IllegalArgument, T.AlreadyExists)
    calls = {
        "compact": lambda: c.compact(t), "majorCompact": lambda: c.majorCompact(t),
        "get": lambda: c.get(t, key(1), b"d:a", {}), "getVer": lambda: c.getVer(t, key(1), b"d:a", 2, {}),
        "getVerTs": lambda: c.getVerTs(t, key(1), b"d:a", 5000, 2, {}),
        "getRow": lambda: c.getRow(t, key(1), {}), "getRowTs": lambda: c.getRowTs(t, key(1), 5000, {}),
        "getRows": lambda: c.getRows(t, [key(1), b"zz"], {}), "getRowsTs": lambda: c.getRowsTs(t, [key(1)], 5000, {}),
        "getRowsWithColumnsTs": lambda: c.getRowsWithColumnsTs(t, [key(1)], [b"d"], 5000, {}),
        "mutateRow": lambda: c.mutateRow(t, b"m1", [T.Mutation(column=b"d:a", value=b"1")], {}),
        "mutateRowTs": lambda: c.mutateRowTs(t, b"m2", [T.Mutation(column=b"d:a", value=b"1")], 77, {}),
        "badMutation": lambda: c.mutateRow(t, b"m3", [T.Mutation(column=b"d:a", value=None)], {}),
        "deleteAllTs": lambda: c.deleteAllTs(t, b"m2", b"d:a", 77, {}),
        "deleteAllRowTs": lambda: c.deleteAllRowTs(t, b"m1", 10**15, {}),
        "increment": lambda: c.increment(T.TIncrement(table=t, row=b"i", column=b"d:n", ammount=2)),
        "incrementRows": lambda: c.incrementRows([T.TIncrement(table=t, row=b"i", column=b"d:n", ammount=3)]),
        "badIncrement": lambda: c.atomicIncrement(t, key(1), b"d:a", 1),  # not an 8-byte counter
        "scannerOpen": lambda: c.scannerOpen(t, key(5), [b"d"], {}),
        "scannerOpenWithStop": lambda: c.scannerOpenWithStop(t, key(5), key(9), None, {}),
        "scannerOpenWithPrefix": lambda: c.scannerOpenWithPrefix(t, b"row-0001", None, {}),
        "scannerOpenTs": lambda: c.scannerOpenTs(t, key(5), None, 5000, {}),
        "scannerOpenWithStopTs": lambda: c.scannerOpenWithStopTs(t, key(5), key(9), None, 5000, {}),
        "scannerGet": lambda: c.scannerGet(c.scannerOpen(t, key(5), None, {})),
        "getRowOrBefore": lambda: c.getRowOrBefore(t, b"row-00005z", b"d"),
        "getRegionInfo": lambda: c.getRegionInfo(t + b",row-00120,99999999999999"),
        "append": lambda: c.append(T.TAppend(table=t, row=key(2), columns=[b"d:a"], values=[b"+"])),
        "checkAndPut": lambda: c.checkAndPut(t, key(3), b"d:a", b"a3", T.Mutation(column=b"d:b", value=b"ok"), {}),
        "checkAndPutMiss": lambda: c.checkAndPut(t, key(3), b"d:a", b"no", T.Mutation(column=b"d:b", value=b"x"), {}),
        "badScanner": lambda: c.scannerGetList(123456789, 1),
        "createEmpty": lambda: c.createTable(b"", []),
        "unknownTableDelete": lambda: c.deleteTable(b"no_such"),
    }
    results = {}
    for name, call in calls.items():
        try:
            results[name] = call()
        except declared as exc:
            results[name] = type(exc).__name__
        assert conn.tables(), name  # the connection still answers
    assert results["get"][0].value == b"a1"
    assert [x.value for x in results["getVerTs"]] == [b"a1"]
    assert [r.row for r in results["getRows"]] == [key(1)]
    assert results["badMutation"] == "IllegalArgument"
    assert results["badIncrement"] == "IllegalArgument"
    assert results["getRowOrBefore"][0].value == b"a5"
    assert results["getRegionInfo"].startKey == b"row-00100"
    assert results["append"][0].value == b"a2+"
    assert results["checkAndPut"] is True and results["checkAndPutMiss"] is False
    assert results["badScanner"] == "IllegalArgument" and results["createEmpty"] == "IllegalArgument"
    assert results["unknownTableDelete"] == "IOError"
    assert conn.table(loaded).counter_get(b"i", b"d:n") == 5
    assert [r.row for r in results["scannerGet"]] == [key(5)]
