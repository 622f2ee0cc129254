"""Cutting a stream into batches: one call per batch of keys or rows, never one per item."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of `size` items in order (the last may be shorter; none for no items). Reads
    `items` lazily, so a generator of keys is never held in memory whole."""
    if size < 1:
        raise ValueError("batch_size must be at least 1")
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch
