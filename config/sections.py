"""The top-level keys of app.yaml besides the core ones, each with the parser that owns it.

This is the one place a feature adds its section: write `config/<feature>.py` with a
`parse(value, path, parsed) -> object` function, name it here, and add a typed field of the
same name to `Config` (config/model.py). `parsed` holds the sections
already parsed (in this order), so a section can check references to earlier ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from config import assess, cutover, mapreduce, tables, transfers, validations

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
