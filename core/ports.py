"""What features are handed from outside, as protocols: the Slack directory (user groups) and the
job runner (APScheduler in jobs/). core/ implements nothing; bot/ and jobs/ do."""

from __future__ import annotations

from typing import Any, Protocol


class Directory(Protocol):
    """Resolves Slack user groups (S…) to their members. bot/ implements it with
    usergroups.users.list; the console has none."""

    def members(self, group_id: str) -> set[str]: ...


class NoDirectory:
    """Used where there is no Slack (console, `run`): user groups resolve to nobody."""

    def members(self, group_id: str) -> set[str]:
        return set()


class JobRunner(Protocol):
    """Hands long work to the scheduler (jobs/scheduler.py), so a Slack listener never runs it."""

    def run_soon(self, func_ref: str, *, job_id: str, kwargs: dict[str, Any]) -> None: ...

    def every(self, func_ref: str, *, job_id: str, seconds: float, kwargs: dict[str, Any] | None = None) -> None: ...

    def cron(self, func_ref: str, *, job_id: str, expression: str, kwargs: dict[str, Any] | None = None) -> None: ...

    def at(self, func_ref: str, *, job_id: str, when: Any, kwargs: dict[str, Any] | None = None) -> None: ...

    def remove(self, job_id: str) -> None: ...
