"""APScheduler 3.x with a SQLAlchemyJobStore in the state database: jobs survive a restart.

`misfire_grace_time=None` and `coalesce=True` (LIBRARY-NOTES): a job that fell due while
Ferry was down runs once when it comes back, instead of being skipped and deleted.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import ConflictingIdError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)

HEARTBEAT_S = 3.0


def _heartbeat() -> None:
    """Does nothing: running it is what wakes the scheduler (see JobScheduler.start)."""


class JobScheduler:
    """Implements commands.context.JobRunner on APScheduler."""

    def __init__(self, state_path: str, *, workers: int = 4) -> None:
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{state_path}",
                                                     engine_options={"connect_args": {"timeout": 30}})},
            executors={"default": ThreadPoolExecutor(workers)},
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
            timezone=UTC,
        )

    def start(self, paused: bool = False) -> None:
        self.scheduler.start(paused=paused)
        if not paused:
            # APScheduler sleeps until the next job it knows of; a job another process added to
            # the shared store (`python -m bot run`) would wait for that. A heartbeat in a memory
            # store wakes it every few seconds to read the store again.
            self.scheduler.add_jobstore(MemoryJobStore(), alias="heartbeat")
            self.scheduler.add_job(_heartbeat, trigger="interval", seconds=HEARTBEAT_S, id="ferry-heartbeat",
                                   jobstore="heartbeat", replace_existing=True)

    def shutdown(self, wait: bool = False) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)

    def run_soon(self, func_ref: str, *, job_id: str, kwargs: dict[str, Any]) -> None:
        """Run `func_ref(**kwargs)` once, now. The same job_id queued twice runs once."""
        try:
            self.scheduler.add_job(func_ref, trigger="date", run_date=datetime.now(UTC), id=job_id,
                                   kwargs=kwargs, replace_existing=False)
        except ConflictingIdError:
            log.info("job %s already queued", job_id)

    def every(self, func_ref: str, *, job_id: str, seconds: float, kwargs: dict[str, Any] | None = None) -> None:
        """Run `func_ref(**kwargs)` every `seconds` until removed (re-adding keeps one job)."""
        self.scheduler.add_job(func_ref, trigger="interval", seconds=seconds, id=job_id, kwargs=kwargs or {},
                               replace_existing=True)

    def cron(self, func_ref: str, *, job_id: str, expression: str, kwargs: dict[str, Any] | None = None) -> None:
        from apscheduler.triggers.cron import CronTrigger

        self.scheduler.add_job(func_ref, trigger=CronTrigger.from_crontab(expression, timezone=UTC), id=job_id,
                               kwargs=kwargs or {}, replace_existing=True)

    def at(self, func_ref: str, *, job_id: str, when: datetime, kwargs: dict[str, Any] | None = None) -> None:
        self.scheduler.add_job(func_ref, trigger="date", run_date=when, id=job_id, kwargs=kwargs or {},
                               replace_existing=True)

    def remove(self, job_id: str) -> None:
        try:
            self.scheduler.remove_job(job_id)
        except Exception:  # JobLookupError: already gone
            pass

    def job_ids(self) -> list[str]:
        return [j.id for j in self.scheduler.get_jobs(jobstore="default")]
