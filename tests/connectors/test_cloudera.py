"""connectors.cloudera against the CM simulator, over HTTP through cm-client."""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
import time
from pathlib import Path

import cm_client
import pytest
import yaml

from connectors.cloudera import (
    ApiError,
    AuthError,
    ClouderaManager,
    CommandGone,
    NotFoundError,
    ReplicationSpec,
    UnreachableError,
)
from connectors.cloudera.replication import _progress
from sandbox.cloudera import generate_estate

CLUSTER = "Cluster 1"
TiB = 1024**4


@pytest.fixture(scope="module")
def fieldnote_inventory(cm_fieldnote):
    with ClouderaManager(cm_fieldnote.url, "admin", "admin") as cm:
        return cm.inventory()


def test_detects_api_version_and_cm_version(cm_fieldnote, cm_connect):
    cm = cm_connect(cm_fieldnote)
    assert cm.api_version == "v33"
    assert cm.version() == "6.3.1"
    assert cm.clusters() == [{"name": CLUSTER, "display_name": "fieldnote", "version": "6.3.2"}]


def test_pinned_version_in_url_skips_detection(cm_fieldnote):
    with ClouderaManager(cm_fieldnote.url + "/api/v19/", "admin", "admin") as cm:
        assert cm.api_version == "v19" and cm.http_calls == 0
        assert cm.version() == "6.3.1" and cm.http_calls == 1


def test_inventory_fieldnote_versions_hosts_and_roles(fieldnote_inventory):
    inv = fieldnote_inventory
    assert (inv.cm_version, inv.cdh_version, inv.api_version, inv.cluster) == ("6.3.1", "6.3.2", "v33", CLUSTER)
    assert len(inv.hosts) == 5 and inv.warnings == []
    workers = [h for h in inv.hosts if h.short_name.startswith("fn-worker")]
    assert len(workers) == 3
    for h in workers:
        assert {"KAFKA_BROKER", "SERVER", "DATANODE", "REGIONSERVER", "NODEMANAGER"} <= set(h.role_types)
        assert h.cores == 16 and h.memory_bytes == 64 * 1024**3 and h.rack == "/default"
        assert h.rx_bytes_per_s and h.tx_bytes_per_s and h.clock_offset_ms is not None
    master = inv.host("fn-master-1")
    assert {"NAMENODE", "SECONDARYNAMENODE", "MASTER", "RESOURCEMANAGER"} <= set(master.role_types)
    assert inv.host("fn-worker-3").rx_bytes_per_s == pytest.approx(47e6)
    assert {"SERVICEMONITOR", "HOSTMONITOR", "JOBHISTORY"} <= set(inv.host("fn-util-1").role_types)
    assert {h.short_name for h in inv.hosts_with("KAFKA_BROKER")} == {
        h.short_name for h in inv.hosts_with("SERVER")}  # the field note's first finding, as data
    assert inv.http_calls > 10 and inv.elapsed_s > 0


def test_inventory_fieldnote_services_config_and_health(fieldnote_inventory):
    inv = fieldnote_inventory
    assert {s.type for s in inv.services} == {"ZOOKEEPER", "HDFS", "HBASE", "KAFKA", "YARN"}
    kafka = inv.service("KAFKA")
    assert kafka.state == "STARTED" and kafka.health == "GOOD"
    assert kafka.config["num.partitions"] == "10" and kafka.config.is_set("num.partitions")
    assert kafka.config["default.replication.factor"] == "1"  # the default applies
    assert not kafka.config.is_set("default.replication.factor")
    hdfs = inv.service("hdfs")
    assert hdfs.config.int("dfs.replication") == 3  # found by related name too
    hbase = inv.service("HBASE")
    assert hbase.stale and ("service", "hbase") in inv.stale_configs()
    assert hbase.role_config("REGIONSERVER", "hbase_regionserver_java_heapsize") == [str(8 * 1024**3)]
    rs_group = hbase.groups_of("REGIONSERVER")[0]
    assert rs_group.base and len(rs_group.hostnames) == 3
    failing = inv.failing_checks()
    assert [(kind, check.name) for kind, _, check in failing] == [("role", "DATA_NODE_FREE_SPACE_REMAINING")]
    role = next(r for r in inv.roles if r.name == failing[0][1])
    assert role.hostname.startswith("fn-worker-3")


