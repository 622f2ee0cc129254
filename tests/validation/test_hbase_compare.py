"""Count, sample and full compare on the HBase stand-in: the seeded drift, and every
correctness case of the issue (HBase stores bytes: no types, no NULLs, unique row keys)."""

from __future__ import annotations

import pytest

from features.validation.hashdiff import full_compare
from features.validation.sample import sample_compare
from tests.validation.helpers import SMALL, changed_keys, hbase_pair, run_all


def test_seeded_drift_is_found_exactly_by_count_sample_and_full(hbase_seeded):
    report = hbase_seeded.report
    checks = run_all(*hbase_pair(hbase_seeded.asis, "orders", hbase_seeded.tobe, "orders"), table="orders")
    assert (checks.count.rows_asis, checks.count.rows_tobe) == (report.rows_asis, report.rows_tobe)
    assert checks.count.difference == -len(report.missing_keys) and not checks.count.passed
    expected_changed = {c.row.decode(): [c.column.decode()] for c in report.changed_cells}
    for result in checks.compares():
        assert result.missing == sorted(k.decode() for k in report.missing_keys), result.check
        assert result.extra == [] and result.duplicates == []
        assert changed_keys(result) == expected_changed
        cell = report.changed_cells[0]
        assert result.changed[0].asis[cell.column.decode()] == repr(cell.asis_value.decode())
        assert result.changed[0].tobe[cell.column.decode()] == repr(cell.tobe_value.decode())
    assert checks.full.stats["strategy"].startswith("key ranges: 8")  # the 8 regions of AS-IS


def test_sample_is_reproducible_with_its_seed(hbase_seeded):
    a, b = hbase_pair(hbase_seeded.asis, "orders", hbase_seeded.tobe, "orders")
    first = sample_compare("orders", a, b, 500, seed=1234)
    again = sample_compare("orders", a, b, 500, seed=1234)
    other = sample_compare("orders", a, b, 500, seed=99)
    assert first.seed == 1234 and first.rows_asis + first.n_missing >= 500 - 1
    assert first.to_dict()["missing"] == again.to_dict()["missing"] and first.rows_asis == again.rows_asis
    keys = sorted(k for _, k in a.sample_keys(500, 1234))
    assert keys == sorted(k for _, k in a.sample_keys(500, 1234)) != sorted(k for _, k in a.sample_keys(500, 99))
    assert other.seed == 99


@pytest.fixture
def two_tables(hbase_server, hbase_table_name):
    names = (hbase_table_name + "_a", hbase_table_name + "_b")
    yield hbase_server, names
    for n in names:
        hbase_server.drop_table(n)


def load(server, name, rows, splits=(), timestamp=None):
    server.load_table(name, ["d"], rows, list(splits), timestamp=timestamp)


def test_correctness_cases_on_hbase(two_tables):
    server, (ta, tb) = two_tables
    asis = {
        b"k-null-vs-empty": {b"d:x": b""},                 # TO-BE lacks the row (cells: see below)
        b"k-unicode": {b"d:x": "café ☕".encode()},          # TO-BE: cafe
        b"k-unicode-same": {b"d:x": "日本語 Zoë".encode()},
        b"k-decimal": {b"d:x": b"1.50"},                   # bytes: 1.5 differs from 1.50
        b"k-time": {b"d:x": b"2026-01-01T00:00:00Z"},      # one second off on TO-BE
        "ключ-текст".encode(): {b"d:x": b"text key"},     # a non-ASCII row key, missing on TO-BE
        b"eu|00017": {b"d:x": b"composite"},               # region|number keys
        b"us|00003": {b"d:x": b"composite"},
    }
    tobe = {
        b"k-null-vs-empty": {},
        b"k-unicode": {b"d:x": "cafe ☕".encode()},
        b"k-unicode-same": {b"d:x": "日本語 Zoë".encode()},
        b"k-decimal": {b"d:x": b"1.5"},
        b"k-time": {b"d:x": b"2026-01-01T00:00:01Z"},
        b"eu|00017": {b"d:x": b"composite"},
        b"us|00003": {b"d:x": b"composite"},
        b"us|00004": {b"d:x": b"composite"},               # extra on TO-BE
    }
    load(server, ta, list(asis.items()), [b"k", b"u"])
    # Same values written at other cell timestamps, and one row put twice: HBase keeps one row.
    load(server, tb, [(k, v) for k, v in tobe.items() if v] + [(b"us|00003", {b"d:x": b"composite"})],
         [b"m"], timestamp=123)
    checks = run_all(*hbase_pair(server, ta, server, tb))
    assert checks.count.rows_asis == 8 and checks.count.rows_tobe == 7
    for result in checks.compares():
        assert result.missing == sorted(["k-null-vs-empty", "ключ-текст"]), result.check
        assert result.extra == ["us|00004"]
        assert changed_keys(result) == {"k-decimal": ["d:x"], "k-time": ["d:x"], "k-unicode": ["d:x"]}
        assert result.n_duplicates == 0


