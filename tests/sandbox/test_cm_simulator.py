"""The Cloudera Manager simulator, driven by the real cm-client over HTTP."""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request

import cm_client
import pytest
from cm_client.rest import ApiException

from sandbox.cloudera import CMSimulator, EstateError, generate_estate, load_estate

CLUSTER = "Cluster 1"


class _Client(cm_client.ApiClient):
    """cm-client with its own credentials (the Configuration singleton is shared by the process)."""

    def __init__(self, host: str, user: str = "admin", password: str = "admin") -> None:
        super().__init__(host=host)
        self._auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def update_params_for_auth(self, headers, querys, auth_settings):
        headers["Authorization"] = self._auth


@pytest.fixture
def api(cm_fieldnote):
    return _Client(cm_fieldnote.api_url)


def _get(url: str, user: str = "admin", password: str = "admin") -> tuple[int, str]:
    req = urllib.request.Request(url)
    req.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_version_text_and_api_prefixes(cm_fieldnote):
    assert _get(cm_fieldnote.url + "/api/version") == (200, "v33")
    assert cm_fieldnote.api_url.endswith("/api/v33")
    for v in (19, 33, 45):
        assert _get(f"{cm_fieldnote.url}/api/v{v}/clusters")[0] == 200
    status, body = _get(f"{cm_fieldnote.url}/api/v50/clusters")
    assert status == 404 and "message" in json.loads(body)


def test_cm_version_and_kerberos(api):
    cm = cm_client.ClouderaManagerResourceApi(api)
    assert cm.get_version().version == "6.3.1"
    assert cm.get_kerberos_info().kerberized is False


def test_clusters(api):
    clusters = cm_client.ClustersResourceApi(api)
    items = clusters.read_clusters(view="summary").items
    assert [c.name for c in items] == [CLUSTER]
    c = clusters.read_cluster(CLUSTER)
    assert c.full_version == "6.3.2" and c.display_name == "fieldnote"
    assert clusters.get_kerberos_info(CLUSTER).kerberized is False


def test_hosts_summary_and_full(api):
    hosts = cm_client.HostsResourceApi(api)
    summary = hosts.read_hosts(view="summary").items
    assert len(summary) == 5 and all(h.role_refs is None for h in summary)
    full = {h.hostname.split(".")[0]: h for h in hosts.read_hosts(view="full").items}
    w1 = full["fn-worker-1"]
    assert w1.num_cores == 16 and w1.total_phys_mem_bytes == 64 * 1024**3 and w1.rack_id == "/default"
    assert len(w1.role_refs) == 5 and {r.service_name for r in w1.role_refs} == {
        "zookeeper", "hdfs", "hbase", "kafka", "yarn"}
    assert "HOST_CLOCK_OFFSET" in {c.name for c in w1.health_checks}
    one = hosts.read_host(w1.host_id)
    assert one.hostname == w1.hostname
    in_cluster = cm_client.ClustersResourceApi(api).list_hosts(CLUSTER, view="full").items
    assert {h.host_id for h in in_cluster} == {h.host_id for h in full.values()}


def test_services_with_health(api):
    services = {s.name: s for s in cm_client.ServicesResourceApi(api).read_services(CLUSTER, view="full").items}
    assert set(services) == {"zookeeper", "hdfs", "hbase", "kafka", "yarn"}
    assert services["kafka"].type == "KAFKA" and services["kafka"].service_state == "STARTED"
    assert services["hbase"].config_staleness_status == "STALE"
    assert {c.name for c in services["hdfs"].health_checks} >= {"HDFS_MISSING_BLOCKS", "HDFS_FREE_SPACE_REMAINING"}
    assert cm_client.ServicesResourceApi(api).read_service(CLUSTER, "kafka").health_summary == "GOOD"


def test_service_config_full_has_defaults_and_no_value_where_default(api):
    svc = cm_client.ServicesResourceApi(api)
    full = {c.name: c for c in svc.read_service_config(CLUSTER, "kafka", view="full").items}
    assert full["num.partitions"].value == "10" and full["num.partitions"].default == "1"
    assert full["default.replication.factor"].value is None
    assert full["default.replication.factor"].default == "1"
    assert full["num.partitions"].related_name == "num.partitions"
    summary = {c.name: c.value for c in svc.read_service_config(CLUSTER, "kafka").items}
    assert summary["num.partitions"] == "10" and "default.replication.factor" not in summary
    hdfs = {c.name: c for c in svc.read_service_config(CLUSTER, "hdfs", view="full").items}
    assert hdfs["dfs_replication"].value is None and hdfs["dfs_replication"].default == "3"
    assert hdfs["dfs_replication"].related_name == "dfs.replication"
    assert hdfs["hdfs_ssl_server_keystore_password"].sensitive is True


