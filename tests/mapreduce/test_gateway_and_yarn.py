"""The SSH gateway and YARN stand-ins through Ferry's real clients (asyncssh over SSH, HTTP to the
ResourceManager): the tools' command lines, exit codes and counters, and the SSH refusals."""

from __future__ import annotations

import os
import threading
import time

import pytest

from connectors.gateway import AuthFailed, GatewayClient, HostKeyUnknown, KeyFileProblem
from connectors.yarn import AppNotFound, YarnClient
from features.validation.mapreduce_backend import differing_ranges
from sandbox.mapreduce.keys import ensure_key, write_known_hosts

TOOLS = "org.apache.hadoop.hbase.mapreduce."


def client(env, estate: str, **over) -> GatewayClient:
    g = {**env.pair.settings(estate)["gateway"], **over}
    return GatewayClient(g["host"], g["port"], g["user"], g["key_file"], g["known_hosts"], timeout=5)


def yarn(env, estate: str) -> YarnClient:
    return YarnClient(env.pair.settings(estate)["yarn"]["url"])


def test_rowcounter_counts_rows_registers_a_tagged_app_and_publishes_counters(mr_env):
    result = client(mr_env, "to-be").run(["hbase", TOOLS + "RowCounter", "-Dmapreduce.job.tags=Ferry-T1,other",
                                          "orders"])
    assert result.exit_status == 0, result.stderr
    assert "ROWS=2997" in result.stderr and "completed successfully" in result.stderr
    apps = yarn(mr_env, "to-be").apps_by_tag("ferry-t1")
    assert len(apps) == 1 and apps[0].succeeded and apps[0].tags == ("ferry-t1", "other")
    assert apps[0].id in result.stderr
    assert yarn(mr_env, "to-be").counters(apps[0].id)["ROWS"] == 2997
    assert yarn(mr_env, "as-is").apps_by_tag("ferry-t1") == []  # each cluster has its own YARN


def test_rowcounter_range_and_missing_table(mr_env):
    gw = client(mr_env, "as-is")
    ranged = gw.run(["hbase", TOOLS + "RowCounter", "orders", "--range=order-00000100,order-00000200"])
    assert ranged.exit_status == 0 and "ROWS=100\n" in ranged.stderr
    missing = gw.run(["hbase", TOOLS + "RowCounter", "nope"])
    assert missing.exit_status == 1 and "TableNotFoundException: nope" in missing.stderr
    assert gw.run(["hbase", TOOLS + "RowCounter"]).exit_status == 1
    assert gw.run(["rm", "-rf", "/"]).exit_status == 127


def test_hashtable_then_synctable_find_the_seeded_drift(mr_env):
    report = mr_env.seeded.report
    asis_gw = mr_env.pair.settings("as-is")["gateway"]
    hashed = client(mr_env, "as-is").run(["hbase", TOOLS + "HashTable", "--batchsize=4000", "orders", "/ferry/h"])
    assert hashed.exit_status == 0, hashed.stderr
    again = client(mr_env, "as-is").run(["hbase", TOOLS + "HashTable", "orders", "/ferry/h"])
    assert again.exit_status == 1 and "already exists" in again.stderr
    synced = client(mr_env, "to-be").run(["hbase", TOOLS + "SyncTable", "-Dmapreduce.job.tags=sync1", "--dryrun=true",
                                          f"--sourcezkcluster={asis_gw['zookeeper']}", f"{asis_gw['hdfs']}/ferry/h",
                                          "orders", "orders"])
    assert synced.exit_status == 0, synced.stderr
    app = yarn(mr_env, "to-be").apps_by_tag("sync1")[0]
    counters = yarn(mr_env, "to-be").counters(app.id)
    assert counters["TARGETMISSINGROWS"] == 3 and counters["SOURCEMISSINGROWS"] == 0
    assert counters["DIFFERENTCELLVALUES"] == 1 and counters["SOURCEMISSINGCELLS"] == 0
    assert counters["TARGETMISSINGCELLS"] == 3 * 4
    assert counters["HASHES_NOT_MATCHED"] == 4 and counters["HASHES_MATCHED"] > 50
    logs = client(mr_env, "to-be").run([["yarn", "logs", "-applicationId", app.id, "-log_files", "syslog"],
                                        ["grep", "-F", "Hash mismatch."], ["head", "-n", "10"]])
    ranges = differing_ranges(logs.stdout)
    assert len(ranges) == 4
    drift = list(report.missing_keys) + [c.row for c in report.changed_cells]
    for key in drift:  # every differing row lies in a reported range, each range holds one
        assert sum(1 for r in ranges if r.lo <= key and (r.hi is None or key < r.hi)) == 1


