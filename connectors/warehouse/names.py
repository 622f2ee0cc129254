"""Table names: ``schema.table`` text to its two parts and back."""

from __future__ import annotations

from psycopg import sql


def parse_table(schema_table: str) -> tuple[str, str]:
    """``"schema.table"`` -> ``("schema", "table")``; a bare name is in ``public``.
    Double quotes protect dots and case: ``'"Odd.Schema"."T"'``."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    text = schema_table.strip()
    while i < len(text):
        ch = text[i]
        if ch == '"':
            if quoted and i + 1 < len(text) and text[i + 1] == '"':
                current.append('"')
                i += 1
            else:
                quoted = not quoted
        elif ch == "." and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    if quoted or len(parts) > 2 or any(not p for p in parts):
        raise ValueError(f"not a table name: {schema_table!r} (expected schema.table)")
    return ("public", parts[0]) if len(parts) == 1 else (parts[0], parts[1])


def name_part(name: str) -> str:
    """A schema or table name as parse_table reads it back (quoted only when it must be)."""
    return '"' + name.replace('"', '""') + '"' if ("." in name or '"' in name) else name


def table_identifier(schema_table: str) -> sql.Identifier:
    """``schema.table`` as a quoted SQL identifier."""
    return sql.Identifier(*parse_table(schema_table))
