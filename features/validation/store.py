"""Validation state: the alerts table (one row per problem) and the schedules armed.

An alert's fingerprint is `table:check` (e.g. `events:full`): one alert per problem, whatever
validation or button found it. `generation` grows each time the problem re-opens after being
resolved, so each occurrence has its own Slack card (`alert:<fingerprint>:<generation>`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from state import Store


def v_validation(db: sqlite_utils.Database) -> None:
    """Migration: validation alerts and armed schedules."""
    db.executescript(
        """
        CREATE TABLE validation_alerts (
            fingerprint TEXT PRIMARY KEY,      -- table:check
            table_id TEXT NOT NULL,
            check_kind TEXT NOT NULL,          -- count, sample, full
            state TEXT NOT NULL,               -- open, resolved
            generation INTEGER NOT NULL DEFAULT 1,
            opened_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            resolved_at TEXT,
            silenced_until TEXT,
            silenced_by TEXT,
            failures INTEGER NOT NULL DEFAULT 1,  -- failing runs in this generation
            validation_id TEXT,                -- what to rerun
            first_run_id TEXT,
            last_run_id TEXT,
            summary TEXT,
            detail TEXT NOT NULL DEFAULT '{}'  -- JSON: the last result's figures
        );
        CREATE TABLE validation_schedules (
            validation_id TEXT PRIMARY KEY,
            signature TEXT NOT NULL,           -- every:900 | cron:0 2 * * *
            armed_at TEXT NOT NULL
        );
        """
    )


MIGRATIONS = (("validation.v1", v_validation),)


@dataclass
class Alert:
    fingerprint: str
    table_id: str
    check_kind: str
    state: str
    generation: int
    opened_at: str
    updated_at: str
    resolved_at: str | None = None
    silenced_until: str | None = None
    silenced_by: str | None = None
    failures: int = 1
    validation_id: str | None = None
    first_run_id: str | None = None
    last_run_id: str | None = None
    summary: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def card_key(self) -> str:
        return f"alert:{self.fingerprint}:{self.generation}"


def _alert(row: tuple, description: Any) -> Alert:
    data = dict(zip([d[0] for d in description], row, strict=True))
    data["detail"] = json.loads(data["detail"] or "{}")
    return Alert(**data)


def get_alert(db: sqlite_utils.Database, fingerprint: str) -> Alert | None:
    cur = db.execute("SELECT * FROM validation_alerts WHERE fingerprint = ?", [fingerprint])
    row = cur.fetchone()
    return _alert(row, cur.description) if row else None


def save_alert(db: sqlite_utils.Database, alert: Alert) -> None:
    values = {**alert.__dict__, "detail": json.dumps(alert.detail, default=str)}
    columns = list(values)
    db.execute(
        f"INSERT INTO validation_alerts ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        f" ON CONFLICT (fingerprint) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in columns[1:])}",
        [values[c] for c in columns],
    )


def open_alerts(store: Store) -> list[Alert]:
    cur = store.db.execute("SELECT * FROM validation_alerts WHERE state = 'open' ORDER BY opened_at")
    return [_alert(r, cur.description) for r in cur.fetchall()]


def all_alerts(store: Store) -> list[Alert]:
    cur = store.db.execute("SELECT * FROM validation_alerts ORDER BY fingerprint")
    return [_alert(r, cur.description) for r in cur.fetchall()]


def armed_signature(store: Store, validation_id: str) -> str | None:
    row = store.db.execute("SELECT signature FROM validation_schedules WHERE validation_id = ?",
                           [validation_id]).fetchone()
    return row[0] if row else None


def set_armed(store: Store, validation_id: str, signature: str, at: str) -> None:
    store.db.execute("INSERT INTO validation_schedules (validation_id, signature, armed_at) VALUES (?, ?, ?)"
                     " ON CONFLICT (validation_id) DO UPDATE SET signature = excluded.signature,"
                     " armed_at = excluded.armed_at", [validation_id, signature, at])


def armed_ids(store: Store) -> list[str]:
    return [r[0] for r in store.db.execute("SELECT validation_id FROM validation_schedules").fetchall()]


def disarm(store: Store, validation_id: str) -> None:
    store.db.execute("DELETE FROM validation_schedules WHERE validation_id = ?", [validation_id])


def history_rows(store: Store, kind: str, validation_id: str, limit: int) -> list[tuple]:
    """The newest `limit` runs of a validation as (id, state, finished_at, started_by, error,
    summary, differences): the differences summed in SQLite over the run's results (|count
    difference| for a count, the compare's differences otherwise), so that a history of 100
    runs does not parse 100 details of up to 30,000 listed keys each in Python."""
    cur = store.db.execute(
        "SELECT id, state, finished_at, started_by, error, detail ->> '$.summary',"
        " (SELECT COALESCE(SUM(CASE WHEN value ->> '$.check' = 'count'"
        "   THEN ABS(COALESCE(value ->> '$.difference', 0)) ELSE COALESCE(value ->> '$.differences', 0) END), 0)"
        "  FROM json_each(runs.detail, '$.results'))"
        " FROM runs WHERE kind = ? AND subject = ? ORDER BY created_at DESC, rowid DESC LIMIT ?",
        [kind, validation_id, limit])
    return cur.fetchall()
