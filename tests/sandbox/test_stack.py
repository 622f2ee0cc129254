"""The whole sandbox: starts in one step, Ferry's config points at it, stops leaving nothing."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import happybase
import psycopg
import pytest

from connectors.cloudera import ClouderaManager
from features.registry import load_config
from sandbox.aws import AwsSeedSpec
from sandbox.stack import SandboxStack, SeedSizes

ROOT = Path(__file__).resolve().parents[2]


def postgres_pids_under(path: Path) -> list[int]:
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "postgres" in cmd and str(path) in cmd:
            pids.append(int(pid))
    return pids


def open_dir() -> Path:
    """A folder PostgreSQL's unprivileged user can enter (pytest's tmp_path is 0700 under root)."""
    path = Path(tempfile.mkdtemp(prefix="ferry-test-"))
    path.chmod(0o755)
    return path


@pytest.fixture
def open_tmp():
    path = open_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def stack():
    root = open_dir()
    # Bucket names are global in this process (other tests' AWS sandboxes may hold the defaults).
    spec = AwsSeedSpec(asis_bucket="ferry-asis-stack", tobe_bucket="ferry-tobe-stack")
    with SandboxStack(data_dir=str(root / "data"), sizes=SeedSizes(hbase_orders=2_000, warehouse_events=2_000),
                      aws_spec=spec) as s:
        yield s
    shutil.rmtree(root, ignore_errors=True)


def test_config_points_ferry_at_every_part(stack, monkeypatch):
    for key, value in stack.env.items():
        monkeypatch.setenv(key, value)
    cfg = load_config(str(stack.config_path))
    with ClouderaManager(cfg.as_is.cloudera.url, cfg.as_is.cloudera.username, cfg.as_is.cloudera.password) as cm:
        assert cm.inventory(cfg.as_is.cloudera.cluster).cm_version.startswith("6.3")
    conn = happybase.Connection(cfg.as_is.hbase.host, cfg.as_is.hbase.port)
    assert b"orders" in conn.tables()
    conn.close()
    with psycopg.connect(cfg.to_be.warehouse.dsn) as pg:
        assert pg.execute("SELECT COUNT(*) FROM public.events").fetchone()[0] == 2_000 - 2
    assert cfg.as_is.aws.endpoint_url == stack.aws.endpoint_url


def test_sandbox_text_keyed_table_drift_is_found_by_count_sample_and_full(stack, monkeypatch):
    """The sandbox config's `sessions` table (a text key) and its seeded drift, through the
    configured validation's own backends: found exactly by each check."""
    from features.validation.backends import opened
    from features.validation.count import count_table
    from features.validation.hashdiff import full_compare
    from features.validation.sample import sample_compare

    for key, value in stack.env.items():
        monkeypatch.setenv(key, value)
    cfg = load_config(str(stack.config_path))
    assert cfg.validations.get("sessions-full") is not None
    report = stack.warehouse_report
    table = "public.sessions"
    missing = sorted(k[0] for k in report.missing_keys(table))
    extra = sorted(k[0] for k in report.extra_keys(table))
    changed = {c.key[0]: [c.column] for c in report.changed if c.table == table}
    assert len(missing) == 2 and len(extra) == 1 and len(changed) == 4
    spec = cfg.tables.get("sessions")
    with opened(cfg, spec) as (a, b):
        count = count_table("sessions", a, b)
        results = [sample_compare("sessions", a, b, 10_000, seed=3), full_compare("sessions", a, b)]
    assert (count.rows_asis, count.rows_tobe) == (report.rows["asis"][table], report.rows["tobe"][table])
    assert count.difference == -1 and not count.passed
    for r in results:
        assert sorted(r.missing) == missing and sorted(r.extra) == extra, r.check
        assert {c.key: c.columns for c in r.changed} == changed, r.check
    assert results[1].stats["strategy"].startswith("key hash")


def test_secrets_are_not_in_the_written_config(stack):
    text = stack.config_path.read_text()
    assert stack.warehouse.password not in text
    assert stack.aws.credentials.secret_access_key not in text


def test_restarted_sandbox_keeps_its_tables(open_tmp):
    data = open_tmp / "keep"
    sizes = SeedSizes(hbase_orders=500, warehouse_events=500)
    spec = AwsSeedSpec(asis_bucket="ferry-asis-restart", tobe_bucket="ferry-tobe-restart")
    with SandboxStack(data_dir=str(data), sizes=sizes, aws_spec=spec) as first:
        assert first.hbase_report is not None
        conn = happybase.Connection("127.0.0.1", first.hbase_tobe.port)
        conn.table("orders").put(b"added-by-test", {b"d:status": b"new"})
        conn.close()
    with SandboxStack(data_dir=str(data), sizes=sizes, aws_spec=spec) as second:
        assert second.hbase_report is None and second.warehouse_report is None  # not seeded again
        conn = happybase.Connection("127.0.0.1", second.hbase_tobe.port)
        assert conn.table("orders").row(b"added-by-test") == {b"d:status": b"new"}
        conn.close()
    assert postgres_pids_under(data) == []


def test_sandbox_command_stops_cleanly_on_sigterm(open_tmp):
    data = open_tmp / "cli"
    written = open_tmp / "written.yaml"
    proc = subprocess.Popen([sys.executable, "-m", "bot", "sandbox", "--data-dir", str(data), "--write-config",
                             str(written)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if "Ctrl-C stops everything" in line or not line:
            break
    out = "".join(lines)
    assert "Cloudera Manager AS-IS" in out and "export FERRY_SANDBOX_WAREHOUSE_PASSWORD=" in out, out
    assert written.exists()
    assert postgres_pids_under(data)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    assert "Sandbox stopped" in proc.stdout.read()
    assert postgres_pids_under(data) == []
