"""The services a job function runs with. APScheduler stores jobs as importable references
("jobs.transfers:watch") plus plain kwargs, so a job finds the live services here."""

from __future__ import annotations

from commands.context import Services

_services: Services | None = None


def set_services(services: Services | None) -> None:
    global _services
    _services = services


def services() -> Services:
    if _services is None:
        raise RuntimeError("jobs run only inside a started Ferry runtime (bot/runtime.py)")
    return _services
