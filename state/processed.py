"""Idempotency keys: a Slack retry, a double click or a restart performs an action once."""

from __future__ import annotations

import sqlite3

from state.store import Store, now_iso


def claim(store: Store, key: str) -> bool:
    """Record `key` as processed. True the first time only, whichever thread or process asks."""
    try:
        store.db.execute("INSERT INTO processed (key, at) VALUES (?, ?)", [key, now_iso()])
    except sqlite3.IntegrityError:
        return False
    return True


def release(store: Store, key: str) -> None:
    """Forget `key`: the action it stood for did not happen after all (e.g. only a modal opened)."""
    store.db.execute("DELETE FROM processed WHERE key = ?", [key])
