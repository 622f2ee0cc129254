"""Rows and names as the HBase connector passes them: keys and cells are bytes, table names
may be given as text or bytes."""

from __future__ import annotations

from collections.abc import Mapping

Cells = dict[bytes, bytes]
CellValue = bytes | tuple[bytes, int]  # a value, or (value, timestamp in ms) to keep a timestamp


def row_bytes(key: bytes, cells: Mapping[bytes, CellValue]) -> int:
    """Bytes of a row's key, column names and values (what a copy moves, for rate limits)."""
    total = len(key)
    for column, value in cells.items():
        total += len(column) + len(value[0] if isinstance(value, tuple) else value)
    return total


def next_key(key: bytes) -> bytes:
    """The smallest row key after `key`: scanning from it resumes strictly after a checkpoint."""
    return key + b"\x00"


def as_name(table: str | bytes) -> bytes:
    """A table name as Thrift wants it."""
    return table.encode() if isinstance(table, str) else bytes(table)


def as_text(value: bytes | str | None) -> str:
    """A name or message from Thrift as text (undecodable bytes escaped, None empty)."""
    if value is None:
        return ""
    return value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else value
