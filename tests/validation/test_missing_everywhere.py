"""A configured table that exists on neither side: count, sample and full compare are errors (the
run fails with a sentence that says so, `run` exits 1), not "the sides differ", and no mismatch
alert is opened (issue 12 item 19)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from features.validation import api
from features.validation.store import all_alerts
from state import runs
from tests.fixtures.slack import BASE_CONFIG, start_ferry, stop_ferry

ROOT = Path(__file__).resolve().parents[2]


def config(warehouse) -> str:
    return BASE_CONFIG.split("estates:")[0] + f"""
estates:
  as-is:
    warehouse: {{dsn: "postgresql://{warehouse.user}:${{WH_PASSWORD}}@127.0.0.1:{warehouse.port}/asis"}}
  to-be:
    warehouse: {{dsn: "postgresql://{warehouse.user}:${{WH_PASSWORD}}@127.0.0.1:{warehouse.port}/tobe"}}
tables:
  - {{id: ghost, as-is: {{warehouse: public.no_such_table}}, to-be: {{warehouse: public.no_such_table}}, key: [id]}}
validations:
  - {{id: ghost-full, table: ghost, check: full}}
  - {{id: ghost-sample, table: ghost, check: sample}}
  - {{id: ghost-count, table: ghost, check: count}}
"""


def test_a_table_missing_on_both_sides_is_an_error_and_opens_no_alert(tmp_path, slack_standin, warehouse, monkeypatch):
    monkeypatch.setenv("WH_PASSWORD", warehouse.password)
    path = tmp_path / "app.yaml"
    path.write_text(config(warehouse))
    ferry = start_ferry(path, slack_standin)
    try:
        for validation in ("ghost-full", "ghost-sample", "ghost-count"):
            api.run(ferry.runtime.services, validation, None)
            run = slack_standin.wait_for(lambda s, v=validation: (r := runs.latest(ferry.runtime.store, "validation", v))
                                         and not r.active and r, timeout=30)
            assert run.state == "failed", (validation, run.state, run.detail)
            assert "missing on both sides" in run.detail["errors"]["ghost"]
            assert "public.no_such_table" in run.detail["errors"]["ghost"]
        assert all_alerts(ferry.runtime.store) == []
    finally:
        stop_ferry(ferry)
    env = {"WH_PASSWORD": warehouse.password, "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "bot", "run", "compare", "ghost", "--full", "--config", str(path),
                          "--as", "U0ALICE01", "--json"], capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
    assert out.returncode == 1, out.stderr[-2000:]
    result = json.loads(out.stdout)["result"]
    assert result["state"] == "failed" and "missing on both sides" in json.dumps(result)
    assert "Traceback" not in out.stderr
