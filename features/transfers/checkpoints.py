"""Checkpoints and leases of hbase-copy runs (tables made by features/transfers/schema.py)."""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass

from state import Store
from state.store import now_iso

#: A lease whose owner has not beaten for this long is free (the owner was killed or hangs).
LEASE_TIMEOUT_S = 15.0


@dataclass
class RegionCheckpoint:
    run_id: str
    region: int
    start_key: bytes
    end_key: bytes
    last_key: bytes | None
    rows_total: int | None
    rows_done: int
    bytes_done: int
    done: bool


def init_regions(store: Store, run_id: str, regions: list[tuple[bytes, bytes, int | None]]) -> None:
    """Record the regions of a run once: (start_key, end_key, rows_total). Existing rows are kept,
    so calling it again after a restart does not reset progress."""
    now = now_iso()
    with store.transaction() as db:
        for i, (start, end, rows) in enumerate(regions):
            db.execute(
                "INSERT INTO transfer_checkpoints (run_id, region, start_key, end_key, rows_total, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, region) DO NOTHING",
                [run_id, i, start, end, rows, now],
            )


def set_rows_total(store: Store, run_id: str, region: int, rows: int) -> None:
    store.db.execute("UPDATE transfer_checkpoints SET rows_total = ? WHERE run_id = ? AND region = ?",
                     [rows, run_id, region])


def regions(store: Store, run_id: str) -> list[RegionCheckpoint]:
    cur = store.db.execute(
        "SELECT run_id, region, start_key, end_key, last_key, rows_total, rows_done, bytes_done, done"
        " FROM transfer_checkpoints WHERE run_id = ? ORDER BY region", [run_id])
    return [RegionCheckpoint(r[0], r[1], bytes(r[2]), bytes(r[3]), bytes(r[4]) if r[4] is not None else None,
                             r[5], r[6], r[7], bool(r[8])) for r in cur.fetchall()]


def advance(store: Store, run_id: str, region: int, last_key: bytes, rows: int, nbytes: int) -> None:
    """A batch of `rows` rows ending at `last_key` is on the target: move the checkpoint past it."""
    store.db.execute(
        "UPDATE transfer_checkpoints SET last_key = ?, rows_done = rows_done + ?, bytes_done = bytes_done + ?,"
        " updated_at = ? WHERE run_id = ? AND region = ?",
        [last_key, rows, nbytes, now_iso(), run_id, region],
    )


def finish_region(store: Store, run_id: str, region: int) -> None:
    # A finished region's row count is exact: the rows it copied.
    store.db.execute("UPDATE transfer_checkpoints SET done = 1, rows_total = rows_done, updated_at = ?"
                     " WHERE run_id = ? AND region = ?", [now_iso(), run_id, region])


def totals(store: Store, run_id: str) -> tuple[int, int, int | None, int, int]:
    """(rows_done, bytes_done, rows_total or None, regions, regions_done)."""
    row = store.db.execute(
        "SELECT COALESCE(SUM(rows_done), 0), COALESCE(SUM(bytes_done), 0), SUM(rows_total),"
        " COUNT(*), COALESCE(SUM(done), 0), SUM(rows_total IS NULL) FROM transfer_checkpoints WHERE run_id = ?",
        [run_id]).fetchone()
    rows_total = row[2] if not row[5] else None
    return row[0], row[1], rows_total, row[3], row[4]


# --- leases: one worker per run, whichever process -------------------------------------------

def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def take_lease(store: Store, run_id: str, owner: str, *, now: float | None = None) -> bool:
    """Take (or keep) the run's lease. True if `owner` holds it afterwards."""
    now = time.time() if now is None else now
    with store.transaction() as db:
        row = db.execute("SELECT owner, heartbeat FROM transfer_leases WHERE run_id = ?", [run_id]).fetchone()
        if row is not None and row[0] != owner and now - row[1] < LEASE_TIMEOUT_S and _alive(row[0]):
            return False
        db.execute("INSERT INTO transfer_leases (run_id, owner, heartbeat) VALUES (?, ?, ?)"
                   " ON CONFLICT (run_id) DO UPDATE SET owner = excluded.owner, heartbeat = excluded.heartbeat",
                   [run_id, owner, now])
    return True


def beat(store: Store, run_id: str, owner: str) -> bool:
    """Renew the lease; False if someone else took it (the worker must stop)."""
    cur = store.db.execute("UPDATE transfer_leases SET heartbeat = ? WHERE run_id = ? AND owner = ?",
                           [time.time(), run_id, owner])
    return cur.rowcount == 1


def release(store: Store, run_id: str, owner: str) -> None:
    store.db.execute("DELETE FROM transfer_leases WHERE run_id = ? AND owner = ?", [run_id, owner])


def _alive(owner: str) -> bool:
    """False when the owner is a process of this host that no longer exists (kill -9): its lease
    is free at once instead of after LEASE_TIMEOUT_S."""
    host, _, rest = owner.partition(":")
    pid_text = rest.split(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
