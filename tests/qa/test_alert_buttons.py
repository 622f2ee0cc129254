"""Forged and stale values on a validation alert's buttons (real HBase, real Ferry over HTTP)."""

from __future__ import annotations

import pytest

from core.who import Who
from features.validation import api
from tests.fixtures.slack import CHANNEL, OPERATOR, point_hbase, start_ferry, stop_ferry, write_config
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
    point_hbase(config, hbase_seeded.asis.port, hbase_seeded.tobe.port)
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
    fingerprint, generation, *_ = buttons["ferry:compare:silence"].split("|")
    shown = assert_clear(press(ferry, "ferry:compare:silence", f"{fingerprint}|{generation}|{hours}"))
    assert "at most" in shown
    shown = assert_clear(press(ferry, "ferry:compare:silence", buttons["ferry:compare:silence"]))
    assert "Silenced" in shown  # the real button still works afterwards


def alert_card(ferry, predicate):
    """The alert card (validated Block Kit) once `predicate(its text)` holds."""
    def look(s):
        for m in s.channel_messages(CHANNEL):
            if m.text.startswith("Mismatch: orders") and not m.thread_ts and predicate(str(m.blocks)):
                return m
        return None
    card = ferry.standin.wait_for(look, timeout=15)
    assert_clear({"text": card.text, "blocks": card.blocks})
    return card


def button_value(card, action_id: str) -> str:
    return next(e["value"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]
                if e["action_id"] == action_id)


def test_a_silence_can_be_undone_and_done_again(alerting):
    """Issue 15: "Silence 4h" has an Unsilence; silencing again afterwards acts (not "already handled")."""
    ferry, buttons = alerting
    assert "Silenced" in assert_clear(press(ferry, "ferry:compare:silence", buttons["ferry:compare:silence"]))
    card = alert_card(ferry, lambda t: "Unsilence" in t)
    assert "Silence 4h" not in str(card.blocks) and "silenced until" in str(card.blocks)
    shown = assert_clear(press(ferry, "ferry:compare:unsilence", button_value(card, "ferry:compare:unsilence")))
    assert "Unsilenced `orders-count` (orders count)" in shown
    card = alert_card(ferry, lambda t: "Silence 4h" in t and "silenced until" not in t)
    again = button_value(card, "ferry:compare:silence")
    assert again != buttons["ferry:compare:silence"]
    assert "Silenced" in assert_clear(press(ferry, "ferry:compare:silence", again))
    alert_card(ferry, lambda t: "Unsilence" in t)
    # a stale Unsilence (already undone) gets a sentence, not a repeat of the action
    fingerprint, generation = again.split("|")[:2]
    stale = assert_clear(press(ferry, "ferry:compare:unsilence", f"{fingerprint}|{generation}|0"))
    assert "already handled" in stale or "not silenced" in stale


def test_status_names_the_alert_as_its_validation(alerting):
    """Issue 15: `orders-count`, not `orders:count` beside it."""
    from commands import dispatch

    ferry, _ = alerting
    run = api.run_check(ferry.runtime.services, ["orders"], "count", Who(user_id=OPERATOR, channel_id=CHANNEL))
    ferry.standin.wait_for(lambda s: not (r := __import__("state").runs.get(ferry.runtime.store, run.id)).active
                           and r)
    reply = dispatch.run_command(ferry.runtime.services, Who(user_id=OPERATOR, team_id=None, channel_id=CHANNEL),
                                 "status")
    from bot import blocks as block_kit

    text = assert_clear(block_kit.render(reply.message))
    assert "`orders-count` (orders count) failing since" in text and "2 failing runs)" in text
    assert "`orders` count (by hand)" in text  # the check run by hand, in words
    assert "orders:count" not in text
