"""The outbox: every message Ferry wants in Slack is first written here, then the poster
(bot/poster.py) sends it. A crash between the two loses nothing: the row is still pending.

A message with a `card_key` is one Slack message per key: the first row posts it, later rows
update it in place, and only the newest pending row of a card is worth sending.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from state.store import Store, now_iso


@dataclass
class OutboxRow:
    id: int
    channel: str
    card_key: str | None
    thread_of: str | None
    user_id: str | None
    message: dict[str, Any]
    attempts: int
    upload_id: int | None = None  # a file to upload (state/uploads.py); `message` is its comment


def enqueue(store: Store, channel: str, message: dict[str, Any], *, card_key: str | None = None,
            thread_of: str | None = None, user_id: str | None = None, dedupe_key: str | None = None) -> int | None:
    """Queue a message. With `dedupe_key`, queuing the same key again does nothing (returns None)."""
    try:
        cur = store.db.execute(
            "INSERT INTO outbox (dedupe_key, channel, card_key, thread_of, user_id, message, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [dedupe_key, channel, card_key, thread_of, user_id, json.dumps(message), now_iso()],
        )
    except sqlite3.IntegrityError:
        return None
    return cur.lastrowid


def pending(store: Store, limit: int = 100) -> list[OutboxRow]:
    """Rows still to send, oldest first, with superseded card updates dropped.

    'sending' rows are included: a process killed mid-send left them, and they are re-sent once
    (for a card this is an update of the same message, which is harmless)."""
    with store.transaction() as db:
        # Coalesce: of several pending updates of one card, only the newest matters.
        db.execute(
            "UPDATE outbox SET state = 'superseded' WHERE state IN ('pending', 'sending') AND card_key IS NOT NULL"
            " AND thread_of IS NULL AND id < (SELECT MAX(o2.id) FROM outbox o2 WHERE o2.card_key = outbox.card_key"
            " AND o2.thread_of IS NULL AND o2.state IN ('pending', 'sending'))"
        )
        cur = db.execute(
            "SELECT id, channel, card_key, thread_of, user_id, message, attempts, upload_id FROM outbox"
            " WHERE state IN ('pending', 'sending') ORDER BY id LIMIT ?", [limit]
        )
        rows = cur.fetchall()
    return [OutboxRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7]) for r in rows]


def mark_sending(store: Store, row_id: int) -> None:
    store.db.execute("UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ?", [row_id])


def mark_sent(store: Store, row_id: int) -> None:
    store.db.execute("UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE id = ?",
                     [now_iso(), row_id])


def mark_retry(store: Store, row_id: int, error: str) -> None:
    store.db.execute("UPDATE outbox SET state = 'pending', last_error = ? WHERE id = ?", [error, row_id])


def mark_failed(store: Store, row_id: int, error: str) -> None:
    store.db.execute("UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ?", [error, row_id])


def counts(store: Store) -> dict[str, int]:
    return dict(store.db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())


# --- cards: the Slack message that stands for a card ------------------------------------------

def card_ts(store: Store, card_key: str) -> tuple[str, str] | None:
    """(channel, ts) of the card's Slack message, once posted."""
    row = store.db.execute("SELECT channel, ts FROM cards WHERE card_key = ?", [card_key]).fetchone()
    return (row[0], row[1]) if row else None



def set_card(store: Store, card_key: str, channel: str, ts: str, thread_ts: str | None = None) -> None:
    store.db.execute(
        "INSERT INTO cards (card_key, channel, ts, thread_ts, updated_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (card_key) DO UPDATE SET updated_at = excluded.updated_at",
        [card_key, channel, ts, thread_ts, now_iso()],
    )


def forget_card(store: Store, card_key: str) -> None:
    """The card's Slack message is gone: its next row posts a new one."""
    store.db.execute("DELETE FROM cards WHERE card_key = ?", [card_key])
