"""The transfers api: a start is idempotent across threads; an engine that cannot be reached at
start leaves the run pending and stalled, retried until it starts."""

from __future__ import annotations

import threading
import time

from core.who import Who
from features.transfers import api, watcher
from state import runs
from tests.fixtures.slack import OPERATOR

WHO = Who(OPERATOR)
TRANSFER = """
- id: hbase-orders
  kind: hbase-copy
  table: orders
  poll_every: 0.2s
"""


def test_concurrent_starts_make_one_run(make_services, hbase_seeded, hbase_server_factory):
    services = make_services(TRANSFER, asis={"hbase": hbase_seeded.asis}, tobe={"hbase": hbase_server_factory()})
    got, barrier = [], threading.Barrier(8)

    def start():
        barrier.wait()
        got.append(api.start(services, "hbase-orders", WHO).id)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 1 and len(runs.recent(services.store, kind="transfer", subject="hbase-orders")) == 1


def test_source_down_at_start_stays_pending_then_starts(make_services, hbase_seeded_factory):
    pair = hbase_seeded_factory(rows=500)
    services = make_services(TRANSFER, asis={"hbase": pair.asis}, tobe={"hbase": pair.tobe})
    transfer = services.config.transfers.get("hbase-orders")
    pair.asis.stop()
    run = api.start(services, "hbase-orders", WHO)
    watcher.step(services, transfer, run)
    run = runs.get(services.store, run.id)
    assert run.state == "pending" and "unreachable" in run.detail["stall"]["reason"]
    pair.asis.start()
    deadline = time.monotonic() + 20
    while run.state != "done" and time.monotonic() < deadline:
        time.sleep(0.1)
        watcher.step(services, transfer, run)
        run = runs.get(services.store, run.id)
    assert run.state == "done" and run.detail.get("stall") is None
