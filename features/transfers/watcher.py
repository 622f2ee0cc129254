"""The jobs that keep a transfer run moving and the channel informed.

`watch(run_id)` is an APScheduler job (every `poll_every` seconds per active run, job id
`transfer-watch:<run id>`, stored in the state database, so it survives a restart):

    pending  → start the engine (backend.start is idempotent) → running
    running  → poll → progress in run.detail, card updated (coalesced) → done / failed
    failure  → Transient: "stalled: <reason>", next try after a backoff, an alert in the channel
               once stalled for `stall_alert_after`; the first good poll clears it
    lost     → Gone (the engine no longer knows the copy): stalled, then failed with that reason
               once gone for `stall_alert_after`
    paused, finished → nothing (the job removes itself when the run is over)

`rearm(services)` runs at every start (features/transfers/feature.py): the watchers of active runs are
armed again and polled at once, so a kill -9 costs one poll interval at most.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from config.transfers import Transfer
from config.units import human_bytes, human_duration, human_rate
from core.message import Message, Section
from features.services import Services
from features.transfers import card, samples
from features.transfers.backend import RUN_KIND, EngineFailed, Gone, Progress, Transient
from features.transfers.kinds import backend_for, kind_of
from state import processed, runs
from state.runs import Run

log = logging.getLogger(__name__)

KIND = RUN_KIND
WATCH = "features.transfers.watcher:watch"
CHART = "features.charts.jobs:transfer_chart"
MAX_BACKOFF_S = 60.0
RATE_SMOOTHING = 0.5  # weight of the newest sample in the current rate

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


@contextmanager
def run_lock(run_id: str) -> Iterator[None]:
    """One action at a time on a run in this process (watcher poll, pause, resume, cancel)."""
    with _locks_guard:
        lock = _locks.setdefault(run_id, threading.Lock())
    with lock:
        yield


def watch_job_id(run_id: str) -> str:
    return f"transfer-watch:{run_id}"


def arm(services: Services, run: Run, transfer: Transfer, *, now: bool = True) -> None:
    """Poll `run` every `poll_every` (and once right away)."""
    if services.jobs is None:
        return
    services.jobs.every(WATCH, job_id=watch_job_id(run.id), seconds=transfer.poll_every_s, kwargs={"run_id": run.id})
    if now:
        services.jobs.run_soon(WATCH, job_id=f"transfer-poke:{run.id}:{time.time():.3f}", kwargs={"run_id": run.id})


def disarm(services: Services, run_id: str) -> None:
    if services.jobs is not None:
        services.jobs.remove(watch_job_id(run_id))


def rearm(services: Services) -> None:
    """Start-up hook: watch every active transfer run again."""
    for run in runs.recent(services.store, kind=KIND, active_only=True, limit=500):
        transfer = services.config.transfers.get(run.subject)
        if transfer is not None and run.state != "paused":
            log.info("re-arming the watcher of %s (%s)", run.id, run.state)
            arm(services, run, transfer)


def watch(services: Services, run_id: str) -> None:
    """The job: one look at one run."""
    with run_lock(run_id):
        run = runs.get(services.store, run_id)
        if run is None or not run.active:
            disarm(services, run_id)
            return
        if run.state == "paused":
            return
        transfer = services.config.transfers.get(run.subject)
        if transfer is None:
            finish(services, None, run, "failed", f"transfer {run.subject!r} is no longer in app.yaml")
            return
        step(services, transfer, run)


def step(services: Services, transfer: Transfer, run: Run) -> Run:
    """Start or poll the run once and record what happened."""
    stall = run.detail.get("stall")
    now = time.time()
    if stall and now < stall.get("next_try", 0):
        return run
    backend = backend_for(services, transfer)
    try:
        if run.state == "pending":
            handle = backend.start(run)
            run = runs.update(services.store, run.id, merge={
                "handle": {**(run.detail.get("handle") or {}), **(handle or {})},
                "started_at": run.detail.get("started_at") or time.time()})
        progress = backend.poll(run)
    except Gone as e:
        return gone(services, transfer, run, str(e))
    except Transient as e:
        return stalled(services, transfer, run, str(e))
    except EngineFailed as e:
        return finish(services, transfer, run, "failed", str(e))
    except Exception as e:  # a bug or a surprise: keep the bot and the run alive, say what it was
        log.exception("transfer %s: poll failed", run.id)
        return stalled(services, transfer, run, f"{type(e).__name__}: {e}")
    return record(services, transfer, run, progress)


def record(services: Services, transfer: Transfer, run: Run, progress: Progress) -> Run:
    now = time.time()
    d = run.detail
    was = run.state
    prev = d.get("progress") or {}
    last = d.get("last_poll") or {}
    active_s = float(d.get("active_s") or 0.0)
    if was in ("running", "stalled") and last.get("t"):
        active_s += max(0.0, now - last["t"])
    rate = progress.rate_bps
    if rate is None and progress.bytes_done is not None and last.get("bytes") is not None and last.get("t"):
        dt = now - last["t"]
        if dt > 0:
            sample = max(0.0, (progress.bytes_done - last["bytes"]) / dt)
            old = prev.get("rate_bps")
            rate = sample if old is None else RATE_SMOOTHING * sample + (1 - RATE_SMOOTHING) * old
    base = d.get("bytes_at_start")  # what was on the target before Ferry watched (earlier runs' work)
    if base is None and progress.bytes_done is not None:
        base = progress.bytes_done
    avg = None
    if progress.bytes_done is not None and active_s > 0:
        avg = max(0.0, (progress.bytes_done - (base or 0)) / active_s)
    eta = progress.eta_s
    if eta is None and progress.bytes_done is not None and progress.bytes_total:
        speed = rate or avg
        left = max(0, progress.bytes_total - progress.bytes_done)
        eta = left / speed if speed else None
    if eta is None and progress.share is not None and 0 < progress.share < 1 and active_s > 0:
        eta = active_s * (1 - progress.share) / progress.share
    summary = f"{progress.share * 100:.0f}%" if progress.share is not None else ""
    merge: dict[str, Any] = {
        "progress": {"bytes_done": progress.bytes_done, "bytes_total": progress.bytes_total,
                     "fraction": progress.share, "rate_bps": rate, "avg_bps": avg, "eta_s": eta,
                     "step": progress.step, **progress.extra},
        "last_poll": {"t": now, "bytes": progress.bytes_done},
        "active_s": active_s, "bytes_at_start": base, "summary": summary,
    }
    if progress.handle is not None:
        merge["handle"] = {**(d.get("handle") or {}), **progress.handle}
    samples.add(services.store, run.id, now, progress.bytes_done, d.get("rate"))  # the throughput chart's history
    recovered = d.get("stall")
    if recovered:
        merge["stall"] = None
    new_state = {"done": "done", "failed": "failed", "cancelled": "cancelled", "paused": "paused"}.get(
        progress.state, "running")
    if new_state == "running":
        run = runs.update(services.store, run.id, state="running", merge=merge)
        changed = was != "running"
        if changed:
            run = runs.update(services.store, run.id, merge={"seq": int(d.get("seq", 0)) + 1})
        if recovered and recovered.get("alerted"):
            card.thread(services, run, f":white_check_mark: `{transfer.id}` is moving again (it was stalled for "
                                       f"{human_duration(now - recovered['since'])}: {recovered.get('reason')}).")
        return card.post(services, transfer, run, force=changed)
    run = runs.update(services.store, run.id, merge=merge)
    if new_state == "paused":  # paused outside Ferry (e.g. in Cloudera Manager)
        run = runs.update(services.store, run.id, state="paused", merge={"seq": int(d.get("seq", 0)) + 1})
        disarm(services, run.id)
        card.thread(services, run, f":double_vertical_bar: `{transfer.id}` was paused outside Ferry "
                                   f"({progress.step or transfer.kind}). `/migrate resume {transfer.id}` resumes it.")
        return card.post(services, transfer, run, force=True)
    return finish(services, transfer, run, new_state, progress.message)


def stalled(services: Services, transfer: Transfer, run: Run, reason: str) -> Run:
    """The engine or its API could not be reached: back off, show it, alert after a while."""
    now = time.time()
    reason = reason[:400]
    stall = dict(run.detail.get("stall") or {"since": now, "failures": 0, "alerted": False})
    stall["failures"] = int(stall.get("failures", 0)) + 1
    stall["reason"] = reason
    stall["next_try"] = now + min(MAX_BACKOFF_S, transfer.poll_every_s * 2 ** (stall["failures"] - 1))
    first = run.state != "stalled"
    merge: dict[str, Any] = {"stall": stall, "seq": int(run.detail.get("seq", 0)) + (1 if first else 0)}
    log.warning("transfer %s stalled (%d): %s", run.id, stall["failures"], reason)
    stalled_for = now - stall["since"]
    if not stall.get("alerted") and stalled_for >= transfer.stall_alert_after_s:
        stall["alerted"] = True
        text = (f":rotating_light: Transfer `{transfer.id}` has been stalled for {human_duration(stalled_for)}: "
                f"{reason}. Ferry keeps retrying; `/migrate status` shows it, `/migrate cancel {transfer.id}` stops it.")
        services.post(Message(text, [Section(text)]), dedupe_key=f"transfer-stall:{run.id}:{stall['since']}")
    if run.state == "pending":  # could not even start: stays pending, retried by the watcher
        run = runs.update(services.store, run.id, merge=merge)
    else:
        run = runs.update(services.store, run.id, state="stalled", merge=merge)
    return card.post(services, transfer, run, force=first)


def gone(services: Services, transfer: Transfer, run: Run, reason: str) -> Run:
    """The engine lost the copy (a CM command gone in a restart or a purge): stalled with that
    reason, and failed with it once it has been gone for stall_alert_after (never watched forever)."""
    now = time.time()
    since = float((run.detail.get("stall") or {}).get("gone_since") or now)
    if now - since >= transfer.stall_alert_after_s:
        return finish(services, transfer, run, "failed", reason)
    run = stalled(services, transfer, run, reason)
    stall = dict(run.detail.get("stall") or {})
    stall["gone_since"] = since
    # the next look no later than the deadline, whatever the backoff says
    stall["next_try"] = min(float(stall.get("next_try") or now), since + transfer.stall_alert_after_s)
    return runs.update(services.store, run.id, merge={"stall": stall})


def finish(services: Services, transfer: Transfer | None, run: Run, state: str, error: str | None = None) -> Run:
    """The run is over: record it, stop watching, final card, a word in the thread, hooks."""
    now = time.time()
    run = runs.update(services.store, run.id, state=state, error=error if state == "failed" else None,
                      merge={"ended_at": now, "stall": None, "seq": int(run.detail.get("seq", 0)) + 1})
    disarm(services, run.id)
    if transfer is None:
        chart_later(services, run)
        return run
    if state == "failed" and kind_of(transfer).stop_on_failure:
        backend_for(services, transfer).cancel(run)  # stop what is left of the copy's threads
    card.post(services, transfer, run, force=True)
    pr = run.detail.get("progress") or {}
    took = human_duration(now - run.detail["started_at"]) if run.detail.get("started_at") else "?"
    if state == "done":
        moved = human_bytes(pr["bytes_done"]) if pr.get("bytes_done") is not None else "everything"
        avg = f", average {human_rate(pr['avg_bps'])}" if pr.get("avg_bps") else ""
        card.thread(services, run, f":white_check_mark: `{transfer.id}` is done: {moved} in {took}{avg}.",
                    dedupe_key=f"transfer-end:{run.id}")
        after_transfer(services, run)
    elif state == "failed":
        card.thread(services, run, f":x: `{transfer.id}` failed after {took}: {error or 'no reason given'}. "
                                   f"Fix the cause, then `/migrate start {transfer.id}` starts it again.",
                    dedupe_key=f"transfer-end:{run.id}")
    chart_later(services, run)
    return run


def chart_later(services: Services, run: Run) -> None:
    """The run's throughput chart, drawn by a job (matplotlib takes a second; never in a Slack
    listener) and uploaded to the card's thread after the messages above."""
    if services.jobs is not None:
        services.jobs.run_soon(CHART, job_id=f"chart:{run.id}", kwargs={"run_id": run.id})


def after_transfer(services: Services, run: Run) -> None:
    """Call the after-transfer hooks (Services.after_transfer) once per run: a restart or a second
    poll does not repeat them."""
    if not processed.claim(services.store, f"after-transfer:{run.id}"):
        return
    for hook in services.after_transfer:
        try:
            hook(services, run)
        except Exception:  # one feature's hook failing must not undo the transfer or stop the others
            log.exception("after-transfer hook %s failed for %s", getattr(hook, "__qualname__", hook), run.id)
