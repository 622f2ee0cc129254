"""The `mapreduce` validation engine end to end: runs executed by the validation runner against
the SSH gateway and YARN stand-ins (and the HBase stand-ins through Thrift for the differing ranges)."""

from __future__ import annotations

import threading
import time

from features.validation import mapreduce_backend, runner
from features.validation.mapreduce_jobs import job_tag, run_tag
from state import runs


def start(services, table: str, check: str):
    return runner.create(services, f"{table}:{check}", tables=[table], check=check, started_by="U1", origin="test")


def thread_texts(services, run_id: str) -> list[str]:
    rows = services.store.db.execute("SELECT message FROM outbox WHERE thread_of = ?", [f"run:{run_id}"]).fetchall()
    return [r[0] for r in rows]


def submissions(env, tool: str) -> int:
    return sum(tool in c for g in env.pair.gateway.values() for c in g.commands)


def test_count_runs_rowcounter_on_both_sides_tagged_with_the_run(mr_env):
    services = mr_env.services()
    run = start(services, "orders", "count")
    done = runner.execute_with(services, run.id)
    assert done.state == "mismatch", done.error
    result = done.detail["results"]["orders"]
    assert (result["rows_asis"], result["rows_tobe"]) == (3_000, 2_997)
    for estate in ("as-is", "to-be"):
        apps = mr_env.pair.yarn[estate].by_tag(run_tag(run.id))
        assert len(apps) == 1 and job_tag(run.id, "orders", f"rowcounter-{estate}") in apps[0].tags
    texts = thread_texts(services, run.id)
    assert sum("submitted YARN application" in t for t in texts) == 2
    assert any("/proxy/application_" in t for t in texts)
    assert submissions(mr_env, "RowCounter") == 2


def test_thrift_engine_tables_do_not_touch_the_clusters(mr_env):
    services = mr_env.services()
    done = runner.execute_with(services, start(services, "customers", "count").id)
    assert done.state == "passed"
    assert not any(g.commands for g in mr_env.pair.gateway.values())


def test_full_compare_finds_the_seeded_drift_exactly(mr_env):
    report = mr_env.seeded.report
    services = mr_env.services()
    run = start(services, "orders", "full")
    done = runner.execute_with(services, run.id)
    assert done.state == "mismatch", done.error
    r = done.detail["results"]["orders"]
    assert sorted(r["missing"]) == sorted(k.decode() for k in report.missing_keys)
    assert r["extra"] == [] and r["n_duplicates"] == 0
    assert [(c["key"], c["columns"]) for c in r["changed"]] == [
        (c.row.decode(), [c.column.decode()]) for c in report.changed_cells]
    (cell,) = report.changed_cells
    assert r["changed"][0]["asis"][cell.column.decode()] == repr(cell.asis_value.decode())
    counters = r["stats"]["counters"]
    assert counters["TARGETMISSINGROWS"] == 3 and counters["DIFFERENTCELLVALUES"] == 1
    assert counters["SOURCEMISSINGROWS"] == 0 and counters["HASHES_NOT_MATCHED"] == 4
    assert r["stats"]["ranges_read"] == 4
    assert (r["rows_asis"], r["rows_tobe"]) == (3_000, 2_997)
    assert submissions(mr_env, "HashTable") == 1 and submissions(mr_env, "SyncTable") == 1


def test_full_compare_of_identical_tables_passes(mr_env):
    services = mr_env.services()
    mr_env.seeded.tobe.drop_table("orders")
    rows = [(k, {c.encode(): v for c, v in ((col.decode(), val) for col, val in cells.items())})
            for k, cells in ((k, {c: mr_env.seeded.asis.table("orders").latest(v)[0] for c, v in row.items()})
                             for k, row in sorted(mr_env.seeded.asis.table("orders").rows.items()))]
    mr_env.seeded.tobe.load_table("orders", ["d"], rows, timestamp=mr_env.seeded.asis.table("orders").base_ts)
    done = runner.execute_with(services, start(services, "orders", "full").id)
    assert done.state == "passed", done.detail.get("summary")
    assert done.detail["results"]["orders"]["stats"]["ranges_read"] == 0


