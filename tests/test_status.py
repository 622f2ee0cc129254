"""`/migrate status` from what state holds."""

from state import runs
from tests.test_slack_http import ephemeral_text


def test_status_lists_runs_once_each(ferry):
    store = ferry.runtime.store
    runs.create(store, "assessment", "as-is", state="done", detail={"summary": "4 high"})
    runs.create(store, "validation", "orders:full", state="mismatch", detail={"summary": "3 missing"})
    failed = runs.create(store, "validation", "events:count", state="running")
    runs.update(store, failed.id, state="failed", error="warehouse unreachable")
    ferry.command("status")
    text = ephemeral_text(ferry.responses_for(1)[0])
    assert "*assessment* `as-is` — done (4 high)" in text
    assert "`orders:full` — mismatch (3 missing)" in text
    assert "`events:count` — failed — warehouse unreachable" in text
    assert "Nothing started yet" not in text


def test_status_json_from_run(ferry_config):
    import json
    import subprocess
    import sys

    from features.registry import open_store


    store = open_store(str(ferry_config.parent / "state.sqlite"))
    runs.create(store, "assessment", "to-be", state="failed")
    out = subprocess.run([sys.executable, "-m", "bot", "run", "status", "--config", str(ferry_config), "--json"],
                         capture_output=True, text=True, timeout=60)
    result = json.loads(out.stdout)["result"]
    part = next(p for p in result["parts"] if p["title"] == "Recent runs")
    assert [(r["kind"], r["subject"], r["state"]) for r in part["runs"]] == [("assessment", "to-be", "failed")]
