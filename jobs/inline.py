"""The job runner of `python -m bot run`: one-off work runs right here (a script wants the
answer before it exits); recurring and delayed jobs go to the persistent job store, paused, so
the serving bot runs them. The store (APScheduler + SQLAlchemy, ~0.3 s to import) is opened only
when such a job is stored: `run status` never pays for it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobs.scheduler import JobScheduler


class InlineJobs:
    def __init__(self, state_path: str | None = None, services: Any = None) -> None:
        self.state_path = state_path  # None: recurring and delayed jobs are dropped (tests)
        self.services = services  # handed to each job as its first argument, as the scheduler does
        self._scheduler: JobScheduler | None = None

    @property
    def scheduler(self) -> JobScheduler | None:
        if self._scheduler is None and self.state_path is not None:
            from jobs.scheduler import JobScheduler

            self._scheduler = JobScheduler(self.state_path, services=self.services)
            self._scheduler.start(paused=True)  # stored for the serving bot, not run here
        return self._scheduler

    def shutdown(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown()

    def run_soon(self, func_ref: str, *, job_id: str, kwargs: dict[str, Any]) -> None:
        module, func = func_ref.split(":")
        getattr(importlib.import_module(module), func)(self.services, **kwargs)

    def every(self, func_ref: str, *, job_id: str, seconds: float, kwargs: dict[str, Any] | None = None) -> None:
        if self.scheduler:
            self.scheduler.every(func_ref, job_id=job_id, seconds=seconds, kwargs=kwargs)

    def cron(self, func_ref: str, *, job_id: str, expression: str, kwargs: dict[str, Any] | None = None) -> None:
        if self.scheduler:
            self.scheduler.cron(func_ref, job_id=job_id, expression=expression, kwargs=kwargs)

    def at(self, func_ref: str, *, job_id: str, when: Any, kwargs: dict[str, Any] | None = None) -> None:
        if self.scheduler:
            self.scheduler.at(func_ref, job_id=job_id, when=when, kwargs=kwargs)

    def remove(self, job_id: str) -> None:
        if self.scheduler:
            self.scheduler.remove(job_id)
