"""`python -m bot run count|compare ... --json`: the check runs inline and its result is printed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_run_count_and_full_compare_print_their_results(vsetup, warehouse):
    env = {"WH_PASSWORD": warehouse.password, "PATH": "/usr/bin:/bin"}

    def run(*words: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "bot", "run", *words, "--config", str(vsetup.config_path),
                              "--as", "U0ALICE01", "--json"], capture_output=True, text=True, cwd=ROOT, timeout=120,
                             env=env)
        assert out.returncode == 0, out.stderr[-2000:]
        return json.loads(out.stdout)

    counted = run("count", "orders")["result"]
    assert counted["state"] == "mismatch" and counted["results"]["orders"]["difference"] == -3
    compared = run("compare", "orders", "--full")["result"]
    assert sorted(compared["results"]["orders"]["missing"]) == sorted(
        k.decode() for k in vsetup.seeded.report.missing_keys)
