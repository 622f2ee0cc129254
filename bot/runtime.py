"""Wires a running Ferry: configuration, state, scheduler, services and the poster.

Used by `serve` (Slack), `console` (terminal) and `run` (one verb), so all three go through
the same commands, state and rendering.
"""

from __future__ import annotations

import logging
import os

from bot.poster import Poster, Sink
from core.ports import Directory, NoDirectory
from features import registry
from features.services import Services

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, config_path: str, *, sink: Sink | None = None, directory: Directory | None = None,
                 with_scheduler: bool = True, post_interval_s: float | None = None) -> None:
        self.config = registry.load_config(config_path)
        self.store = registry.open_store(self.config.state.path)
        self.scheduler = None
        if with_scheduler:
            from jobs.scheduler import JobScheduler  # APScheduler + SQLAlchemy: only where jobs run

            self.scheduler = JobScheduler(self.config.state.path)
        self.services = Services(config=self.config, store=self.store, directory=directory or NoDirectory(),
                                 jobs=self.scheduler, after_transfer=registry.after_transfer_hooks())
        if self.scheduler:
            self.scheduler.bind(self.services)
        interval = post_interval_s
        if interval is None:
            interval = float(os.environ.get("FERRY_POST_INTERVAL", "1.0"))
        self.poster = Poster(self.store, sink, min_interval_s=interval) if sink is not None else None

    def start(self) -> Runtime:
        if self.scheduler:
            self.scheduler.start()
            registry.on_start(self.services)
        if self.poster:
            self.poster.start()
        return self

    def stop(self) -> None:
        if self.poster:
            self.poster.stop()
        if self.scheduler:
            self.scheduler.shutdown(wait=False)
        self.services.stopped.set()
