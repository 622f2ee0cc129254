"""The CM simulator's HBase and Hive replication schedules, HDFS dry runs, bandwidth caps and
vanishing commands, spoken to with cm-client itself (its models and API classes, no Ferry code)."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import cm_client
import pytest
import yaml
from cm_client.rest import ApiException

CLUSTER = "Cluster 1"
GIB = 1024**3
MIB = 1024**2


class _Client(cm_client.ApiClient):
    """cm-client with basic auth of its own (the Configuration singleton left alone)."""

    def __init__(self, host: str) -> None:
        super().__init__(host=host)
        self._auth = "Basic " + base64.b64encode(b"admin:admin").decode()

    def update_params_for_auth(self, headers, querys, auth_settings):
        headers["Authorization"] = self._auth


def _estate() -> dict:
    raw = yaml.safe_load((Path(__file__).parents[2] / "sandbox/estates/fieldnote.yaml").read_text())
    raw["name"] = "fieldnote-hive"
    raw["clusters"][0]["services"].append({"name": "hive", "type": "HIVE",
                                           "databases": {"sales": {"bytes": "2 GiB", "tables": 5}}})
    return raw


@pytest.fixture
def sim_api(cm_factory):
    sim = cm_factory(_estate())
    return sim, cm_client.ReplicationsResourceApi(_Client(sim.api_url)), cm_client.CommandsResourceApi(
        _Client(sim.api_url))


def _src(service: str) -> cm_client.ApiServiceRef:
    return cm_client.ApiServiceRef(peer_name="asis", cluster_name=CLUSTER, service_name=service)


def _create(repl, service: str, **args) -> cm_client.ApiReplicationSchedule:
    body = cm_client.ApiReplicationScheduleList(items=[cm_client.ApiReplicationSchedule(display_name="t", **args)])
    return repl.create_schedules(CLUSTER, service, body=body).items[0]


def _last(repl, service, sid):
    return repl.read_history(CLUSTER, sid, service, limit=1).items[0]


def test_hbase_schedule_initial_snapshot_then_replicating(sim_api):
    sim, repl, _ = sim_api
    args = cm_client.ApiHBaseReplicationArguments(
        source_h_base_service=_src("hbase"), num_mappers=4,
        tables=[cm_client.HBaseTableArgs(table_name="orders", initial_snapshot=True),
                cm_client.HBaseTableArgs(table_name="customers", initial_snapshot=False)])
    sched = _create(repl, "hbase", hbase_arguments=args)
    assert [t.table_name for t in sched.hbase_arguments.tables] == ["orders", "customers"]
    assert sched.hbase_arguments.peer_state == "ENABLED"  # filled in, as CM does
    orders = int(1.2 * 1024**4)
    sim.set_bandwidth(orders / 1.0)
    cmd = repl.run_schedule(CLUSTER, sched.id, "hbase")
    first = _last(repl, "hbase", sched.id)
    assert first.name == "HBaseReplicationCommand" and first.active and first.hdfs_result is None
    assert first.hbase_info.replication_operations == [f"orders: SNAPSHOT 0/{orders} bytes",
                                                        "customers: WAITING_FOR_PEER 0/0 bytes"]
    time.sleep(0.6)
    ops = _last(repl, "hbase", sched.id).hbase_info.replication_operations
    assert ops[0].startswith("orders: EXPORT_SNAPSHOT ") and 0 < int(ops[0].split()[2].split("/")[0]) < orders
    time.sleep(1.2)
    done = _last(repl, "hbase", sched.id)
    assert (done.id, done.active, done.success) == (cmd.id, False, True)
    assert done.hbase_info.replication_operations == [f"orders: REPLICATING {orders}/{orders} bytes",
                                                       "customers: REPLICATING 0/0 bytes"]


def test_hive_schedule_phases_tables_and_its_data_copy(sim_api):
    sim, repl, _ = sim_api
    hdfs = cm_client.ApiHdfsReplicationArguments(num_maps=2, bandwidth_per_map=512)  # capped at 1 GiB/s
    args = cm_client.ApiHiveReplicationArguments(
        source_service=_src("hive"), table_filters=[cm_client.ApiHiveTable(database="sales", table_name="[\\w].+")],
        hdfs_arguments=hdfs, sentry_migration=False, skip_url_permissions=False)
    sched = _create(repl, "hive", hive_arguments=args)
    sim.set_bandwidth(100 * GIB)
    repl.run_schedule(CLUSTER, sched.id, "hive")
    assert _last(repl, "hive", sched.id).hive_result.phase == "EXPORT"
    time.sleep(0.5)
    running = _last(repl, "hive", sched.id).hive_result
    assert running.phase == "DATA" and running.table_expected == 5 and running.db_expected == 1
    assert running.data_replication_result.throughput == pytest.approx(GIB / 1024, rel=0.01)  # KB/s: the cap
    time.sleep(2.2)
    done = _last(repl, "hive", sched.id)
    assert done.success and done.hive_result.phase is None and done.hive_result.table_count == 5
    assert done.hive_result.data_replication_result.num_bytes_copied == 2 * GIB


def test_dry_run_lists_without_copying_and_bandwidth_updates_apply_to_the_next_run(sim_api):
    sim, repl, _ = sim_api
    cmd = repl.run_schedule(CLUSTER, 2, "hdfs", dry_run=True)
    time.sleep(0.4)
    dry = _last(repl, "hdfs", 2)
    assert dry.id == cmd.id and dry.success and dry.hdfs_result.dry_run
    assert (dry.hdfs_result.num_files_dry_run, dry.hdfs_result.num_bytes_dry_run) == (21400, int(0.55 * 1024**4))
    assert dry.hdfs_result.num_bytes_copied == 0
    with pytest.raises(ApiException) as err:
        repl.run_schedule(CLUSTER, 1, "hbase", dry_run=True)  # no schedule 1 on hbase
    assert err.value.status == 404

    sim.set_bandwidth(10 * GIB)
    repl.run_schedule(CLUSTER, 2, "hdfs")
    body = cm_client.ApiReplicationSchedule(hdfs_arguments=cm_client.ApiHdfsReplicationArguments(bandwidth_per_map=1))
    assert repl.update_schedule(CLUSTER, 2, "hdfs", body=body).hdfs_arguments.bandwidth_per_map == 1
    time.sleep(0.2)
    running = _last(repl, "hdfs", 2)
    assert running.hdfs_result.throughput == pytest.approx(10 * GIB / 1024, rel=0.01)  # fixed at run start
    cm_client.CommandsResourceApi(_Client(sim.api_url)).abort_command(running.id)
    repl.run_schedule(CLUSTER, 2, "hdfs")
    time.sleep(0.2)
    assert _last(repl, "hdfs", 2).hdfs_result.throughput == pytest.approx(20 * MIB / 1024, rel=0.01)  # 20 maps x 1 MB


@pytest.mark.parametrize("service, args, words", [
    ("hdfs", {}, "exactly one of"),
    ("hdfs", {"hbase_arguments": cm_client.ApiHBaseReplicationArguments(
        tables=[cm_client.HBaseTableArgs(table_name="t", initial_snapshot=True)])}, "HBASE service"),
    ("hbase", {"hbase_arguments": cm_client.ApiHBaseReplicationArguments(tables=[])}, "at least one"),
    ("hive", {"hive_arguments": cm_client.ApiHiveReplicationArguments(
        table_filters=[], sentry_migration=False, skip_url_permissions=False)}, "at least one"),
])
def test_malformed_schedules_get_cms_400(sim_api, service, args, words):
    _, repl, _ = sim_api
    with pytest.raises(ApiException) as err:
        _create(repl, service, **args)
    assert err.value.status == 400 and words in err.value.body


def test_commands_vanish_on_purge_and_on_restart(sim_api):
    sim, repl, commands = sim_api
    sim.set_bandwidth(1024)
    cmd = repl.run_schedule(CLUSTER, 2, "hdfs")
    assert sim.purge_commands() == [cmd.id]
    with pytest.raises(ApiException) as err:
        commands.read_command(cmd.id)
    assert err.value.status == 404
    assert repl.read_history(CLUSTER, 2, "hdfs").items == [] and not repl.read_schedule(CLUSTER, 2, "hdfs").active

    made = _create(repl, "hdfs", hdfs_arguments=cm_client.ApiHdfsReplicationArguments(
        source_service=_src("hdfs"), source_path="/user"))
    kept = repl.run_schedule(CLUSTER, made.id, "hdfs")
    port = sim.port
    sim.restart(keep_history=True)  # CM restarted: the running command is lost, the schedule kept
    assert sim.port == port
    assert [s.id for s in repl.read_schedules(CLUSTER, "hdfs").items] == [1, 2, made.id]
    with pytest.raises(ApiException):
        commands.read_command(kept.id)
    sim.restart()  # a fresh sandbox CM: only the estate file's schedules
    assert [s.id for s in repl.read_schedules(CLUSTER, "hdfs").items] == [1, 2]
