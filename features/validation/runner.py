"""Validation runs: create one (kind "validation"), execute it as a job, store its results.

A run's subject is the validation id (configured validations) or `<table>:<check>` for a
check asked by hand (`/migrate count events`, the alert's Full compare button). Its detail
holds what to do and, when done, every table's result. States: pending → running → passed |
mismatch (the sides differ) | failed (a store could not be read: the error says which).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from config.tables import TableSpec
from core.errors import OutsideFailure
from features.services import Services
from features.validation import alerts, cards
from features.validation.backend import RangeDigests
from features.validation.count import count_table
from features.validation.hashdiff import full_compare
from features.validation.model import CompareResult, CountResult
from features.validation.sample import new_seed, sample_compare
from state import runs
from state.runs import Run

log = logging.getLogger(__name__)

KIND = "validation"
JOB = "features.validation.runner:execute"
SCHEDULED_JOB = "features.validation.runner:scheduled"
FINAL_STATES = ("passed", "mismatch", "failed")
CHART = "features.charts.jobs:validation_chart"


def create(services: Services, subject: str, *, tables: list[str], check: str, started_by: str | None,
           origin: str, validation_id: str | None = None, sample: int | None = None, seed: int | None = None,
           alerts_open: bool = False) -> Run:
    detail: dict[str, Any] = {"validation_id": validation_id, "tables": tables, "check": check, "origin": origin,
                              "alerts": alerts_open}
    if check == "sample":
        detail["sample"] = sample or 1000
        detail["seed"] = new_seed() if seed is None else seed
    return runs.create(services.store, KIND, subject, started_by=started_by, detail=detail)


def queue(services: Services, run: Run) -> None:
    """Post the run's card and hand the run to the scheduler (inline when there is none)."""
    services.post(cards.run_card(run), card_key=f"run:{run.id}", dedupe_key=f"run:{run.id}:queued")
    if services.jobs is None:
        execute_with(services, run.id)
    else:
        services.jobs.run_soon(JOB, job_id=run.id, kwargs={"run_id": run.id})


def execute(services: Services, run_id: str) -> None:
    """The job: run the checks of `run_id` (a no-op if it already finished)."""
    execute_with(services, run_id)


def _check_one(services: Services, spec: TableSpec, check: str, detail: dict[str, Any],
               progress: Any, run_id: str = "") -> CountResult | CompareResult:
    from features.validation import mapreduce_backend  # a table on `engine: mapreduce` runs on the clusters

    if mapreduce_backend.handles(services.config, spec, check):
        return mapreduce_backend.check(services, spec, check, run_id, progress)
    # The connectors (psycopg, happybase) are loaded by the job that uses them, not by every verb
    # that imports this module.
    from features.validation.backends import opened

    with opened(services.config, spec) as (asis, tobe):
        if check == "count":
            return count_table(spec.id, asis, tobe)
        if check == "sample":
            return sample_compare(spec.id, asis, tobe, int(detail["sample"]), int(detail["seed"]))
        if not (isinstance(asis, RangeDigests) and isinstance(tobe, RangeDigests)):
            raise OutsideFailure(f"a full compare of `{spec.id}` needs range digests, which {asis.where} or "
                                 f"{tobe.where} cannot give: use `count` or `compare --sample`")
        return full_compare(spec.id, asis, tobe, progress=progress)


def execute_with(services: Services, run_id: str) -> Run | None:
    run = runs.get(services.store, run_id)
    if run is None or run.state in FINAL_STATES:
        return run
    run = runs.update(services.store, run_id, state="running")
    services.post(cards.run_card(run), card_key=f"run:{run_id}")
    detail = run.detail
    check = detail["check"]
    results: dict[str, Any] = {}
    errors: dict[str, str] = {}
    last_progress = [0.0]

    def progress(message: str) -> None:
        if time.monotonic() - last_progress[0] < 5:
            return  # a card update at most every 5 s
        last_progress[0] = time.monotonic()
        updated = runs.update(services.store, run_id, merge={"progress": message})
        services.post(cards.run_card(updated), card_key=f"run:{run_id}")

    for table_id in detail["tables"]:
        spec = services.config.tables.get(table_id)
        if spec is None:
            errors[table_id] = f"table `{table_id}` is no longer in app.yaml `tables:`"
            continue
        try:
            result = _check_one(services, spec, check, detail, progress, run_id)
        except OutsideFailure as e:
            errors[table_id] = str(e)
        except Exception as e:  # connectors' typed errors carry a clear sentence (no secrets)
            log.warning("validation %s of %s failed: %s", check, table_id, e)
            errors[table_id] = f"{type(e).__name__}: {e}" if not str(e) else str(e)
        else:
            results[table_id] = result.to_dict()
            runs.update(services.store, run_id, merge={"results": dict(results)})
    all_results = [r for r in results.values()]
    passed = not errors and all(r["passed"] for r in all_results)
    state = "failed" if errors else ("passed" if passed else "mismatch")
    summary = "; ".join([r["summary"] for r in all_results] + [f"{t}: {e}" for t, e in errors.items()])
    run = runs.update(services.store, run_id, state=state,
                      error=("; ".join(f"{t}: {e}" for t, e in errors.items())[:500] if errors else None),
                      merge={"results": results, "errors": errors, "passed": passed, "summary": summary[:1000],
                             "progress": None})
    services.post(cards.run_card(run), card_key=f"run:{run_id}", dedupe_key=f"run:{run_id}:final")
    if detail.get("validation_id") and services.jobs is not None:  # a chart if the result changed, drawn in a job
        services.jobs.run_soon(CHART, job_id=f"chart:{run_id}", kwargs={"run_id": run_id})
    from features.validation.model import result_from_dict

    for table_id, data in results.items():
        alerts.on_result(services, result_from_dict(data), table_id=table_id, check=check, run_id=run_id,
                         validation_id=detail.get("validation_id"), may_open=bool(detail.get("alerts")))
    return run


def scheduled(services: Services, validation_id: str) -> None:
    """The scheduler's entry for a configured validation (interval or cron)."""
    from features.validation import api

    if services.config.validations.get(validation_id) is None:
        log.info("validation %s is no longer configured; skipped", validation_id)
        return
    run = api.start(services, validation_id, None, origin="schedule", inline=True)
    log.info("scheduled validation %s: %s", validation_id, run.state)