def test_missing_table_is_a_finding_not_a_crash(mr_env):
    mr_env.seeded.tobe.drop_table("orders")
    services = mr_env.services()
    done = runner.execute_with(services, start(services, "orders", "count").id)
    r = done.detail["results"]["orders"]
    assert r["rows_asis"] == 3_000 and r["rows_tobe"] is None
    assert "does not exist on TO-BE" in r["findings"][0]["problem"]


def test_bad_gateway_key_fails_the_run_with_a_clear_reason(mr_env, tmp_path):
    from sandbox.mapreduce.keys import ensure_key

    ensure_key(tmp_path / "stranger", "stranger")
    services = mr_env.services(key_file=str(tmp_path / "stranger"))
    done = runner.execute_with(services, start(services, "orders", "count").id)
    assert done.state == "failed"
    assert "refused the key" in done.error and "authorized_keys" in done.error
    assert "Traceback" not in done.error


def test_unknown_host_key_fails_the_run(mr_env, tmp_path):
    (tmp_path / "empty_known_hosts").write_text("")
    services = mr_env.services(known_hosts=str(tmp_path / "empty_known_hosts"))
    done = runner.execute_with(services, start(services, "orders", "full").id)
    assert done.state == "failed" and "host key" in done.error and "refuses to connect" in done.error


def test_failed_job_fails_the_run_and_the_other_sides_job_is_killed(mr_env):
    mr_env.pair.yarn["to-be"].fail_next()
    mr_env.pair.yarn["as-is"].slow(20)
    services = mr_env.services()
    run = start(services, "orders", "count")
    done = runner.execute_with(services, run.id)
    assert done.state == "failed"
    assert "RowCounter on TO-BE ended FAILED" in done.error and "exited with status 1" in done.error
    assert "tasks failed" in done.error and "AS-IS" not in done.error
    (other,) = mr_env.pair.yarn["as-is"].by_tag(run_tag(run.id))
    assert other.status(time.time())[0] == "KILLED"  # not left running on AS-IS for nothing


def test_a_job_killed_in_yarn_fails_the_run(mr_env):
    mr_env.pair.yarn["as-is"].slow(20)
    services = mr_env.services()
    run = start(services, "orders", "count")
    holder = {}
    t = threading.Thread(target=lambda: holder.setdefault("run", runner.execute_with(services, run.id)))
    t.start()
    rm = mr_env.pair.yarn["as-is"]
    deadline = time.time() + 10
    while not rm.by_tag(run_tag(run.id)) and time.time() < deadline:
        time.sleep(0.05)
    rm.kill(rm.by_tag(run_tag(run.id))[0].id)  # an operator's `yarn application -kill`
    t.join(30)
    assert holder["run"].state == "failed"
    assert "RowCounter on AS-IS ended KILLED" in holder["run"].error and "killed by user" in holder["run"].error


def count_running_on_yarn(mr_env):
    """A count whose RowCounters run on both clusters (slowed to 20 s), executing in a thread,
    once both applications are on YARN and noted in the run: (services, run, thread, holder),
    holder["run"] being the finished run after the thread ends."""
    for y in mr_env.pair.yarn.values():
        y.slow(20)
    services = mr_env.services()
    run = start(services, "orders", "count")
    holder = {}
    t = threading.Thread(target=lambda: holder.setdefault("run", runner.execute_with(services, run.id)))
    t.start()
    deadline = time.time() + 10
    while sum(len(y.by_tag(run_tag(run.id))) for y in mr_env.pair.yarn.values()) < 2 and time.time() < deadline:
        time.sleep(0.05)
    while not any(k.startswith("yarn:") for k in runs.get(services.store, run.id).detail) and time.time() < deadline:
        time.sleep(0.05)  # the run has noted its applications
    return services, run, t, holder


