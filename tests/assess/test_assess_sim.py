"""`/migrate assess` against the Cloudera Manager simulator, through the real connector (cm-client):
the field note's findings with their hosts and numbers, a healthy cluster, AS-IS vs TO-BE, what
changed between two assessments, and CM failures (each a clear message and a failed run)."""

from __future__ import annotations

import json

import pytest

from bot import cli
from core.message import Table
from features.assess.hostmap import MARK
from sandbox.cloudera import CMSimulator, generate_estate
from state import runs
from tests.assess.conftest import WRONG_PASSWORD_ENV, assert_slack_valid, fieldnote_dict, posted, run_verb


def by_rule(data: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in data["findings"]:
        out.setdefault(f["rule"], []).append(f)
    return out


@pytest.fixture
def fieldnote_run(cm_fieldnote, write_app_yaml, runtime_for):
    rt = runtime_for(write_app_yaml(as_is=cm_fieldnote.url))
    reply = run_verb(rt, "assess")
    return rt, reply


def test_fieldnote_yields_the_field_note_findings(fieldnote_run):
    rt, reply = fieldnote_run
    data = reply.data
    assert data["state"] == "done" and data["cluster"] == "Cluster 1"
    found = by_rule(data)
    # field-note finding 1: ZooKeeper on the Kafka broker hosts
    (zk,) = found["zk-on-kafka-hosts"]
    assert zk["severity"] == "high" and zk["hosts"] == ["fn-worker-1", "fn-worker-2", "fn-worker-3"]
    # field-note finding 2: num.partitions 10 on 3 brokers -> 4/3/3
    (kp,) = found["kafka-partitions-not-multiple"]
    assert kp["numbers"]["num_partitions"] == 10 and kp["numbers"]["brokers"] == 3
    assert kp["numbers"]["spread"] == [4, 3, 3] and "4/3/3" in kp["evidence"]
    assert kp["numbers"]["replicas_by_host"] == {"fn-worker-1": 74, "fn-worker-2": 68, "fn-worker-3": 68}
    # Kerberos off, and the DataNode imbalance: fn-worker-3 at 82% vs a mean of 65%
    assert found["kerberos-off"][0]["severity"] == "high"
    (dn,) = found["hdfs-datanode-imbalance"]
    assert dn["hosts"] == ["fn-worker-3"]
    assert dn["numbers"]["used_pct"] == {"fn-worker-1": 55.0, "fn-worker-2": 58.0, "fn-worker-3": 82.0}
    assert dn["numbers"]["mean_pct"] == 65.0 and "fn-worker-3 at 82% vs a mean of 65% (+17 points)" in dn["evidence"]
    # and the rest the estate was built with
    for rule in ("kafka-replication-factor", "wire-encryption-off", "hdfs-namenode-ha", "stale-configuration",
                 "health-concerning", "zk-on-data-hosts", "disk-image-copy"):
        assert rule in found, rule
    assert "hbase-region-skew" not in found and "clock-offset" not in found


def test_fieldnote_run_record_and_card(fieldnote_run):
    rt, reply = fieldnote_run
    run = runs.get(rt.store, reply.data["run_id"])
    assert run.kind == "assessment" and run.subject == "as-is" and run.state == "done"
    assert len(run.detail["findings"]) == len(reply.data["findings"]) and run.detail["summary"].startswith("4 high")
    (card,) = posted(rt)
    payload = assert_slack_valid(card)
    text = json.dumps(payload)
    assert "Assessment of AS-IS" in text and "CM 6.3.1" in text and "CDH/CDP 6.3.2" in text
    assert "ZooKeeper shares hosts with Kafka brokers" in text and "4/3/3" in text
    assert "54m" in text  # 2.6 TiB of HDFS data at 875 MB/s usable
    table = next(b for b in card.blocks if isinstance(b, Table))
    worker = next(r for r in table.rows if r[0] == "fn-worker-1")
    assert worker[1] == MARK and worker[2] == MARK and "ZK+Kafka" in worker[-1]  # co-location visible
    # the complete report goes to the card's thread: every finding, with evidence and fix
    for f in reply.data["findings"]:
        assert f["title"] in card.attachment
    assert "HOSTS x ROLES" in card.attachment


def test_healthy_estate_has_no_high_or_critical_finding(cm_healthy, write_app_yaml, runtime_for):
    rt = runtime_for(write_app_yaml(as_is=cm_healthy.url, cluster="healthy"))
    data = run_verb(rt, "assess").data
    assert data["state"] == "done"
    assert [f["rule"] for f in data["findings"] if f["severity"] in ("critical", "high")] == []
    assert data["counts"]["critical"] == data["counts"]["high"] == 0
    assert_slack_valid(posted(rt)[0])


def test_tobe_lists_the_configuration_differences(cm_fieldnote, cm_fieldnote_tobe, write_app_yaml, runtime_for):
    rt = runtime_for(write_app_yaml(as_is=cm_fieldnote.url, to_be=cm_fieldnote_tobe.url))
    data = run_verb(rt, "assess to-be").data
    assert data["state"] == "done" and data["side"] == "to-be"
    matter = [d for d in data["differences"] if d["matters"]]
    assert matter == [{"area": "HBASE REGIONSERVER", "name": "hbase_regionserver_java_heapsize",
                       "as_is": "8 GiB", "to_be": "4 GiB", "matters": True}]
    (f,) = by_rule(data)["same-config"]
    assert f["scope"] == "HBASE REGIONSERVER/hbase_regionserver_java_heapsize"
    assert "tobe-capacity" not in by_rule(data)  # the empty TO-BE has room for AS-IS's 2.6 TiB x 3
    (card,) = posted(rt)
    text = json.dumps(assert_slack_valid(card))
    assert "AS-IS vs TO-BE" in text and "8 GiB" in text and "4 GiB" in text
    assert by_rule(data)["zk-on-kafka-hosts"][0]["hosts"] == ["fn-worker-1", "fn-worker-2", "fn-worker-3"]


def test_second_assessment_says_what_is_new_and_what_was_fixed(cm_factory, write_app_yaml, runtime_for):
    before = cm_factory("fieldnote")
    estate = fieldnote_dict()
    cluster = estate["clusters"][0]
    kafka = next(s for s in cluster["services"] if s["type"] == "KAFKA")
    kafka["config"]["num.partitions"] = 12  # fixed: a multiple of 3 brokers
    next(h for h in cluster["hosts"] if h["hostname"].startswith("fn-worker-2"))["clock_offset_ms"] = 4500  # new
    after = cm_factory(estate)
    rt1 = runtime_for(write_app_yaml("before.yaml", as_is=before.url))
    first = run_verb(rt1, "assess").data
    assert first["changes"]["previous_run"] is None
    rt2 = runtime_for(write_app_yaml("after.yaml", as_is=after.url))  # same state file
    second = run_verb(rt2, "assess").data
    changes = second["changes"]
    assert changes["previous_run"] == first["run_id"]
    assert changes["new"] == ["clock-offset"]
    assert [f["key"] for f in changes["fixed"]] == ["kafka-partitions-not-multiple"]
    assert changes["unchanged"] == len(first["findings"]) - 1
    card = posted(rt2)[-1]
    text = json.dumps(assert_slack_valid(card))
    assert "1 new" in text and "1 fixed" in text and "Kafka num.partitions is not a multiple" in text


# -- failures of Cloudera Manager: a clear message, a failed run with the reason, a bot that answers --------
def _failed(rt, reply, *expected: str) -> None:
    assert reply.data["state"] == "failed"
    error = reply.data["error"]
    for word in expected:
        assert word in error, error
    run = runs.get(rt.store, reply.data["run_id"])
    assert run.state == "failed" and run.error == error
    card = posted(rt)[-1]
    assert ":x:" in card.blocks[0].text and error in card.blocks[0].text
    assert_slack_valid(card)
    assert "not-the-password" not in json.dumps(card.to_dict()) + error
    assert "Ferry: /migrate verbs" in run_verb(rt, "help").message.text  # still answering


def test_wrong_password(cm_fieldnote, write_app_yaml, runtime_for):
    rt = runtime_for(write_app_yaml(as_is=cm_fieldnote.url, password_env=WRONG_PASSWORD_ENV))
    _failed(rt, run_verb(rt, "assess"), "user name and password", cm_fieldnote.url)


def test_unknown_cluster(cm_fieldnote, write_app_yaml, runtime_for):
    rt = runtime_for(write_app_yaml(as_is=cm_fieldnote.url, cluster="Cluster 9"))
    _failed(rt, run_verb(rt, "assess"), "Cluster 9", "Cluster 1")  # names the clusters that exist


def test_cm_down(cm_factory, write_app_yaml, runtime_for):
    sim = cm_factory("fieldnote")
    url = sim.url
    sim.stop()
    rt = runtime_for(write_app_yaml(as_is=url))
    _failed(rt, run_verb(rt, "assess"), "refused", "7180")


def test_tobe_still_reported_when_asis_is_down(cm_factory, cm_fieldnote_tobe, write_app_yaml, runtime_for):
    sim = cm_factory("fieldnote")
    url = sim.url
    sim.stop()
    rt = runtime_for(write_app_yaml(as_is=url, to_be=cm_fieldnote_tobe.url))
    data = run_verb(rt, "assess to-be").data
    assert data["state"] == "done" and data["differences"] == []
    assert any("AS-IS could not be read" in w for w in data["warnings"])


def test_side_without_cloudera_and_bad_side(cm_fieldnote, write_app_yaml, runtime_for):
    rt = runtime_for(write_app_yaml(as_is=cm_fieldnote.url))
    reply = run_verb(rt, "assess to-be")
    assert "estates.to-be.cloudera is not configured" in reply.data["error"]
    assert runs.recent(rt.store, kind="assessment") == []
    reply = run_verb(rt, "assess staging")
    assert "is not a side" in reply.data["error"] and reply.data["usage"] == "assess"


# -- `python -m bot run assess --json` ---------------------------------------------------------------
def test_cli_run_prints_the_result_and_the_card(cm_fieldnote, write_app_yaml, capsys):
    path = write_app_yaml(as_is=cm_fieldnote.url)
    code = cli.main(["run", "assess", "as-is", "--config", str(path), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["ok"] is True
    assert out["result"]["state"] == "done" and out["result"]["counts"]["high"] == 4
    assert any(f["rule"] == "zk-on-kafka-hosts" for f in out["result"]["findings"])
    (card,) = out["messages"]
    assert card["text"].startswith("Assessment of AS-IS (Cluster 1)") and card["attachment"]


def test_cli_run_failure_exits_non_zero(cm_fieldnote, write_app_yaml, capsys):
    path = write_app_yaml(as_is=cm_fieldnote.url, password_env=WRONG_PASSWORD_ENV)
    code = cli.main(["run", "assess", "--config", str(path), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 2 and out["ok"] is False and "401" in out["result"]["error"] + str(out["messages"])


# -- a large cluster stays inside Slack's limits ----------------------------------------------------------
def test_200_host_estate_card_within_limits(write_app_yaml, runtime_for):
    with CMSimulator(generate_estate(200)) as sim:
        rt = runtime_for(write_app_yaml(as_is=sim.url, cluster="generated"))
        data = run_verb(rt, "assess").data
    assert data["state"] == "done" and data["hosts"] == 200
    (card,) = posted(rt)
    assert_slack_valid(card)
    table = next(b for b in card.blocks if isinstance(b, Table))
    assert len(table.rows) < 20 and any("(189)" in r[0] for r in table.rows)  # hosts grouped by their roles
    assert card.attachment.count("worker-") >= 189  # the complete map, host by host, in the thread


# -- a restart in the middle of an assessment ------------------------------------------------------------
def test_start_up_fails_interrupted_and_requeues_waiting(cm_fieldnote, write_app_yaml, runtime_for):
    from features.assess import job
    from jobs.inline import InlineJobs

    rt = runtime_for(write_app_yaml(as_is=cm_fieldnote.url))
    cut = runs.create(rt.store, "assessment", "as-is", state="running")
    waiting = runs.create(rt.store, "assessment", "to-be", state="pending")
    rt.services.jobs = InlineJobs(services=rt.services)
    job.on_start(rt.services)
    assert runs.get(rt.store, cut.id).state == "failed" and "interrupted" in runs.get(rt.store, cut.id).error
    # the waiting one ran: TO-BE has no CM in this config, so it fails saying so
    assert "estates.to-be.cloudera is not configured" in runs.get(rt.store, waiting.id).error
    assert sorted(m.text.split(":")[0] for m in posted(rt)) == ["Assessment of AS-IS failed", "Assessment of TO-BE failed"]
    reply = run_verb(rt, "assess")  # nothing left "running" blocks a new assessment
    assert reply.data["state"] == "done"
