"""Items grouped into batches of at most `limit` rows (an item bigger than the limit is a batch
of its own): the row listings of differing ranges or buckets, one scan per side per batch."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def by_rows(items: Iterable[tuple[T, int]], limit: int) -> Iterator[list[T]]:
    batch: list[T] = []
    size = 0
    for item, rows in items:
        if batch and size + rows > limit:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += rows
    if batch:
        yield batch