def test_inventory_fieldnote_hdfs_kafka_security(fieldnote_inventory):
    inv = fieldnote_inventory
    hdfs = inv.hdfs
    assert hdfs.replication == 3 and not hdfs.ha and hdfs.nameservices == []
    assert hdfs.capacity_bytes == pytest.approx(12 * TiB)
    assert hdfs.used_bytes == pytest.approx(7.8 * TiB)
    assert hdfs.logical_bytes == pytest.approx(2.6 * TiB)
    usage = {d.hostname.split(".")[0]: round(d.used_pct) for d in hdfs.datanodes}
    assert usage == {"fn-worker-1": 55, "fn-worker-2": 58, "fn-worker-3": 82}
    assert hdfs.missing_blocks == 0 and hdfs.namenodes == ["fn-master-1.fieldnote.internal"]
    k = inv.kafka
    assert (k.num_partitions, k.default_replication_factor, k.min_insync_replicas) == (10, 1, 1)
    assert k.unclean_leader_election is False and k.auto_create_topics is True and k.ssl is False
    assert [b.partitions for b in k.brokers] == [74, 68, 68]
    assert [r.regions for r in inv.hbase.regionservers] == [112, 96, 101]
    assert len(inv.zookeeper.servers) == 3
    sec = inv.security
    assert sec.kerberos is False and sec.cm_kerberos is False and not sec.all_wire_encrypted
    assert set(sec.wire_encryption) == {"hdfs", "hbase", "kafka", "zookeeper"}


def test_inventory_healthy(cm_healthy, cm_connect):
    inv = cm_connect(cm_healthy).inventory("healthy")
    assert inv.api_version == "v41" and inv.cdh_version == "7.1.7"
    assert inv.hdfs.ha and inv.hdfs.nameservices == ["nameservice1"] and len(inv.hdfs.namenodes) == 2
    pct = [d.used_pct for d in inv.hdfs.datanodes]
    assert max(pct) - min(pct) < 5
    assert inv.kafka.num_partitions % len(inv.kafka.brokers) == 0
    assert (inv.kafka.default_replication_factor, inv.kafka.min_insync_replicas) == (3, 2)
    assert inv.security.kerberos and inv.security.realm == "HEALTHY.INTERNAL" and inv.security.all_wire_encrypted
    assert not set(inv.zookeeper.servers) & {h.hostname for h in inv.hosts_with("KAFKA_BROKER")}
    assert inv.failing_checks() == [] and inv.stale_configs() == []
    nn = inv.service("hdfs").config
    assert nn.get("hdfs_ssl_server_keystore_password") == "REDACTED"  # sensitive: never in clear


def test_tobe_twin_differs_in_data_and_regionserver_heap(fieldnote_inventory, cm_fieldnote_tobe, cm_connect):
    tobe = cm_connect(cm_fieldnote_tobe).inventory(CLUSTER)
    asis = fieldnote_inventory
    assert tobe.cdh_version == asis.cdh_version and tobe.kafka.num_partitions == asis.kafka.num_partitions
    assert tobe.hdfs.logical_bytes < 0.001 * asis.hdfs.logical_bytes
    heap = "hbase_regionserver_java_heapsize"
    assert asis.service("hbase").role_config("REGIONSERVER", heap) == [str(8 * 1024**3)]
    assert tobe.service("hbase").role_config("REGIONSERVER", heap) == [str(4 * 1024**3)]


def test_wrong_password_is_auth_error_without_the_password(cm_fieldnote, cm_connect):
    cm = cm_connect(cm_fieldnote, password="s3cret-Pa55")
    with pytest.raises(AuthError) as exc:
        cm.inventory(CLUSTER)
    msg = str(exc.value)
    assert exc.value.status == 401 and cm_fieldnote.url in msg and "password" in msg.lower()
    assert "s3cret-Pa55" not in msg and "s3cret-Pa55" not in repr(cm)


def test_unknown_cluster_is_not_found_naming_the_clusters(cm_fieldnote, cm_connect):
    with pytest.raises(NotFoundError) as exc:
        cm_connect(cm_fieldnote).inventory("Cluster 9")
    assert exc.value.cluster == "Cluster 9" and "Cluster 1" in str(exc.value)


def test_cm_down_is_unreachable(cm_connect):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cm = ClouderaManager(f"http://127.0.0.1:{port}", "admin", "admin", timeout=2)
    t0 = time.monotonic()
    with pytest.raises(UnreachableError) as exc:
        cm.inventory(CLUSTER)
    assert time.monotonic() - t0 < 3
    assert f"127.0.0.1:{port}" in str(exc.value) and "7180" in str(exc.value) and "refused" in str(exc.value)


