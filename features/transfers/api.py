"""What verbs and other features call to drive transfers.

    start(services, transfer_id, who) -> Run      idempotent: the active run if there is one
    pause / resume / cancel(services, transfer_id, who) -> Run
    throttle(services, transfer_id, who, bytes_per_s) -> (Run, how it applies)
    latest(services, transfer_id) -> Run | None   Run.kind "transfer", subject = transfer id

Runs live in state.runs; states pending → running ⇄ paused, running ⇄ stalled, then done,
failed or cancelled. Each call writes an audit entry with the run id and what changed.
Errors: UnknownTransfer, NotActive, Unsupported (the engine cannot), EngineUnavailable (the
engine or its API failed; the message says which).
"""

from __future__ import annotations

from typing import Any

from config.transfers import Transfer
from config.units import human_rate
from core.message import did_you_mean, shown
from core.who import Who
from features.services import Services
from features.transfers import card, watcher
from features.transfers.backend import EngineFailed, Transient, Unsupported
from features.transfers.kinds import backend_for, kind_of
from features.transfers.samples import Sample, of_run
from state import audit, runs
from state.runs import ACTIVE_STATES, Run

KIND = watcher.KIND

__all__ = ["EngineUnavailable", "NotActive", "Sample", "UnknownTransfer", "Unsupported", "active",
           "cancel", "history", "latest", "pause", "resume", "start", "throttle", "throughput"]


class UnknownTransfer(LookupError):
    def __init__(self, transfer_id: str, known: list[str]) -> None:
        self.transfer_id = transfer_id
        self.known = known
        listed = ", ".join(f"`{k}`" for k in known) or "none are configured"
        super().__init__(f"`{shown(transfer_id)}` is not a transfer in app.yaml (transfers: {listed})."
                         + did_you_mean(transfer_id, known))


class NotActive(RuntimeError):
    """Nothing to pause, resume, throttle or cancel."""


class EngineUnavailable(RuntimeError):
    """The engine (CM, AWS, HBase) failed or could not be reached for this action."""


def transfer_of(services: Services, transfer_id: str) -> Transfer:
    transfers = services.config.transfers
    transfer = transfers.get(transfer_id)
    if transfer is None:
        raise UnknownTransfer(transfer_id, transfers.ids)
    return transfer


def latest(services: Services, transfer_id: str) -> Run | None:
    return runs.latest(services.store, KIND, transfer_id)


def active(services: Services, transfer_id: str) -> Run | None:
    found = runs.recent(services.store, kind=KIND, subject=transfer_id, active_only=True, limit=1)
    return found[0] if found else None


def start(services: Services, transfer_id: str, who: Who) -> Run:
    """Start a run of the transfer, or return the one already active (a double click, a retry,
    another operator). The engine is started by the watcher job right after."""
    transfer = transfer_of(services, transfer_id)
    with services.store.transaction():  # BEGIN IMMEDIATE: no other thread or process creates one meanwhile
        existing = active(services, transfer_id)
        if existing is None:
            run = runs.create(services.store, KIND, transfer_id, started_by=who.user_id, detail={
                "transfer": transfer.id, "kind": transfer.kind, "source": transfer.source, "target": transfer.target,
                "rate": transfer.rate, "seq": 0})
    if existing is not None:
        return existing
    audit.append(services.store, who, "transfer.start", "ok", target=transfer_id,
                 detail={"run_id": run.id, "kind": transfer.kind, "rate": transfer.rate})
    card.post(services, transfer, run, force=True)
    watcher.arm(services, run, transfer)
    return runs.get(services.store, run.id) or run


def pause(services: Services, transfer_id: str, who: Who) -> Run:
    transfer = transfer_of(services, transfer_id)
    backend = backend_for(services, transfer)
    run = _active_or_raise(services, transfer_id, "pause")
    if backend.cannot("pause"):
        raise Unsupported(backend.cannot("pause"))
    with watcher.run_lock(run.id):
        run = runs.get(services.store, run.id) or run
        if run.state == "paused":
            return run
        before = run.state
        # Paused first, so no poll restarts what the engine is stopping.
        run = runs.update(services.store, run.id, state="paused", merge={"seq": int(run.detail.get("seq", 0)) + 1})
        watcher.disarm(services, run.id)
        try:
            handle = backend.pause(run)
        except Exception as e:
            run = runs.update(services.store, run.id, state=before)
            watcher.arm(services, run, transfer, now=False)
            raise _translate(e, transfer, "pause") from None
        if handle:
            run = runs.update(services.store, run.id, merge={"handle": {**(run.detail.get("handle") or {}), **handle}})
    audit.append(services.store, who, "transfer.pause", "ok", target=transfer_id, detail={"run_id": run.id,
                                                                                           "was": before})
    card.thread(services, run, f":double_vertical_bar: Paused by <@{who.user_id}>. `/migrate resume {transfer_id}` "
                               "carries on from where it stopped.")
    return card.post(services, transfer, run, force=True)


