"""The store's own tables (core.v1) and the migration runner's vocabulary.

Each feature brings its own migrations (features/<name>/schema.py, listed by
features/registry.py); the store applies each named migration once, in the order given.
Never edit a released migration: add a new one with a new name.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

Migration = tuple[str, Callable[[sqlite_utils.Database], None]]  # (unique name, function)

# Before migrations had names, the store kept one number: `schema_version` N meant the first N
# of these had run. A database from then is read that way once.
LEGACY_ORDER = ("core.v1", "transfers.v1", "cutover.v1", "validation.v1")


def _v1_core(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,           -- e.g. transfer:hbase-orders:3f2a
            kind TEXT NOT NULL,            -- transfer, validation, assessment, cutover-step, ...
            subject TEXT NOT NULL,         -- the transfer id, table id, estate, ...
            state TEXT NOT NULL,           -- pending, running, paused, done, failed, cancelled, ...
            started_by TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            finished_at TEXT,
            error TEXT,
            detail TEXT NOT NULL DEFAULT '{}'  -- JSON: progress, checkpoints, results
        );
        CREATE INDEX runs_kind_subject ON runs (kind, subject, created_at);

        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            user_id TEXT, team_id TEXT, enterprise_id TEXT, channel_id TEXT,
            action TEXT NOT NULL,          -- the verb or button, e.g. start, approve
            target TEXT,                   -- what it acted on
            outcome TEXT NOT NULL,         -- ok, refused, failed, usage
            reason TEXT,
            plan_hash TEXT,
            detail TEXT NOT NULL DEFAULT '{}'
        );
        -- The audit trail is append-only.
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            dedupe_key TEXT UNIQUE,        -- the same message is queued once
            channel TEXT NOT NULL,
            card_key TEXT,                 -- one Slack message per card, updated in place
            thread_of TEXT,                -- post in the thread of this card
            user_id TEXT,                  -- set for an ephemeral message
            message TEXT NOT NULL,         -- JSON of core.message.Message
            created_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',  -- pending, sending, sent, superseded, failed
            attempts INTEGER NOT NULL DEFAULT 0,
            sent_at TEXT,
            last_error TEXT
        );
        CREATE INDEX outbox_pending ON outbox (state, id);

        CREATE TABLE cards (
            card_key TEXT PRIMARY KEY,
            channel TEXT NOT NULL,
            ts TEXT NOT NULL,              -- the Slack message to update
            thread_ts TEXT,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE processed (
            key TEXT PRIMARY KEY,          -- trigger id of a command, or the value of a button
            at TEXT NOT NULL,
            outcome TEXT
        );

        CREATE TABLE usergroups (
            group_id TEXT PRIMARY KEY,
            users TEXT NOT NULL,           -- JSON list of user IDs
            fetched_at REAL NOT NULL
        );
        """
    )


def _v2_uploads(db: sqlite_utils.Database) -> None:
    from state.uploads import v2_uploads  # the table's code lives beside it

    v2_uploads(db)


CORE: tuple[Migration, ...] = (("core.v1", _v1_core), ("core.v2", _v2_uploads))
