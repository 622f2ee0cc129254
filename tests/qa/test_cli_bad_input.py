"""`python -m bot run` as scripts and cron use it: a failure is never `ok`, and the exit code
says which kind (2: usage or refusal, 1: the work failed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.slack import point_hbase, write_config

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "run", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=90)


@pytest.mark.parametrize("words", [["audit ²"], ["audit", "²"], ["compare", "x", "--sample", "abc"],
                                   ["throttle", "x", "fast"], ["audit", "-1"], ["audit", "99999"]])
def test_usage_errors_exit_2_with_a_clear_message(ferry_config, words):
    out = run_cli(*words, "--config", str(ferry_config), "--json")
    assert out.returncode == 2, out.stdout + out.stderr
    result = json.loads(out.stdout)
    assert result["ok"] is False and result["result"]["error"]
    assert "Traceback" not in out.stdout + out.stderr


def test_a_whole_command_in_one_argument_is_understood(ferry_config):
    out = run_cli("help status", "--config", str(ferry_config))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "/migrate status" in out.stdout and "not a `/migrate` verb" not in out.stdout


def test_a_count_whose_outside_system_is_down_is_not_ok(tmp_path, hbase_seeded, hbase_server_factory):
    tobe = hbase_server_factory()
    port = tobe.port
    tobe.stop()  # TO-BE's HBase is down
    config = write_config(tmp_path, """
tables:
  - id: orders
    as-is: {hbase: orders}
    to-be: {hbase: orders}
""")
    point_hbase(config, hbase_seeded.asis.port, port, timeout=3)
    out = run_cli("count", "orders", "--config", str(config), "--json")
    result = json.loads(out.stdout)
    assert result["result"]["state"] == "failed", result
    assert out.returncode == 1 and result["ok"] is False
    assert "Traceback" not in out.stdout + out.stderr

    status = run_cli("status", "--config", str(config))
    assert status.returncode == 0
    line = next(x for x in status.stdout.splitlines() if "`orders` count (by hand)" in x)
    assert line.count("unreachable") == 1, line  # the reason once, not as summary and again as error


def test_the_console_survives_odd_button_numbers(ferry_config):
    import io

    from bot.console import Console

    out = io.StringIO()
    Console(str(ferry_config), out=out).loop(lines=["²", "9" * 5000, "0", "-1", "/migrate", "/migrate audit ²", "quit"])
    text = out.getvalue()
    assert text.count("No button") == 3 and "Traceback" not in text
    assert "/migrate status" in text and "is not a number of entries" in text
