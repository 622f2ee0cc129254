"""A module imported on first use of one of its attributes.

Cloudera Manager's client and happybase are large (~0.1–0.3 s each to import): `/migrate status`,
`help` or `plan` never talk to them and must not pay for it. `cm_client = lazy("cm_client")` binds
the name at once; the module is imported when an attribute is first read.

Not importlib's LazyLoader: on Python 3.11 a second thread reading an attribute while the first
is still executing the module sees it half-built ("module 'happybase' has no attribute
'ConnectionPool'"). `importlib.import_module` holds the module's import lock until it is done."""

from __future__ import annotations

import importlib
from typing import Any


class _Lazy:
    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


def lazy(name: str) -> Any:
    return _Lazy(name)
