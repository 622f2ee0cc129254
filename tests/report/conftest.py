"""A migration with some history: two assessments of AS-IS (one finding fixed in between), a
transfer run, a validation that failed then passed (real runs against the sandbox's HBase), and a
cutover step rejected once (with a reason that looks like markup) then approved by two people."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.who import Who
from features.cutover import approvals
from features.registry import load_config, open_store
from features.services import Services
from features.transfers import samples
from features.validation import api as validations
from state import runs
from tests.fixtures.slack import APPROVERS, BASE_CONFIG, OPERATOR
from tests.validation.conftest import VALIDATION_CONFIG, estates
from tests.validation.test_slack_flow import fix_tobe

BOB, CAROL, DAVE = APPROVERS
HOSTILE = '<script>alert("x")</script> & <b>not bold</b>'

EXTRA = """
network:
  source_bandwidth: 80Mbit/s
  usable_fraction: 0.5
transfers:
  - id: hbase-orders
    kind: hbase-copy
    table: orders
  - id: users-copy
    kind: hbase-copy
    table: users
cutover:
  steps:
    - id: freeze-writes
      title: Freeze writes <now>
      approvals: 2
    - id: switch-clients
      title: Switch clients to TO-BE
      approvals: 1
      gates:
        after: [freeze-writes]
"""


def finding(rule: str, severity: str, title: str, scope: str = "") -> dict:
    return {"rule": rule, "severity": severity, "title": title, "evidence": f"evidence of {title} <3 hosts>",
            "why": "it matters", "fix": "fix it", "hosts": [], "numbers": {}, "scope": scope,
            "key": f"{rule}:{scope}" if scope else rule}


@dataclass
class History:
    config_path: Path
    services: Services
    transfer_run: str
    env: dict[str, str]


@pytest.fixture
def history(tmp_path, hbase_seeded_factory, warehouse, monkeypatch) -> History:
    monkeypatch.setenv("WH_PASSWORD", warehouse.password)
    seeded = hbase_seeded_factory(rows=2_000, regions=4)
    head = BASE_CONFIG.split("estates:")[0]
    path = tmp_path / "app.yaml"
    path.write_text(head + estates(seeded.asis, seeded.tobe, warehouse) + VALIDATION_CONFIG.format() + EXTRA)
    cfg = load_config(str(path))
    services = Services(config=cfg, store=open_store(cfg.state.path))  # no scheduler: jobs run inline
    store = services.store

    # assessments, stored as features/assess/job.py stores them
    for found in ([finding("kafka-partitions", "high", "Kafka partitions not a multiple of brokers", "kafka"),
                   finding("zk-colocated", "medium", "ZooKeeper shares hosts with Kafka")],
                  [finding("zk-colocated", "medium", "ZooKeeper shares hosts with Kafka")]):
        run = runs.create(store, "assessment", "as-is", started_by=OPERATOR)
        runs.update(store, run.id, state="done", detail={
            "side": "as-is", "cluster": "fieldnote", "cm_version": "6.3.4", "cdh_version": "6.3.2", "hosts": 9,
            "findings": found, "counts": {"high": sum(f["severity"] == "high" for f in found),
                                          "medium": 1, "low": 0, "info": 0}})
        time.sleep(0.01)

    # a transfer run as the watcher records it: 9.5 MB moved in 38 s of copying (a pause of 20 s)
    t0 = time.time() - 60
    run = runs.create(store, "transfer", "hbase-orders", started_by=OPERATOR,
                      detail={"transfer": "hbase-orders", "kind": "hbase-copy", "rate": 250_000.0})
    for i in range(20):
        at = t0 + i * 2 + (20 if i >= 10 else 0)
        samples.add(store, run.id, at, i * 500_000, 250_000.0)
    runs.update(store, run.id, state="done", merge={
        "started_at": t0, "ended_at": t0 + 58, "active_s": 38.0, "bytes_at_start": 0,
        "progress": {"bytes_done": 9_500_000, "bytes_total": 9_500_000, "fraction": 1.0, "avg_bps": 250_000.0}})

    # orders-count: mismatch, mismatch, passed (real counts on the seeded HBase pair)
    validations.run(services, "orders-count", None)
    validations.run(services, "orders-count", None)
    fix_tobe(seeded)
    validations.run(services, "orders-count", None)

    # the cutover's first step: requested by alice, rejected by dave, requested again, approved by bob and carol
    alice = Who(OPERATOR, "T0SANDBOX")
    approvals.request(services, alice, "freeze-writes|1")
    approvals.reject(services, Who(DAVE, "T0SANDBOX"), "freeze-writes|freeze-writes#1", HOSTILE)
    approvals.request(services, alice, "freeze-writes|2")
    approvals.approve(services, Who(BOB, "T0SANDBOX"), "freeze-writes|freeze-writes#2")
    approvals.approve(services, Who(CAROL, "T0SANDBOX"), "freeze-writes|freeze-writes#2")
    return History(path, services, run.id, {"WH_PASSWORD": warehouse.password})
