"""The cutover's state: requests (each freezing a plan under a hash), approvals, the outcome of
each step's action, and a little bookkeeping for the runbook card. Tables: features/cutover/schema.py.

Every read-modify-write that decides something (an approval reaching quorum, a request closing)
runs inside `store.transaction()` (BEGIN IMMEDIATE): two approvers clicking at the same moment,
or a click racing the expiry job, cannot both win.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from core.who import Who
from state.store import Store, now_iso

OPEN, APPROVED, REJECTED, VOID = "open", "approved", "rejected", "void"


@dataclass(frozen=True)
class Request:
    id: str
    step_id: str
    seq: int
    plan_hash: str
    plan: dict[str, Any]
    requested_by: str
    team_id: str | None
    enterprise_id: str | None
    requested_at: str
    state: str
    closed_at: str | None = None
    closed_by: str | None = None
    closed_team_id: str | None = None
    closed_enterprise_id: str | None = None
    reason: str | None = None

    @property
    def requester(self) -> Who:
        return Who(self.requested_by, self.team_id, self.enterprise_id)


@dataclass(frozen=True)
class Approval:
    id: int
    request_id: str
    plan_hash: str
    user_id: str
    team_id: str | None
    enterprise_id: str | None
    approved_at: str
    expires_at: str
    state: str

    @property
    def who(self) -> Who:
        return Who(self.user_id, self.team_id, self.enterprise_id)


@dataclass(frozen=True)
class StepRecord:
    step_id: str
    state: str  # approved (action about to start), running, done, failed
    request_id: str
    plan_hash: str
    run_id: str | None
    target_run_id: str | None
    started_by: str | None
    team_id: str | None
    enterprise_id: str | None
    updated_at: str
    error: str | None = None

    @property
    def starter(self) -> Who:
        return Who(self.started_by or "ferry", self.team_id, self.enterprise_id)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


# --- requests ---------------------------------------------------------------------------------

def create_request(store: Store, step_id: str, seq: int, plan_hash: str, plan: dict[str, Any], who: Who) -> Request | None:
    """A new open request, number `seq` of the step. None if that number is taken (someone else
    requested first, or a double click), or if the step already has an open request."""
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM cutover_requests WHERE step_id = ? AND state = ?", [step_id, OPEN]).fetchone():
            return None
        try:
            db.execute(
                "INSERT INTO cutover_requests (id, step_id, seq, plan_hash, plan, requested_by, team_id, enterprise_id,"
                " requested_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [f"{step_id}#{seq}", step_id, seq, plan_hash, json.dumps(plan, sort_keys=True), who.user_id,
                 who.team_id, who.enterprise_id, now_iso(), OPEN],
            )
        except sqlite3.IntegrityError:
            return None
    return get_request(store, f"{step_id}#{seq}")


def get_request(store: Store, request_id: str) -> Request | None:
    cur = store.db.execute("SELECT * FROM cutover_requests WHERE id = ?", [request_id])
    row = cur.fetchone()
    return _request(row, cur.description) if row else None


def last_request(store: Store, step_id: str) -> Request | None:
    cur = store.db.execute("SELECT * FROM cutover_requests WHERE step_id = ? ORDER BY seq DESC LIMIT 1", [step_id])
    row = cur.fetchone()
    return _request(row, cur.description) if row else None


def open_requests(store: Store) -> list[Request]:
    cur = store.db.execute("SELECT * FROM cutover_requests WHERE state = ? ORDER BY requested_at", [OPEN])
    return [_request(r, cur.description) for r in cur.fetchall()]


def next_seq(store: Store, step_id: str) -> int:
    row = store.db.execute("SELECT COALESCE(MAX(seq), 0) FROM cutover_requests WHERE step_id = ?", [step_id]).fetchone()
    return int(row[0]) + 1


def any_request(store: Store) -> bool:
    return store.db.execute("SELECT 1 FROM cutover_requests LIMIT 1").fetchone() is not None


def close_request(store: Store, request_id: str, state: str, *, who: Who | None, reason: str | None) -> bool:
    """Close an open request (rejected or void); its live approvals stop counting. False if it
    was no longer open (someone else closed it first)."""
    with store.transaction() as db:
        cur = db.execute(
            "UPDATE cutover_requests SET state = ?, closed_at = ?, closed_by = ?, closed_team_id = ?,"
            " closed_enterprise_id = ?, reason = ? WHERE id = ? AND state = ?",
            [state, now_iso(), who.user_id if who else None, who.team_id if who else None,
             who.enterprise_id if who else None, reason, request_id, OPEN],
        )
        if cur.rowcount != 1:
            return False
        db.execute("UPDATE cutover_approvals SET state = 'void' WHERE request_id = ? AND state = 'live'", [request_id])
    return True


# --- approvals --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ApprovalResult:
    added: bool  # False: this person's approval was already counted
    approvals: list[Approval]  # the live approvals that count now
    quorum: bool  # this approval completed the quorum: the step is now approved (exactly once)
    approval: Approval | None = None
    closed: str | None = None  # the request was no longer open: its state
    expired: tuple[Approval, ...] = ()  # approvals found past their expiry on the way (to audit)


def add_approval(store: Store, request: Request, who: Who, *, ttl_s: float, needed: int,
                 at: datetime) -> ApprovalResult:
    """Count `who`'s approval of `request` (for the request's plan hash), and when it completes
    the quorum mark the request approved and the step approved, in one transaction."""
    with store.transaction() as db:
        row = db.execute("SELECT state FROM cutover_requests WHERE id = ?", [request.id]).fetchone()
        if row is None or row[0] != OPEN:
            return ApprovalResult(False, [], False, closed=row[0] if row else "missing")
        expired = tuple(_expire_in(db, at))
        added = True
        try:
            cur = db.execute(
                "INSERT INTO cutover_approvals (request_id, plan_hash, user_id, team_id, enterprise_id, approved_at,"
                " expires_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'live')",
                [request.id, request.plan_hash, who.user_id, who.team_id, who.enterprise_id, iso(at),
                 iso(at + timedelta(seconds=ttl_s))],
            )
            approval_id = cur.lastrowid
        except sqlite3.IntegrityError:
            added, approval_id = False, None
        live = _live(db, request)
        quorum = added and len(live) >= needed
        if quorum:
            db.execute("UPDATE cutover_requests SET state = ?, closed_at = ? WHERE id = ?",
                       [APPROVED, iso(at), request.id])
            db.execute("UPDATE cutover_approvals SET state = 'used' WHERE request_id = ? AND state = 'live'",
                       [request.id])
            db.execute(
                "INSERT INTO cutover_steps (step_id, state, request_id, plan_hash, started_by, team_id, enterprise_id,"
                " updated_at) VALUES (?, 'approved', ?, ?, ?, ?, ?, ?) ON CONFLICT (step_id) DO UPDATE SET"
                " state = 'approved', request_id = excluded.request_id, plan_hash = excluded.plan_hash,"
                " run_id = NULL, target_run_id = NULL, started_by = excluded.started_by, team_id = excluded.team_id,"
                " enterprise_id = excluded.enterprise_id, updated_at = excluded.updated_at, error = NULL",
                [request.step_id, request.id, request.plan_hash, who.user_id, who.team_id, who.enterprise_id, iso(at)],
            )
    mine = next((a for a in live if a.id == approval_id), None) if approval_id else None
    return ApprovalResult(added, live, quorum, approval=mine, expired=expired)


def approvals_of(store: Store, request_id: str, states: tuple[str, ...] = ("live", "used")) -> list[Approval]:
    cur = store.db.execute(
        f"SELECT * FROM cutover_approvals WHERE request_id = ? AND state IN ({','.join('?' * len(states))})"
        " ORDER BY id", [request_id, *states])
    return [_approval(r, cur.description) for r in cur.fetchall()]


def live_approvals(store: Store) -> list[Approval]:
    cur = store.db.execute("SELECT * FROM cutover_approvals WHERE state = 'live' ORDER BY expires_at")
    return [_approval(r, cur.description) for r in cur.fetchall()]


def expire_due(store: Store, at: datetime) -> list[Approval]:
    """Mark live approvals past their expiry as expired; return them (each once)."""
    with store.transaction() as db:
        return _expire_in(db, at)


def _expire_in(db, at: datetime) -> list[Approval]:
    cur = db.execute("SELECT * FROM cutover_approvals WHERE state = 'live' AND expires_at <= ?", [iso(at)])
    due = [_approval(r, cur.description) for r in cur.fetchall()]
    for a in due:
        db.execute("UPDATE cutover_approvals SET state = 'expired' WHERE id = ? AND state = 'live'", [a.id])
    return [Approval(**{**a.__dict__, "state": "expired"}) for a in due]


def _live(db, request: Request) -> list[Approval]:
    # Distinct people, never the requester (four-eyes is also refused before we get here), and
    # only for the frozen plan's hash.
    cur = db.execute(
        "SELECT * FROM cutover_approvals WHERE request_id = ? AND state = 'live' AND plan_hash = ? AND user_id != ?"
        " ORDER BY id", [request.id, request.plan_hash, request.requested_by])
    seen, out = set(), []
    for a in (_approval(r, cur.description) for r in cur.fetchall()):
        if a.user_id not in seen:
            seen.add(a.user_id)
            out.append(a)
    return out


# --- step outcomes ----------------------------------------------------------------------------

def step_records(store: Store) -> dict[str, StepRecord]:
    cur = store.db.execute("SELECT * FROM cutover_steps")
    return {r.step_id: r for r in (_record(row, cur.description) for row in cur.fetchall())}


def step_record(store: Store, step_id: str) -> StepRecord | None:
    cur = store.db.execute("SELECT * FROM cutover_steps WHERE step_id = ?", [step_id])
    row = cur.fetchone()
    return _record(row, cur.description) if row else None


def set_step(store: Store, step_id: str, state: str, *, expect: tuple[str, ...] | None = None,
             run_id: str | None = None, target_run_id: str | None = None, error: str | None = None) -> bool:
    """Move a step's action to `state`. With `expect`, only from one of those states (so a
    watcher and a click cannot both finish a step). Returns whether it changed."""
    sets, args = ["state = ?", "updated_at = ?"], [state, now_iso()]
    for column, value in (("run_id", run_id), ("target_run_id", target_run_id), ("error", error)):
        if value is not None:
            sets.append(f"{column} = ?")
            args.append(value)
    sql = f"UPDATE cutover_steps SET {', '.join(sets)} WHERE step_id = ?"
    args.append(step_id)
    if expect:
        sql += f" AND state IN ({','.join('?' * len(expect))})"
        args.extend(expect)
    cur = store.db.execute(sql, args)
    return cur.rowcount == 1


# --- card bookkeeping -------------------------------------------------------------------------

def meta(store: Store, key: str) -> str | None:
    row = store.db.execute("SELECT value FROM cutover_meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(store: Store, key: str, value: str) -> None:
    store.db.execute("INSERT INTO cutover_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET"
                     " value = excluded.value", [key, value])


def _request(row: tuple, description: Any) -> Request:
    data = dict(zip([d[0] for d in description], row, strict=True))
    data["plan"] = json.loads(data["plan"])
    return Request(**data)


def _approval(row: tuple, description: Any) -> Approval:
    return Approval(**dict(zip([d[0] for d in description], row, strict=True)))


def _record(row: tuple, description: Any) -> StepRecord:
    return StepRecord(**dict(zip([d[0] for d in description], row, strict=True)))