def test_roles_with_filter_and_role_config(api):
    roles = cm_client.RolesResourceApi(api)
    dns = roles.read_roles(CLUSTER, "hdfs", filter="type==DATANODE").items
    assert len(dns) == 3 and {r.type for r in dns} == {"DATANODE"}
    every = roles.read_roles(CLUSTER, "hdfs").items
    assert {r.type for r in every} == {"NAMENODE", "SECONDARYNAMENODE", "BALANCER", "DATANODE"}
    one = roles.read_role(CLUSTER, dns[0].name, "hdfs")
    assert one.host_ref.host_id == dns[0].host_ref.host_id
    cfg = roles.read_role_config(CLUSTER, dns[0].name, "hdfs", view="full").items
    assert "dfs_datanode_du_reserved" in {c.name for c in cfg}
    with pytest.raises(ApiException) as exc:
        roles.read_role(CLUSTER, "no-such-role", "hdfs")
    assert exc.value.status == 404


def test_role_config_groups_and_their_config(api):
    groups = cm_client.RoleConfigGroupsResourceApi(api)
    items = {g.name: g for g in groups.read_role_config_groups(CLUSTER, "hbase").items}
    rs = items["hbase-REGIONSERVER-BASE"]
    assert rs.base and rs.role_type == "REGIONSERVER"
    full = {c.name: c for c in groups.read_config(CLUSTER, rs.name, "hbase", view="full").items}
    assert full["hbase_regionserver_java_heapsize"].value == str(8 * 1024**3)
    assert full["hbase_regionserver_handler_count"].value is None
    assert full["hbase_regionserver_handler_count"].default == "30"
    assert len(groups.read_roles(CLUSTER, rs.name, "hbase").items) == 3


def test_nameservices(cm_healthy, cm_fieldnote):
    ns = cm_client.NameservicesResourceApi(_Client(cm_healthy.api_url)).list_nameservices("healthy", "hdfs").items
    assert [n.name for n in ns] == ["nameservice1"]
    assert ns[0].active.role_name.startswith("hdfs-NAMENODE-") and ns[0].stand_by is not None
    none = cm_client.NameservicesResourceApi(_Client(cm_fieldnote.api_url)).list_nameservices(CLUSTER, "hdfs")
    assert none.items == []


def test_time_series_get_and_post(api):
    ts = cm_client.TimeSeriesResourceApi(api)
    resp = ts.query_time_series(query="select dfs_capacity, dfs_capacity_used where category = SERVICE "
                                      "and serviceType = HDFS")
    series = {s.metadata.metric_name: s for s in resp.items[0].time_series}
    assert series["dfs_capacity"].data[-1].value == pytest.approx(12 * 1024**4)
    assert series["dfs_capacity_used"].metadata.unit_numerators == ["bytes"]
    per_dn = ts.query_time_series(query="select dfs_capacity_used where roleType = DATANODE").items[0].time_series
    used = sorted(s.data[-1].value / (4 * 1024**4) for s in per_dn)
    assert used == pytest.approx([0.55, 0.58, 0.82])
    body = cm_client.ApiTimeSeriesRequest(
        query="select last(total_bytes_receive_rate_across_network_interfaces), "
              "total_bytes_transmit_rate_across_network_interfaces where category = HOST; "
              "select kafka_partitions where roleType = KAFKA_BROKER")
    items = ts.query_time_series_0(body=body).items
    assert len(items) == 2
    rx = [s for s in items[0].time_series if s.metadata.metric_name.startswith("last(")]
    assert len(rx) == 5 and all(len(s.data) == 1 for s in rx)
    assert sorted(s.data[-1].value for s in items[1].time_series) == [68, 68, 74]
    unknown = ts.query_time_series(query="select no_such_metric").items[0]
    assert unknown.time_series == [] and unknown.warnings


def test_wrong_password_is_401(cm_fieldnote):
    with pytest.raises(ApiException) as exc:
        cm_client.ClustersResourceApi(_Client(cm_fieldnote.api_url, password="wrong")).read_clusters()
    assert exc.value.status == 401
    assert _get(cm_fieldnote.url + "/api/version", password="wrong")[0] == 401


def test_unknown_cluster_is_404_with_cm_message(api):
    with pytest.raises(ApiException) as exc:
        cm_client.ServicesResourceApi(api).read_services("nope")
    assert exc.value.status == 404
    assert json.loads(exc.value.body)["message"] == "Cluster 'nope' not found."


def test_fail_next_gives_500_then_recovers(cm_factory):
    sim = cm_factory()
    api = cm_client.ClustersResourceApi(_Client(sim.api_url))
    sim.fail_next(1)
    with pytest.raises(ApiException) as exc:
        api.read_clusters()
    assert exc.value.status == 500
    assert api.read_clusters().items


def _hdfs_result(repl, sid):
    return repl.read_history(CLUSTER, sid, "hdfs", limit=1).items[0]


