"""Ferry served over HTTP against the Slack stand-in, with tables on a seeded HBase pair of its own
(writable) and the session's seeded warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures.slack import BASE_CONFIG, CHANNEL, FerryHttp, start_ferry, stop_ferry

VALIDATION_CONFIG = """
tables:
  - id: orders
    as-is: {{hbase: orders}}
    to-be: {{hbase: orders}}
  - id: events
    as-is: {{warehouse: public.events}}
    to-be: {{warehouse: public.events}}
    key: [event_id]
validations:
  - id: orders-count
    table: orders
    check: count
    schedule: every 1h
    after_transfers: [hbase-orders]
    silence_hours: 3
  - id: events-full
    table: events
    check: full
"""


def estates(hbase_asis, hbase_tobe, warehouse) -> str:
    return f"""
estates:
  as-is:
    hbase: {{host: '{hbase_asis.host}', port: {hbase_asis.port}, timeout: 5}}
    warehouse: {{dsn: "postgresql://{warehouse.user}:${{WH_PASSWORD}}@127.0.0.1:{warehouse.port}/asis"}}
  to-be:
    hbase: {{host: '{hbase_tobe.host}', port: {hbase_tobe.port}, timeout: 5}}
    warehouse: {{dsn: "postgresql://{warehouse.user}:${{WH_PASSWORD}}@127.0.0.1:{warehouse.port}/tobe"}}
"""


@dataclass
class Setup:
    config_path: Path
    seeded: object  # tests.fixtures.hbase.SeededHBase
    standin: object


@pytest.fixture
def vsetup(tmp_path, slack_standin, hbase_seeded_factory, warehouse, warehouse_seed, monkeypatch) -> Setup:
    monkeypatch.setenv("WH_PASSWORD", warehouse.password)
    seeded = hbase_seeded_factory(rows=2_000, regions=4)
    head = BASE_CONFIG.split("estates:")[0]
    path = tmp_path / "app.yaml"
    path.write_text(head + estates(seeded.asis, seeded.tobe, warehouse) + VALIDATION_CONFIG.format())
    return Setup(path, seeded, slack_standin)


@pytest.fixture
def vferry(vsetup) -> Iterator[FerryHttp]:
    running = start_ferry(vsetup.config_path, vsetup.standin)
    yield running
    stop_ferry(running)


def bot_messages(standin, thread_ts=None):
    return [m for m in standin.channel_messages(CHANNEL) if m.thread_ts == thread_ts and not m.ephemeral_to]
