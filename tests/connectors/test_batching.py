"""connectors.batching.chunked: the one batching loop of the HBase and warehouse connectors."""

from __future__ import annotations

import pytest

from connectors.batching import chunked


def test_chunks_keep_order_and_the_last_is_shorter() -> None:
    assert list(chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunked([], 3)) == []


def test_reads_a_generator_lazily() -> None:
    pulled: list[int] = []

    def items():
        for i in range(10):
            pulled.append(i)
            yield i

    first = next(chunked(items(), 4))
    assert first == [0, 1, 2, 3] and pulled == [0, 1, 2, 3]


def test_a_batch_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        list(chunked([1], 0))
