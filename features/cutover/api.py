"""What other features read of the cutover (the migration report): each step of the runbook, its
state now, and every request made for it with who requested, who approved or rejected, and when.

    steps(services) -> list[StepHistory]
"""

from __future__ import annotations

from dataclasses import dataclass, field

from features.cutover import approvals
from features.cutover import store as cutover
from features.services import Services


@dataclass(frozen=True)
class ApprovalEntry:
    user_id: str
    at: str
    state: str  # live, used (counted for the quorum), expired, void


@dataclass(frozen=True)
class RequestEntry:
    seq: int
    plan_hash: str
    requested_by: str
    requested_at: str
    state: str  # open, approved, rejected, void
    closed_by: str | None
    closed_at: str | None
    reason: str | None
    approvals: list[ApprovalEntry] = field(default_factory=list)


@dataclass(frozen=True)
class StepHistory:
    id: str
    title: str
    action: str
    approvals_needed: int
    state: str  # blocked ready requested approved running done failed rejected
    note: str
    action_state: str | None  # the action's outcome: approved, running, done, failed
    action_by: str | None
    action_at: str | None
    error: str | None
    requests: list[RequestEntry] = field(default_factory=list)  # oldest first


def steps(services: Services) -> list[StepHistory]:
    out = []
    for sv in approvals.view(services).steps:
        record = sv.record
        out.append(StepHistory(
            id=sv.step.id, title=sv.step.title, action=sv.step.action.text, approvals_needed=sv.step.approvals,
            state=sv.state, note=sv.note, action_state=record.state if record else None,
            action_by=record.started_by if record else None, action_at=record.updated_at if record else None,
            error=record.error if record else None, requests=_requests(services, sv.step.id)))
    return out


def _requests(services: Services, step_id: str) -> list[RequestEntry]:
    db = services.store.db
    cur = db.execute("SELECT * FROM cutover_requests WHERE step_id = ? ORDER BY seq", [step_id])
    found = [cutover._request(r, cur.description) for r in cur.fetchall()]
    out = []
    for r in found:
        rows = db.execute("SELECT user_id, approved_at, state FROM cutover_approvals WHERE request_id = ? ORDER BY id",
                          [r.id]).fetchall()
        out.append(RequestEntry(r.seq, r.plan_hash, r.requested_by, r.requested_at, r.state, r.closed_by,
                                r.closed_at, r.reason, [ApprovalEntry(*row) for row in rows]))
    return out
