"""Row-level differences of two sets of rows of the same key ranges (or the same sampled keys).

Rows are matched by key in dictionaries, not by a merge of sorted streams: the engines' sort
orders need not agree with Python's (collations), and a batch is small and bounded."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from features.validation.backend import Row
from features.validation.model import Change, CompareResult, Duplicate, value_text


def _group(rows: Iterable[Row]) -> dict[Any, list[Row]]:
    out: dict[Any, list[Row]] = {}
    for row in rows:
        out.setdefault(row.key, []).append(row)
    return out


def differing_columns(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Columns whose values differ (a column absent on one side differs from any value, NULL included
    for HBase, where an absent cell is how NULL is written: both absent is equal)."""
    names = list(a) + [c for c in b if c not in a]
    return [c for c in names if (c in a) != (c in b) or a.get(c) != b.get(c)]


def diff_rows(result: CompareResult, rows_a: Iterable[Row], rows_b: Iterable[Row], key_text: Callable[[Any], str],
              *, use_hash: bool, known_duplicates: set[str] | None = None,
              deferred: list[Any] | None = None) -> tuple[int, int]:
    """Add the differences of these rows to `result`; returns (rows on AS-IS, rows on TO-BE).

    `use_hash`: rows whose hashes are equal are equal (full compare: the hash is what the
    digests summed). Otherwise values are compared column by column (sample compare).
    `known_duplicates`: keys already reported as duplicates (not reported again; updated).
    `deferred`: rows compared by hash only (no values): keys whose hashes differ are appended
    here for the caller to fetch and compare column by column."""
    known = known_duplicates if known_duplicates is not None else set()

    def duplicate(key: Any, n_a: int, n_b: int) -> None:
        text = key_text(key)
        if text not in known:
            known.add(text)
            result.add_duplicate(Duplicate(text, n_a, n_b))

    a, b = _group(rows_a), _group(rows_b)
    n_a = sum(len(v) for v in a.values())
    n_b = sum(len(v) for v in b.values())
    for key, here in a.items():
        there = b.get(key)
        if len(here) > 1 or (there is not None and len(there) > 1):
            duplicate(key, len(here), len(there or ()))
            continue
        if there is None:
            result.add_missing(key_text(key))
            continue
        ra, rb = here[0], there[0]
        if use_hash and ra.hash == rb.hash:
            continue
        if deferred is not None:
            deferred.append(key)
            continue
        columns = differing_columns(ra.values, rb.values)
        if not columns and not use_hash:
            continue
        result.add_changed(Change(key_text(key), columns or ["(row hash)"],
                                  {c: value_text(ra.values.get(c)) for c in columns},
                                  {c: value_text(rb.values.get(c)) for c in columns}))
    for key, there in b.items():
        if key in a:
            continue
        if len(there) > 1:
            duplicate(key, 0, len(there))
        else:
            result.add_extra(key_text(key))
    return n_a, n_b


def merge_sorted(result: CompareResult, rows_a: Iterator[Row], rows_b: Iterator[Row],
                 key_text: Callable[[Any], str]) -> tuple[int, int]:
    """Differences of two row streams in the same key order (unique keys), in one pass and
    constant memory; returns (rows on AS-IS, rows on TO-BE)."""
    n_a = n_b = 0
    end: Any = object()  # the end of a stream (a Row otherwise)
    a: Any = next(rows_a, end)
    b: Any = next(rows_b, end)
    while a is not end or b is not end:
        if b is end or (a is not end and a.key < b.key):
            result.add_missing(key_text(a.key))
            n_a += 1
            a = next(rows_a, end)
        elif a is end or b.key < a.key:
            result.add_extra(key_text(b.key))
            n_b += 1
            b = next(rows_b, end)
        else:
            if a.hash != b.hash or a.values != b.values:
                columns = differing_columns(a.values, b.values) or ["(row hash)"]
                names = [_name(c) for c in columns]
                result.add_changed(Change(key_text(a.key), names,
                                          {n: value_text(a.values.get(c)) for n, c in zip(names, columns, strict=True)},
                                          {n: value_text(b.values.get(c)) for n, c in zip(names, columns, strict=True)}))
            n_a += 1
            n_b += 1
            a, b = next(rows_a, end), next(rows_b, end)
    return n_a, n_b


def _name(column: Any) -> str:
    return column.decode("utf-8", "backslashreplace") if isinstance(column, bytes) else str(column)
