"""APScheduler 3.x with a SQLAlchemyJobStore in the state database: jobs survive a restart.

A job is stored as an importable reference ("features.transfers.watcher:watch") plus plain
kwargs; the executor calls it as `func(services, **kwargs)` with the live services of this
runtime, so no job reaches for a global.

`misfire_grace_time=None` and `coalesce=True` (LIBRARY-NOTES): a job that fell due while
Ferry was down runs once when it comes back, instead of being skipped and deleted.
"""

from __future__ import annotations

import importlib
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import ConflictingIdError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)

HEARTBEAT_S = 3.0
HEARTBEAT_ID = "ferry-heartbeat"
# A job's first argument as stored: APScheduler checks a job's signature when it is added, and the
# services (not picklable, and per process) are put in its place when the job runs.
SERVICES_ARG = "<services>"

# Jobs stored before the layout moved (issue 13) name their old modules; a state database from
# then still restores them. Never remove an entry while a released version may have stored it.
LEGACY_MODULES = {
    "jobs.transfers.watcher": "features.transfers.watcher",
    "jobs.validation.runner": "features.validation.runner",
    "jobs.cutover.watch": "features.cutover.watch",
    "commands.assess.job": "features.assess.job",
}


def _alias_legacy_modules() -> None:
    for old, new in LEGACY_MODULES.items():
        if old not in sys.modules:
            sys.modules[old] = importlib.import_module(new)


def _heartbeat(services: Any = None) -> None:
    """Does nothing: running it is what wakes the scheduler (see JobScheduler.start)."""


class _WithServices:
    """A job as the executor runs it: the stored job, with the services bound as first argument."""

    def __init__(self, job: Any, services: Any) -> None:
        self._job = job
        self.args = (services, *(a for a in job.args if a != SERVICES_ARG))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._job, name)

    def __str__(self) -> str:
        return str(self._job)


class ServicesExecutor(ThreadPoolExecutor):
    """APScheduler's thread pool, handing each job the services it was built with."""

    def __init__(self, services: Any, max_workers: int) -> None:
        super().__init__(max_workers)
        self.services = services

    def _do_submit_job(self, job: Any, run_times: Any) -> None:
        super()._do_submit_job(_WithServices(job, self.services), run_times)


class JobScheduler:
    """Implements commands.context.JobRunner on APScheduler."""

    def __init__(self, state_path: str, *, services: Any = None, workers: int = 4) -> None:
        _alias_legacy_modules()
        self.executor = ServicesExecutor(services, workers)
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{state_path}",
                                                     engine_options={"connect_args": {"timeout": 30}})},
            executors={"default": self.executor},
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
            self.scheduler.add_job(_heartbeat, trigger="interval", seconds=HEARTBEAT_S, id=HEARTBEAT_ID,
                                   jobstore="heartbeat", replace_existing=True)

    def shutdown(self, wait: bool = False) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)

    def bind(self, services: Any) -> None:
        """The services jobs are called with (set once the runtime has built them)."""
        self.executor.services = services

    def run_soon(self, func_ref: str, *, job_id: str, kwargs: dict[str, Any]) -> None:
        """Run `func_ref(services, **kwargs)` once, now. The same job_id queued twice runs once."""
        try:
            self.scheduler.add_job(func_ref, trigger="date", run_date=datetime.now(UTC), id=job_id,
                                   args=[SERVICES_ARG], kwargs=kwargs, replace_existing=False)
        except ConflictingIdError:
            log.info("job %s already queued", job_id)

    def every(self, func_ref: str, *, job_id: str, seconds: float, kwargs: dict[str, Any] | None = None) -> None:
        """Run `func_ref(services, **kwargs)` every `seconds` until removed (re-adding keeps one job)."""
        self.scheduler.add_job(func_ref, trigger="interval", seconds=seconds, id=job_id, args=[SERVICES_ARG], kwargs=kwargs or {},
                               replace_existing=True)

    def cron(self, func_ref: str, *, job_id: str, expression: str, kwargs: dict[str, Any] | None = None) -> None:
        from apscheduler.triggers.cron import CronTrigger

        self.scheduler.add_job(func_ref, trigger=CronTrigger.from_crontab(expression, timezone=UTC), id=job_id,
                               args=[SERVICES_ARG], kwargs=kwargs or {}, replace_existing=True)

    def at(self, func_ref: str, *, job_id: str, when: datetime, kwargs: dict[str, Any] | None = None) -> None:
        self.scheduler.add_job(func_ref, trigger="date", run_date=when, id=job_id, args=[SERVICES_ARG], kwargs=kwargs or {},
                               replace_existing=True)

    def remove(self, job_id: str) -> None:
        try:
            self.scheduler.remove_job(job_id)
        except Exception:  # JobLookupError: already gone
            pass

    def job_ids(self) -> list[str]:
        return [j.id for j in self.scheduler.get_jobs(jobstore="default")]
