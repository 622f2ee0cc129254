"""`/migrate plan`: volume ÷ usable bandwidth per transfer, the total, the bottleneck named; a running
transfer's measured throughput replaces the estimate."""

from __future__ import annotations

import json

import pytest

from features.plan import eta as plan_module
from state import runs
from tests.assess.conftest import assert_slack_valid, run_verb
from tests.fixtures.slack import APPROVERS, CHANNEL, OPERATOR

MB = 1e6


def app_yaml(transfers: str = "", network: str = "{source_bandwidth: 10Gbit/s, usable_fraction: 0.7}") -> str:
    side = ('{{cloudera: {{url: "http://cm-{0}.test:7180", username: admin, password: "${{FERRY_TEST_CM_PASSWORD}}"}}, '
            'hbase: {{host: hbase-{0}.test}}, aws: {{region: eu-west-1}}}}')
    return (f"slack: {{channel: {CHANNEL}}}\npeople: {{operators: [{OPERATOR}], approvers: [{APPROVERS[0]}]}}\n"
            f"state: {{path: state.sqlite}}\nestates:\n  as-is: {side.format('asis')}\n  to-be: {side.format('tobe')}\n"
            f"network: {network}\n" + transfers)


TWO = """
transfers:
  - {id: hdfs-data, kind: cloudera-replication, schedule: 1, size: 2TB}
  - {id: hbase-orders, kind: hbase-copy, table: orders, size: 500GB, rate: 1GB/s}
"""


def test_no_transfers_no_assessment(plan_rt):
    rt = plan_rt(app_yaml())
    reply = run_verb(rt, "plan")
    assert reply.data["transfers"] == [] and reply.data["eta_s"] is None
    text = json.dumps(assert_slack_valid(reply.message), ensure_ascii=False)
    assert "No transfers in app.yaml" in text and "875.0 MB/s (10 Gbit/s source link × 0.7 usable)" in text


def test_source_link_is_the_bottleneck(plan_rt):
    rt = plan_rt(app_yaml(TWO))
    p = plan_module.compute(rt.config, rt.store)
    by_id = {t.id: t for t in p.transfers}
    assert by_id["hdfs-data"].pace_bps == pytest.approx(875 * MB) and by_id["hdfs-data"].basis == "source link"
    assert by_id["hdfs-data"].eta_s == pytest.approx(2e12 / 875e6)
    assert by_id["hbase-orders"].pace_bps == pytest.approx(875 * MB)  # its 1 GB/s cap is above the link
    # together they share the source link: 2.5 TB / 875 MB/s
    assert p.eta_s == pytest.approx(2.5e12 / 875e6)
    assert p.bottleneck.startswith("the source's usable bandwidth: 875.0 MB/s (10 Gbit/s source link")
    reply = run_verb(rt, "plan")
    text = json.dumps(assert_slack_valid(reply.message), ensure_ascii=False)
    assert "47m 37s" in text and "Bottleneck" in text


def test_a_rate_cap_can_be_the_bottleneck(plan_rt):
    rt = plan_rt(app_yaml(TWO.replace("rate: 1GB/s", "rate: 50MB/s")))
    p = plan_module.compute(rt.config, rt.store)
    assert p.eta_s == pytest.approx(5e11 / 50e6)
    assert p.bottleneck == "`hbase-orders` at 50.0 MB/s (rate cap)"


def test_measured_throughput_of_a_running_transfer(plan_rt):
    rt = plan_rt(app_yaml(TWO))
    runs.create(rt.store, "transfer", "hdfs-data", state="running", detail={
        "progress": {"bytes_total": 2.45e12, "bytes_done": 1.45e12, "rate_bps": 120 * MB, "avg_bps": 118 * MB}})
    p = plan_module.compute(rt.config, rt.store)
    t = next(x for x in p.transfers if x.id == "hdfs-data")
    assert (t.state, t.left_bytes, t.pace_bps, t.basis) == ("running", 1e12, 120 * MB, "measured")
    assert t.eta_s == pytest.approx(1e12 / 120e6)
    assert p.eta_s == pytest.approx(1e12 / 120e6)
    assert p.bottleneck == "`hdfs-data` at 120.0 MB/s (measured)"


def test_finished_transfer_has_nothing_left(plan_rt):
    rt = plan_rt(app_yaml(TWO))
    runs.create(rt.store, "transfer", "hdfs-data", state="done", detail={"progress": {"bytes_total": 2e12,
                                                                                      "bytes_done": 2e12}})
    p = plan_module.compute(rt.config, rt.store)
    assert next(x for x in p.transfers if x.id == "hdfs-data").left_bytes == 0
    assert p.eta_s == pytest.approx(5e11 / 875e6)


def test_target_link_below_the_source_share(plan_rt):
    rt = plan_rt(app_yaml(TWO, "{source_bandwidth: 10Gbit/s, usable_fraction: 0.7, target_bandwidth: 1Gbit/s}"))
    p = plan_module.compute(rt.config, rt.store)
    assert p.link.usable_bps == pytest.approx(125 * MB)
    assert "the TO-BE link (1 Gbit/s) is below the source's usable 875.0 MB/s" in p.bottleneck


def test_unknown_volume_and_no_bandwidth(plan_rt):
    rt = plan_rt(app_yaml("transfers:\n  - {id: hdfs-data, kind: cloudera-replication, schedule: 1}\n", "{}"))
    reply = run_verb(rt, "plan")
    assert reply.data["unknown"] == ["hdfs-data"] and reply.data["eta_s"] is None
    text = json.dumps(assert_slack_valid(reply.message), ensure_ascii=False)
    assert "set `size:`" in text and "set `network.source_bandwidth`" in text


def test_whole_hdfs_from_the_latest_assessment(plan_rt):
    rt = plan_rt(app_yaml())
    run = runs.create(rt.store, "assessment", "as-is", detail={})
    runs.update(rt.store, run.id, state="done", detail={"source_hdfs": {"logical_bytes": 2.6 * 2**40}})
    reply = run_verb(rt, "plan")
    assert reply.data["hdfs"]["eta_s"] == pytest.approx(2.6 * 2**40 / 875e6)
    assert "Whole HDFS of AS-IS" in json.dumps(assert_slack_valid(reply.message), ensure_ascii=False)


def test_plan_takes_no_arguments(plan_rt):
    rt = plan_rt(app_yaml())
    assert "takes no arguments" in run_verb(rt, "plan now").data["error"]
