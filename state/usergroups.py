"""Cached members of Slack user groups (people.operators / approvers may name groups)."""

from __future__ import annotations

import json
import time

from state.store import Store


def cached(store: Store, group_id: str, max_age_s: float) -> list[str] | None:
    row = store.db.execute("SELECT users, fetched_at FROM usergroups WHERE group_id = ?", [group_id]).fetchone()
    if row is None or time.time() - row[1] > max_age_s:
        return None
    return json.loads(row[0])


def remember(store: Store, group_id: str, users: list[str]) -> None:
    store.db.execute(
        "INSERT INTO usergroups (group_id, users, fetched_at) VALUES (?, ?, ?)"
        " ON CONFLICT (group_id) DO UPDATE SET users = excluded.users, fetched_at = excluded.fetched_at",
        [group_id, json.dumps(users), time.time()],
    )