def test_replication_create_run_progress_abort_resume(cm_factory):
    sim = cm_factory()
    repl = cm_client.ReplicationsResourceApi(_Client(sim.api_url))
    args = cm_client.ApiHdfsReplicationArguments(
        source_service=cm_client.ApiServiceRef(peer_name="asis", cluster_name=CLUSTER, service_name="hdfs"),
        source_path="/user", destination_path="/user")
    created = repl.create_schedules(CLUSTER, "hdfs", body=cm_client.ApiReplicationScheduleList(
        items=[cm_client.ApiReplicationSchedule(display_name="users", paused=False, hdfs_arguments=args)])).items[0]
    sid = created.id
    assert sid not in (1, 2)  # ids of the estate file's schedules are kept
    assert {s.id for s in repl.read_schedules(CLUSTER, "hdfs").items} == {1, 2, sid}
    total = int(0.15 * 1024**4)

    sim.set_bandwidth(total / 2)  # two seconds for the whole path
    cmd = repl.run_schedule(CLUSTER, sid, "hdfs")  # an ApiCommand: progress is in the history
    assert cmd.active and _hdfs_result(repl, sid).hdfs_result.num_bytes_expected == total
    time.sleep(0.4)
    first = _hdfs_result(repl, sid).hdfs_result.num_bytes_copied
    time.sleep(0.3)
    running = _hdfs_result(repl, sid)
    assert running.active and 0 < first < running.hdfs_result.num_bytes_copied < total
    assert running.hdfs_result.throughput == pytest.approx(total / 2 / 1024, rel=0.01)
    assert 0 < running.hdfs_result.remaining_time <= 2
    with pytest.raises(ApiException) as busy:
        repl.run_schedule(CLUSTER, sid, "hdfs")
    assert busy.value.status == 400

    paused = repl.update_schedule(CLUSTER, sid, "hdfs", body=cm_client.ApiReplicationSchedule(paused=True))
    assert paused.paused is True
    aborted = cm_client.CommandsResourceApi(_Client(sim.api_url)).abort_command(cmd.id)
    assert aborted.active is False and aborted.success is False
    done_before = _hdfs_result(repl, sid).hdfs_result.num_bytes_copied
    time.sleep(0.2)
    assert _hdfs_result(repl, sid).hdfs_result.num_bytes_copied == done_before  # stopped

    repl.update_schedule(CLUSTER, sid, "hdfs", body=cm_client.ApiReplicationSchedule(paused=False))
    sim.set_bandwidth(1e18)  # finish at once
    second = repl.run_schedule(CLUSTER, sid, "hdfs")
    final = _hdfs_result(repl, sid)
    assert final.hdfs_result.num_bytes_skipped == done_before  # distcp -update: only what is left
    assert final.hdfs_result.num_bytes_expected == pytest.approx(total - done_before, abs=1)
    assert final.id == second.id and final.success is True and final.hdfs_result.progress == 100
    history = repl.read_history(CLUSTER, sid, "hdfs").items
    assert [h.id for h in history] == [second.id, cmd.id]
    read_back = cm_client.CommandsResourceApi(_Client(sim.api_url)).read_command(second.id)
    assert read_back.success is True


def test_replication_failure_hook(cm_factory):
    sim = cm_factory()
    repl = cm_client.ReplicationsResourceApi(_Client(sim.api_url))
    sim.set_bandwidth(1e18)
    sim.set_replication_failures(2, 3)
    repl.run_schedule(CLUSTER, 2, "hdfs")
    run = _hdfs_result(repl, 2)
    assert run.success is False and run.hdfs_result.num_files_copy_failed == 3
    with pytest.raises(ApiException) as exc:
        repl.read_schedule(CLUSTER, 99, "hdfs")
    assert exc.value.status == 404


def test_estates_load_and_generate():
    assert {"fieldnote", "fieldnote-tobe", "healthy"} <= {
        load_estate(n).name for n in ("fieldnote", "fieldnote-tobe", "healthy")}
    big = load_estate(generate_estate(hosts=200))
    assert len(big.hosts) == 200
    with pytest.raises(EstateError, match="no estate named"):
        load_estate("atlantis")
    with CMSimulator(generate_estate(hosts=20, api_version=41)) as sim:
        assert _get(sim.url + "/api/version") == (200, "v41")


def test_simulator_in_its_own_process_stops_cleanly():
    from sandbox.cloudera.process import spawn_simulator

    with spawn_simulator("healthy", latency_ms=1) as url:
        assert _get(url + "/api/version") == (200, "v41")
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/api/version", timeout=2)


def test_a_stopped_simulator_answers_nothing_on_kept_alive_connections(cm_factory, cm_connect):
    from connectors.cloudera import UnreachableError

    sim = cm_factory("fieldnote")
    cm = cm_connect(sim, max_workers=1)
    assert cm.version()  # opens a keep-alive connection in the connector's pool
    sim.stop()
    with pytest.raises(UnreachableError):
        cm.clusters()
