"""HBase filter language (the `filterString` of a Thrift TScan), the part the sandbox supports.

Supported: `FirstKeyOnlyFilter()`, `KeyOnlyFilter()`, `PrefixFilter('...')`,
`ColumnPrefixFilter('...')`, parentheses and `AND` between them — what counts
(`FirstKeyOnlyFilter() AND KeyOnlyFilter()`) and prefix scans use. Anything else is refused with
a message naming what is supported, the way HBase refuses an unknown filter, rather than being
silently ignored (which would make a count or compare wrong without anyone noticing).

String arguments follow HBase's syntax: single quotes, a quote inside doubled (`'it''s'`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUPPORTED = "FirstKeyOnlyFilter(), KeyOnlyFilter(), PrefixFilter('p'), ColumnPrefixFilter('p'), AND"

_TOKEN = re.compile(rb"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<num>-?\d+)|(?P<op>!=|<=|>=|=|<|>)|(?P<sym>[(),]))")


class FilterError(ValueError):
    """The filter string cannot be parsed or uses a filter the sandbox does not support."""


@dataclass(frozen=True)
class ScanFilter:
    """The combined effect of an AND of supported filters."""

    row_prefixes: tuple[bytes, ...] = ()
    column_prefixes: tuple[bytes, ...] = ()
    first_key_only: bool = False
    key_only: bool = False

    def row_matches(self, key: bytes) -> bool:
        return all(key.startswith(p) for p in self.row_prefixes)

    def qualifier_matches(self, column: bytes) -> bool:
        qualifier = column.partition(b":")[2]
        return all(qualifier.startswith(p) for p in self.column_prefixes)


NO_FILTER = ScanFilter()


def parse_filter(text: bytes | str | None) -> ScanFilter:
    if not text:
        return NO_FILTER
    raw = text.encode() if isinstance(text, str) else bytes(text)
    tokens = _tokenize(raw)
    parser = _Parser(tokens, raw)
    result = parser.expression()
    if parser.pos != len(tokens):
        raise FilterError(f"unexpected {tokens[parser.pos][1]!r} in filter {raw!r}")
    return result


def _tokenize(raw: bytes) -> list[tuple[str, bytes]]:
    tokens: list[tuple[str, bytes]] = []
    pos = 0
    while pos < len(raw):
        if raw[pos:].strip() == b"":
            break
        m = _TOKEN.match(raw, pos)
        if not m:
            raise FilterError(f"cannot parse filter {raw!r} at offset {pos}")
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, bytes]], raw: bytes) -> None:
        self.tokens = tokens
        self.raw = raw
        self.pos = 0

    def peek(self) -> tuple[str, bytes] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, kind: str, value: bytes | None = None) -> bytes:
        tok = self.peek()
        if tok is None or tok[0] != kind or (value is not None and tok[1] != value):
            want = value.decode() if value else kind
            raise FilterError(f"expected {want} in filter {self.raw!r}")
        self.pos += 1
        return tok[1]

    def expression(self) -> ScanFilter:
        result = self.term()
        while (tok := self.peek()) is not None and tok[0] == "word" and tok[1].upper() in (b"AND", b"OR"):
            if tok[1].upper() == b"OR":
                raise FilterError(f"OR is not supported by the sandbox (supported: {SUPPORTED})")
            self.pos += 1
            other = self.term()
            result = ScanFilter(
                row_prefixes=result.row_prefixes + other.row_prefixes,
                column_prefixes=result.column_prefixes + other.column_prefixes,
                first_key_only=result.first_key_only or other.first_key_only,
                key_only=result.key_only or other.key_only,
            )
        return result

    def term(self) -> ScanFilter:
        tok = self.peek()
        if tok == ("sym", b"("):
            self.pos += 1
            inner = self.expression()
            self.take("sym", b")")
            return inner
        name = self.take("word").decode()
        self.take("sym", b"(")
        args: list[bytes] = []
        while self.peek() != ("sym", b")"):
            kind, value = self.tokens[self.pos] if self.pos < len(self.tokens) else ("", b"")
            if kind == "str":
                args.append(value[1:-1].replace(b"''", b"'"))
            elif kind in ("num", "word", "op"):
                args.append(value)
            else:
                raise FilterError(f"bad argument list for {name} in filter {self.raw!r}")
            self.pos += 1
            if self.peek() == ("sym", b","):
                self.pos += 1
        self.take("sym", b")")
        return _make(name, args)


def _make(name: str, args: list[bytes]) -> ScanFilter:
    if name == "FirstKeyOnlyFilter" and not args:
        return ScanFilter(first_key_only=True)
    if name == "KeyOnlyFilter" and len(args) <= 1:
        return ScanFilter(key_only=True)
    if name == "PrefixFilter" and len(args) == 1:
        return ScanFilter(row_prefixes=(args[0],))
    if name == "ColumnPrefixFilter" and len(args) == 1:
        return ScanFilter(column_prefixes=(args[0],))
    raise FilterError(f"filter {name} with {len(args)} argument(s) is not supported by the sandbox (supported: {SUPPORTED})")
