"""The sandbox as `make demo` starts it: `orders` is on `engine: mapreduce`, and its seeded drift
(3 rows missing on TO-BE, 1 changed cell) is found exactly through the gateways and YARN."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from commands.context import Services
from features.registry import load_config, open_store
from features.validation import mapreduce_backend, runner
from sandbox.aws import AwsSeedSpec
from sandbox.stack import SandboxStack, SeedSizes


@pytest.fixture(scope="module")
def stack():
    root = Path(tempfile.mkdtemp(prefix="ferry-mr-stack-"))
    root.chmod(0o755)
    spec = AwsSeedSpec(asis_bucket="ferry-asis-mrstack", tobe_bucket="ferry-tobe-mrstack")
    with SandboxStack(data_dir=str(root / "data"), sizes=SeedSizes(hbase_orders=4_000, warehouse_events=500),
                      aws_spec=spec) as s:
        yield s
    shutil.rmtree(root, ignore_errors=True)


def test_sandbox_orders_runs_on_mapreduce_and_finds_the_drift_exactly(stack, monkeypatch):
    for key, value in stack.env.items():
        monkeypatch.setenv(key, value)
    cfg = load_config(str(stack.config_path))
    assert mapreduce_backend.engine(cfg, cfg.tables.get("orders")) == "mapreduce"
    assert mapreduce_backend.engine(cfg, cfg.tables.get("customers")) == "thrift"
    assert stack.mapreduce.known_hosts.exists() and stack.mapreduce.client_key.stat().st_mode & 0o077 == 0
    services = Services(config=cfg, store=open_store(cfg.state.path))
    report = stack.hbase_report

    count = runner.create(services, "orders:count", tables=["orders"], check="count", started_by=None, origin="test")
    done = runner.execute_with(services, count.id)
    r = done.detail["results"]["orders"]
    assert (done.state, r["rows_asis"], r["rows_tobe"]) == ("mismatch", 4_000, 3_997)

    full = runner.create(services, "orders:full", tables=["orders"], check="full", started_by=None, origin="test")
    done = runner.execute_with(services, full.id)
    r = done.detail["results"]["orders"]
    assert done.state == "mismatch", done.error
    assert sorted(r["missing"]) == sorted(k.decode() for k in report.missing_keys) and r["extra"] == []
    assert [(c["key"], c["columns"]) for c in r["changed"]] == [
        (c.row.decode(), [c.column.decode()]) for c in report.changed_cells]
    assert r["stats"]["engine"] == "mapreduce"
    gateways = stack.mapreduce.gateway
    assert any("RowCounter" in c for c in gateways["as-is"].commands)
    assert any("HashTable" in c for c in gateways["as-is"].commands)
    assert any("SyncTable" in c for c in gateways["to-be"].commands)