def test_cancel_kills_the_runs_jobs_through_yarn(mr_env):
    services, run, t, holder = count_running_on_yarn(mr_env)
    from core.who import Who

    assert mapreduce_backend.cancel(services, run.id, Who("U0ALICE01")) == 2
    t.join(30)
    assert holder["run"].state == "failed" and "was cancelled: YARN application" in holder["run"].error
    states = {a.status(time.time())[0] for y in mr_env.pair.yarn.values() for a in y.by_tag(run_tag(run.id))}
    assert states == {"KILLED"}
    assert runs.get(services.store, run.id).detail["cancel_requested"] is True
    assert any("Cancelled by <@U0ALICE01>: 2 YARN applications killed" in t for t in thread_texts(services, run.id))


def test_unreadable_synctable_logs_fail_with_what_to_try(mr_env):
    import pytest

    from connectors.yarn import YarnApp
    from core.errors import OutsideFailure
    from features.validation.mapreduce_jobs import JobResult

    side = mapreduce_backend.sides(mr_env.services().config)["to-be"]
    ghost = YarnApp("application_1_0042", "x", "FINISHED", "SUCCEEDED", 100.0, "", "", (), 0)
    with pytest.raises(OutsideFailure, match=r"found 2 differing ranges but reading its task logs failed.*"
                                             r"yarn logs -applicationId application_1_0042"):
        mapreduce_backend._ranges_of(side, JobResult(ghost, {"HASHES_NOT_MATCHED": 2}, False), 10, wait_s=0)


def test_a_command_that_exits_non_zero_before_yarn_fails_the_run(mr_env):
    services = mr_env.services(zookeeper="zk-nowhere.example:2181:/hbase")
    done = runner.execute_with(services, start(services, "orders", "full").id)
    assert done.state == "failed"
    assert "SyncTable on TO-BE failed before it started (exit status 1)" in done.error
    assert "UnknownHostException: zk-nowhere.example" in done.error


def test_differing_ranges_parse_synctable_lines_and_skip_damaged_ones():
    lines = ("DEBUG x: Hash mismatch.  Key range: 6131 to 6132 sourceHash: aa targetHash: bb\n"
             "DEBUG x: Hash mismatch.  Key range: 6132 to  sourceHash: aa targetHash: bb\n"
             "DEBUG x: Hash mismatch.  Key range: 613 to 6134 sourceHash: aa targetHash: bb\n"
             "DEBUG x: Hash mismatch.  Key range: 6131 to 6132 sourceHash: aa targetHash: bb\n")
    ranges = mapreduce_backend.differing_ranges(lines)
    assert [(r.lo, r.hi) for r in ranges] == [(b"a1", b"a2"), (b"a2", None)]


def test_the_cancel_verb_stops_a_validation_on_mapreduce_and_refuses_one_inside_ferry(mr_env):
    from commands.dispatch import run_command
    from core.who import Who
    from tests.fixtures.slack import CHANNEL, OPERATOR

    services, run, t, holder = count_running_on_yarn(mr_env)
    who = Who(OPERATOR, channel_id=CHANNEL)
    reply = run_command(services, who, "cancel orders")
    assert reply.data["killed"] == 2 and "is cancelled: 2 YARN application(s) killed" in reply.message.text
    t.join(30)
    assert holder["run"].state == "failed" and "was cancelled" in holder["run"].error
    # a compare computed by Ferry itself cannot be stopped midway: said, not pretended
    runs.create(services.store, "validation", "events:count", state="running")
    refused = run_command(services, who, "cancel events")
    assert "runs inside Ferry" in refused.message.text and "killed" not in refused.data
    unknown = run_command(services, who, "cancel nothing-here")
    assert "is not a transfer in app.yaml" in unknown.message.text
