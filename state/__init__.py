"""Everything that must survive a restart: runs, audit, outbox, processed requests, cards.

`Store(path)` opens the SQLite file (WAL) and migrates its schema. Each thread gets its own
connection (`store.db`); the modules of this package hold the functions that read and write.
"""

from state.store import Store

__all__ = ["Store"]
