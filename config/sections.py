"""The top-level keys of app.yaml besides the core ones, each with the parser that owns it.

This is the one place a feature adds its section: write `config/<feature>.py` with a
`parse(value, path, parsed) -> object` function and name it here. `parsed` holds the sections
already parsed (in this order), so a section can check references to earlier ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from config import assess, cutover, tables, transfers, validations
from config.errors import ConfigError
from config.reader import Reader, join, type_name


def parse_id_list(value: Any, path: str, parsed: dict[str, Any]) -> tuple[dict, ...]:
    """A list of mappings, each with a unique `id`. The placeholder schema of a section whose
    feature has not defined its own yet: entries are kept as plain dicts."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(path, f"expected a list, got {type_name(value)}")
    seen: set[str] = set()
    out = []
    for i, item in enumerate(value):
        r = Reader(item, join(path, i))
        ident = r.str("id", pattern=r"[a-z0-9][a-z0-9._-]*", what="an id (lower-case letters, digits, . _ -)")
        if ident in seen:
            raise ConfigError(join(join(path, i), "id"), f"duplicate id {ident!r}")
        seen.add(ident)
        out.append(dict(item))
    return tuple(out)


Parser = Callable[[Any, str, dict[str, Any]], Any]

# Order matters: later sections may refer to earlier ones.
SECTIONS: dict[str, Parser] = {
    "transfers": transfers.parse,
    "tables": tables.parse,
    "validations": validations.parse,
    "cutover": cutover.parse,
    "assess": assess.parse,
}
