"""The warehouse's typed errors: their messages say what and where, never the password."""

from __future__ import annotations


class WarehouseError(RuntimeError):
    """A warehouse operation failed; the message says what and where, never the password."""


class AuthError(WarehouseError):
    """The warehouse refused the user name or password."""


class Unreachable(WarehouseError):
    """The warehouse could not be reached (refused, timed out, unknown host, connection lost)."""


class TableNotFound(WarehouseError):
    """The schema or table does not exist."""
