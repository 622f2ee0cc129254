"""The runbook card: every step's state, its gates (✓/✗ and why), who requested and approved
under which plan hash, the running action's progress, and the buttons of the current step.

One card per channel (`card_key="cutover"`), updated in place. `publish` queues it only when it
changed, so the watcher can call it every few seconds without flooding Slack: the card shows
clock times (18:40 UTC), never "5 minutes ago", so it does not change by itself.
"""

from __future__ import annotations

import hashlib
import json
import threading

from config.units import human_bytes
from core.message import (
    Actions,
    Button,
    Confirm,
    Context,
    Element,
    Header,
    Message,
    Section,
    escape,
    progress_bar,
)
from features.cutover import store as cutover
from features.cutover import texts
from features.cutover.actions import card_key
from features.cutover.approvals import RunbookView, StepView, view
from features.cutover.plan import clock
from features.services import Services
from state import runs

ICONS = {
    "blocked": ":lock:", "ready": ":large_blue_circle:", "requested": ":hourglass_flowing_sand:",
    "approved": ":ballot_box_with_check:", "running": ":arrows_counterclockwise:", "done": ":white_check_mark:",
    "failed": ":x:", "rejected": ":no_entry_sign:",
}
DESCRIPTION_CHARS = 300


def build(services: Services, runbook: RunbookView | None = None) -> Message:
    rv = runbook or view(services)
    if not rv.steps:
        return Message("No cutover runbook", [
            Header("Cutover runbook"),
            Section(":grey_question: No cutover runbook is configured. Add the steps under `cutover:` in app.yaml "
                    "(see the README, \"Cutover\")."),
        ])
    current = rv.current
    done = sum(1 for s in rv.steps if s.state == "done")
    stage = (f"Step {current.index + 1} of {len(rv.steps)}: *{escape(current.step.title)}* — {current.state}"
             if current else f"All {len(rv.steps)} steps done :tada:")
    blocks: list[Element] = [
        Header("Cutover runbook"),
        Context([stage, f"{done}/{len(rv.steps)} done · config `{rv.config_version}`",
                 "Request: operators · Approve/Reject: approvers, never the requester"]),
    ]
    for sv in rv.steps:
        blocks.append(Section(step_text(services, sv)))
        if sv.current:
            buttons = step_buttons(sv)
            if buttons:
                blocks.append(Actions(buttons))
    text = f"Cutover runbook — {stage.replace('*', '')}"
    return Message(text, blocks)


def step_text(services: Services, sv: StepView) -> str:
    step = sv.step
    lines = [f"{ICONS.get(sv.state, '•')} *{sv.index + 1}. {escape(step.title)}* · `{sv.state}`"]
    if sv.state == "done":
        lines.append(_done_line(services, sv))
        return "\n".join(lines)
    if step.description and (sv.current or sv.state != "blocked"):
        desc = escape(step.description.strip())
        lines.append(desc if len(desc) <= DESCRIPTION_CHARS else desc[: DESCRIPTION_CHARS - 1] + "…")
    lines.append(f"Action: {step.action.describe()} · needs {texts.approvals(step.approvals)}, "
                 f"each valid {step.ttl_text}")
    if sv.plan and sv.plan.gates:
        gates = [f"{'✓' if g.ok else '✗'} {g.text}" for g in sv.plan.gates]
        # the current step's gates one a line; later steps' on one line, to keep the card short
        lines.extend(gates) if sv.current else lines.append(" · ".join(gates))
    req = sv.open_request
    if req:
        names = ", ".join(f"<@{a.user_id}> (until {clock(a.expires_at)})" for a in sv.approvals) or "none yet"
        lines.append(f"Requested by <@{req.requested_by}> at {clock(req.requested_at)} · plan `{req.plan_hash[:12]}`")
        lines.append(f"Approvals {len(sv.approvals)} of {step.approvals}: {names}")
        expired = cutover.approvals_of(services.store, req.id, ("expired",))
        if expired:
            lines.append("Expired: " + ", ".join(f"<@{a.user_id}> (at {clock(a.expires_at)})" for a in expired))
    if sv.state in ("approved", "running") and sv.record:
        lines.append(f"Approved under plan `{sv.record.plan_hash[:12]}`; started by the approval of "
                     f"<@{sv.record.started_by}>")
        if sv.target:
            lines.append(_progress(sv.target))
        elif step.action.kind == "manual" and sv.state == "running":
            lines.append("In progress by hand: an operator presses *Mark done* when it is finished.")
    if sv.note and not (sv.current and sv.state == "blocked"):  # (then its ✗ gates above say why)
        lines.append(f"_{sv.note}_")
    if sv.void_note:
        lines.append(f":warning: {sv.void_note}")
    return "\n".join(lines)


def _done_line(services: Services, sv: StepView) -> str:
    record = sv.record
    if record is None:
        return ""
    approvers = cutover.approvals_of(services.store, record.request_id, ("used",))
    who = ", ".join(f"<@{a.user_id}>" for a in approvers) or "?"
    line = f"Done at {clock(record.updated_at)} · approved by {who} · plan `{record.plan_hash[:12]}`"
    if sv.target:
        line += f" · {sv.target.kind} `{sv.target.subject}` {sv.target.state}"
    return line


