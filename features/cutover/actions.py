"""Running a step's action once its request is approved, and watching it until it ends.

    approved --run_step--> running --check_running (watcher)--> done | failed
    manual:          running until an operator presses "Mark done"
    start-transfer:  features.transfers.api.start; done when that transfer run ends done
    pause-transfer:  features.transfers.api.pause; done when the run is paused (or already ended)
    run-validation:  features.validation.api.run; done when that run's result passed, failed otherwise

Each step's action is a `cutover-step` run in state.runs (id `cutover-step:<request id>`), so
/migrate status lists it beside the transfer or validation run it started. Restart-safe: a
step left `approved` by a crash is started again by the start-up hook (transfers' start is
idempotent), and a `running` one is watched again.
"""

from __future__ import annotations

import logging
import sqlite3

from config.cutover import Step
from core.errors import Refused
from core.message import Message, Section, escape
from core.who import Who
from features.cutover import peers, texts
from features.cutover import store as cutover
from features.cutover.approvals import Refusal, parse_value, runbook
from features.services import Services
from state import audit, runs

log = logging.getLogger(__name__)

TRANSFER_FINISHED = {"done": "done", "failed": "failed", "cancelled": "failed"}
PAUSE_FINISHED = {"paused": "done", "done": "done", "cancelled": "done", "failed": "failed"}


def run_step(services: Services, step_id: str, request_id: str) -> bool:
    """Start the action of an approved step (once). Returns whether anything changed."""
    store = services.store
    record = cutover.step_record(store, step_id)
    if record is None or record.request_id != request_id or record.state != "approved":
        return False  # already started (a repeated job, a restart) or superseded
    step = runbook(services).step(step_id)
    run_id = f"cutover-step:{request_id}"
    run = runs.get(store, run_id)
    if run is None:
        try:
            run = runs.create(store, "cutover-step", step_id, state="running", started_by=record.started_by,
                              run_id=run_id, detail={"request_id": request_id, "plan_hash": record.plan_hash,
                                                     "action": step.action.text if step else None})
        except sqlite3.IntegrityError:
            run = runs.get(store, run_id)
    cutover.set_step(store, step_id, "approved", run_id=run_id)
    if step is None:
        return finish(services, step_id, "failed", "the step is no longer in the runbook (app.yaml changed)")
    who = record.starter
    try:
        target = _start(services, step, who)
    except Exception as e:  # an outside failure or a missing feature: the step fails, the bot goes on
        log.warning("cutover step %s: action failed to start: %s", step_id, e)
        return finish(services, step_id, "failed", f"{step.action.describe()} could not start: {e}")
    if not cutover.set_step(store, step_id, "running", expect=("approved",),
                            target_run_id=target.id if target else None):
        return False
    if target is not None:
        runs.update(store, run_id, merge={"target_run_id": target.id, "target_kind": target.kind})
    audit.append(store, who, "cutover:action", "started", target=request_id, plan_hash=record.plan_hash,
                 detail={"step": step_id, "action": step.action.text, "run_id": run_id,
                         "target_run_id": target.id if target else None})
    services.post(Message(f"Step {step_id} started", [Section(
        f":arrow_forward: Step *{escape(step.title)}* started: {step.action.describe()}.")]), thread_of=card_key(store))
    check_running(services, only=step_id)
    return True


def _start(services: Services, step: Step, who: Who) -> runs.Run | None:
    kind, target = step.action.kind, step.action.target
    if kind == "manual":
        return None
    if kind == "start-transfer":
        return peers.start_transfer(services, target, who)
    if kind == "pause-transfer":
        return peers.pause_transfer(services, target, who)
    if kind == "run-validation":
        return peers.run_validation(services, target, who, step.id)
    raise ValueError(f"unknown action {kind}")


