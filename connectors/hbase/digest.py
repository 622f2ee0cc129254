"""Range checksums of HBase rows, computed here: HBase has no server-side hash over Thrift 1
(its HashTable is a MapReduce job), so the connector streams a range and hashes it in bounded
memory::

    per row:    h = first 60 bits of MD5( len:key len:col len:value ... )   columns sorted
    per range:  rows = COUNT, checksum = SUM(h)                             (Python int)

The sum does not depend on order and adds up: digest(A ∪ B) = digest(A) + digest(B), so
sub-ranges can be hashed once and combined, as in `connectors.warehouse`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

from connectors.hbase.results import RangeDigest

RowStream = Iterable[tuple[bytes, Mapping[bytes, bytes]]]


def row_hash(key: bytes, cells: Mapping[bytes, bytes]) -> int:
    """The 60-bit hash of one row that `range_digest` sums. Length-prefixed, so no two rows collide by framing."""
    h = hashlib.md5(b"%d:%s" % (len(key), key))
    for column in sorted(cells):
        value = cells[column]
        h.update(b"%d:%s%d:%s" % (len(column), column, len(value), value))
    return int.from_bytes(h.digest()[:8], "big") >> 4


def check_cuts(cuts: Sequence[bytes | None]) -> None:
    """Cuts ascend; only the first (table start) and last (table end) may be None."""
    if len(cuts) < 2:
        raise ValueError("cuts needs at least a start and a stop")
    inner = list(cuts[1:-1])
    if any(c is None for c in inner) or any(a >= b for a, b in zip(inner, inner[1:], strict=False)):  # type: ignore[operator]
        raise ValueError("inner cuts must be ascending keys")


def digest_ranges(rows: RowStream, cuts: Sequence[bytes | None]) -> list[RangeDigest]:
    """Digests of the ranges [cuts[i], cuts[i+1]) of `rows` (in key order, within the cuts)."""
    parts = [[0, 0, None, None] for _ in range(len(cuts) - 1)]  # rows, checksum, first, last
    i = 0  # the range rows currently fall into
    for key, cells in rows:
        while i < len(parts) - 1 and key >= cuts[i + 1]:  # type: ignore[operator]
            i += 1
        part = parts[i]
        part[0] += 1
        part[1] += row_hash(key, cells)
        if part[2] is None:
            part[2] = key
        part[3] = key
    return [RangeDigest(cuts[i], cuts[i + 1], p[0], p[1], p[2], p[3]) for i, p in enumerate(parts)]


def digest_segments(
    rows: RowStream, start: bytes | None, stop: bytes | None, rows_per_segment: int
) -> list[RangeDigest]:
    """Digests of `rows` (the range [start, stop), in key order) cut every `rows_per_segment`
    rows; each segment's `stop` is the next one's first key. No rows: one empty segment."""
    if rows_per_segment < 1:
        raise ValueError("rows_per_segment must be at least 1")
    out: list[RangeDigest] = []
    seg_start, count, checksum, first, last = start, 0, 0, None, None
    for key, cells in rows:
        if count == rows_per_segment:
            out.append(RangeDigest(seg_start, key, count, checksum, first, last))
            seg_start, count, checksum, first = key, 0, 0, None
        if first is None:
            first = key
        count += 1
        checksum += row_hash(key, cells)
        last = key
    out.append(RangeDigest(seg_start, stop, count, checksum, first, last))
    return out
