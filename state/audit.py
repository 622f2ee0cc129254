"""The audit trail: append-only, with Slack's immutable IDs (user, team, enterprise)."""

from __future__ import annotations

import json
from typing import Any

from core.who import Who
from state.store import Store, now_iso


def append(store: Store, who: Who, action: str, outcome: str, *, target: str | None = None,
           reason: str | None = None, plan_hash: str | None = None, detail: dict[str, Any] | None = None) -> int:
    cur = store.db.execute(
        "INSERT INTO audit (at, user_id, team_id, enterprise_id, channel_id, action, target, outcome,"
        " reason, plan_hash, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [now_iso(), who.user_id, who.team_id, who.enterprise_id, who.channel_id, action, target, outcome,
         reason, plan_hash, json.dumps(detail or {}, default=str)],
    )
    return cur.lastrowid


def recent(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    rows = store.db.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ?", [limit])
    return [_row(r, rows.description) for r in rows.fetchall()]


def all_entries(store: Store) -> list[dict[str, Any]]:
    rows = store.db.execute("SELECT * FROM audit ORDER BY id")
    return [_row(r, rows.description) for r in rows.fetchall()]


def _row(values: tuple, description: Any) -> dict[str, Any]:
    row = dict(zip([d[0] for d in description], values, strict=True))
    row["detail"] = json.loads(row["detail"] or "{}")
    return row
