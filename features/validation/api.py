"""What other features call (the cutover, through features/cutover/peers.py): run a configured validation, read its latest result.

    from features.validation.api import run, latest_result, ValidationResult
    run(services, "events-nightly-full", who) -> Run        # kind "validation", subject = the id
    latest_result(services, "events-nightly-full") -> ValidationResult | None
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.errors import Refused
from core.message import shown
from core.who import Who
from features.services import Services
from features.validation import runner, store
from state import runs
from state.runs import Run

# At most this many checks (kind "validation") pending or running at once. Each one reads both
# sides: 200 `count all` in a second once made a backlog of ten minutes, each with its own card.
MAX_QUEUED = 16


class QueueFull(Refused):
    def __init__(self, active: int) -> None:
        super().__init__(f"Ferry already has {active} checks queued or running (at most {MAX_QUEUED}), so this one "
                         "was not queued. Ask again when some have finished: `/migrate status` shows them.")


class UnknownValidation(LookupError):
    def __init__(self, validation_id: str, known: list[str]) -> None:
        self.validation_id = validation_id
        super().__init__(f"`{validation_id}` is not a validation in app.yaml"
                         f" (known: {', '.join(f'`{k}`' for k in known) or 'none'})")


@dataclass(frozen=True)
class ValidationResult:
    validation_id: str
    run_id: str
    passed: bool
    finished_at: datetime
    age_s: float
    summary: str
    state: str = ""  # passed | mismatch | failed


def start(services: Services, validation_id: str, who: Who | None, *, origin: str, inline: bool = False) -> Run:
    spec = services.config.validations.get(validation_id)
    if spec is None:
        raise UnknownValidation(validation_id, services.config.validations.ids)
    with services.store.transaction():  # two askers at once: one run
        active = runs.recent(services.store, kind=runner.KIND, subject=validation_id, active_only=True, limit=1)
        if active:
            return _merged(active[0])  # one run of a validation at a time: asking again returns it
        if origin == "by hand":  # bounded; Ferry's own schedule and the cutover are bounded by app.yaml
            _check_room(services)
        run = runner.create(services, validation_id, tables=list(spec.tables), check=spec.check,
                            started_by=who.user_id if who else "schedule", origin=origin,
                            validation_id=validation_id, sample=spec.sample, alerts_open=True)
    if inline:
        services.post(runner.cards.run_card(run), card_key=runner.cards.card_key(run),
                      dedupe_key=f"run:{run.id}:queued")
        return runner.execute_with(services, run.id) or run
    runner.queue(services, run)
    return runs.get(services.store, run.id) or run


def run(services: Services, validation_id: str, who: Who | None) -> Run:
    """Queue the configured validation `validation_id` (a run of kind "validation"); if one is
    already pending or running, that run is returned. A mismatch opens or updates its alert."""
    return start(services, validation_id, who, origin="by hand" if who else "by Ferry")


def latest_result(services: Services, validation_id: str) -> ValidationResult | None:
    """The newest finished run of `validation_id` (passed, mismatch or failed), with its age."""
    return latest_results(services, validation_id).get(validation_id)


def latest_results(services: Services, subject: str | None = None) -> dict[str, ValidationResult]:
    """The newest finished run of every validation (and check by hand), or of `subject` alone,
    by subject, in one query that reads of each run's detail its summary only."""
    out = {}
    now = services.clock.now()
    for name, r in runs.latest_each(services.store, runner.KIND, states=runner.FINAL_STATES,
                                    subject=subject).items():
        if r.finished_at:
            finished = datetime.fromisoformat(r.finished_at)
            out[name] = ValidationResult(name, r.id, r.state == "passed", finished,
                                         (now - finished).total_seconds(),
                                         r.detail.get("summary") or r.error or r.state, r.state)
    return out


@dataclass(frozen=True)
class HistoryPoint:
    """One finished run of a validation: its state and how many differences it found."""

    run_id: str
    finished_at: datetime
    state: str  # passed | mismatch | failed
    differences: int | None  # None: the check could not run (failed)
    summary: str
    started_by: str | None = None