def resume(services: Services, transfer_id: str, who: Who) -> Run:
    transfer = transfer_of(services, transfer_id)
    backend = backend_for(services, transfer)
    run = _active_or_raise(services, transfer_id, "resume")
    with watcher.run_lock(run.id):
        run = runs.get(services.store, run.id) or run
        if run.state != "paused":
            return run  # already moving: resuming twice is resuming once
        try:
            handle = backend.resume(run)
        except Exception as e:
            raise _translate(e, transfer, "resume") from None
        merge: dict[str, Any] = {"seq": int(run.detail.get("seq", 0)) + 1, "last_poll": None, "stall": None}
        if handle:
            merge["handle"] = {**(run.detail.get("handle") or {}), **handle}
        run = runs.update(services.store, run.id, state="running", merge=merge)
    audit.append(services.store, who, "transfer.resume", "ok", target=transfer_id, detail={"run_id": run.id})
    card.thread(services, run, f":arrow_forward: Resumed by <@{who.user_id}>.")
    run = card.post(services, transfer, run, force=True)
    watcher.arm(services, run, transfer)
    return run


def throttle(services: Services, transfer_id: str, who: Who, bytes_per_s: float) -> tuple[Run, str]:
    """Cap the transfer at `bytes_per_s` from now on. Returns the run and how the cap applies."""
    if bytes_per_s <= 0:
        raise ValueError("a rate must be positive")
    transfer = transfer_of(services, transfer_id)
    backend = backend_for(services, transfer)
    if backend.cannot("throttle"):
        raise Unsupported(backend.cannot("throttle"))
    run = _active_or_raise(services, transfer_id, "throttle")
    with watcher.run_lock(run.id):
        run = runs.get(services.store, run.id) or run
        before = run.detail.get("rate")
        run = runs.update(services.store, run.id, merge={"rate": bytes_per_s})
        how = "applies when it resumes"
        if run.state != "paused":
            try:
                how = backend.throttle(run, bytes_per_s)
            except Exception as e:
                runs.update(services.store, run.id, merge={"rate": before})
                raise _translate(e, transfer, "throttle") from None
    audit.append(services.store, who, "transfer.throttle", "ok", target=transfer_id,
                 detail={"run_id": run.id, "from": before, "to": bytes_per_s})
    card.thread(services, run, f":control_knobs: <@{who.user_id}> capped it at {human_rate(bytes_per_s)} ({how}).")
    return card.post(services, transfer, run, force=True), how


def cancel(services: Services, transfer_id: str, who: Who) -> Run:
    transfer = transfer_of(services, transfer_id)
    backend = backend_for(services, transfer)
    run = _active_or_raise(services, transfer_id, "cancel")
    with watcher.run_lock(run.id):
        run = runs.get(services.store, run.id) or run
        if run.state not in ACTIVE_STATES:
            return run
        before = run.state
        handle = None
        try:
            if run.state != "pending" or run.detail.get("handle"):
                handle = backend.cancel(run)
        except Exception as e:
            raise _translate(e, transfer, "cancel") from None
        merge: dict[str, Any] = {"seq": int(run.detail.get("seq", 0)) + 1}
        if handle:
            merge["handle"] = {**(run.detail.get("handle") or {}), **handle}
        run = runs.update(services.store, run.id, merge=merge)
        run = watcher.finish(services, None, run, "cancelled")
    audit.append(services.store, who, "transfer.cancel", "ok", target=transfer_id,
                 detail={"run_id": run.id, "was": before})
    note = f" {kind_of(transfer).cancel_note}" if kind_of(transfer).cancel_note else ""
    card.thread(services, run, f":no_entry_sign: Cancelled by <@{who.user_id}>. What was copied stays; "
                               f"`/migrate start {transfer_id}` starts a new run.{note}")
    return card.post(services, transfer, run, force=True)


def _active_or_raise(services: Services, transfer_id: str, action: str) -> Run:
    run = active(services, transfer_id)
    if run is None:
        last = latest(services, transfer_id)
        state = f" (its last run is {last.state})" if last else " (it has never run)"
        raise NotActive(f"`{transfer_id}` is not running{state}, so there is nothing to {action}. "
                        f"`/migrate start {transfer_id}` starts it.")
    return run


def _translate(e: Exception, transfer: Transfer, action: str) -> Exception:
    if isinstance(e, Unsupported):
        return e
    if isinstance(e, (Transient, EngineFailed)):
        return EngineUnavailable(f"Could not {action} `{transfer.id}` ({transfer.kind}): {e}")
    return EngineUnavailable(f"Could not {action} `{transfer.id}` ({transfer.kind}): {type(e).__name__}: {e}")


def throughput(services: Services, run_id: str) -> list[Sample]:
    """The run's samples (time, bytes done, cap in force), oldest first, at most samples.MAX_SAMPLES."""
    return of_run(services.store, run_id)


def history(services: Services, limit: int = 200) -> list[Run]:
    """Every transfer run, newest first."""
    return runs.recent(services.store, kind=KIND, limit=limit)
