"""The `transfers:` section (typed, errors that name the key), the progress card (inside Slack's
limits in every state, coalesced to one update per interval), and the after-transfer hooks."""

from __future__ import annotations

import time

import pytest
from slack_sdk.models.blocks import Block

import config
from bot import blocks as block_kit
from config import ConfigError
from features.registry import load_config, vocabulary
from features.transfers import card, watcher
from features.transfers.backend import Progress
from features.transfers.hbase_copy import HBaseCopyParams
from state import outbox, runs
from tests.transfers.conftest import config_text

ROOT_APP = __import__("pathlib").Path(__file__).resolve().parents[2] / "app.yaml"


def load(transfers: str, **kw):
    text, env = config_text(transfers, **kw)
    return config.load_text(text, env=env, **vocabulary())


class _HB:
    host, port = "127.0.0.1", 9090


def test_parses_a_transfer_with_units_and_defaults():
    cfg = load("""
        - id: hbase-orders
          kind: hbase-copy
          table: orders
          rate: 200MB/s
          size: 2TB
          stall_alert_after: 30m
          tables: [orders]
        """, asis={"hbase": _HB}, tobe={"hbase": _HB})
    t = cfg.transfers.get("hbase-orders")
    assert (t.kind, t.source, t.target, t.rate, t.size) == ("hbase-copy", "as-is", "to-be", 200e6, 2 * 10**12)
    assert t.stall_alert_after_s == 1800 and t.poll_every_s == 5.0 and t.tables == ("orders",)
    assert t.params == HBaseCopyParams(table="orders") and t.params.target == "orders"
    assert cfg.transfers.ids == ["hbase-orders"] and len(cfg.transfers) == 1


@pytest.mark.parametrize("body, key, problem", [
    ("- {id: a, kind: distcp}", "transfers[0].kind", "is not one of"),
    ("- {id: a, kind: hbase-copy}", "transfers[0].table", "is required"),
    ("- {id: a, kind: hbase-copy, table: t, rate: fast}", "transfers[0].rate", "is not a rate"),
    ("- {id: a, kind: hbase-copy, table: t, tabel: x}", "transfers[0].tabel", "did you mean 'table'"),
    ("- {id: a, kind: hbase-copy, table: t}\n- {id: a, kind: hbase-copy, table: u}", "transfers[1].id", "duplicate"),
    ("- {id: a, kind: hbase-copy, table: t, from: to-be, to: to-be}", "transfers[0].to", "both are"),
    ("- {id: a, kind: datasync, task_arn: nope}", "transfers[0].task_arn", "DataSync task ARN"),
    ("- {id: a, kind: cloudera-replication, schedule: 1}", "transfers[0].kind", "estates.to-be.cloudera"),
    ("- {id: a, kind: hbase-copy, table: t, poll_every: 0.01s}", "transfers[0].poll_every", "at least"),
])
def test_errors_name_the_key(body, key, problem):
    with pytest.raises(ConfigError) as caught:
        load(body, asis={"hbase": _HB}, tobe={"hbase": _HB})
    assert caught.value.key == key and problem in caught.value.problem


def test_the_repository_app_yaml_has_the_field_note_transfers():
    env = {k: "x" for k in ("CM_ASIS_PASSWORD", "CM_TOBE_PASSWORD", "WAREHOUSE_ASIS_PASSWORD",
                            "WAREHOUSE_TOBE_PASSWORD")}
    import os
    cfg = load_config(str(ROOT_APP), env={**os.environ, **env})
    kinds = {t.id: t.kind for t in cfg.transfers}
    assert kinds == {"hdfs-warehouse": "cloudera-replication", "hbase-orders": "hbase-copy",
                     "landing-bucket": "datasync", "warehouse": "redshift-snapshot"}


TRANSFERS = """
- id: hbase-orders
  kind: hbase-copy
  table: orders
- id: warehouse
  kind: redshift-snapshot
  source_cluster: a
  target_cluster: b
"""


class _Aws:
    def connect_kwargs(self):
        return {"region": "eu-west-1", "endpoint_url": "http://127.0.0.1:9", "access_key_id": "AKIAX",
                "secret_access_key": "s"}


@pytest.fixture
def services(make_services):
    return make_services(TRANSFERS, asis={"hbase": _HB, "aws": _Aws()}, tobe={"hbase": _HB, "aws": _Aws()})


