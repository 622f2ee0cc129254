"""kill -9 of Ferry while a MapReduce job runs: after the restart the run follows the same YARN
application (found by its tag) and never submits a second one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from features.validation import runner
from features.validation.mapreduce_jobs import job_tag
from state import runs

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import sys
import config
from commands.context import Services
from features.validation import runner
from features.registry import open_store
cfg = config.load(sys.argv[1])
runner.execute_with(Services(config=cfg, store=open_store(cfg.state.path)), sys.argv[2])
"""


def test_kill_9_during_synctable_reattaches_after_restart(mr_env):
    report = mr_env.seeded.report
    mr_env.pair.yarn["to-be"].slow(10)  # SyncTable runs a few seconds: time to kill Ferry under it
    services = mr_env.services()
    run = runner.create(services, "orders:full", tables=["orders"], check="full", started_by="U1", origin="test")
    child = subprocess.Popen([sys.executable, "-c", CHILD, services.config.source_path, run.id], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ})
    sync_tag = job_tag(run.id, "orders", "synctable")
    rm = mr_env.pair.yarn["to-be"]
    try:
        deadline = time.time() + 30
        while not rm.by_tag(sync_tag) and time.time() < deadline and child.poll() is None:
            time.sleep(0.05)
        assert rm.by_tag(sync_tag), child.stderr.read().decode() if child.poll() is not None else "no SyncTable app"
        app = rm.by_tag(sync_tag)[0]
        assert app.status(time.time())[0] in ("ACCEPTED", "RUNNING")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert runs.get(services.store, run.id).state == "running"  # what a kill -9 leaves behind

    done = runner.execute_with(services, run.id)  # what the start-up hook does for an active run

    assert done.state == "mismatch", done.error
    r = done.detail["results"]["orders"]
    assert sorted(r["missing"]) == sorted(k.decode() for k in report.missing_keys)
    assert [c["key"] for c in r["changed"]] == [c.row.decode() for c in report.changed_cells]
    submitted = [c for g in mr_env.pair.gateway.values() for c in g.commands if c.startswith("hbase ")]
    assert sum("HashTable" in c for c in submitted) == 1 and sum("SyncTable" in c for c in submitted) == 1
    assert len(rm.by_tag(sync_tag)) == 1 and r["stats"]["yarn"]["synctable"] == app.id
    texts = [m[0] for m in services.store.db.execute("SELECT message FROM outbox WHERE thread_of = ?",
                                                     [f"run:{run.id}"]).fetchall()]
    assert sum("re-attached to YARN application" in t for t in texts) == 2  # HashTable (done) and SyncTable


def test_restart_between_submission_and_yarn_waits_for_the_job_instead_of_submitting_again(mr_env):
    """Ferry died after starting the `hbase` command but before YARN listed the job: the restarted
    run waits for that job to appear (it was recorded as submitted) and follows it."""
    from connectors.gateway import GatewayClient
    from features.validation.mapreduce_jobs import run_tag

    services = mr_env.services()
    run = runner.create(services, "orders:count", tables=["orders"], check="count", started_by="U1", origin="test")
    tag = job_tag(run.id, "orders", "rowcounter-as-is")
    runs.update(services.store, run.id, merge={f"submitted:{tag}": time.time()})
    g = mr_env.pair.settings("as-is")["gateway"]
    late = GatewayClient(g["host"], g["port"], g["user"], g["key_file"], g["known_hosts"])

    def earlier_life() -> None:  # the first life's client, slow to reach YARN
        time.sleep(1.0)
        late.run(["hbase", "org.apache.hadoop.hbase.mapreduce.RowCounter",
                  f"-Dmapreduce.job.tags={tag},{run_tag(run.id)}", "orders"])

    import threading

    t = threading.Thread(target=earlier_life)
    t.start()
    done = runner.execute_with(services, run.id)
    t.join(30)
    assert done.state == "mismatch", done.error
    assert done.detail["results"]["orders"]["rows_asis"] == 3_000
    assert sum("RowCounter" in c for c in mr_env.pair.gateway["as-is"].commands) == 1
    assert len(mr_env.pair.yarn["as-is"].by_tag(tag)) == 1


def test_start_up_kills_the_jobs_of_runs_that_are_over(mr_env):
    """A run that failed while its job ran on (YARN unreachable at the time): the next start kills it."""
    from features.validation import mapreduce_backend

    mr_env.pair.yarn["as-is"].slow(100)
    services = mr_env.services()
    run = runner.create(services, "orders:count", tables=["orders"], check="count", started_by="U1", origin="test")
    rm = mr_env.pair.yarn["as-is"]
    app = rm.submit("rowcounter_orders", "ferry", [job_tag(run.id, "orders", "rowcounter-as-is")], 50.0)
    runs.update(services.store, run.id, state="failed", error="YARN unreachable",
                merge={"yarn:x": {"app": app.id, "estate": "as-is", "tool": "RowCounter", "url": ""}})
    active = runner.create(services, "orders:full", tables=["orders"], check="full", started_by="U1", origin="test")
    running = rm.submit("hashtable_orders", "ferry", ["t2"], 50.0)
    runs.update(services.store, active.id, state="running",
                merge={"yarn:y": {"app": running.id, "estate": "as-is", "tool": "HashTable", "url": ""}})

    assert mapreduce_backend.on_start(services) == 1
    assert app.status(time.time())[0] == "KILLED"
    assert running.status(time.time())[0] != "KILLED"  # an active run re-attaches instead
    assert mapreduce_backend.on_start(services) == 0  # swept once


def test_start_up_sweep_skips_a_resourcemanager_that_is_down_and_tries_again_later(mr_env):
    from features.validation import mapreduce_backend

    services = mr_env.services()
    rm = mr_env.pair.yarn["to-be"]
    app = rm.submit("rowcounter_orders", "ferry", ["t3"], 50.0)
    ids = []
    for _ in range(3):
        r = runner.create(services, "orders:count", tables=["orders"], check="count", started_by="U1", origin="test")
        runs.update(services.store, r.id, state="failed", error="x",
                    merge={"yarn:z": {"app": app.id, "estate": "to-be", "tool": "RowCounter", "url": ""}})
        ids.append(r.id)
    rm.stop()
    assert mapreduce_backend.on_start(services) == 0
    assert rm.requests == 0 and not any(runs.get(services.store, i).detail.get("yarn_swept") for i in ids)
    rm.start()  # same port: the ResourceManager is back
    assert mapreduce_backend.on_start(services) == 1
    assert all(runs.get(services.store, i).detail.get("yarn_swept") for i in ids)
