"""Table names: ``schema.table`` text to its two parts (core/names.py, which app.yaml's check
uses too) and back, and as SQL identifiers."""

from __future__ import annotations

from psycopg import sql

from core.names import parse_table

__all__ = ["name_part", "parse_table", "table_identifier"]


def name_part(name: str) -> str:
    """A schema or table name as parse_table reads it back (quoted only when it must be)."""
    return '"' + name.replace('"', '""') + '"' if ("." in name or '"' in name) else name


def table_identifier(schema_table: str) -> sql.Identifier:
    """``schema.table`` as a quoted SQL identifier."""
    return sql.Identifier(*parse_table(schema_table))
