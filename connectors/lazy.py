"""A module imported on first use of one of its attributes (importlib's LazyLoader).

Cloudera Manager's client is a large generated package (~0.2–0.3 s to import): `/migrate status`,
`help` or `plan` never talk to CM and must not pay for it. `cm_client = lazy("cm_client")` binds
the name at once; the package is executed when the first attribute is read."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
