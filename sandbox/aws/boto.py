"""boto3 sessions for the sandbox's own calls (seeding, the DataSync simulation)."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import botocore.loaders
import botocore.session

_loader: botocore.loaders.Loader | None = None
_loader_lock = threading.Lock()


def new_session(**kwargs: Any) -> boto3.session.Session:
    """A boto3 session sharing one botocore data loader with every other in the process.

    Building a client parses its service model (0.1-0.3 s each); the loader caches what it
    parsed, but a new session brings a new, empty loader. The loader only reads and caches
    model files, so sharing it is safe; the sessions themselves stay separate.
    """
    global _loader
    with _loader_lock:
        if _loader is None:
            _loader = botocore.loaders.create_loader()
        core = botocore.session.Session()
        core.register_component("data_loader", _loader)
    return boto3.session.Session(botocore_session=core, **kwargs)
