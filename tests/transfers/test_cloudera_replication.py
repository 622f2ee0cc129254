"""cloudera-replication against the CM simulator (through cm-client).

A hand-made HDFS schedule (schedule_id): start, progress, pause (schedule paused, command
aborted), resume (distcp -update skips what was copied), done; CM failing mid-run stalls the run
and alerts; failed files fail it. Schedules Ferry makes from app.yaml: created once and updated in
place (idempotent by name); HDFS shows CM's dry run on the start confirmation; HBase (initial
snapshot, then replicating) and Hive run, pause, resume, throttle (bandwidth per map) and cancel.
A command CM no longer knows (purged, CM restarted) stalls the run, then fails it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from commands.dispatch import run_command
from config.errors import ConfigError
from config.units import human_bytes
from core.who import Who
from features.transfers import api, watcher
from features.transfers.backend import Transient
from features.transfers.kinds import backend_for
from state import outbox, runs
from tests.fixtures.slack import CHANNEL, OPERATOR

TRANSFER = """
- id: hdfs-events
  kind: cloudera-replication
  via: as-is
  schedule: 2
  service: hdfs
  poll_every: 0.2s
  stall_alert_after: 0.5s
"""
WHO = Who(OPERATOR, channel_id=CHANNEL)  # in the migration channel: elsewhere is refused
TIB = 1024**4
GIB = 1024**3
MIB = 1024**2
CLUSTER = "Cluster 1"


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


def moving(run):
    return run.state == "running" and (run.detail.get("progress") or {}).get("bytes_done")


# -- a hand-made HDFS schedule -----------------------------------------------------------------
def test_start_pause_resume_done(cm_setup):
    services, sim, transfer = cm_setup
    run = api.start(services, "hdfs-events", WHO)
    assert api.start(services, "hdfs-events", WHO).id == run.id  # idempotent
    run = step_until(services, transfer, run.id, moving)
    first_cmd = run.detail["handle"]["command_id"]
    assert run.detail["handle"]["schedule_change"] == "hand-made"
    pr = run.detail["progress"]
    assert pr["bytes_total"] == pytest.approx(0.55 * TIB, rel=0.01) and pr["rate_bps"] > 0

    run = api.pause(services, "hdfs-events", WHO)
    assert run.state == "paused"
    sched = backend_for(services, transfer).cm.replication(CLUSTER, "hdfs", 2)
    assert sched.paused and not sched.active and sched.last_run.state == "aborted"
    copied = sched.last_run.total_bytes_done

    run = api.resume(services, "hdfs-events", WHO)
    assert run.state == "running" and run.detail["handle"]["command_id"] > first_cmd
    sched = backend_for(services, transfer).cm.replication(CLUSTER, "hdfs", 2)
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
    assert run.state == "failed" and "4 files failed" in run.error
    assert any(":x:" in t and "failed" in t for t in channel_texts(services))


def test_unreachable_cm_is_transient(make_services, cm_factory):
    sim = cm_factory("fieldnote")
    services = make_services(TRANSFER, asis={"cm": sim})
    transfer = services.config.transfers.get("hdfs-events")
    sim.stop()
    run = runs.create(services.store, "transfer", "hdfs-events", detail={})
    with pytest.raises(Transient, match="7180|reach|refused|nreachable"):
        backend_for(services, transfer).start(run)


def test_throttle_sets_bandwidth_per_map_and_the_next_run_keeps_to_it(cm_setup):
    services, sim, transfer = cm_setup
    run = api.start(services, "hdfs-events", WHO)
    step_until(services, transfer, run.id, moving)
    run, how = api.throttle(services, "hdfs-events", WHO, 400 * MIB)  # 20 maps (the estate's) x 20 MB/s
    assert "20 MB/s per mapper" in how and "next run" in how
    cm = backend_for(services, transfer).cm
    assert cm.replication(CLUSTER, "hdfs", 2).bandwidth_per_map_mb == 20
    api.pause(services, "hdfs-events", WHO)
    api.resume(services, "hdfs-events", WHO)
    time.sleep(0.3)
    p = cm.replication_progress(CLUSTER, "hdfs", 2)
    assert p.active and p.throughput_bytes_per_s == pytest.approx(400 * MIB, rel=0.01)  # the cap, not 188 GB/s
    api.cancel(services, "hdfs-events", WHO)


# -- a command that vanishes ------------------------------------------------------------------
@pytest.mark.parametrize("how", ["purge", "restart"])
def test_vanished_command_stalls_then_fails_within_stall_alert_after(cm_setup, how):
    services, sim, transfer = cm_setup
    run = api.start(services, "hdfs-events", WHO)
    run = step_until(services, transfer, run.id, moving)
    cid = run.detail["handle"]["command_id"]
    if how == "purge":
        assert sim.purge_commands() == [cid]
    else:  # the sandbox's CM started afresh (a restarted demo): schedule 2 is there, its runs are not
        sim.restart()
        # ... and the fresh CM gives the old id to another schedule's run: still not Ferry's command
        assert backend_for(services, transfer).cm.run_replication(CLUSTER, "hdfs", 1) == cid
    t0 = time.time()
    run = step_until(services, transfer, run.id, lambda r: r.state == "stalled")
    assert f"{cid} no longer exists" in run.detail["stall"]["reason"]
    cards = [r.message for r in outbox.pending(services.store, limit=1000) if r.card_key]
    assert "stalled:" in cards[-1]["text"] and "no longer exists" in cards[-1]["text"]
    run = step_until(services, transfer, run.id, lambda r: not r.active, timeout=10)
    assert run.state == "failed" and f"{cid} no longer exists" in run.error
    assert time.time() - t0 < transfer.stall_alert_after_s + 2  # not "progress unknown" forever
    assert any(":x:" in t and "no longer exists" in t for t in channel_texts(services))


# -- schedules Ferry makes ---------------------------------------------------------------------
def _made(extra: str = "", *, service: str = "hdfs", what: str = "path: /user", ident: str = "repl") -> str:
    return f"""