def check_running(services: Services, only: str | None = None) -> bool:
    """Look at every running step's transfer or validation run; finish the step when it ended.
    Returns whether anything changed (for the card: also when progress moved)."""
    store = services.store
    changed = False
    book = runbook(services)
    for step_id, record in cutover.step_records(store).items():
        if record.state != "running" or (only and step_id != only) or not record.target_run_id:
            continue
        step = book.step(step_id)
        target = runs.get(store, record.target_run_id)
        if step is None or target is None:
            changed |= finish(services, step_id, "failed", "its run is gone" if step else "the step was removed")
            continue
        outcome, error = _outcome(services, step, target)
        if outcome:
            changed |= finish(services, step_id, outcome, error)
        elif record.run_id:
            # The card shows the target run's progress: note what was seen, so the card is
            # refreshed only when the run moved.
            run = runs.get(store, record.run_id)
            seen = [target.state, target.updated_at]
            if run and run.detail.get("target_seen") != seen:
                runs.update(store, record.run_id, merge={"target_seen": seen})
                changed = True
    return changed


def _outcome(services: Services, step: Step, target: runs.Run) -> tuple[str | None, str | None]:
    kind = step.action.kind
    if kind == "start-transfer":
        outcome = TRANSFER_FINISHED.get(target.state)
        return outcome, (target.error or f"the transfer ended {target.state}") if outcome == "failed" else None
    if kind == "pause-transfer":
        outcome = PAUSE_FINISHED.get(target.state)
        return outcome, (target.error or "the transfer failed") if outcome == "failed" else None
    if kind == "run-validation":
        if target.active:
            return None, None
        result = peers.validation_result(services, step.action.target)
        if result is not None and result.run_id == target.id:
            passed, summary = result.passed, result.summary
        else:  # a newer run (scheduled, after a transfer) finished since: judge ours by its own run
            passed = target.state == "passed"
            summary = target.detail.get("summary") or target.error or f"it ended {target.state}"
        if passed:
            return "done", None
        return "failed", f"validation `{step.action.target}` did not pass: {summary}"
    return None, None


def finish(services: Services, step_id: str, outcome: str, error: str | None = None,
           who: Who | None = None) -> bool:
    """End a step's action (done or failed), once, and say so in the audit and the card's thread."""
    store = services.store
    record = cutover.step_record(store, step_id)
    if record is None or not cutover.set_step(store, step_id, outcome, expect=("approved", "running"),
                                              error=error or ""):
        return False
    if record.run_id:
        runs.update(store, record.run_id, state="done" if outcome == "done" else "failed", error=error)
    audit.append(store, who or record.starter, "cutover:action", outcome, target=record.request_id, reason=error,
                 plan_hash=record.plan_hash, detail={"step": step_id, "run_id": record.run_id,
                                                     "target_run_id": record.target_run_id,
                                                     "by": (who or Who("ferry")).user_id})
    step = runbook(services).step(step_id)
    title = escape(step.title) if step else step_id
    text = (f":white_check_mark: Step *{title}* is done." if outcome == "done"
            else f":x: Step *{title}* failed: {error}. Fix the cause, then request it again.")
    services.post(Message(f"Step {step_id} {outcome}", [Section(text)]), thread_of=card_key(store))
    return True


def complete(services: Services, who: Who, value: str) -> str:
    """An operator marks a manual step, in progress, as done."""
    step_id, request_id = parse_value(value)
    record = cutover.step_record(services.store, step_id)
    step = runbook(services).step(step_id)
    if record is None or step is None or record.request_id != request_id or record.state != "running" \
            or step.action.kind != "manual":
        explanation = texts.NOT_RUNNING_MANUAL.format(step=step_id)
        audit.append(services.store, who, "cutover:complete", "refused", target=request_id, reason=explanation,
                     plan_hash=record.plan_hash if record else None)
        raise Refusal(explanation)
    if not finish(services, step_id, "done", who=who):
        raise Refused(texts.NOT_RUNNING_MANUAL.format(step=step_id))
    return texts.COMPLETED.format(step=step_id)


CARD_KEY = "cutover"  # the first runbook card; a moved card is `cutover:<n>` (features/cutover/card.py move)


def card_key(store) -> str:
    """The key of the runbook card now in the channel (it moves when `/migrate cutover` reposts it)."""
    return cutover.meta(store, "card_key") or CARD_KEY
