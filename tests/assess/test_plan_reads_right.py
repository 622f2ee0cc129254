"""`/migrate plan` reads right (issues 15 and 11): only unfinished transfers count, a size the start
card learnt from the engine counts, the table fits a Slack message, each transfer says where its
work runs, and work too big for Ferry's one process is warned about. Each test reads the reply as
Slack gets it (validated Block Kit)."""

from __future__ import annotations

import json

from features.transfers import api as transfers_api
from state import runs
from tests.assess.conftest import assert_slack_valid, run_verb
from tests.assess.test_plan import app_yaml

FOUR = """
transfers:
  - {id: hdfs-events, kind: cloudera-replication, schedule: 1, size: 600GB}
  - {id: hbase-replication, kind: cloudera-replication, schedule: 2, service: hbase, size: 200GB}
  - {id: landing-bucket-with-a-long-name, kind: datasync, task_arn: "arn:aws:datasync:eu-west-1:111222333444:task/task-00000000000000003", size: 2MB}
  - {id: warehouse, kind: redshift-snapshot, source_cluster: asis-warehouse, target_cluster: tobe}
"""


def reply_text(rt, verb="plan"):
    reply = run_verb(rt, verb)
    payload = assert_slack_valid(reply.message)
    return reply, payload, json.dumps(payload, ensure_ascii=False)


def code_lines(payload) -> list[str]:
    out = []
    for b in payload["blocks"]:
        text = (b.get("text") or {}).get("text", "")
        if text.startswith("```"):
            out += text.strip("`\n").splitlines()
    return out


def test_finished_transfers_are_not_counted(plan_rt):
    rt = plan_rt(app_yaml(FOUR))
    for tid in ("hdfs-events", "hbase-replication", "landing-bucket-with-a-long-name"):
        runs.create(rt.store, "transfer", tid, state="done", detail={"progress": {"bytes_total": 1, "bytes_done": 1}})
    transfers_api.remember_size(rt.services, "warehouse", 80 * 10**9, "estimate")
    reply, payload, text = reply_text(rt)
    assert "80.0 GB in 1 transfer (3 done)" in text
    table = code_lines(payload)
    assert [line.split()[0] for line in table[2:]] == ["warehouse"]  # the done ones are not rows
    assert "Done: `hdfs-events`, `hbase-replication`, `landing-bucket-with-a-long-name`." in text
    assert reply.data["open"] == ["warehouse"]


def test_a_size_the_start_card_learnt_counts_in_the_eta(plan_rt):
    rt = plan_rt(app_yaml(FOUR))
    reply, _, text = reply_text(rt)
    assert reply.data["unknown"] == ["warehouse"] and "No volume for `warehouse`" in text
    transfers_api.remember_size(rt.services, "warehouse", 80 * 10**9, "estimate")  # what `/migrate start` saw
    reply, _, text = reply_text(rt)
    assert reply.data["unknown"] == [] and "No volume" not in text
    assert "880.0 GB in 4 transfers" in text and "size estimated by its engine" in text
    warehouse = next(t for t in reply.data["transfers"] if t["id"] == "warehouse")
    assert warehouse["left_bytes"] == 80e9 and warehouse["eta_s"] == 80e9 / 875e6


def test_the_table_is_narrow_enough_for_a_slack_message(plan_rt):
    rt = plan_rt(app_yaml(FOUR))
    _, payload, _ = reply_text(rt)
    lines = code_lines(payload)
    assert len(lines) == 2 + 4
    assert max(len(line) for line in lines) <= 60, "\n".join(lines)
    assert "landing-bucket-wi…" in lines[4]


def test_each_transfer_says_where_it_runs(plan_rt):
    rt = plan_rt(app_yaml(FOUR + "  - {id: hbase-orders, kind: hbase-copy, table: orders, size: 2GB}\n"))
    reply, payload, text = reply_text(rt)
    where = {t["id"]: (t["runs_on"], t["runs_on_text"]) for t in reply.data["transfers"]}
    assert where["hdfs-events"][0] == "CM/YARN" and "distcp on YARN" in where["hdfs-events"][1]
    assert "ExportSnapshot" in where["hbase-replication"][1] and "Cloudera Manager" in where["hbase-replication"][1]
    assert where["landing-bucket-with-a-long-name"][0] == "DataSync"
    assert where["warehouse"][0] == "Redshift" and where["hbase-orders"][0] == "Ferry"
    for _label, sentence in where.values():
        assert sentence in text
    rows = {line.split()[0]: line for line in code_lines(payload)[2:]}
    assert rows["hbase-orders"].endswith("Ferry") and rows["warehouse"].endswith("Redshift")
    assert reply.data["warnings"] == []  # 2 GB is well below the threshold


def test_warns_of_big_work_through_ferrys_own_process(plan_rt):
    rt = plan_rt(app_yaml("""
transfers:
  - {id: hbase-orders, kind: hbase-copy, table: orders, size: 300GB}
  - {id: hbase-small, kind: hbase-copy, table: small, size: 3GB}
  - {id: hbase-events, kind: hbase-copy, table: events}
tables:
  - {id: orders, as-is: {hbase: orders}, to-be: {hbase: orders}, engine: thrift}
  - {id: events, as-is: {hbase: events}, to-be: {hbase: events}, rows: 4000000000}
  - {id: small, as-is: {hbase: small}, to-be: {hbase: small}}
mapreduce: {above_size: 100GB}
"""))
    reply, _, text = reply_text(rt)
    warnings = reply.data["warnings"]
    assert len(warnings) == 4, warnings
    assert warnings[0].startswith("`hbase-orders` would copy 300.0 GB through Ferry's one process")
    assert "`mapreduce.above_size` (100.0 GB)" in warnings[0] and "service: hbase" in warnings[0]
    # no size known for this copy, but its table's `rows:` hint is above the threshold
    assert warnings[1].startswith("`hbase-events` would copy 4,000,000,000 rows")
    assert "`mapreduce.above_rows` (50,000,000)" in warnings[1]
    assert warnings[2].startswith("Table `orders` (300.0 GB) is counted and compared over Thrift")
    assert warnings[3].startswith("Table `events` (4,000,000,000 rows)")  # no gateway/yarn: thrift by default
    assert "engine: mapreduce" in warnings[3]
    assert text.count(":warning:") == 4 and "hbase-small" not in "".join(warnings)
