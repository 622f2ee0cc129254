"""Sections that are lists of entries with unique ids (`transfers:`, `tables:`,
`validations:`): the parsed collection every one of them returns, and the loop that reads the
list and its ids, so each section parses only what is its own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from config.errors import ConfigError
from config.reader import Reader, join, type_name

ID_PATTERN = r"[a-z0-9][a-z0-9._-]*"
ID_WHAT = "an id (lower-case letters, digits, . _ -)"


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


E = TypeVar("E", bound=_HasId)


@dataclass(frozen=True)
class Entries(Generic[E]):
    """Parsed entries in file order: iterate, `len()`, `.ids`, `.get(id)` (None if unknown)."""

    items: tuple[E, ...] = ()

    def __iter__(self) -> Iterator[E]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.items]

    def get(self, entry_id: str) -> E | None:
        return next((e for e in self.items if e.id == entry_id), None)


def each_entry(value: Any, path: str, what: str = "") -> Iterator[tuple[str, Reader]]:
    """`(id, reader)` of each mapping in the list `value` (None: no entries); a ConfigError on
    a value that is not a list, an entry without a valid id, or an id used twice.
    `what` names the entries in the error (`expected a list of <what>`)."""
    if value is None:
        return
    if not isinstance(value, list):
        raise ConfigError(path, f"expected a list{' of ' + what if what else ''}, got {type_name(value)}")
    seen: set[str] = set()
    for i, item in enumerate(value):
        r = Reader(item, join(path, i))
        ident = r.str("id", pattern=ID_PATTERN, what=ID_WHAT)
        if ident in seen:
            raise ConfigError(join(r.path, "id"), f"duplicate id {ident!r}")
        seen.add(ident)
        yield ident, r
