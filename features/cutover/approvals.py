"""The rules of approval, and the runbook's state as people see it.

    request  (operator)   freezes the step's plan under a hash; the gates must pass
    approve  (approver)   counts for that hash only; never the requester's own; one per person;
                          expires after the step's approval_ttl; N distinct approvals → the
                          step's action runs (actions.run_step, through the scheduler)
    reject   (approver)   closes the request with a reason
    reconcile             voids an open request whose plan changed (config edited, a gate
                          flipped) and expires old approvals; run by every click, the watcher
                          and the start-up hook, so the card says why as soon as it happens

Permissions (operator / approver, user groups resolved) are checked by the dispatcher at click
time; a refusal here is written to the audit trail with the plan hash, then raised as
`Refused` so the person gets an ephemeral answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from config.cutover import Runbook, Step
from core.errors import Refused, UsageError
from core.message import escape
from core.who import Who
from features.cutover import store as cutover
from features.cutover import texts
from features.cutover.plan import Plan, clock, evaluate, why_changed
from features.services import Services, members_of
from state import audit, runs

# Who the audit names for what Ferry does by itself (a plan voided by a config edit).
SYSTEM = Who(user_id="ferry")


def runbook(services: Services) -> Runbook:
    return services.config.cutover


class Refusal(Refused):
    """A refusal already written to the audit trail (with its plan hash). `audited` tells the
    dispatcher not to write it again (once it honours the flag)."""

    audited = True


# --- the runbook as the card shows it ----------------------------------------------------------

@dataclass
class StepView:
    step: Step
    index: int  # 0-based
    state: str  # blocked ready requested approved running done failed rejected
    current: bool
    note: str = ""  # why it is in that state, in one sentence
    plan: Plan | None = None  # evaluated now (None for done steps)
    request: cutover.Request | None = None  # the latest request, open or closed
    approvals: list[cutover.Approval] = field(default_factory=list)  # those that count now
    record: cutover.StepRecord | None = None
    run: runs.Run | None = None  # the cutover-step run
    target: runs.Run | None = None  # the transfer or validation run it started
    next_seq: int = 1
    expired: int = 0  # approvals of the open request that expired
    void_note: str = ""  # why the last request was voided (the card says so until a new request)

    @property
    def open_request(self) -> cutover.Request | None:
        return self.request if self.request and self.request.state == cutover.OPEN else None


@dataclass
class RunbookView:
    steps: list[StepView]
    config_version: str

    @property
    def current(self) -> StepView | None:
        return next((s for s in self.steps if s.current), None)

    @property
    def finished(self) -> bool:
        return bool(self.steps) and all(s.state == "done" for s in self.steps)

    def get(self, step_id: str) -> StepView | None:
        return next((s for s in self.steps if s.step.id == step_id), None)


def view(services: Services) -> RunbookView:
    store = services.store
    records = cutover.step_records(store)
    done = {sid for sid, r in records.items() if r.state == "done"}
    out: list[StepView] = []
    current_found = False
    for i, step in enumerate(runbook(services)):
        record = records.get(step.id)
        request = cutover.last_request(store, step.id)
        sv = StepView(step=step, index=i, state="blocked", current=False, request=request, record=record,
                      next_seq=cutover.next_seq(store, step.id))
        if record and record.run_id:
            sv.run = runs.get(store, record.run_id)
        if record and record.target_run_id:
            sv.target = runs.get(store, record.target_run_id)
        if record and record.state == "done":
            sv.state = "done"
            out.append(sv)
            continue
        sv.current = not current_found
        current_found = True
        sv.plan = evaluate(services, step, done)
        if sv.open_request:
            sv.approvals = counting(store, sv.open_request, services.clock.now())
            sv.expired = len(cutover.approvals_of(store, sv.open_request.id, ("expired",)))
        if record and record.state in ("approved", "running"):
            sv.state = record.state
        elif sv.open_request:
            sv.state = "requested"
        elif not sv.current:
            waiting = next(s for s in out if s.current)
            sv.note = f"waits for step {waiting.index + 1}, `{waiting.step.id}`"
        elif record and record.state == "failed" and not _newer(request, record):
            sv.state = "failed"
            sv.note = f"the action failed: {record.error}" if record.error else "the action failed"
        elif request and request.state == cutover.REJECTED:
            sv.state = "rejected"
            sv.note = f"rejected by <@{request.closed_by}>: {escape(request.reason or '')}"
        elif not sv.plan.ok:
            sv.state = "blocked"
            sv.note = "; ".join(g.text for g in sv.plan.blocking)
        else:
            sv.state = "ready"
        if sv.state in ("ready", "blocked") and sv.current and request and request.state == cutover.VOID:
            sv.void_note = texts.VOIDED.format(seq=request.seq, reason=escape(request.reason or ""))
        out.append(sv)
    return RunbookView(out, services.config.version)


def _newer(request: cutover.Request | None, record: cutover.StepRecord) -> bool:
    """A request made after the step's action failed (a retry) takes over the step's state."""
    return bool(request and request.id != record.request_id and request.requested_at > record.updated_at)


def counting(store, request: cutover.Request, at: datetime) -> list[cutover.Approval]:
    """The approvals that count now for an open request: live, unexpired, for its plan hash,
    distinct people, not the requester."""
    now = cutover.iso(at)
    seen, out = set(), []
    for a in cutover.approvals_of(store, request.id, ("live",)):
        if a.plan_hash == request.plan_hash and a.expires_at > now and a.user_id != request.requested_by \
                and a.user_id not in seen:
            seen.add(a.user_id)
            out.append(a)
    return out


# --- reconcile: expiries and voided plans ------------------------------------------------------

def reconcile(services: Services) -> bool:
    """Expire approvals past their TTL and void open requests whose plan changed. Returns
    whether anything changed (the card needs an update)."""
    store = services.store
    changed = False
    for a in cutover.expire_due(store, services.clock.now()):
        _audit_expired(services, a)
        changed = True
    book = runbook(services)
    for request in cutover.open_requests(store):
        step = book.step(request.step_id)
        if step is None:
            reason = "the step is no longer in the runbook"
            new_hash = None
        else:
            plan = evaluate(services, step)
            if plan.hash == request.plan_hash:
                continue
            reason, new_hash = why_changed(request.plan, plan), plan.hash
        if cutover.close_request(store, request.id, cutover.VOID, who=None, reason=reason):
            audit.append(store, SYSTEM, "cutover:void", "void", target=request.id, reason=reason,
                         plan_hash=request.plan_hash, detail={"step": request.step_id, "new_plan_hash": new_hash})
            changed = True
    return changed


def _audit_expired(services: Services, a: cutover.Approval) -> None:
    audit.append(services.store, a.who, "cutover:expire", "expired", target=a.request_id,
                 reason=f"approval older than the step's approval_ttl (given {clock(a.approved_at)})",
                 plan_hash=a.plan_hash, detail={"approval_id": a.id, "expires_at": a.expires_at})


# --- the clicks ---------------------------------------------------------------------------------

def parse_value(value: str, *, marked: bool = False) -> tuple[str, str]:
    """Button values are `<step id>|<seq or request id>`; Approve/Reject's may add `|e<N>` (the
    approvals of the request that had expired when the card was drawn: `marked`). Exactly that:
    anything else is not a value a card carries."""
    parts = (value or "").split("|")
    shape_ok = all(parts) and (len(parts) == 2 or (marked and len(parts) == 3 and parts[2][:1] == "e"
                                                   and parts[2][1:].isascii() and parts[2][1:].isdigit()))
    if not shape_ok:
        raise UsageError("That button carries no step. Run `/migrate cutover` for a fresh card.")
    return parts[0], parts[1]


def _mark_matches(services: Services, value: str, request_id: str) -> bool:
    """Whether the `e<N>` of an Approve/Reject value (if any) is one a card of the request has
    shown: N is at most the approvals that expired so far (an older card still counts, a higher N
    never was drawn)."""
    mark = value.split("|")[2][1:] if value.count("|") == 2 else "0"
    return int(mark) <= len(cutover.approvals_of(services.store, request_id, ("expired",)))


def request(services: Services, who: Who, value: str) -> str:
    step_id, seq_text = parse_value(value)
    reconcile(services)
    sv = _step_view(services, who, "cutover:request", step_id)
    plan_hash = sv.plan.hash if sv.plan else None
    if not seq_text.isdigit() or int(seq_text) != sv.next_seq:
        _refuse(services, who, "cutover:request", step_id, plan_hash, texts.STALE_BUTTON)
    if sv.state in ("requested", "approved", "running", "done"):
        _refuse(services, who, "cutover:request", step_id, plan_hash, _not_requestable(sv))
    if not sv.current:
        _refuse(services, who, "cutover:request", step_id, plan_hash, texts.NOT_NEXT.format(step=step_id, note=sv.note))
    assert sv.plan is not None
    if not sv.plan.ok:
        _refuse(services, who, "cutover:request", step_id, plan_hash,
                texts.BLOCKED.format(step=step_id, reasons="; ".join(g.text for g in sv.plan.blocking)))
    eligible = members_of(services, services.config.people.approvers) - {who.user_id}
    if len(eligible) < sv.step.approvals:
        # four-eyes leaves too few people: say so now rather than wait for a quorum that cannot come
        _refuse(services, who, "cutover:request", step_id, plan_hash,
                texts.TOO_FEW_APPROVERS.format(step=step_id, n=sv.step.approvals, m=len(eligible)))
    made = cutover.create_request(services.store, step_id, sv.next_seq, sv.plan.hash, sv.plan.frozen(), who)
    if made is None:
        _refuse(services, who, "cutover:request", step_id, plan_hash, texts.ALREADY_REQUESTED.format(step=step_id))
    audit.append(services.store, who, "cutover:request", "requested", target=made.id, plan_hash=made.plan_hash,
                 detail={"step": step_id, "seq": made.seq, "approvals_needed": sv.step.approvals,
                         "gates": made.plan["gates"], "config_version": made.plan["config_version"]})
    return texts.REQUESTED.format(step=step_id, approvals=texts.approvals(sv.step.approvals), hash=made.plan_hash[:12],
                                  ttl=sv.step.ttl_text)


def approve(services: Services, who: Who, value: str) -> tuple[str, bool]:
    """Count an approval. Returns (what to tell the approver, whether the quorum is now met)."""
    step_id, request_id = parse_value(value, marked=True)
    reconcile(services)
    req = cutover.get_request(services.store, request_id)
    if req is None or req.step_id != step_id or not _mark_matches(services, value, request_id):
        _refuse(services, who, "cutover:approve", step_id, None, texts.STALE_BUTTON)
    assert req is not None
    if req.state != cutover.OPEN:
        _refuse(services, who, "cutover:approve", req.id, req.plan_hash, _closed(req))
    if who.user_id == req.requested_by:
        _refuse(services, who, "cutover:approve", req.id, req.plan_hash, texts.FOUR_EYES)
    step = runbook(services).step(step_id)
    assert step is not None  # reconcile voids requests of removed steps
    plan = evaluate(services, step)
    if not plan.ok or plan.hash != req.plan_hash:
        # reconcile just voided it unless a gate flipped since: say why either way
        reason = why_changed(req.plan, plan) if plan.hash != req.plan_hash else "; ".join(g.text for g in plan.blocking)
        if cutover.close_request(services.store, req.id, cutover.VOID, who=None, reason=reason):
            audit.append(services.store, SYSTEM, "cutover:void", "void", target=req.id, reason=reason,
                         plan_hash=req.plan_hash, detail={"step": step_id, "new_plan_hash": plan.hash})
        _refuse(services, who, "cutover:approve", req.id, req.plan_hash, texts.BLOCKED_APPROVAL.format(reason=reason))
    result = cutover.add_approval(services.store, req, who, ttl_s=step.approval_ttl_s, needed=step.approvals,
                                  at=services.clock.now())
    for a in result.expired:
        _audit_expired(services, a)
    if result.closed:
        _refuse(services, who, "cutover:approve", req.id, req.plan_hash,
                _closed(cutover.get_request(services.store, req.id) or req))
    count = len(result.approvals)
    if not result.added:
        return texts.ALREADY_APPROVED.format(step=step_id, count=count, n=step.approvals), False
    approval = result.approval
    audit.append(services.store, who, "cutover:approve", "approved", target=req.id, plan_hash=req.plan_hash,
                 detail={"step": step_id, "count": count, "needed": step.approvals, "quorum": result.quorum,
                         "expires_at": approval.expires_at if approval else None})
    if result.quorum:
        return texts.QUORUM.format(step=step_id, count=count, n=step.approvals), True
    if approval is not None and services.jobs is not None:
        services.jobs.at("features.cutover.watch:expire", job_id=f"cutover-expire:{approval.id}",
                         when=datetime.fromisoformat(approval.expires_at), kwargs={})
    return texts.APPROVED.format(step=step_id, count=count, n=step.approvals,
                                 expires=clock(approval.expires_at if approval else None)), False


def reject_check(services: Services, who: Who, value: str) -> cutover.Request:
    """Before asking for a reason: is there an open request to reject?"""
    step_id, request_id = parse_value(value, marked=True)
    reconcile(services)
    req = cutover.get_request(services.store, request_id)
    if req is None or req.step_id != step_id or not _mark_matches(services, value, request_id):
        _refuse(services, who, "cutover:reject", step_id, None, texts.STALE_BUTTON)
    assert req is not None
    if req.state != cutover.OPEN:
        _refuse(services, who, "cutover:reject", req.id, req.plan_hash, _closed(req))
    return req


def reject(services: Services, who: Who, value: str, reason: str) -> str:
    reason = " ".join((reason or "").split())
    req = reject_check(services, who, value)
    if len(reason) < 3:
        raise UsageError(texts.REASON_NEEDED)
    if not cutover.close_request(services.store, req.id, cutover.REJECTED, who=who, reason=reason):
        _refuse(services, who, "cutover:reject", req.id, req.plan_hash,
                _closed(cutover.get_request(services.store, req.id) or req))
    audit.append(services.store, who, "cutover:reject", "rejected", target=req.id, reason=reason,
                 plan_hash=req.plan_hash, detail={"step": req.step_id})
    return texts.REJECTED.format(step=req.step_id)


# --- helpers ------------------------------------------------------------------------------------

def _step_view(services: Services, who: Who, action: str, step_id: str) -> StepView:
    sv = view(services).get(step_id)
    if sv is None:
        _refuse(services, who, action, step_id, None, texts.NO_SUCH_STEP.format(step=step_id))
    assert sv is not None
    return sv


def _refuse(services: Services, who: Who, action: str, target: str, plan_hash: str | None, explanation: str) -> None:
    audit.append(services.store, who, action, "refused", target=target, reason=explanation, plan_hash=plan_hash)
    raise Refusal(explanation)


def _closed(req: cutover.Request) -> str:
    if req.state == cutover.VOID:
        return texts.REQUEST_VOID.format(seq=req.seq, step=req.step_id, reason=escape(req.reason or ""))
    if req.state == cutover.REJECTED:
        return texts.REQUEST_REJECTED.format(seq=req.seq, step=req.step_id, user=req.closed_by,
                                              reason=escape(req.reason or ""))
    return texts.REQUEST_APPROVED.format(seq=req.seq, step=req.step_id)


def _not_requestable(sv: StepView) -> str:
    if sv.state == "requested" and sv.open_request:
        return texts.ALREADY_REQUESTED_BY.format(step=sv.step.id, user=sv.open_request.requested_by,
                                                 at=clock(sv.open_request.requested_at))
    return texts.NOT_REQUESTABLE.format(step=sv.step.id, state=sv.state)
