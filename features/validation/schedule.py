"""Start-up hook: arm each configured validation's schedule in APScheduler (persisted in the
state database), disarm removed ones, and resume runs a restart interrupted.

A schedule is re-added only when its definition changed: re-adding an interval job would
restart its clock, and a bot restarted more often than the interval would never run it.
"""

from __future__ import annotations

import logging

from features.services import Services
from features.validation import runner, store
from state import runs
from state.store import now_iso

log = logging.getLogger(__name__)


def job_id(validation_id: str) -> str:
    return f"validation:{validation_id}"


def arm(services: Services) -> None:
    if services.jobs is None:
        return
    known = set(getattr(services.jobs, "job_ids", lambda: [])())
    configured = {v.id: v for v in services.config.validations}
    for vid, spec in configured.items():
        if spec.schedule is None:
            if vid in store.armed_ids(services.store):
                services.jobs.remove(job_id(vid))
                store.disarm(services.store, vid)
            continue
        signature = spec.schedule.signature
        if store.armed_signature(services.store, vid) == signature and job_id(vid) in known:
            continue
        kwargs = {"validation_id": vid}
        if spec.schedule.every_s is not None:
            services.jobs.every(runner.SCHEDULED_JOB, job_id=job_id(vid), seconds=spec.schedule.every_s, kwargs=kwargs)
        else:
            services.jobs.cron(runner.SCHEDULED_JOB, job_id=job_id(vid), expression=spec.schedule.cron, kwargs=kwargs)
        store.set_armed(services.store, vid, signature, now_iso())
        log.info("validation %s scheduled: %s", vid, spec.schedule.describe())
    for vid in store.armed_ids(services.store):
        if vid not in configured:
            services.jobs.remove(job_id(vid))
            store.disarm(services.store, vid)
    # Runs a restart interrupted (their job was taken off the store when it started): run again.
    for r in runs.recent(services.store, kind=runner.KIND, active_only=True, limit=100):
        services.jobs.run_soon(runner.JOB, job_id=r.id, kwargs={"run_id": r.id})


def after_transfer(services: Services, run: runs.Run) -> None:
    """AFTER_TRANSFER hook: run the validations of the finished transfer's tables (and those
    naming the transfer in `after_transfers`)."""
    from features.validation import api

    transfer = services.config.transfers.get(run.subject)
    tables = set(getattr(transfer, "tables", ()) or ())
    for spec in services.config.validations:
        if run.subject in spec.after_transfers or tables & set(spec.tables):
            api.start(services, spec.id, None, origin=f"after transfer {run.subject}")
