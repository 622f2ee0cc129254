"""A transfer run's throughput history, for its chart and the report: one sample per poll
(time, bytes done, the cap in force), kept bounded.

A run polled every 5 s for a day would leave 17,000 rows; past MAX_SAMPLES the older half is
thinned to every other sample, so a run keeps at most MAX_SAMPLES samples spread over its whole
life (the recent ones finest).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from state import Store

MAX_SAMPLES = 600


@dataclass(frozen=True)
class Sample:
    t: float  # time.time()
    bytes_done: int
    cap_bps: float | None


def v_transfer_samples(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE transfer_samples (
            run_id TEXT NOT NULL,
            t REAL NOT NULL,                   -- when it was polled (epoch seconds)
            bytes_done INTEGER NOT NULL,
            cap_bps REAL,                      -- the cap in force then (NULL: none)
            PRIMARY KEY (run_id, t)
        ) WITHOUT ROWID;
        """
    )


def add(store: Store, run_id: str, t: float, bytes_done: int | None, cap_bps: float | None) -> None:
    if bytes_done is None:
        return  # an engine that reports no bytes has no throughput to draw
    db = store.db
    db.execute("INSERT OR REPLACE INTO transfer_samples (run_id, t, bytes_done, cap_bps) VALUES (?, ?, ?, ?)",
               [run_id, t, int(bytes_done), cap_bps])
    count = db.execute("SELECT COUNT(*) FROM transfer_samples WHERE run_id = ?", [run_id]).fetchone()[0]
    if count > MAX_SAMPLES:
        db.execute(
            "DELETE FROM transfer_samples WHERE run_id = ? AND t IN (SELECT t FROM (SELECT t, ROW_NUMBER() OVER"
            " (ORDER BY t) AS n FROM transfer_samples WHERE run_id = ?) WHERE n % 2 = 0 AND n <= ?)",
            [run_id, run_id, count // 2])


def of_run(store: Store, run_id: str) -> list[Sample]:
    rows = store.db.execute("SELECT t, bytes_done, cap_bps FROM transfer_samples WHERE run_id = ? ORDER BY t",
                            [run_id]).fetchall()
    return [Sample(*r) for r in rows]