@pytest.mark.parametrize("state", ["pending", "running", "paused", "stalled", "done", "failed", "cancelled"])
@pytest.mark.parametrize("tid", ["hbase-orders", "warehouse"])
def test_card_renders_inside_slack_limits_in_every_state(services, state, tid):
    transfer = services.config.transfers.get(tid)
    run = runs.create(services.store, "transfer", tid, state=state, started_by="U0ALICE01", detail={
        "started_at": time.time() - 3700, "rate": 50e6, "stall": {"since": time.time(), "reason": "x" * 5000},
        "progress": {"bytes_done": 10**9, "bytes_total": 4 * 10**9, "fraction": 0.25, "rate_bps": 4e6,
                     "avg_bps": 3e6, "eta_s": 750, "step": "region 3/8"}})
    if state == "failed":
        run = runs.update(services.store, run.id, error="HBase table 'orders' does not exist " * 50)
    message = card.render(transfer, run)
    rendered = block_kit.render(message)
    assert len(rendered["blocks"]) <= 50
    for b in rendered["blocks"]:
        Block.parse(b).validate_json()
    text = str(rendered)
    assert "Transfer " + tid in text and "1.0 GB of 4.0 GB" in text and "1h 01m" in text
    if state in ("running", "stalled", "pending"):
        assert "now 4.0 MB/s" in text and "12m 30s" in text
    labels = [b.label for b in message.buttons()]
    assert ("Pause" in labels) == (state in ("running", "stalled") and tid == "hbase-orders")
    assert ("Resume" in labels) == (state == "paused")


def test_card_updates_are_coalesced(services, monkeypatch):
    monkeypatch.setenv("FERRY_CARD_INTERVAL", "0.5")
    transfer = services.config.transfers.get("hbase-orders")
    run = runs.create(services.store, "transfer", "hbase-orders", state="running", detail={})
    for _ in range(5):
        run = card.post(services, transfer, run)
    assert len(outbox.pending(services.store)) == 1
    run = card.post(services, transfer, run, force=True)  # a change of state goes at once
    time.sleep(0.55)
    card.post(services, transfer, run)
    rows = [r for r in services.store.db.execute("SELECT card_key FROM outbox").fetchall()]
    assert rows == [(card.card_key(run.id),)] * 3


def test_after_transfer_hooks_run_once_and_a_failing_hook_does_not_stop_the_others(services):
    services.after_transfer = (_boom, _note)
    _NOTES.clear()
    transfer = services.config.transfers.get("hbase-orders")
    run = runs.create(services.store, "transfer", "hbase-orders", state="running", detail={"started_at": 1.0})
    watcher.record(services, transfer, run, Progress("done", 100, 100))
    watcher.after_transfer(services, runs.get(services.store, run.id))  # a second poll, a restart...
    assert _NOTES == [run.id]
    assert runs.get(services.store, run.id).state == "done"


_NOTES: list[str] = []


def _boom(services, run):
    raise RuntimeError("validation hook crashed")


def _note(services, run):
    _NOTES.append(run.id)


def test_the_sandbox_template_transfers_load():
    import re
    from pathlib import Path

    template = (Path(__file__).resolve().parents[2] / "sandbox" / "app.yaml.template").read_text()
    values = {"aws_datasync_task": "arn:aws:datasync:eu-west-1:123456789012:task/task-0123456789abcdef0",
              "aws_account": "123456789012", "state_path": "/tmp/ferry-template-test.sqlite",
              "hdfs_asis": "hdfs://127.0.0.1:8020", "hdfs_tobe": "hdfs://127.0.0.1:8020",
              "zookeeper_asis": "127.0.0.1:2181:/hbase", "zookeeper_tobe": "127.0.0.1:2181:/hbase"}
    text = re.sub(r"@@(\w+)@@", lambda m: values.get(m.group(1), "http://127.0.0.1:1" if "url" in m.group(1)
                                                      else "1"), template)
    env = {"FERRY_SANDBOX_CM_PASSWORD": "x", "FERRY_SANDBOX_WAREHOUSE_PASSWORD": "x", "FERRY_SANDBOX_AWS_SECRET": "x",
           "FERRY_SANDBOX_AWS_ACCESS_KEY": "x"}
    cfg = config.load_text(text, env=env, **vocabulary())
    assert {t.kind for t in cfg.transfers} == {"cloudera-replication", "hbase-copy", "datasync", "redshift-snapshot"}


def test_a_new_kind_is_read_from_what_its_engine_declares_without_touching_config():
    """The configuration knows no kind by name: it is handed them (features/transfers/kinds.py)."""
    from dataclasses import dataclass

    from config.transfers import TransferKind

    @dataclass(frozen=True)
    class RsyncParams:
        path: str

    kinds = {**vocabulary()["kinds"], "rsync": TransferKind(lambda r: RsyncParams(r.str("path")), (("hbase", "target"),))}
    text, env = config_text("- {id: files, kind: rsync, path: /data}", tobe={"hbase": _HB})
    cfg = config.load_text(text, env=env, kinds=kinds)
    assert cfg.transfers.get("files").params == RsyncParams("/data")
    with pytest.raises(ConfigError, match="needs estates.to-be.hbase"):
        config.load_text(config_text("- {id: files, kind: rsync, path: /data}")[0], env=env, kinds=kinds)
    with pytest.raises(ConfigError) as unknown:  # the stock kinds do not know it
        config.load_text(text, env=env, **vocabulary())
    assert unknown.value.key == "transfers[0].kind" and "rsync" in str(unknown.value)
    with pytest.raises(ConfigError, match="given no transfer kinds"):
        config.load_text(text, env=env)
