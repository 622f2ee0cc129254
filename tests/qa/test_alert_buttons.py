"""Forged and stale values on a validation alert's buttons (real HBase, real Ferry over HTTP)."""

from __future__ import annotations

import pytest

from core.who import Who
from features.validation import api
from tests.fixtures.slack import CHANNEL, OPERATOR, start_ferry, stop_ferry, write_config
from tests.qa.helpers import assert_clear


@pytest.fixture
def alerting(tmp_path, slack_standin, hbase_seeded):
    config = write_config(tmp_path, """
tables:
  - id: orders
    as-is: {hbase: orders}
    to-be: {hbase: orders}
validations:
  - id: orders-count
    table: orders
    check: count
    schedule: every 1h
""")
    config.write_text(config.read_text()
                      .replace("as-is: {}", f"as-is: {{hbase: {{host: 127.0.0.1, port: {hbase_seeded.asis.port}}}}}")
                      .replace("to-be: {}", f"to-be: {{hbase: {{host: 127.0.0.1, port: {hbase_seeded.tobe.port}}}}}"))
    ferry = start_ferry(config, slack_standin)
    api.run(ferry.runtime.services, "orders-count", Who(user_id=OPERATOR, team_id=None, channel_id=CHANNEL))

    def alert_buttons(s):
        for m in s.messages:
            found = {e["action_id"]: e["value"] for b in m.blocks if b["type"] == "actions" for e in b["elements"]
                     if e["action_id"].startswith("ferry:compare:")}
            if found:
                return found
        return None

    yield ferry, slack_standin.wait_for(alert_buttons, timeout=30)
    stop_ferry(ferry)


def press(ferry, action_id: str, value: str) -> dict:
    before = len(ferry.standin.responses)
    ferry.click(action_id, value)
    return ferry.standin.wait_for(lambda s: s.responses[before] if len(s.responses) > before else None)


@pytest.mark.parametrize("hours", ["100000000", "99999999999999999999"])
def test_a_forged_silence_of_ages_gets_an_answer(alerting, hours):
    ferry, buttons = alerting
    fingerprint, generation, _ = buttons["ferry:compare:silence"].split("|")
    shown = assert_clear(press(ferry, "ferry:compare:silence", f"{fingerprint}|{generation}|{hours}"))
    assert "at most" in shown
    shown = assert_clear(press(ferry, "ferry:compare:silence", buttons["ferry:compare:silence"]))
    assert "Silenced" in shown  # the real button still works afterwards
