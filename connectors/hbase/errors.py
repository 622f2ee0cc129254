"""The HBase connector's typed errors: their messages say what and where."""

from __future__ import annotations


class HBaseError(RuntimeError):
    """An HBase operation failed; the message says what and where."""


class TableNotFound(HBaseError):
    """The table does not exist on that HBase."""

    def __init__(self, table: str, where: str) -> None:
        super().__init__(f"HBase table '{table}' does not exist on {where}")
        self.table = table


class Unreachable(HBaseError):
    """The HBase Thrift server could not be reached (refused, timed out, connection lost)."""
