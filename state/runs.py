"""Runs: one row per transfer, validation, assessment or cutover action, with its progress."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from state.store import Store, now_iso

ACTIVE_STATES = ("pending", "running", "paused", "stalled")


@dataclass
class Run:
    id: str
    kind: str
    subject: str
    state: str
    started_by: str | None
    created_at: str
    updated_at: str
    finished_at: str | None = None
    error: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES


def new_id(kind: str, subject: str) -> str:
    return f"{kind}:{subject}:{secrets.token_hex(3)}"


def create(store: Store, kind: str, subject: str, *, state: str = "pending", started_by: str | None = None,
           detail: dict[str, Any] | None = None, run_id: str | None = None) -> Run:
    now = now_iso()
    run = Run(id=run_id or new_id(kind, subject), kind=kind, subject=subject, state=state, started_by=started_by,
              created_at=now, updated_at=now, detail=detail or {})
    store.db.execute(
        "INSERT INTO runs (id, kind, subject, state, started_by, created_at, updated_at, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [run.id, kind, subject, state, started_by, now, now, json.dumps(run.detail, default=str)],
    )
    return run


def get(store: Store, run_id: str) -> Run | None:
    cur = store.db.execute("SELECT * FROM runs WHERE id = ?", [run_id])
    row = cur.fetchone()
    return _run(row, cur.description) if row else None


def update(store: Store, run_id: str, *, state: str | None = None, error: str | None = None,
           detail: dict[str, Any] | None = None, merge: dict[str, Any] | None = None) -> Run:
    """Change a run. `detail` replaces the JSON detail; `merge` updates keys of it."""
    with store.transaction() as db:
        cur = db.execute("SELECT * FROM runs WHERE id = ?", [run_id])
        row = cur.fetchone()
        if row is None:
            raise KeyError(run_id)
        run = _run(row, cur.description)
        if detail is not None:
            run.detail = detail
        if merge:
            run.detail.update(merge)
        if state is not None:
            run.state = state
        if error is not None:
            run.error = error
        run.updated_at = now_iso()
        if state is not None and state not in ACTIVE_STATES and run.finished_at is None:
            run.finished_at = run.updated_at
        db.execute(
            "UPDATE runs SET state = ?, error = ?, detail = ?, updated_at = ?, finished_at = ? WHERE id = ?",
            [run.state, run.error, json.dumps(run.detail, default=str), run.updated_at, run.finished_at, run_id],
        )
    return run


def latest(store: Store, kind: str, subject: str | None = None) -> Run | None:
    runs = recent(store, kind=kind, subject=subject, limit=1)
    return runs[0] if runs else None


def recent(store: Store, *, kind: str | None = None, subject: str | None = None, active_only: bool = False,
           limit: int = 50) -> list[Run]:
    where, args = [], []
    if kind:
        where.append("kind = ?")
        args.append(kind)
    if subject:
        where.append("subject = ?")
        args.append(subject)
    if active_only:
        where.append(f"state IN ({','.join('?' * len(ACTIVE_STATES))})")
        args.extend(ACTIVE_STATES)
    sql = "SELECT * FROM runs" + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY created_at DESC, rowid DESC LIMIT ?"
    cur = store.db.execute(sql, [*args, limit])
    return [_run(r, cur.description) for r in cur.fetchall()]


def latest_each(store: Store, kind: str, *, states: tuple[str, ...] = (), subject: str | None = None,
                detail_keys: tuple[str, ...] = ("summary",)) -> dict[str, Run]:
    """The newest run of each subject of `kind` (of those in `states`, of `subject` alone, if
    given), by subject:
    light runs, whose `detail` holds only `detail_keys` (taken out in SQLite). `/migrate status`
    reads these inside Slack's ack: a full compare's detail lists up to 10,000 keys of each
    kind, and reading 200 of them whole took 10 s (measured), where this reads each subject's
    newest run and, of its detail, a few fields."""
    where, args = ["kind = ?"], [kind]
    if subject is not None:  # one subject's newest only
        where.append("subject = ?")
        args.append(subject)
    if states:
        where.append(f"state IN ({','.join('?' * len(states))})")
        args.extend(states)
    if any(not k.isidentifier() for k in detail_keys):
        raise ValueError(f"detail keys are names: {detail_keys!r}")
    picks = ", ".join(f"r.detail -> '$.{k}'" for k in detail_keys)
    # The window runs over the (kind, subject, created_at) index; only the chosen rows' detail
    # is read, and only its named fields leave SQLite.
    cur = store.db.execute(
        "SELECT r.id, r.kind, r.subject, r.state, r.started_by, r.created_at, r.updated_at, r.finished_at, r.error"
        + (", " + picks if picks else "")
        + " FROM runs r JOIN (SELECT rowid AS rid, ROW_NUMBER() OVER (PARTITION BY subject"
        " ORDER BY created_at DESC, rowid DESC) AS rn FROM runs WHERE " + " AND ".join(where)
        + ") newest ON r.rowid = newest.rid WHERE newest.rn = 1", args)
    out: dict[str, Run] = {}
    for row in cur.fetchall():
        detail = {k: json.loads(v) for k, v in zip(detail_keys, row[9:], strict=True) if v is not None}
        out[row[2]] = Run(id=row[0], kind=row[1], subject=row[2], state=row[3], started_by=row[4], created_at=row[5],
                          updated_at=row[6], finished_at=row[7], error=row[8], detail=detail)
    return out


def newest_field(store: Store, kind: str, state: str, path: str) -> tuple[Run, Any] | None:
    """The newest run of `kind` in `state` whose detail has `path` (a JSON path such as
    `$.source_hdfs`), as a light run (no detail) and that field: the rest of its detail (an
    assessment's report of every table) stays in SQLite."""
    if not path.startswith("$.") or not all(p.isidentifier() for p in path[2:].split(".")):
        raise ValueError(f"not a JSON path of names: {path!r}")
    row = store.db.execute(
        "SELECT id, kind, subject, state, started_by, created_at, updated_at, finished_at, error, detail -> ?"
        " FROM runs WHERE kind = ? AND state = ? AND detail -> ? IS NOT NULL"
        " ORDER BY created_at DESC, rowid DESC LIMIT 1", [path, kind, state, path]).fetchone()
    if row is None:
        return None
    return Run(*row[:9]), json.loads(row[9])


def kinds(store: Store) -> list[str]:
    """The kinds of run there are (the runs index answers it)."""
    return [r[0] for r in store.db.execute("SELECT DISTINCT kind FROM runs")]


def _run(row: tuple, description: Any) -> Run:
    data = dict(zip([d[0] for d in description], row, strict=True))
    data["detail"] = json.loads(data["detail"] or "{}")
    return Run(**data)
