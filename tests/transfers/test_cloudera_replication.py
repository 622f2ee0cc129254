"""cloudera-replication against the CM simulator (through cm-client): start, progress, pause
(schedule paused, command aborted), resume (distcp -update skips what was copied), done; CM
failing mid-run stalls the run and alerts; failed files fail it."""

from __future__ import annotations

import time

import pytest

from core.who import Who
from features.transfers import api, watcher
from features.transfers.backend import Transient
from features.transfers.kinds import backend_for
from state import outbox, runs
from tests.fixtures.slack import OPERATOR

TRANSFER = """
- id: hdfs-events
  kind: cloudera-replication
  via: as-is
  schedule: 2
  service: hdfs
  poll_every: 0.2s
  stall_alert_after: 0.5s
"""
WHO = Who(OPERATOR, channel_id=None)
TIB = 1024**4


@pytest.fixture
def cm_setup(make_services, cm_factory):
    sim = cm_factory("fieldnote")
    sim.set_bandwidth(0.55 * TIB / 3)  # the whole of /data/events in about 3 s
    services = make_services(TRANSFER, asis={"cm": sim})
    return services, sim, services.config.transfers.get("hdfs-events")


def step_until(services, transfer, run_id, predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = runs.get(services.store, run_id)
        if predicate(run):
            return run
        watcher.step(services, transfer, run)
        time.sleep(0.1)
    raise AssertionError(f"timed out; run is {runs.get(services.store, run_id)}")


def channel_texts(services):
    return [r.message["text"] for r in outbox.pending(services.store, limit=1000)]


def test_start_pause_resume_done(cm_setup):
    services, sim, transfer = cm_setup
    run = api.start(services, "hdfs-events", WHO)
    assert api.start(services, "hdfs-events", WHO).id == run.id  # idempotent
    run = step_until(services, transfer, run.id, lambda r: r.state == "running"
                     and (r.detail.get("progress") or {}).get("bytes_done"))
    first_cmd = run.detail["handle"]["command_id"]
    pr = run.detail["progress"]
    assert pr["bytes_total"] == pytest.approx(0.55 * TIB, rel=0.01) and pr["rate_bps"] > 0

    run = api.pause(services, "hdfs-events", WHO)
    assert run.state == "paused"
    sched = backend_for(services, transfer).cm.replication("Cluster 1", "hdfs", 2)
    assert sched.paused and not sched.active and sched.last_run.state == "aborted"
    copied = sched.last_run.total_bytes_done

    run = api.resume(services, "hdfs-events", WHO)
    assert run.state == "running" and run.detail["handle"]["command_id"] > first_cmd
    sched = backend_for(services, transfer).cm.replication("Cluster 1", "hdfs", 2)
    assert not sched.paused and sched.active and sched.last_run.bytes_skipped >= copied  # -update skips

    run = step_until(services, transfer, run.id, lambda r: r.state == "done")
    assert run.detail["progress"]["fraction"] == 1.0
    assert any("is done" in t for t in channel_texts(services))


def test_cm_failing_mid_run_stalls_alerts_then_recovers(cm_setup):
    services, sim, transfer = cm_setup
    run = api.start(services, "hdfs-events", WHO)
    run = step_until(services, transfer, run.id, lambda r: r.state == "running")
    sim.fail_next(4)  # the next CM calls answer 500: four polls in a row fail
    run = step_until(services, transfer, run.id, lambda r: r.state == "stalled")
    assert "500" in run.detail["stall"]["reason"] or "Cloudera" in run.detail["stall"]["reason"]
    cards = [r.message for r in outbox.pending(services.store, limit=1000) if r.card_key]
    assert "stalled:" in cards[-1]["text"]
    run = step_until(services, transfer, run.id, lambda r: (r.detail.get("stall") or {}).get("alerted")
                     or r.state == "running")
    assert any(":rotating_light:" in t and "stalled" in t for t in channel_texts(services))
    run = step_until(services, transfer, run.id, lambda r: r.state in ("running", "done"))
    assert run.detail.get("stall") is None


def test_failed_files_fail_the_run_and_say_so(cm_setup):
    services, sim, transfer = cm_setup
    sim.set_replication_failures(2, 4)
    run = api.start(services, "hdfs-events", WHO)
    run = step_until(services, transfer, run.id, lambda r: not r.active)
    assert run.state == "failed" and "4 file(s) failed" in run.error
    assert any(":x:" in t and "failed" in t for t in channel_texts(services))


def test_throttle_is_refused_with_the_reason(cm_setup):
    services, sim, transfer = cm_setup
    with pytest.raises(api.Unsupported, match="bandwidthPerMap"):
        api.throttle(services, "hdfs-events", WHO, 100e6)


def test_unreachable_cm_is_transient(make_services, cm_factory):
    sim = cm_factory("fieldnote")
    services = make_services(TRANSFER, asis={"cm": sim})
    transfer = services.config.transfers.get("hdfs-events")
    sim.stop()
    run = runs.create(services.store, "transfer", "hdfs-events", detail={})
    with pytest.raises(Transient, match="7180|reach|refused|nreachable"):
        backend_for(services, transfer).start(run)
