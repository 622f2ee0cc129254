"""The job runner of `python -m bot run`: one-off work runs right here (a script wants the
answer before it exits); recurring and delayed jobs go to the persistent job store, paused, so
the serving bot runs them."""

from __future__ import annotations

import importlib
from typing import Any

from jobs.scheduler import JobScheduler


class InlineJobs:
    def __init__(self, scheduler: JobScheduler | None = None, services: Any = None) -> None:
        self.scheduler = scheduler
        self.services = services  # handed to each job as its first argument, as the scheduler does

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
