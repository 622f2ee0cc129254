"""The hash of one HBase row, computed here: HBase has no server-side hash over Thrift 1 (its
HashTable is a MapReduce job), so the compare streams rows and hashes them::

    per row:    h = first 60 bits of MD5( len:key len:col len:value ... )   columns sorted
    per range:  rows = COUNT, checksum = SUM(h)                             (Python int)

The sum does not depend on order and adds up: digest(A ∪ B) = digest(A) + digest(B), as in
`connectors.warehouse_checksum`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

RowStream = Iterable[tuple[bytes, Mapping[bytes, bytes]]]


def row_hash(key: bytes, cells: Mapping[bytes, bytes]) -> int:
    """The 60-bit hash of one row that a range's digest sums. Length-prefixed, so no two rows collide by framing."""
    h = hashlib.md5(b"%d:%s" % (len(key), key))
    for column in sorted(cells):
        value = cells[column]
        h.update(b"%d:%s%d:%s" % (len(column), column, len(value), value))
    return int.from_bytes(h.digest()[:8], "big") >> 4