def test_slow_cm_times_out(cm_factory, cm_connect):
    sim = cm_factory()
    sim.set_latency(1.5)
    with pytest.raises(UnreachableError, match="timeout"):
        cm_connect(sim, timeout=0.3).version()


def test_server_error_is_api_error_and_bot_can_retry(cm_factory, cm_connect):
    sim = cm_factory()
    cm = cm_connect(sim)
    cm.api_version  # noqa: B018 - detect first, so the failure hits the next call
    sim.fail_next(1)
    with pytest.raises(ApiError) as exc:
        cm.version()
    assert exc.value.status == 500
    assert cm.version() == "6.3.1"


def test_two_connectors_with_different_credentials_at_once(cm_factory):
    asis = cm_factory("fieldnote", username="asis", password="pw-asis")
    tobe = cm_factory("fieldnote-tobe", username="tobe", password="pw-tobe")
    results: dict[str, object] = {}

    def run(name, sim, user, pw):
        with ClouderaManager(sim.url, user, pw) as cm:
            results[name] = [cm.inventory(CLUSTER).hosts[0].hostname for _ in range(3)]

    threads = [threading.Thread(target=run, args=("asis", asis, "asis", "pw-asis")),
               threading.Thread(target=run, args=("tobe", tobe, "tobe", "pw-tobe"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results["asis"] == ["fn-util-1.fieldnote.internal"] * 3
    assert results["tobe"] == ["fn-util-1.fieldnote-tobe.internal"] * 3


def test_sequential_gives_the_same_inventory_with_the_same_calls(cm_factory):
    sim = cm_factory(generate_estate(hosts=20, latency_ms=10))
    with ClouderaManager(sim.url, "admin", "admin", max_workers=8) as fast, \
            ClouderaManager(sim.url, "admin", "admin", sequential=True) as slow:
        a, b = fast.inventory(), slow.inventory()
    assert a.http_calls == b.http_calls
    assert [h.hostname for h in a.hosts] == [h.hostname for h in b.hosts]
    assert a.kafka == b.kafka and a.hdfs == b.hdfs


def test_independent_calls_overlap_unless_sequential(cm_factory):
    """How much faster that is, is bench/cm_scan.py's business; here: that calls do overlap."""
    sim = cm_factory(generate_estate(hosts=20, latency_ms=20))
    with ClouderaManager(sim.url, "admin", "admin", sequential=True) as slow:
        slow.inventory()
    assert sim.peak_in_flight == 1
    with ClouderaManager(sim.url, "admin", "admin", max_workers=8) as fast:
        fast.inventory()
    assert sim.peak_in_flight > 2


def test_inventory_is_read_only(cm_factory, cm_connect):
    sim = cm_factory()
    cm_connect(sim).inventory()
    assert {m for m, _ in sim.requests} == {"GET"}


def test_replication_run_progress_pause_resume(cm_factory, cm_connect):
    sim = cm_factory()
    cm = cm_connect(sim)
    sched = cm.replication(CLUSTER, "hdfs", 2)
    assert sched.source_path == "/data/events" and sched.kind == "hdfs" and sched.last_run is None
    assert cm.replication_progress(CLUSTER, "hdfs", 2).state == "never_run"

    total = int(0.55 * TiB)
    sim.set_bandwidth(total / 2)
    cid = cm.run_replication(CLUSTER, "hdfs", 2)
    assert cm.run_replication(CLUSTER, "hdfs", 2) == cid  # idempotent while running
    time.sleep(0.3)
    p1 = cm.replication_progress(CLUSTER, "hdfs", 2, cid)
    time.sleep(0.3)
    p2 = cm.replication_progress(CLUSTER, "hdfs", 2, cid)
    assert p1.state == p2.state == "running" and p2.command_id == cid
    assert 0 < p1.bytes_copied < p2.bytes_copied < p2.bytes_expected == pytest.approx(total, abs=1)
    assert p2.throughput_bytes_per_s == pytest.approx(total / 2, rel=0.01)
    assert p2.remaining_s is not None and p2.files_expected == 21400

    paused = cm.set_replication_paused(CLUSTER, "hdfs", 2, True)
    assert paused.paused and not paused.active
    stopped = cm.replication_progress(CLUSTER, "hdfs", 2)
    assert stopped.state == "aborted" and stopped.paused
    time.sleep(0.2)
    assert cm.replication_progress(CLUSTER, "hdfs", 2).bytes_copied == stopped.bytes_copied
    assert cm.replication(CLUSTER, "hdfs", 2).source_peer == "fieldnote-tobe"  # the PUT kept the arguments

    resumed = cm.set_replication_paused(CLUSTER, "hdfs", 2, False)
    assert not resumed.paused and not resumed.active  # resuming does not start a run by itself
    sim.set_bandwidth(1e18)
    cid2 = cm.run_replication(CLUSTER, "hdfs", 2)
    done = cm.replication_progress(CLUSTER, "hdfs", 2)
    assert done.state == "succeeded" and done.command_id == cid2 and done.progress_pct == 100
    assert done.bytes_skipped == stopped.bytes_copied  # only what was left
    assert done.total_bytes_done == pytest.approx(total, abs=2)
    assert cm.replication_progress(CLUSTER, "hdfs", 2, cid).state == "aborted"  # an older run, by its id


def test_replication_abort_failures_and_a_command_that_is_gone(cm_factory, cm_connect):
    sim = cm_factory()
    cm = cm_connect(sim)
    created, change = cm.ensure_replication(CLUSTER, "hdfs", ReplicationSpec(
        name="ferry:users", kind="hdfs", peer="fieldnote", source_cluster=CLUSTER, source_service="hdfs",
        path="/user"))
    assert change == "created" and created.paused and created.source_peer == "fieldnote"
    assert created.destination_path == "/user"
    sim.set_bandwidth(1024)
    cid = cm.run_replication(CLUSTER, "hdfs", created.id)
    status = cm.abort_command(cid)
    assert status.active is False and status.success is False
    assert cm.replication_progress(CLUSTER, "hdfs", created.id).state == "aborted"
    sim.set_bandwidth(1e18)
    sim.set_replication_failures(created.id, 2)
    cid2 = cm.run_replication(CLUSTER, "hdfs", created.id)
    failed = cm.replication_progress(CLUSTER, "hdfs", created.id, cid2)
    assert failed.state == "failed" and failed.files_failed == 2 and "2 file" in failed.message
    with pytest.raises(NotFoundError):
        cm.replication_progress(CLUSTER, "hdfs", 999)
    with pytest.raises(NotFoundError):
        cm.command(424242)
    assert sim.purge_commands([cid2]) == [cid2]
    with pytest.raises(CommandGone, match=f"Command {cid2} no longer exists"):
        cm.replication_progress(CLUSTER, "hdfs", created.id, cid2)
    assert cm.replication_progress(CLUSTER, "hdfs", created.id, cid).state == "aborted"  # the other is kept
    sim.restart()  # a fresh CM: the schedule Ferry made is gone too
    with pytest.raises(CommandGone, match=f"schedule {created.id} no longer exists"):
        cm.replication_progress(CLUSTER, "hdfs", created.id, cid)


def test_ensure_replication_is_idempotent_by_name_for_hbase_and_hive(cm_factory, cm_connect):
    sim = cm_factory(_with_hive())
    cm = cm_connect(sim)
    hb = ReplicationSpec(name="ferry:hb", kind="hbase", peer="asis", source_cluster=CLUSTER, source_service="hbase",
                         tables=("orders", "ns:events"), num_maps=6, pool="root.copy")
    first, change = cm.ensure_replication(CLUSTER, "hbase", hb)
    assert change == "created" and first.kind == "hbase" and first.tables == ("orders", "ns:events")
    assert (first.num_maps, first.pool, first.source_peer) == (6, "root.copy", "asis")
    again, change = cm.ensure_replication(CLUSTER, "hbase", hb)
    assert (again.id, change) == (first.id, "unchanged")
    smaller = dataclasses.replace(hb, tables=("orders",), bandwidth_per_map_mb=40)
    updated, change = cm.ensure_replication(CLUSTER, "hbase", smaller)
    assert (updated.id, change, updated.tables, updated.bandwidth_per_map_mb) == (first.id, "updated", ("orders",), 40)
    assert [s.id for s in sim.replications.schedules[(CLUSTER, "hbase")].values()] == [first.id]

    hv = ReplicationSpec(name="ferry:hv", kind="hive", peer="asis", source_cluster=CLUSTER, source_service="hive",
                         databases=("sales", "web.clicks"), bandwidth_per_map_mb=100)
    made, change = cm.ensure_replication(CLUSTER, "hive", hv)
    assert change == "created" and made.tables == ("sales", "web.clicks") and made.bandwidth_per_map_mb == 100
    assert cm.ensure_replication(CLUSTER, "hive", hv)[1] == "unchanged"
    assert cm.set_replication_bandwidth(CLUSTER, "hive", made.id, 7).bandwidth_per_map_mb == 7
    assert cm.ensure_replication(CLUSTER, "hive", hv)[1] == "updated"  # back to what app.yaml says
    with pytest.raises(ApiError, match="HBASE service"):  # an HBase schedule on the Hive service
        cm.ensure_replication(CLUSTER, "hive", dataclasses.replace(hb, name="ferry:wrong"))


def test_dry_run_waits_for_the_listing_and_a_run_then_starts(cm_factory, cm_connect):
    sim = cm_factory()
    cm = cm_connect(sim)
    dry = cm.dry_run_replication(CLUSTER, "hdfs", 2, wait_s=5)
    assert dry.finished and (dry.files, dry.bytes) == (21400, int(0.55 * TiB))
    assert cm.replication_progress(CLUSTER, "hdfs", 2).state == "never_run"  # a dry run is not a run
    slow = cm.dry_run_replication(CLUSTER, "hdfs", 2, wait_s=0)
    assert not slow.finished and slow.files is None and str(slow.command_id) in slow.message
    sim.set_bandwidth(1024)
    cid = cm.run_replication(CLUSTER, "hdfs", 2)  # the dry run in the way is aborted, the run starts
    assert cid != slow.command_id and cm.replication_progress(CLUSTER, "hdfs", 2, cid).state == "running"
    busy = cm.dry_run_replication(CLUSTER, "hdfs", 2, wait_s=1)
    assert not busy.finished and "in progress" in busy.message


def test_hbase_operations_cm_does_not_document_are_shown_as_they_are():
    cmd = cm_client.ApiReplicationCommand(id=7, active=True, hbase_info=cm_client.ApiHBaseReplicationInfo(
        replication_operations=["orders: EXPORT_SNAPSHOT 5/10 bytes", "Enabling peer 2 " + "x" * 5000,
                                "t: PHASE 99999999999999999999999/1 bytes"]))
    p = _progress(1, False, cmd)
    assert (p.bytes_copied, p.bytes_expected, p.progress_pct) == (5, 10, 50)
    assert "orders EXPORT_SNAPSHOT" in p.phase and "Enabling peer 2" in p.phase
    assert max(len(op) for op in p.operations) <= 400


def _with_hive() -> dict:
    raw = yaml.safe_load((Path(__file__).parents[2] / "sandbox/estates/fieldnote.yaml").read_text())
    raw["name"] = "fieldnote-hive"
    raw["clusters"][0]["services"].append({"name": "hive", "type": "HIVE", "databases": {"sales": {"bytes": "4 GiB"}}})
    return raw


def test_models_build_by_hand_and_serialize(fieldnote_inventory):
    from connectors.cloudera import Config, Host, Inventory, Kafka, KafkaBroker, Service

    cfg = Config.of({"num.partitions": 10}, {"default.replication.factor": 1, "auto.create.topics.enable": True})
    inv = Inventory(cluster="c", hosts=[Host("h1.x", role_types=["KAFKA_BROKER", "SERVER"])],
                    services=[Service("kafka", "KAFKA", config=cfg)],
                    kafka=Kafka(num_partitions=10, brokers=[KafkaBroker("h1.x", partitions=4)]))
    kafka = inv.service("KAFKA").config
    assert kafka.int("num.partitions") == 10 and kafka.is_set("num.partitions")
    assert kafka.int("default.replication.factor") == 1 and not kafka.is_set("default.replication.factor")
    assert kafka.bool("auto.create.topics.enable") is True and inv.host("h1").short_name == "h1"
    as_json = json.dumps(dataclasses.asdict(fieldnote_inventory))  # storable with the run
    assert "fn-worker-3.fieldnote.internal" in as_json and "admin" not in as_json


def test_monitor_down_gives_a_partial_inventory_with_warnings(cm_factory, cm_connect):
    sim = cm_factory()
    sim.fail_next(5, status=503, path="/timeseries")
    inv = cm_connect(sim).inventory(CLUSTER)
    assert len(inv.warnings) == 5 and all("time series" in w for w in inv.warnings)
    assert inv.hdfs.datanodes == [] and inv.host("fn-worker-1").rx_bytes_per_s is None
    assert inv.kafka.num_partitions == 10  # configuration still read
