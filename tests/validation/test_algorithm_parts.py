"""The pieces of the algorithms that need no server: tuning checks, prefetching, merging,
the binary-search CASE over range boundaries."""

from __future__ import annotations

import threading

import pytest

from connectors.warehouse_checksum import segment_case
from features.validation.backend import Row
from features.validation.both import Prefetch
from features.validation.hashdiff import Tuning
from features.validation.model import MAX_LISTED, CompareResult
from features.validation.rowdiff import merge_sorted


def test_tuning_values_are_checked_once():
    with pytest.raises(ValueError):
        Tuning(split_factor=1)
    with pytest.raises(ValueError):
        Tuning(row_level_threshold=100, rows_per_fetch=10)


def test_prefetch_reads_ahead_passes_errors_and_stops_its_thread():
    with Prefetch(iter(range(10_000)), chunk=7) as items:
        assert sum(items) == sum(range(10_000))

    def failing():
        yield 1
        raise RuntimeError("scanner lost")

    with pytest.raises(RuntimeError, match="scanner lost"), Prefetch(failing()) as items:
        list(items)
    before = threading.active_count()
    with Prefetch(iter(range(10**9)), chunk=10, depth=2) as items:
        next(items)  # the consumer leaves early: the reader must stop
    assert threading.active_count() <= before


def test_merge_of_sorted_streams():
    a = [Row(b"a", 0, {b"d:x": b"1"}), Row(b"b", 0, {b"d:x": b"1"}), Row(b"d", 0, {b"d:x": b"1"})]
    b = [Row(b"b", 0, {b"d:x": b"2"}), Row(b"c", 0, {}), Row(b"d", 0, {b"d:x": b"1"})]
    result = CompareResult("t", "full")
    assert merge_sorted(result, iter(a), iter(b), lambda k: k.decode()) == (3, 3)
    assert (result.missing, result.extra) == (["a"], ["c"])
    assert [(c.key, c.columns, c.asis, c.tobe) for c in result.changed] == [("b", ["d:x"], {"d:x": "'1'"}, {"d:x": "'2'"})]


def test_merged_partial_results_keep_exact_counts_and_bounded_lists():
    total = CompareResult("t", "full")
    for _ in range(3):
        part = CompareResult("t", "full")
        for i in range(MAX_LISTED // 2 + 1):
            part.add_missing(str(i))
        total.merge(part)
    assert total.n_missing == 3 * (MAX_LISTED // 2 + 1) and len(total.missing) == MAX_LISTED and total.truncated


def test_segment_case_is_a_binary_search_over_ordered_disjoint_ranges():
    ranges = [(None, (10,)), ((10,), (20,)), ((30,), (40,)), ((40,), None)]
    case, where = segment_case(["k"], ranges)
    text = case.as_string(None)
    assert text.count("CASE WHEN") <= 4 and '"k" < 10' in text and '"k" < 30' in text
    assert where.as_string(None) == '("k" < 20) OR ("k" >= 30)'
    _, everything = segment_case(["k"], [(None, (5,)), ((5,), None)])
    assert everything is None  # the whole key space: no WHERE
    with pytest.raises(ValueError):
        segment_case(["k"], [((1,), (2,)), (None, (3,))])
