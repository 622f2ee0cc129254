"""Files for the channel (charts, the migration report): queued like messages, sent by the poster.

A file is an outbox row (its order, its thread, its retries) that points at an `uploads` row (the
bytes and how far Slack's three-step upload got). The stage is written after each step, so a
restart carries on where it stopped and never shares a file twice:

    new ──files.getUploadURLExternal──▶ url ──POST bytes──▶ uploaded ──files.completeUploadExternal──▶ done
                                                         (completing: the last call was sent)

A file not yet shared is invisible in Slack, so the first two steps may be repeated freely. The
third shares it: a process killed while that call was in flight (stage `completing`) cannot know
whether Slack shared it, so it is never sent again (at most once; the log says so). The bytes are
dropped once the file is shared: the state database stays small.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from state.store import Store, now_iso

MAX_BYTES = 20 * 1024 * 1024  # a chart is ~50 KB, the report well under 1 MB; Slack's own limit is 1 GB


@dataclass
class Upload:
    id: int
    filename: str
    title: str
    mimetype: str
    alt: str
    data: bytes | None
    size: int
    sha256: str
    stage: str
    file_id: str | None
    upload_url: str | None


def enqueue(store: Store, channel: str, *, filename: str, data: bytes, title: str, mimetype: str,
            comment: dict[str, Any], alt: str = "", thread_of: str | None = None,
            dedupe_key: str | None = None) -> int | None:
    """Queue a file for the channel (in the thread of card `thread_of`). `comment` is a
    core.message.Message as a dict: its text goes with the file. With `dedupe_key`, queuing the
    same key again does nothing (returns None). Returns the outbox row's id."""
    if len(data) > MAX_BYTES:
        raise ValueError(f"{filename} is {len(data):,} bytes; Ferry uploads at most {MAX_BYTES:,}")
    with store.transaction() as db:
        if dedupe_key and db.execute("SELECT 1 FROM outbox WHERE dedupe_key = ?", [dedupe_key]).fetchone():
            return None
        cur = db.execute(
            "INSERT INTO uploads (filename, title, mimetype, alt, data, size, sha256, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [filename, title, mimetype, alt, data, len(data), hashlib.sha256(data).hexdigest(), now_iso(), now_iso()])
        upload_id = cur.lastrowid
        cur = db.execute(
            "INSERT INTO outbox (dedupe_key, channel, thread_of, message, created_at, upload_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [dedupe_key, channel, thread_of, json.dumps(comment), now_iso(), upload_id])
        return cur.lastrowid


def get(store: Store, upload_id: int) -> Upload | None:
    row = store.db.execute(
        "SELECT id, filename, title, mimetype, alt, data, size, sha256, stage, file_id, upload_url"
        " FROM uploads WHERE id = ?", [upload_id]).fetchone()
    return Upload(*row) if row else None


def set_stage(store: Store, upload_id: int, stage: str, **values: str | None) -> None:
    """Record a step's result. Values: file_id, upload_url."""
    sets = ", ".join(f"{k} = ?" for k in values)
    store.db.execute(f"UPDATE uploads SET stage = ?, updated_at = ?{', ' + sets if sets else ''} WHERE id = ?",
                     [stage, now_iso(), *values.values(), upload_id])


def mark_done(store: Store, upload_id: int) -> None:
    """Shared: the bytes are no longer needed (size and hash stay)."""
    store.db.execute("UPDATE uploads SET stage = 'done', data = NULL, upload_url = NULL, updated_at = ? WHERE id = ?",
                     [now_iso(), upload_id])


def v2_uploads(db: Any) -> None:
    """core.v2: the uploads table, and the outbox row's pointer to it."""
    db.executescript(
        """
        CREATE TABLE uploads (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            filename TEXT NOT NULL,
            title TEXT NOT NULL,
            mimetype TEXT NOT NULL,
            alt TEXT NOT NULL DEFAULT '',
            data BLOB,                     -- NULL once shared
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            stage TEXT NOT NULL DEFAULT 'new',  -- new, url, uploaded, completing, done
            file_id TEXT,                  -- Slack's, from files.getUploadURLExternal
            upload_url TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        ALTER TABLE outbox ADD COLUMN upload_id INTEGER REFERENCES uploads (id);
        """
    )
