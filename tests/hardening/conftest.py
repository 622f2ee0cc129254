"""Ferry's verbs and buttons in-process, as `run` and the console call them (commands.dispatch),
on a fresh state file: fast enough for many odd inputs. The HTTP path is covered in tests/qa."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from commands.context import Services
from core.clock import ManualClock
from core.who import Who
from features.registry import load_config, open_store
from features.transfers import kinds as backend_module
from tests.fixtures.slack import APPROVERS, CHANNEL, OPERATOR, VIEWER


def closed_port() -> int:
    """A port nothing listens on: an engine there is down (connection refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_yaml(port: int) -> str:
    return f"""
slack:
  channel: {CHANNEL}
people:
  operators: [{OPERATOR}, {APPROVERS[0]}]
  approvers: [{", ".join(APPROVERS)}]
state:
  path: state.sqlite
estates:
  as-is:
    hbase: {{host: 127.0.0.1, port: {port}, timeout: 1}}
  to-be:
    hbase: {{host: 127.0.0.1, port: {port}, timeout: 1}}
transfers:
  - id: hbase-orders
    kind: hbase-copy
    table: orders
  - id: hbase-events
    kind: hbase-copy
    table: events
tables:
  - id: orders
    as-is: {{hbase: orders}}
    to-be: {{hbase: orders}}
  - id: events
    as-is: {{hbase: events}}
    to-be: {{hbase: events}}
cutover:
  steps:
    - id: freeze-writes
      title: Freeze writes on AS-IS
      approvals: 1
"""


OPS = Who(OPERATOR, channel_id=CHANNEL)
APPROVER = Who(APPROVERS[1], channel_id=CHANNEL)
BOB = Who(APPROVERS[0], channel_id=CHANNEL)
WATCHER = Who(VIEWER, channel_id=CHANNEL)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    path = tmp_path / "app.yaml"
    path.write_text(app_yaml(closed_port()))
    cfg = load_config(str(path))
    made = Services(config=cfg, store=open_store(cfg.state.path), clock=ManualClock())
    yield made
    made.stopped.set()
    backend_module.forget(made)


@pytest.fixture
def paused_jobs(services: Services, tmp_path: Path) -> Iterator[Services]:
    """The services with Ferry's real scheduler, paused: queued work stays queued (in flight)."""
    from jobs.scheduler import JobScheduler

    scheduler = JobScheduler(str(tmp_path / "jobs.sqlite"), services=services)
    scheduler.start(paused=True)
    services.jobs = scheduler
    yield services
    scheduler.scheduler.remove_all_jobs()  # what stayed queued is not run at shutdown
    scheduler.shutdown()