def test_absent_cell_versus_empty_value_is_a_changed_column(two_tables):
    server, (ta, tb) = two_tables
    load(server, ta, [(b"r1", {b"d:a": b"1", b"d:b": b""})])
    load(server, tb, [(b"r1", {b"d:a": b"1"})])
    checks = run_all(*hbase_pair(server, ta, server, tb))
    for result in checks.compares():
        assert changed_keys(result) == {"r1": ["d:b"]}
        assert result.changed[0].asis == {"d:b": "''"} and result.changed[0].tobe == {"d:b": "NULL"}


def test_large_gaps_in_the_key_space(two_tables):
    server, (ta, tb) = two_tables
    keys = [b"a-%06d" % i for i in range(1500)] + [b"zzzz-%06d" % i for i in range(1500)]
    rows = [(k, {b"d:v": k[-3:]}) for k in keys]
    load(server, ta, rows, [b"m"])
    drop = {b"a-000700", b"zzzz-001499"}
    load(server, tb, [(k, v) if k != b"a-000003" else (k, {b"d:v": b"changed"}) for k, v in rows if k not in drop])
    a, b = hbase_pair(server, ta, server, tb)
    for tuning in (None, SMALL):
        result = full_compare("t", a, b, tuning=tuning)
        assert result.missing == ["a-000700", "zzzz-001499"] and changed_keys(result) == {"a-000003": ["d:v"]}
    assert result.stats["levels"] == 1  # differing regions are merged row by row, not split again


def test_empty_tables_and_one_empty_side(two_tables):
    server, (ta, tb) = two_tables
    load(server, ta, [])
    load(server, tb, [])
    checks = run_all(*hbase_pair(server, ta, server, tb))
    assert checks.count.passed and all(r.passed for r in checks.compares())
    load_rows = [(b"r%03d" % i, {b"d:v": b"x"}) for i in range(300)]
    server.load_table(ta, ["d"], load_rows, replace=True)
    checks = run_all(*hbase_pair(server, ta, server, tb))
    assert checks.count.difference == -300
    assert checks.full.n_missing == 300 and len(checks.full.missing) == 300 and checks.full.rows_tobe == 0


def test_a_table_missing_on_one_side_is_a_finding(two_tables):
    server, (ta, tb) = two_tables
    load(server, ta, [(b"r1", {b"d:v": b"x"})])
    checks = run_all(*hbase_pair(server, ta, server, tb))
    assert checks.count.rows_asis == 1 and checks.count.rows_tobe is None and not checks.count.passed
    assert "does not exist on TO-BE" in checks.count.summary()
    for result in checks.compares():
        assert not result.passed and result.findings[0].side == "to-be"
        assert "missing on TO-BE" in result.summary()


def test_key_range_filter_leaves_other_rows_out(two_tables):
    server, (ta, tb) = two_tables
    load(server, ta, [(b"a%02d" % i, {b"d:v": b"1"}) for i in range(20)] + [(b"b01", {b"d:v": b"1"})], [b"a10"])
    load(server, tb, [(b"a%02d" % i, {b"d:v": b"1"}) for i in range(20)])
    checks = run_all(*hbase_pair(server, ta, server, tb, key_from="a05", key_to="b"))
    assert checks.count.rows_asis == 15 == checks.count.rows_tobe
    assert all(r.passed for r in checks.compares())
