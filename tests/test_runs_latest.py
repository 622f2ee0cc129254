"""`runs.latest_each`: the newest run of each subject, with a few fields of its detail. And
`/migrate status`, which is answered inside Slack's ack, reads runs only that way: a full
compare's detail lists up to 10,000 keys of each kind, and reading 200 such runs whole made
status take 10 s."""

from __future__ import annotations

import os
import re

from commands import dispatch
from core.who import Who
from features.registry import load_config, open_store
from features.services import Services
from state import runs
from tests.fixtures.slack import CHANNEL, OPERATOR, point_hbase, write_config


def test_the_newest_run_of_each_subject_with_the_named_fields_of_its_detail(tmp_path):
    store = open_store(str(tmp_path / "state.sqlite"))
    for i in range(3):
        runs.create(store, "validation", "events", state="passed" if i < 2 else "running",
                    detail={"summary": f"run {i}", "results": {"big": list(range(1000))}, "progress": {"n": i}})
    runs.create(store, "validation", "orders", state="mismatch", detail={"summary": "12 differ"})
    runs.create(store, "transfer", "events", state="running", detail={"summary": "not a validation"})

    newest = runs.latest_each(store, "validation")
    assert {s: (r.state, r.detail) for s, r in newest.items()} == {
        "events": ("running", {"summary": "run 2"}), "orders": ("mismatch", {"summary": "12 differ"})}
    finished = runs.latest_each(store, "validation", states=("passed", "mismatch"), detail_keys=("summary", "progress"))
    assert finished["events"].detail == {"summary": "run 1", "progress": {"n": 1}}
    assert runs.latest_each(store, "validation", detail_keys=())["orders"].detail == {}
    assert sorted(runs.kinds(store)) == ["transfer", "validation"]
    try:
        runs.latest_each(store, "validation", detail_keys=("summary') --",))
        raise AssertionError("a detail key that is not a name was used in SQL")
    except ValueError:
        pass


def test_status_never_reads_a_runs_whole_detail(tmp_path):
    path = write_config(tmp_path, """
tables:
  - id: events
    as-is: {hbase: events}
    to-be: {hbase: events}
validations:
  - id: events-full
    table: events
    check: full
""")
    # Status reads state only: the HBase servers named here are never called.
    point_hbase(path, 9, 9)
    services = Services(config=load_config(str(path), os.environ), store=open_store(str(tmp_path / "state.sqlite")))
    big = {"summary": "900 differences", "results": {"events": {"missing": [f"k-{i}" for i in range(10_000)]}}}
    for subject in ("events-full", "events:full", "orders:count"):
        runs.create(services.store, "validation", subject, state="mismatch", detail=big)
    statements: list[str] = []
    services.store.db.conn.set_trace_callback(statements.append)
    reply = dispatch.run_command(services, Who(user_id=OPERATOR, channel_id=CHANNEL), "status")
    services.store.db.conn.set_trace_callback(None)
    shown = str(reply.message.to_dict())
    assert "events-full" in shown and "900 differences" in shown  # the configured one, and by hand:
    assert "`events` full compare (by hand)" in shown
    reads = [s for s in statements if "FROM runs" in s]
    whole = re.compile(r"SELECT \*|\bdetail\b(?!\s*->)")  # the column itself, not a field of it
    assert reads and not [s for s in reads if whole.search(s)], reads


def test_the_newest_run_in_a_state_with_a_field_brings_that_field_only(tmp_path):
    store = open_store(str(tmp_path / "state.sqlite"))
    report = {"tables": [{"name": f"t{i}"} for i in range(1000)]}
    runs.create(store, "assessment", "estate", state="done", detail={**report, "source_hdfs": {"logical_bytes": 5}})
    runs.create(store, "assessment", "estate", state="done", detail=report)  # newer, without the field
    runs.create(store, "assessment", "estate", state="running", detail={"source_hdfs": {"logical_bytes": 9}})
    run, value = runs.newest_field(store, "assessment", "done", "$.source_hdfs.logical_bytes")
    assert value == 5 and run.state == "done" and run.detail == {}
    assert runs.newest_field(store, "assessment", "failed", "$.source_hdfs") is None
    try:
        runs.newest_field(store, "assessment", "done", "$.x') OR 1 --")
        raise AssertionError("a path that is not names was used")
    except ValueError:
        pass
