"""The transfers' own tables: the migrations features/transfers/feature.py declares."""

from __future__ import annotations

import sqlite_utils


def v_transfer_checkpoints(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- hbase-copy: where each region of a run stands, written after every batch, so a killed
        -- process resumes strictly after last_key (no row skipped, none counted twice).
        CREATE TABLE transfer_checkpoints (
            run_id TEXT NOT NULL,
            region INTEGER NOT NULL,           -- index of the region in key order
            start_key BLOB NOT NULL,           -- b'' = the table's start
            end_key BLOB NOT NULL,             -- b'' = the table's end
            last_key BLOB,                     -- the last row copied; NULL = nothing yet
            rows_total INTEGER,                -- counted at start (for the progress fraction)
            rows_done INTEGER NOT NULL DEFAULT 0,
            bytes_done INTEGER NOT NULL DEFAULT 0,
            done INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (run_id, region)
        );

        -- Who runs a run's copy worker right now: one process at a time, taken over when the
        -- owner's heartbeat stops (killed) or its process is gone.
        CREATE TABLE transfer_leases (
            run_id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,               -- host:pid:token
            heartbeat REAL NOT NULL            -- time.time() of the owner's last sign of life
        );
        """
    )


def v_transfer_samples(db: sqlite_utils.Database) -> None:
    from features.transfers.samples import v_transfer_samples as migrate  # the table's code lives beside it

    migrate(db)


def v_start_confirmations(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- The values of the Start buttons Ferry put on confirmation cards: a click acts only on
        -- one of these (a forged value starts nothing), once, before it expires.
        CREATE TABLE start_confirmations (
            value TEXT PRIMARY KEY,            -- the button's value: <transfer>|<random token>
            transfer_id TEXT NOT NULL,
            issued_to TEXT,                    -- who asked for the card
            issued_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,          -- ISO 8601 UTC; compared as text
            used_at TEXT,                      -- set by the one click that acts
            used_by TEXT,
            outcome TEXT                       -- started | dismissed
        );
        """
    )


def v_transfer_sizes(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- What a transfer will move, as its engine last told (the start card's estimate or dry
        -- run): /migrate plan counts it, and a run's progress bar has a total from the start.
        CREATE TABLE IF NOT EXISTS transfer_sizes (
            transfer_id TEXT PRIMARY KEY,
            bytes INTEGER NOT NULL,
            source TEXT NOT NULL,              -- "estimate", "dry run"
            measured_at TEXT NOT NULL
        );
        """
    )


MIGRATIONS = (("transfers.v1", v_transfer_checkpoints), ("transfers.v2", v_transfer_samples),
              ("transfers.v3", v_start_confirmations), ("transfers.v4", v_transfer_sizes))
