"""The top-level keys of app.yaml besides the core ones, each with the parser that owns it.

This is the one place a feature adds its section: write `config/<feature>.py` with a
`parse(value, path, parsed) -> object` function and name it here. `parsed` holds the sections
already parsed (in this order), so a section can check references to earlier ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from config import assess, cutover, mapreduce, tables, transfers, validations
from config.entries import each_entry


def parse_id_list(value: Any, path: str, parsed: dict[str, Any]) -> tuple[dict, ...]:
    """A list of mappings, each with a unique `id`. The placeholder schema of a section whose
    feature has not defined its own yet: entries are kept as plain dicts."""
    return tuple(dict(r.data) for _, r in each_entry(value, path))


Parser = Callable[[Any, str, dict[str, Any]], Any]

# Order matters: later sections may refer to earlier ones.
SECTIONS: dict[str, Parser] = {
    "transfers": transfers.parse,
    "mapreduce": mapreduce.parse,
    "tables": tables.parse,
    "validations": validations.parse,
    "cutover": cutover.parse,
    "assess": assess.parse,
}