- id: {ident}
  kind: cloudera-replication
  service: {service}
  via: as-is
  peer: fieldnote-tobe
  {what}
  poll_every: 0.2s
  stall_alert_after: 1s
{extra}"""


def _named(sim, service, name):
    """Schedules of that name, as the simulated CM holds them."""
    return [s for s in sim.replications.schedules.get((CLUSTER, service), {}).values()
            if s.data.get("displayName") == name]


def test_schedule_made_by_ferry_is_created_once_then_updated_in_place(make_services, cm_factory):
    sim = cm_factory("fieldnote")
    services = make_services(_made("  mappers: 8\n  pool: root.migration\n"), asis={"cm": sim})
    backend = backend_for(services, services.config.transfers.get("repl"))
    sid, change = backend.schedule_id()
    assert change == "created"
    assert backend.schedule_id() == (sid, "unchanged")  # same name, same schedule, no write
    puts = sum(1 for m, p in sim.requests if m in ("PUT", "POST") and "/replications" in p)
    assert backend.schedule_id() == (sid, "unchanged")
    assert sum(1 for m, p in sim.requests if m in ("PUT", "POST") and "/replications" in p) == puts
    sched = backend.cm.replication(CLUSTER, "hdfs", sid)
    assert (sched.display_name, sched.source_path, sched.source_peer, sched.num_maps, sched.pool, sched.paused) == (
        "ferry:repl", "/user", "fieldnote-tobe", 8, "root.migration", True)

    # app.yaml changed: the same schedule, updated in place
    changed = make_services(_made("  mappers: 12\n  bandwidth_per_map: 50\n"), asis={"cm": sim})
    backend2 = backend_for(changed, changed.config.transfers.get("repl"))
    assert backend2.schedule_id() == (sid, "updated")
    sched = backend2.cm.replication(CLUSTER, "hdfs", sid)
    assert (sched.num_maps, sched.bandwidth_per_map_mb) == (12, 50)
    assert len(_named(sim, "hdfs", "ferry:repl")) == 1


def test_hdfs_start_confirmation_shows_the_dry_run(make_services, cm_factory):
    sim = cm_factory("fieldnote")
    services = make_services(_made(), asis={"cm": sim})
    reply = run_command(services, WHO, "start repl")
    assert reply is not None
    text = str(reply.message.blocks)
    shown = f"9,100 files, {human_bytes(int(0.15 * TIB))} to copy (CM dry run"  # /user: 0.15 TiB, 9,100 files
    assert shown in reply.data["preview"] and shown in text and "Dry run" in text
    assert reply.data["size"] == int(0.15 * TIB)
    # the dry run copied nothing and did not get in the way of the real run
    run = api.start(services, "repl", WHO)
    transfer = services.config.transfers.get("repl")
    sim.set_bandwidth(0.15 * TIB / 2)
    run = step_until(services, transfer, run.id, lambda r: r.state == "done")
    assert run.detail["progress"]["bytes_done"] == pytest.approx(0.15 * TIB, rel=0.001)


def test_a_long_dry_run_is_followed_by_its_command_at_growing_intervals(make_services, cm_factory, monkeypatch):
    """While CM lists, only the dry run's command is read, less and less often; the schedule and
    its history once, for the figures, when it is done."""
    from sandbox.cloudera import replication as sim_replication

    monkeypatch.setattr(sim_replication, "DRY_RUN_S", 3.0)
    sim = cm_factory("fieldnote")
    services = make_services(_made(), asis={"cm": sim})
    before = len(sim.requests)
    reply = run_command(services, WHO, "start repl")
    assert "9,100 files" in reply.data["preview"]
    during = sim.requests[before:]
    commands = [p for m, p in during if m == "GET" and "/commands/" in p]
    histories = [p for m, p in during if m == "GET" and p.endswith("/history")]
    # Polling every 0.25 s as before: 12 polls of 2 calls each over 3 s.
    assert 4 <= len(commands) <= 8 and len(histories) <= 2, (commands, histories)


def test_a_dry_run_still_listing_leaves_the_card_without_figures_and_says_why(make_services, cm_factory):
    sim = cm_factory("fieldnote")
    services = make_services(_made("  dry_run_wait: 0s\n  size: 2GB\n"), asis={"cm": sim})
    reply = run_command(services, WHO, "start repl")
    assert reply.data["preview"].startswith("not available: still running in Cloudera Manager (command ")
    assert reply.data["size"] == 2_000_000_000  # the configured size stands in


def test_hbase_replication_snapshot_then_replicating_pause_resume_throttle_cancel(make_services, cm_factory):
    sim = cm_factory("fieldnote")
    sim.set_bandwidth(1.65 * TIB / 3)  # orders (1.2 TiB) and customers (0.45 TiB) in about 3 s
    services = make_services(_made("  mappers: 10\n", service="hbase", what="hbase_tables: [orders, customers]",
                                   ident="hbase-repl"), asis={"cm": sim})
    transfer = services.config.transfers.get("hbase-repl")
    run = api.start(services, "hbase-repl", WHO)
    run = step_until(services, transfer, run.id, moving)
    assert "EXPORT_SNAPSHOT" in run.detail["progress"]["step"]
    assert run.detail["progress"]["bytes_total"] == pytest.approx(1.65 * TIB, rel=0.01)
    cm = backend_for(services, transfer).cm
    sid = run.detail["handle"]["schedule"]
    sched = cm.replication(CLUSTER, "hbase", sid)
    assert sched.kind == "hbase" and sched.tables == ("orders", "customers") and sched.num_maps == 10
    assert any(f"schedule {sid} (`ferry:hbase-repl`, service hbase) created" in t for t in channel_texts(services))
    # a start repeated after a kill -9 picks up the same command; the schedule is left as it is
    again = backend_for(services, transfer).start(run)
    assert again["command_id"] == run.detail["handle"]["command_id"] and again["schedule_change"] == "unchanged"

    run = api.pause(services, "hbase-repl", WHO)
    assert run.state == "paused" and cm.replication(CLUSTER, "hbase", sid).last_run.state == "aborted"
    done_before = cm.replication(CLUSTER, "hbase", sid).last_run.bytes_copied

    run, how = api.throttle(services, "hbase-repl", WHO, 10 * 1024**4)  # paused: applies when it resumes
    assert how == "applies when it resumes"
    run = api.resume(services, "hbase-repl", WHO)
    assert cm.replication(CLUSTER, "hbase", sid).bandwidth_per_map_mb == 1024**2  # 10 TiB/s over 10 maps
    run = step_until(services, transfer, run.id, lambda r: (r.detail.get("progress") or {}).get("bytes_done", 0)
                     > done_before)
    assert run.detail["progress"]["bytes_done"] > done_before  # the export carries on, not from zero
    _, how = api.throttle(services, "hbase-repl", WHO, 20 * 1024**4)
    assert "next run" in how and cm.replication(CLUSTER, "hbase", sid).bandwidth_per_map_mb == 2 * 1024**2

    run = api.cancel(services, "hbase-repl", WHO)
    sched = cm.replication(CLUSTER, "hbase", sid)
    assert run.state == "cancelled" and sched.paused and sched.last_run.state == "aborted"

    # a new start carries on to the end: every table exported, then HBase replicates edits
    run = api.start(services, "hbase-repl", WHO)
    sim.set_bandwidth(1e15)
    run = step_until(services, transfer, run.id, lambda r: r.state == "done")
    assert "replication is live" in run.detail["progress"]["step"]
    assert run.detail["progress"]["bytes_done"] == pytest.approx(1.65 * TIB, rel=0.001)
    assert all(" REPLICATING " in op for op in cm.replication(CLUSTER, "hbase", sid).last_run.operations)


def _hive_estate() -> dict:
    raw = yaml.safe_load((Path(__file__).parents[2] / "sandbox/estates/fieldnote.yaml").read_text())
    raw["name"] = "fieldnote-hive"
    raw["clusters"][0]["services"].append({
        "name": "hive", "type": "HIVE", "display_name": "Hive",
        "databases": {"sales": {"bytes": "40 GiB", "tables": 12}, "web.clicks": {"bytes": "8 GiB"}}})
    return raw


def test_hive_replication_runs_pauses_resumes_throttles_and_cancels(make_services, cm_factory):
    sim = cm_factory(_hive_estate())
    sim.set_bandwidth(48 * GIB / 2)
    services = make_services(_made("  mappers: 4\n  bandwidth_per_map: 100\n", service="hive",
                                   what="databases: [sales, web.clicks]", ident="hive-repl"), asis={"cm": sim})
    transfer = services.config.transfers.get("hive-repl")
    run = api.start(services, "hive-repl", WHO)
    run = step_until(services, transfer, run.id, moving)
    assert "DATA" in run.detail["progress"]["step"] and "tables 0/13" in run.detail["progress"]["step"]
    cm = backend_for(services, transfer).cm
    sid = run.detail["handle"]["schedule"]
    sched = cm.replication(CLUSTER, "hive", sid)
    assert sched.kind == "hive" and sched.tables == ("sales", "web.clicks") and sched.bandwidth_per_map_mb == 100
    # 4 maps x 100 MB/s caps the copy below the simulator's bandwidth
    assert run.detail["progress"]["rate_bps"] == pytest.approx(400 * MIB, rel=0.01)

    run = api.pause(services, "hive-repl", WHO)
    assert run.state == "paused"
    _, how = api.throttle(services, "hive-repl", WHO, 40 * 1024 * MIB)
    run = api.resume(services, "hive-repl", WHO)
    assert cm.replication(CLUSTER, "hive", sid).bandwidth_per_map_mb == 10240
    run = step_until(services, transfer, run.id, lambda r: r.state == "done")
    assert run.detail["progress"]["bytes_done"] == pytest.approx(48 * GIB, rel=0.001)
    assert "tables 13/13" in run.detail["progress"]["step"]

    run = api.start(services, "hive-repl", WHO)
    step_until(services, transfer, run.id, lambda r: r.state == "running")
    run = api.cancel(services, "hive-repl", WHO)
    assert run.state == "cancelled" and cm.replication(CLUSTER, "hive", sid).paused


def test_missing_rights_to_make_a_schedule_say_which_role(make_services, cm_factory):
    sim = cm_factory("fieldnote")
    services = make_services(_made(), asis={"cm": sim})
    transfer = services.config.transfers.get("repl")
    sim.fail_next(1, status=403, path="/replications")
    run = api.start(services, "repl", WHO)
    run = step_until(services, transfer, run.id, lambda r: not r.active)
    assert run.state == "failed" and "Replication Administrator" in run.error


@pytest.mark.parametrize("body, key, words", [
    ("service: hbase\n  via: as-is\n  peer: p", "hbase_tables", "is required"),
    ("service: hdfs\n  via: as-is\n  path: /x", "peer", "Peers"),
    ("service: hdfs\n  via: as-is\n  peer: p\n  path: /x\n  hbase_tables: [t]", "hbase_tables", "service: hbase"),
    ("service: HDFS-1\n  schedule: 3", "service", "cm_service"),
    ("service: hive\n  via: as-is\n  peer: p\n  databases: ['a;drop']", "databases[0]", "Hive database"),
    ("service: hdfs\n  via: as-is\n  peer: p\n  path: /x\n  bandwidth_per_map: 0", "bandwidth_per_map", "at least 1"),
])
def test_config_errors_name_the_key(make_services, cm_factory, body, key, words):
    sim = cm_factory("fieldnote")
    with pytest.raises(ConfigError) as err:
        make_services(f"- id: bad\n  kind: cloudera-replication\n  {body}\n", asis={"cm": sim})
    assert key in str(err.value) and words in str(err.value)
