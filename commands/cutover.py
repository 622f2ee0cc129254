"""`/migrate cutover`: the runbook card, and its buttons.

    Request    (operators)  ferry:cutover:request   value `<step>|<next request number>`
    Approve    (approvers)  ferry:cutover:approve   value `<step>|<request id>`
    Reject     (approvers)  ferry:cutover:reject    value `<step>|<request id>`; asks for a reason
                                                    (a modal that comes back here with inputs)
    Mark done  (operators)  ferry:cutover:complete  value `<step>|<request id>` (manual steps)

The dispatcher checks the permission at click time (user groups resolved) and makes an
identical click act once; the rules themselves are in features/cutover/approvals.py.
"""

from __future__ import annotations

from commands.context import Invocation, Reply
from commands.registry import Action, Permission, Verb
from core.errors import UsageError
from core.message import Context, Message, Section, neutral
from features.cutover import actions, approvals, card, texts, watch
from features.cutover.plan import clock


def handle(inv: Invocation) -> Reply:
    if inv.args:
        raise UsageError("`cutover` takes no arguments: it posts the runbook card, with buttons.")
    services = inv.services
    approvals.reconcile(services)
    rv = approvals.view(services)
    moved = card.buried(services)
    if moved:  # the card is far up: repost it here, and leave a pointer where it was
        card.move(services, clock(services.clock.now()))
    message = card.build(services, rv)
    card.remember(services, message)
    watch.arm(services)
    current = rv.current
    data = {
        "steps": [{"id": s.step.id, "state": s.state, "note": s.note,
                   "plan_hash": s.open_request.plan_hash if s.open_request else None,
                   "approvals": [a.user_id for a in s.approvals]} for s in rv.steps],
        "current": current.step.id if current else None,
        "config_version": rv.config_version,
    }
    data["moved"] = moved
    return Reply(message, ephemeral=False, card_key=actions.card_key(inv.store), data=data)


def on_request(inv: Invocation) -> Reply:
    text = approvals.request(inv.services, inv.who, inv.value)
    return _after(inv, text)


def on_approve(inv: Invocation) -> Reply:
    step_id, request_id = approvals.parse_value(inv.value, marked=True)
    text, quorum = approvals.approve(inv.services, inv.who, inv.value)
    if quorum:
        watch.after_approval(inv.services, step_id, request_id)
    return _after(inv, text)


def on_reject(inv: Invocation) -> Reply:
    if "input" not in inv.inputs:
        req = approvals.reject_check(inv.services, inv.who, inv.value)
        step = approvals.runbook(inv.services).step(req.step_id)
        title = neutral(step.title) if step else req.step_id  # a modal label is plain text
        modal = {**texts.REJECT_MODAL, "label": f"Why do you reject \u201c{title}\u201d (request #{req.seq})?",
                 "action_id": "ferry:cutover:reject",
                 # A value of its own: the dispatcher treats the submission as a new click, not a repeat.
                 "value": f"{inv.value}|reason"}
        return Reply(None, modal=modal, data={"modal": True, "request": req.id})
    value = inv.value.removesuffix("|reason")  # the modal's own value (see above)
    text = approvals.reject(inv.services, inv.who, value, inv.inputs["input"])
    return _after(inv, text)


def on_complete(inv: Invocation) -> Reply:
    text = actions.complete(inv.services, inv.who, inv.value)
    return _after(inv, text)


def _after(inv: Invocation, text: str) -> Reply:
    """Refresh the card for everyone; tell the clicker what happened (only them)."""
    card.publish(inv.services)
    watch.arm(inv.services)
    return Reply(Message(text, [Section(text), Context(["`/migrate cutover` shows the runbook card"])]),
                 data={"ok": True, "message": text, "audited": True})


def plan_hash_of(services, value: str) -> dict:
    """For refusals the dispatcher audits (a non-approver's click): the plan hash of the request
    the button stands for."""
    from features.cutover import store as cutover_state

    value = value.removesuffix("|reason")
    step_id, ref = approvals.parse_value(value, marked=value.count("|") == 2)
    request = cutover_state.get_request(services.store, ref if "#" in ref else f"{step_id}#{ref}")
    return {"plan_hash": request.plan_hash} if request else {}


VERB = Verb(
    name="cutover",
    usage="cutover",
    summary="the cutover runbook: each step gated, requested and approved (four-eyes) in the channel",
    handler=handle,
    actions={
        "request": Action(on_request, Permission.OPERATE),
        "approve": Action(on_approve, Permission.APPROVE, audit_context=plan_hash_of,
                          repeated=texts.ALREADY_CLICKED_APPROVE),
        "reject": Action(on_reject, Permission.APPROVE, audit_context=plan_hash_of),
        "complete": Action(on_complete, Permission.OPERATE, audit_context=plan_hash_of),
    },
    examples=("cutover",),
)
