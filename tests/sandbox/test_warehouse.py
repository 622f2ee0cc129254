"""The sandbox warehouse: a real PostgreSQL on 127.0.0.1, driven through psycopg."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from sandbox.warehouse import TABLES, Warehouse, WarehouseStartError, is_seeded, procs, seed
from sandbox.warehouse.schema import EVENTS

ROOT = Path(__file__).resolve().parents[2]
IS_ROOT = os.geteuid() == 0


def _fetch(dsn: str, query: str) -> list[tuple]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(query)
        return cur.fetchall() if cur.description else []


def _postgres_pids_using(path: Path) -> list[int]:
    """Live processes whose command line mentions `path` (a data directory)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(path) in cmdline and procs.is_alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def test_both_databases_answer_over_tcp(warehouse: Warehouse) -> None:
    assert warehouse.databases == ("asis", "tobe")
    for db in warehouse.databases:
        dsn = warehouse.dsn(db)
        assert dsn.startswith(f"postgresql://ferry:{warehouse.password}@127.0.0.1:{warehouse.port}/")
        ((name, addr, version),) = _fetch(
            dsn, "SELECT current_database(), host(inet_server_addr()), version()"
        )
        assert (name, addr) == (db, "127.0.0.1")
        assert "PostgreSQL 18" in version


def test_wrong_password_is_refused(warehouse: Warehouse) -> None:
    bad = warehouse.dsn("asis").replace(warehouse.password, "not-the-password")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(bad, connect_timeout=5)


@pytest.mark.skipif(not IS_ROOT, reason="only root has to switch users")
def test_as_root_postgres_runs_unprivileged(warehouse: Warehouse) -> None:
    for pid in warehouse.processes():
        status = Path(f"/proc/{pid}/status").read_text()
        uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
        assert set(uid_line.split()[1:]) == {"65534"}  # nobody: real, effective, saved, fs


def test_seeded_tables_and_exact_drift(warehouse: Warehouse, warehouse_seed) -> None:
    report = warehouse_seed
    assert is_seeded(warehouse)
    for db in warehouse.databases:
        present = {
            f"{s}.{t}"
            for s, t in _fetch(
                warehouse.dsn(db),
                "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'",
            )
        }
        assert set(TABLES) <= present
        for table, rows in report.rows[db].items():
            assert _fetch(warehouse.dsn(db), f"SELECT COUNT(*) FROM {table}") == [(rows,)]

    assert report.rows["asis"][EVENTS.name] == 50_000
    assert report.rows["asis"][EVENTS.name] - report.rows["tobe"][EVENTS.name] == 2
    assert len(report.missing_keys()) == 2 and len(report.changed_keys()) == 1
    other_tables = set(TABLES) - {EVENTS.name, "public.sessions"}
    assert all(report.rows["asis"][t] == report.rows["tobe"][t] for t in other_tables)

    # Every difference between the two copies of public.events is one the report names.
    query = "SELECT event_id, user_id, event_type, amount, created_at, payload FROM public.events ORDER BY 1"
    asis = {r[0]: r for r in _fetch(warehouse.dsn("asis"), query)}
    tobe = {r[0]: r for r in _fetch(warehouse.dsn("tobe"), query)}
    assert sorted((k,) for k in asis.keys() - tobe.keys()) == report.missing_keys()
    assert tobe.keys() <= asis.keys()
    differing = {k for k in tobe if tobe[k] != asis[k]}
    assert {(k,) for k in differing} == set(report.changed_keys())
    columns = EVENTS.key + EVENTS.columns
    for change in (c for c in report.changed if c.table == EVENTS.name):
        key = change.key[0]
        pos = columns.index(change.column)
        assert asis[key][pos] == change.asis and tobe[key][pos] == change.tobe
        assert [c for c in range(len(columns)) if asis[key][c] != tobe[key][c]] == [pos]


def test_seed_covers_the_hard_values(warehouse: Warehouse, warehouse_seed) -> None:
    ((nulls, empties, unicode, micros, gap),) = _fetch(
        warehouse.dsn("asis"),
        "SELECT COUNT(*) FILTER (WHERE payload IS NULL), COUNT(*) FILTER (WHERE payload = ''),"
        " COUNT(*) FILTER (WHERE payload LIKE '%🚀%'), COUNT(*) FILTER (WHERE EXTRACT(MICROSECONDS FROM created_at)::int % 1000000 <> 0),"
        " MAX(event_id) - MIN(event_id) FROM public.events",
    )
    assert nulls > 0 and empties > 0 and unicode > 0 and micros > 0
    assert gap > 5_000_000_000


