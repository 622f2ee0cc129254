"""What each transfer will move, as its engine said when last asked (the start card asks it:
`Backend.preview()` or `estimate()`). /migrate plan counts these sizes for transfers that have no
`size:` in app.yaml, and a new run takes it as the total of its progress bar until the engine
measures its own."""

from __future__ import annotations

from dataclasses import dataclass

from state import Store
from state.store import now_iso


@dataclass(frozen=True)
class KnownSize:
    bytes: int
    source: str  # "estimate" | "dry run"
    measured_at: str


def remember(store: Store, transfer_id: str, nbytes: int, source: str) -> None:
    store.db.execute(
        "INSERT INTO transfer_sizes (transfer_id, bytes, source, measured_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (transfer_id) DO UPDATE SET bytes = excluded.bytes, source = excluded.source,"
        " measured_at = excluded.measured_at", [transfer_id, int(nbytes), source, now_iso()])


def known(store: Store, transfer_id: str) -> KnownSize | None:
    row = store.db.execute("SELECT bytes, source, measured_at FROM transfer_sizes WHERE transfer_id = ?",
                           [transfer_id]).fetchone()
    return KnownSize(int(row[0]), row[1], row[2]) if row else None
