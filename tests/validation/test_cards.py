"""Every validation message renders inside Slack's limits, whatever the size of the result."""

from __future__ import annotations

import json

import pytest
from slack_sdk.models.blocks import Block

from bot import blocks as block_kit
from features.validation import cards
from features.validation.model import Change, CompareResult, CountResult, Duplicate, Finding, result_from_dict
from features.validation.store import Alert
from state.runs import Run


def big_compare(n: int) -> CompareResult:
    r = CompareResult("events", "full", rows_asis=10**9, rows_tobe=10**9 - n, stats={"strategy": "grid", "levels": 3})
    for i in range(n):
        r.add_missing(f"key-{i:09d}")
        r.add_extra(f"extra-{i:09d}")
        r.add_changed(Change(f"chg-{i}", ["payload", "amount"], {"payload": "'" + "é" * 80 + "'", "amount": "1.5"},
                             {"payload": "''", "amount": "NULL"}))
        r.add_duplicate(Duplicate(f"dup-{i}", 2, 1))
    return r


def render_ok(message) -> dict:
    rendered = block_kit.render(message)
    assert 0 < len(rendered["blocks"]) <= 50
    for b in rendered["blocks"]:
        Block.parse(b).validate_json()
    json.dumps(rendered)
    return rendered


@pytest.mark.parametrize("state", ["pending", "running", "passed", "mismatch", "failed"])
@pytest.mark.parametrize("n", [0, 3, 20_000])
def test_run_cards(state, n):
    results = {"events": big_compare(n).to_dict(),
               "orders": CountResult("orders", 10, None, findings=[Finding("to-be", "missing on TO-BE")]).to_dict()}
    results.update({f"t{i}": CountResult(f"t{i}", i, i + 1).to_dict() for i in range(60)})
    run = Run("validation:v:1", "validation", "v", state, "U0ALICE01", "2026-01-01", "2026-01-01",
              detail={"check": "full", "tables": list(results), "results": results,
                      "errors": {"x": "HBase Thrift 127.0.0.1:1 is unreachable"}, "progress": "level 2"})
    message = cards.run_card(run)
    render_ok(message)
    assert (message.attachment is not None) == (4 * n > cards.EXAMPLES and state not in ("pending", "running"))
    if n:
        assert len(result_from_dict(results["events"]).missing) == min(n, 10_000)
        if state != "running" and state != "pending":
            assert "key-000000000" in message.attachment and message.attachment.count("key-") <= cards.THREAD_LISTED


@pytest.mark.parametrize("state", ["open", "resolved"])
def test_alert_cards(state):
    alert = Alert("events:full", "events", "full", state, 2, "2026-01-01T00:00:00+00:00", "2026-01-01T01:00:00",
                  silenced_until="2026-01-01T05:00:00+00:00", silenced_by="U0ALICE01", failures=7,
                  last_run_id="validation:v:2", summary="x" * 5000,
                  detail={"figures": "AS-IS 1 rows", "examples": cards.examples(big_compare(10))})
    render_ok(cards.alert_card(alert, 4))
    render_ok(cards.alert_update(alert))
    render_ok(cards.alert_resolved_note(alert))
