"""What runs once when Ferry starts: each feature re-arms what a restart must resume
(transfer watchers, scheduled validations, approval expiries). Add a hook to `HOOKS`."""

from __future__ import annotations

import importlib
import logging

from commands.context import Services

log = logging.getLogger(__name__)

HOOKS: tuple[str, ...] = (
    "jobs.cutover.watch:on_start",
    "jobs.transfers.watcher:rearm",
    "jobs.validation.schedule:arm",
    "jobs.validation.mapreduce_backend:on_start",
    "commands.assess.job:on_start",
)


def on_start(services: Services) -> None:
    for ref in HOOKS:
        module, func = ref.split(":")
        try:
            getattr(importlib.import_module(module), func)(services)
        except Exception:  # one feature failing to re-arm must not stop the bot
            log.exception("start-up hook %s failed", ref)
