"""A small typed reader over one mapping of app.yaml.

Each section parser walks its mapping with a `Reader`, asking for keys with the type it
expects; `done()` then refuses any key nobody asked for, so a typo is an error that names the
key instead of a setting silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from config.errors import ConfigError

_MISSING = object()


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Reader:
    """Typed access to a mapping found at `path` in app.yaml."""

    def __init__(self, data: Any, path: str = "") -> None:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(path, f"expected a mapping, got {type_name(data)}")
        self.data = data
        self.path = path
        self._seen: set[str] = set()

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        self._seen.add(key)
        if key not in self.data or self.data[key] is None:
            if default is _MISSING:
                raise ConfigError(join(self.path, key), "is required")
            return default
        return self.data[key]

    def str(self, key: str, default: Any = _MISSING, pattern: str | None = None, what: str = "") -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ConfigError(join(self.path, key), f"expected text, got {type_name(value)}")
        if pattern and not re.fullmatch(pattern, value):
            raise ConfigError(join(self.path, key), f"{value!r} is not {what or 'valid'}")
        return value

    def int(self, key: str, default: Any = _MISSING, minimum: int | None = None) -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(join(self.path, key), f"expected a whole number, got {value!r}")
        if minimum is not None and value < minimum:
            raise ConfigError(join(self.path, key), f"must be at least {minimum}, got {value}")
        return value

    def float(self, key: str, default: Any = _MISSING, minimum: float | None = None) -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(join(self.path, key), f"expected a number, got {value!r}")
        if minimum is not None and value < minimum:
            raise ConfigError(join(self.path, key), f"must be at least {minimum}, got {value}")
        return float(value)

    def bool(self, key: str, default: Any = _MISSING) -> Any:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise ConfigError(join(self.path, key), f"expected true or false, got {value!r}")
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: Any = _MISSING) -> Any:
        value = self.str(key, default)
        if value not in choices:
            raise ConfigError(join(self.path, key), f"{value!r} is not one of {', '.join(choices)}")
        return value

    def str_list(self, key: str, default: Any = _MISSING, pattern: str | None = None, what: str = "") -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ConfigError(join(self.path, key), f"expected a list, got {type_name(value)}")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, (str, int)) or isinstance(item, bool):
                raise ConfigError(join(join(self.path, key), i), f"expected text, got {type_name(item)}")
            item = str(item)
            if pattern and not re.fullmatch(pattern, item):
                raise ConfigError(join(join(self.path, key), i), f"{item!r} is not {what or 'valid'}")
            out.append(item)
        return tuple(out)

    def section(self, key: str, required: bool = False) -> Reader:
        value = self.raw(key, _MISSING if required else None)
        return Reader(value, join(self.path, key))

    def items(self, key: str) -> Iterator[tuple[int, Reader]]:
        """Each entry of a list of mappings, as (index, Reader)."""
        value = self.raw(key, [])
        if not isinstance(value, list):
            raise ConfigError(join(self.path, key), f"expected a list, got {type_name(value)}")
        for i, item in enumerate(value):
            yield i, Reader(item, join(join(self.path, key), i))

    def done(self) -> None:
        unknown = sorted(set(self.data) - self._seen)
        if unknown:
            raise ConfigError(join(self.path, unknown[0]), "unknown key" + _hint(unknown[0], self._seen))


def _hint(key: str, known: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(sorted(known))})"


def type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )
