"""The transfer kinds: each `kind:` of app.yaml's transfers and the backend class that runs it.
Adding a kind: write its backend (copy datasync.py) with its keys in app.yaml (a Params class and
`parse_params`, `needs`) and its facts on the class (backend.Backend: REFUSALS, uses_source_link,
cancel_note, stop_on_failure, describe), and list it here. Nothing else in Ferry names a kind.

Also the live backends: one per services, config version and transfer (they may hold
connections and, for hbase-copy, the running copy)."""

from __future__ import annotations

import threading

from config.transfers import Transfer, TransferKind
from features.services import Services
from features.transfers.backend import Backend
from features.transfers.cloudera_replication import ClouderaReplication
from features.transfers.datasync import DataSyncTransfer
from features.transfers.hbase_copy import HBaseCopy
from features.transfers.redshift_snapshot import RedshiftSnapshot

KINDS: dict[str, type[Backend]] = {b.kind: b for b in (ClouderaReplication, DataSyncTransfer, RedshiftSnapshot, HBaseCopy)}

#: What the configuration is told of each kind (config.load(..., kinds=TRANSFER_KINDS)).
TRANSFER_KINDS: dict[str, TransferKind] = {k: TransferKind(b.parse_params, b.needs) for k, b in KINDS.items()}


def kind_of(transfer: Transfer) -> type[Backend]:
    return KINDS[transfer.kind]


_backends: dict[tuple[int, str, str], Backend] = {}
_lock = threading.Lock()


def backend_for(services: Services, transfer: Transfer) -> Backend:
    """The backend of `transfer`, one per services and config version (it may hold connections
    and, for hbase-copy, the running copy)."""
    key = (id(services), services.config.version, transfer.id)
    with _lock:
        backend = _backends.get(key)
        if backend is None or backend.services is not services:  # id() reused after a runtime went away
            backend = _backends[key] = KINDS[transfer.kind](services, transfer)
        return backend


def forget(services: Services) -> None:
    """Drop (and close) the backends of a stopped runtime."""
    with _lock:
        for key in [k for k in _backends if k[0] == id(services)]:
            _backends.pop(key).close()