def test_synctable_refuses_a_real_sync(mr_env):
    out = client(mr_env, "to-be").run(["hbase", TOOLS + "SyncTable", "--dryrun=false", "/x", "orders", "orders"])
    assert out.exit_status == 1 and "--dryrun=true" in out.stderr


def test_kill_through_the_rm_ends_the_command_with_status_1(mr_env):
    mr_env.pair.yarn["as-is"].slow(10)
    rm = yarn(mr_env, "as-is")
    holder = {}
    t = threading.Thread(target=lambda: holder.setdefault("r", client(mr_env, "as-is").run(
        ["hbase", TOOLS + "RowCounter", "-Dmapreduce.job.tags=tokill", "orders"])))
    t.start()
    deadline = time.time() + 10
    while not rm.apps_by_tag("tokill") and time.time() < deadline:
        time.sleep(0.05)
    app = rm.apps_by_tag("tokill")[0]
    assert not app.final
    assert rm.kill(app.id) == "KILLED"
    t.join(15)
    assert holder["r"].exit_status == 1 and "failed with state KILLED" in holder["r"].stderr
    assert rm.app(app.id).state == "KILLED"
    with pytest.raises(AppNotFound):
        rm.counters(app.id)  # no counters for a killed job
    with pytest.raises(AppNotFound):
        rm.app("application_1_0001")


def test_failed_job_exits_1_and_reports_failed(mr_env):
    mr_env.pair.yarn["as-is"].fail_next()
    out = client(mr_env, "as-is").run(["hbase", TOOLS + "RowCounter", "-Dmapreduce.job.tags=tofail", "orders"])
    assert out.exit_status == 1 and "failed with state FAILED" in out.stderr
    app = yarn(mr_env, "as-is").apps_by_tag("tofail")[0]
    assert (app.state, app.final_status) == ("FAILED", "FAILED") and "failed" in app.diagnostics.lower()


def test_a_key_the_gateway_does_not_know_is_refused(mr_env, tmp_path):
    other = tmp_path / "other_key"
    ensure_key(other, "stranger")
    with pytest.raises(AuthFailed, match="refused the key"):
        client(mr_env, "as-is", key_file=str(other)).run(["true"])
    with pytest.raises(AuthFailed):
        client(mr_env, "as-is", user="root").run(["true"])


def test_an_unknown_host_key_is_refused(mr_env, tmp_path):
    g = mr_env.pair.gateway["as-is"]
    impostor = ensure_key(tmp_path / "impostor", "impostor")
    wrong = write_known_hosts(tmp_path / "known_wrong", [(g.host, g.port, impostor)])
    with pytest.raises(HostKeyUnknown, match="not in"):
        client(mr_env, "as-is", known_hosts=str(wrong)).run(["true"])
    empty = tmp_path / "known_empty"
    empty.write_text("")
    with pytest.raises(HostKeyUnknown):
        client(mr_env, "as-is", known_hosts=str(empty)).run(["true"])
    with pytest.raises(HostKeyUnknown, match="does not exist"):
        client(mr_env, "as-is", known_hosts=str(tmp_path / "absent")).run(["true"])


def test_a_key_file_others_can_read_is_refused(mr_env, tmp_path):
    loose = tmp_path / "loose"
    loose.write_bytes(mr_env.pair.client_key.read_bytes())
    os.chmod(loose, 0o644)
    with pytest.raises(KeyFileProblem, match="chmod 600"):
        client(mr_env, "as-is", key_file=str(loose)).run(["true"])