def card_key_of(run: Run) -> str:
    """The card whose thread gets news of `run` (its chart): its validation's card (one per
    configured validation, updated by each run), or the run's own for a check asked by hand."""
    return runner.cards.card_key(run)


def history(services: Services, validation_id: str, limit: int = 100) -> list[HistoryPoint]:
    """The finished runs of `validation_id`, oldest first (the newest `limit`)."""
    points = []
    for run_id, state, finished_at, started_by, error, summary, differences in store.history_rows(
            services.store, runner.KIND, validation_id, limit):
        if state in runner.FINAL_STATES and finished_at:
            points.append(HistoryPoint(run_id, datetime.fromisoformat(finished_at), state,
                                       None if state == "failed" else int(differences),
                                       summary or error or state, started_by))
    return points[::-1]


def run_check(services: Services, tables: list[str], check: str, who: Who | None, *, sample: int | None = None,
              seed: int | None = None, origin: str = "by hand") -> Run:
    """A check asked by hand (the count and compare verbs, the alert's Full compare button).
    It opens no alert, but a clean result resolves an open one of the same table and check."""
    subject = f"{tables[0] if len(tables) == 1 else 'all'}:{check}"
    with services.store.transaction():  # BEGIN IMMEDIATE: the check and the insert are one step
        same = _in_flight(services, subject, tables, check, sample, seed)
        if same is not None:
            return _merged(same)
        _check_room(services)
        run_ = runner.create(services, subject, tables=tables, check=check, started_by=who.user_id if who else None,
                             origin=origin, sample=sample, seed=seed)
    runner.queue(services, run_)
    return runs.get(services.store, run_.id) or run_


def _in_flight(services: Services, subject: str, tables: list[str], check: str, sample: int | None,
               seed: int | None) -> Run | None:
    """The same check asked by hand, still pending or running (a sample without a seed asked
    twice is the same question: the running sample answers it)."""
    for r in runs.recent(services.store, kind=runner.KIND, subject=subject, active_only=True, limit=MAX_QUEUED):
        d = r.detail
        if d.get("validation_id") or d.get("tables") != tables or d.get("check") != check:
            continue
        if check == "sample" and (d.get("sample") != (sample or 1000) or (seed is not None and d.get("seed") != seed)):
            continue
        return r
    return None


def _merged(run: Run) -> Run:
    run.detail = {**run.detail, "merged": True}  # for the reply only: the asker is pointed to this run
    return run


def _check_room(services: Services) -> None:
    active = services.store.db.execute(
        f"SELECT COUNT(*) FROM runs WHERE kind = ? AND state IN ({','.join('?' * len(runs.ACTIVE_STATES))})",
        [runner.KIND, *runs.ACTIVE_STATES]).fetchone()[0]
    if active >= MAX_QUEUED:
        raise QueueFull(active)


class NothingToCancel(LookupError):
    """No validation run of that name is under way."""


class CannotCancel(RuntimeError):
    """The run computes inside Ferry (Thrift or SQL): it cannot be stopped midway."""


def cancel(services: Services, name: str, who: Who) -> tuple[Run, int]:
    """Stop the validation run under way for `name` (a validation id, `table:check` as the count
    and compare verbs name their runs, or a run id). A run on the clusters' MapReduce has its
    YARN applications killed and ends failed; returns (the run, applications killed)."""
    active = [r for r in runs.recent(services.store, kind=runner.KIND, active_only=True, limit=50)
              if name in (r.id, r.subject) or r.subject.split(":")[0] == name]
    if not active:
        raise NothingToCancel(f"No validation run of `{shown(name)}` is under way (`/migrate status` lists them).")
    run = active[0]
    if not any(key.startswith("yarn:") for key in run.detail):
        raise CannotCancel(f"`{run.subject}` runs inside Ferry (not on the clusters' MapReduce) and cannot be "
                           "stopped midway; it ends by itself, usually within minutes.")
    from features.validation import mapreduce_backend

    killed = mapreduce_backend.cancel(services, run.id, who)
    return runs.get(services.store, run.id) or run, killed
