"""Wires a running Ferry: configuration, state, scheduler, services and the poster.

Used by `serve` (Slack), `console` (terminal) and `run` (one verb), so all three go through
the same commands, state and rendering.
"""

from __future__ import annotations

import logging
import os

import config as config_module
from bot.poster import Poster, Sink
from commands.context import Directory, NoDirectory, Services
from jobs import context as job_context
from jobs.scheduler import JobScheduler
from state import Store

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, config_path: str, *, sink: Sink | None = None, directory: Directory | None = None,
                 with_scheduler: bool = True, post_interval_s: float | None = None) -> None:
        self.config = config_module.load(config_path)
        self.store = Store(self.config.state.path)
        self.scheduler = JobScheduler(self.config.state.path) if with_scheduler else None
        self.services = Services(config=self.config, store=self.store, directory=directory or NoDirectory(),
                                 jobs=self.scheduler)
        interval = post_interval_s
        if interval is None:
            interval = float(os.environ.get("FERRY_POST_INTERVAL", "1.0"))
        self.poster = Poster(self.store, sink, min_interval_s=interval) if sink is not None else None

    def start(self) -> Runtime:
        job_context.set_services(self.services)
        if self.scheduler:
            self.scheduler.start()
            from jobs import startup

            startup.on_start(self.services)
        if self.poster:
            self.poster.start()
        return self

    def stop(self) -> None:
        if self.poster:
            self.poster.stop()
        if self.scheduler:
            self.scheduler.shutdown(wait=False)
        job_context.set_services(None)
