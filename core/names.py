"""The syntax of a warehouse table name, shared by the configuration's check and the connector."""

from __future__ import annotations


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