def test_seed_is_reproducible_and_sized_by_parameters(warehouse_factory) -> None:
    wh = warehouse_factory()
    first = seed(
        wh, events_rows=1_000, missing=5, changed=4, seed=7, customers_rows=40, orders_rows=30, revenue_days=3
    )
    second = seed(
        wh, events_rows=1_000, missing=5, changed=4, seed=7, customers_rows=40, orders_rows=30, revenue_days=3
    )
    assert (first.missing, first.changed) == (second.missing, second.changed)
    assert first.rows["tobe"] == {
        "public.events": 995,
        "public.customers": 40,
        "sales.orders_summary": 30,
        "analytics.daily_revenue": 12,
        "public.sessions": 2_999,
    }
    assert [c.column for c in first.changed if c.table == EVENTS.name] == ["amount", "payload", "created_at", "event_type"]
    assert not set(first.missing_keys()) & set(first.changed_keys())
    other = seed(
        wh, events_rows=1_000, missing=5, changed=4, seed=8, customers_rows=40, orders_rows=30, revenue_days=3
    )
    assert other.missing != first.missing
    with pytest.raises(ValueError):
        seed(wh, events_rows=3, missing=2, changed=2)

    # Extra TO-BE rows come on top of the same missing and changed rows.
    more = seed(
        wh,
        events_rows=1_000,
        missing=5,
        changed=4,
        seed=7,
        customers_rows=4,
        orders_rows=3,
        revenue_days=1,
        extra=3,
    )
    assert (more.missing, more.changed) == (first.missing, first.changed)
    assert len(more.extra_keys()) == 3 and more.rows["tobe"]["public.events"] == 998
    asis_ids = {r[0] for r in _fetch(wh.dsn("asis"), "SELECT event_id FROM public.events")}
    tobe_ids = {r[0] for r in _fetch(wh.dsn("tobe"), "SELECT event_id FROM public.events")}
    assert sorted((k,) for k in tobe_ids - asis_ids) == more.extra_keys()
    assert sorted((k,) for k in asis_ids - tobe_ids) == more.missing_keys()
    assert first.extra_keys() == []


@pytest.fixture
def reachable_dir() -> Iterator[Path]:
    """A directory under /tmp itself: pytest's tmp_path lives in a 0700 directory that the
    unprivileged PostgreSQL user cannot enter."""
    path = Path(tempfile.mkdtemp(prefix="ferry-wh-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_restart_with_data_dir_keeps_data_and_password(reachable_dir: Path) -> None:
    data_dir = reachable_dir / "wh"
    with Warehouse(data_dir) as wh:
        seed(wh, events_rows=500, missing=1, changed=1, customers_rows=8, orders_rows=8, revenue_days=1)
        _fetch(wh.dsn("asis"), "CREATE TABLE public.kept (x INTEGER)")
        _fetch(wh.dsn("asis"), "INSERT INTO public.kept VALUES (42)")
        password = wh.password
    assert not _postgres_pids_using(data_dir)

    with Warehouse(data_dir) as again:  # a new object, as after a process restart
        assert again.password == password
        assert _fetch(again.dsn("asis"), "SELECT x FROM public.kept") == [(42,)]
        assert _fetch(again.dsn("tobe"), "SELECT COUNT(*) FROM public.events") == [(499,)]
        assert is_seeded(again)

    with Warehouse(data_dir, password="a-new-password") as changed:
        assert _fetch(changed.dsn("asis"), "SELECT x FROM public.kept") == [(42,)]
    with Warehouse(data_dir) as reread:
        assert reread.password == "a-new-password"
    assert (data_dir / "pgdata" / "PG_VERSION").exists()


@pytest.mark.skipif(not IS_ROOT, reason="only root runs PostgreSQL as another user")
def test_data_dir_the_server_user_cannot_reach_is_a_clear_error(tmp_path: Path) -> None:
    os.chmod(tmp_path.parent, 0o700)  # pytest's own base dir already is; make sure
    with pytest.raises(WarehouseStartError, match="cannot reach"):
        Warehouse(tmp_path / "wh").start()


def test_stop_leaves_no_process_and_no_temp_dir() -> None:
    wh = Warehouse().start()
    pids = wh.processes()
    data_dir = wh.data_dir
    assert len(pids) >= 3 and procs.is_alive(wh.pid)  # backends come and go; the postmaster stays
    wh.stop()
    assert not [p for p in pids if procs.is_alive(p)]
    assert not _postgres_pids_using(data_dir)
    assert not data_dir.exists()
    assert not wh.running and wh.processes() == []
    wh.stop()  # idempotent


def test_killed_owner_takes_postgres_with_it(tmp_path: Path) -> None:
    """SIGKILL gives Python no chance to clean up: the watchdog must stop PostgreSQL."""
    script = (
        "import sys, time\n"
        "from sandbox.warehouse import Warehouse\n"
        "wh = Warehouse().start()\n"
        "print(wh.pid, wh.data_dir, flush=True)\n"
        "time.sleep(60)\n"
    )
    owner = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        pid_text, data_dir = owner.stdout.readline().split()
        pid = int(pid_text)
        family = [pid, *procs.children(pid)]
        assert procs.is_alive(pid)
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=10)
        assert not procs.wait_gone(family, 10.0)
        deadline = time.monotonic() + 5
        while Path(data_dir).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(data_dir).exists()
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()


def test_explicit_port_and_port_in_use(warehouse: Warehouse) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Warehouse(port=port) as wh:
        assert wh.port == port
        assert _fetch(wh.dsn("tobe"), "SELECT 1") == [(1,)]
    with pytest.raises(WarehouseStartError, match="did not start"):
        Warehouse(port=warehouse.port).start()


def test_startup_time_and_memory() -> None:
    with Warehouse() as wh:
        memory = wh.memory()
    print(
        f"\nwarehouse start-up {wh.startup_seconds:.2f}s, PSS {memory['pss'] / 2**20:.0f} MB,"
        f" RSS sum {memory['rss'] / 2**20:.0f} MB, {memory['processes']} processes"
    )
    assert wh.startup_seconds < 5
    assert memory["pss"] < 200 * 2**20


@pytest.mark.skipif(not IS_ROOT, reason="the copy is for an unprivileged user who cannot read the venv")
def test_readable_copy_of_the_binaries_runs_as_nobody() -> None:
    from sandbox.warehouse import binaries

    who = binaries.run_as()
    copy = binaries._readable_copy(binaries.wheel_install_dir(), who)
    assert binaries._runs_as(copy, who)
    assert oct(copy.stat().st_mode & 0o777) == "0o755"