def _progress(target: runs.Run) -> str:
    """The transfer's or validation's own run, as far as its detail tells: a progress bar when
    it reports a fraction (transfers keep it in detail["progress"]), its step, stall or error."""
    detail = target.detail or {}
    progress = detail.get("progress") if isinstance(detail.get("progress"), dict) else {}
    share = progress.get("fraction")
    if share is None and target.state == "done":
        share = 1.0
    line = f"{target.kind} `{target.subject}`: {target.state}"
    if isinstance(share, (int, float)):
        line += f" `{progress_bar(float(share))}`"
    if isinstance(progress.get("bytes_done"), (int, float)):
        line += f" · {human_bytes(progress['bytes_done'])} copied"
    elif share is None and detail.get("summary"):
        line += f" · {detail['summary']}"
    if progress.get("step"):
        line += f" · {progress['step']}"
    stall = detail.get("stall")
    if target.state == "stalled" and isinstance(stall, dict) and stall.get("reason"):
        line += f" · {stall['reason']}"
    if target.error:
        line += f" · {target.error}"
    return line + f" · run `{target.id}`"


def step_buttons(sv: StepView) -> list[Button]:
    step = sv.step
    if sv.state in ("ready", "rejected", "failed") and sv.plan and sv.plan.ok:
        return [Button("Request approval", "ferry:cutover:request", f"{step.id}|{sv.next_seq}", "primary",
                       Confirm("Request this step?", f"Freeze the plan of *{escape(step.title)}* and ask "
                                                     f"{texts.approvers(step.approvals)} to approve it.", "Request"))]
    req = sv.open_request
    if sv.state == "requested" and req:
        # The count of expired approvals rides along: once an approval expired, its approver
        # may approve again, and the dispatcher would take the same button value as a repeat.
        value = f"{step.id}|{req.id}|e{sv.expired}"
        return [
            Button("Approve", "ferry:cutover:approve", value, "primary",
                   Confirm("Approve this step?", f"Approve *{escape(step.title)}* under plan `{req.plan_hash[:12]}`: "
                                                 f"{step.action.describe()}.", "Approve")),
            Button("Reject", "ferry:cutover:reject", value, "danger"),
        ]
    if sv.state == "running" and step.action.kind == "manual" and sv.record:
        return [Button("Mark done", "ferry:cutover:complete", f"{step.id}|{sv.record.request_id}", "primary",
                       Confirm("Is this step done?", f"Mark *{escape(step.title)}* done: the next step becomes ready.",
                               "Mark done"))]
    return []


#: One publish at a time, from reading the state to remembering what was queued. Two threads
#: publishing at once (an approval's answer, and the step the quorum started) could otherwise
#: queue their cards in the other order than they read the state, and remember the newer one:
#: the older card stayed last in the channel, and the watcher, its digest matching, never fixed
#: it ("approved" shown for a running step; the kill -9 test, about 1 run in 10). The runbook
#: is driven by the one `serve` process.
_PUBLISHING = threading.Lock()


def publish(services: Services, *, force: bool = False, only_if_posted: bool = False) -> bool:
    """Queue the card if it changed since it was last queued (or always, with force). With
    `only_if_posted`, nothing is posted unless the card was already shown in the channel."""
    with _PUBLISHING:
        if only_if_posted and cutover.meta(services.store, "card_posted") != "1":
            return False
        message = build(services)
        digest = digest_of(message)
        if not force and cutover.meta(services.store, "card_digest") == digest:
            return False
        services.post(message, card_key=card_key(services.store))
        remember(services, message)
        return True


def buried(services: Services) -> bool:
    """Whether Ferry posted anything else in the channel after the runbook card (a new card, a
    note): then the card is no longer at the bottom, and updating it in place would go unseen."""
    key = card_key(services.store)
    db = services.store.db
    first = db.execute("SELECT MIN(id) FROM outbox WHERE card_key = ? AND thread_of IS NULL AND user_id IS NULL",
                       [key]).fetchone()[0]
    if first is None:
        return False  # never posted: this is the first card
    later = db.execute(
        "SELECT 1 FROM outbox WHERE thread_of IS NULL AND user_id IS NULL AND state != 'failed' AND ("
        " (card_key IS NULL AND id > ?) OR card_key IN (SELECT card_key FROM outbox WHERE card_key IS NOT NULL"
        "  AND card_key != ? AND thread_of IS NULL AND user_id IS NULL GROUP BY card_key HAVING MIN(id) > ?)) LIMIT 1",
        [first, key, first]).fetchone()
    return later is not None


def move(services: Services, at: str) -> str:
    """`/migrate cutover` with the card far up the channel: the old message becomes a pointer and
    the card is posted anew at the bottom (a new key; its thread starts there). Returns the new key."""
    store = services.store
    old = card_key(store)
    generation = int(cutover.meta(store, "card_generation") or 1) + 1
    text = (f":arrow_down: The cutover runbook card moved to the bottom of the channel (`/migrate cutover` at "
            f"{at}) and is updated there from now on. This thread keeps what happened before.")
    services.post(Message("The runbook card moved below", [Section(text)]), card_key=old)
    new = f"{old.split(':')[0]}:{generation}"
    cutover.set_meta(store, "card_generation", str(generation))
    cutover.set_meta(store, "card_key", new)
    cutover.set_meta(store, "card_digest", "")
    return new


def digest_of(message: Message) -> str:
    return hashlib.sha256(json.dumps(message.to_dict(), sort_keys=True).encode()).hexdigest()


def remember(services: Services, message: Message) -> None:
    cutover.set_meta(services.store, "card_digest", digest_of(message))
    cutover.set_meta(services.store, "card_posted", "1")
