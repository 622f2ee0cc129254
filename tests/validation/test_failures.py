"""An outside system failing during a check: a clear sentence on the card, the run marked
failed with the reason, no alert opened or resolved, and Ferry keeps serving."""

from __future__ import annotations

import socket

from features.validation import api
from features.validation.store import all_alerts
from state import runs
from tests.fixtures.slack import BASE_CONFIG, start_ferry, stop_ferry
from tests.validation.conftest import bot_messages


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_unreachable_hbase_and_refused_warehouse_fail_clearly(tmp_path, slack_standin, warehouse, monkeypatch):
    monkeypatch.setenv("WH_PASSWORD", "wrong-password-xyz")
    port = closed_port()
    path = tmp_path / "app.yaml"
    path.write_text(BASE_CONFIG.split("estates:")[0] + f"""
estates:
  as-is:
    hbase: {{host: 127.0.0.1, port: {port}, timeout: 2}}
    warehouse: {{dsn: "postgresql://{warehouse.user}:${{WH_PASSWORD}}@127.0.0.1:{warehouse.port}/asis", timeout: 3}}
  to-be:
    hbase: {{host: 127.0.0.1, port: {port}, timeout: 2}}
    warehouse: {{dsn: "postgresql://{warehouse.user}:${{WH_PASSWORD}}@127.0.0.1:{warehouse.port}/tobe", timeout: 3}}
tables:
  - {{id: orders, as-is: {{hbase: orders}}, to-be: {{hbase: orders}}}}
  - {{id: events, as-is: {{warehouse: public.events}}, to-be: {{warehouse: public.events}}, key: [event_id]}}
validations:
  - {{id: all-count, tables: [orders, events], check: count}}
""")
    ferry = start_ferry(path, slack_standin)
    try:
        api.run(ferry.runtime.services, "all-count", None)
        run = slack_standin.wait_for(lambda s: (r := runs.latest(ferry.runtime.store, "validation", "all-count"))
                                     and not r.active and r, timeout=30)
        assert run.state == "failed"
        assert f"127.0.0.1:{port} is unreachable" in run.detail["errors"]["orders"]
        assert "refused user" in run.detail["errors"]["events"]
        card = slack_standin.wait_for(lambda s: next((m for m in bot_messages(s) if "could not finish" in str(m.blocks)),
                                                     None), timeout=20)
        assert "unreachable" in str(card.blocks) and "wrong-password-xyz" not in str(card.blocks)
        assert all_alerts(ferry.runtime.store) == []
        ferry.command("status")
        assert "all-count" in str(ferry.responses_for(1)[-1]["blocks"])  # still serving
    finally:
        stop_ferry(ferry)
