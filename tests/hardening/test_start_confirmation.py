"""Issue 12 item 2: a Start button acts only on a confirmation value Ferry issued, once, before it
expires. A forged, reused or expired value is refused in a sentence and starts nothing."""

from __future__ import annotations

from commands.dispatch import run_action, run_command
from state import audit, runs
from tests.hardening.conftest import BOB, OPS


def confirm_value(services) -> str:
    reply = run_command(services, OPS, "start hbase-orders")
    return reply.data["confirm_value"]


def started(services) -> int:
    return len(runs.recent(services.store, kind="transfer", subject="hbase-orders"))


def press(services, value: str, action: str = "confirm", who=OPS):
    reply = run_action(services, who, f"ferry:start:{action}", value)
    return reply.message.text, reply.data


def test_a_forged_value_starts_nothing(services):
    confirm_value(services)  # a real card exists, but the forged value is not its value
    for forged in ("hbase-orders|deadbeef", "hbase-orders", "hbase-orders|", "|", "hbase-orders|deadbeef|0"):
        text, data = press(services, forged)
        assert "refused" in data and "not one Ferry issued" in text, (forged, text)
    assert started(services) == 0
    entries = [e for e in audit.recent(services.store, 50) if e["action"] == "start:confirm"]
    assert entries and all(e["outcome"] == "refused" for e in entries)


def test_an_issued_value_starts_once_then_is_spent(services):
    value = confirm_value(services)
    text, _ = press(services, value)
    assert "is starting" in text and started(services) == 1
    api_cancel = run_command(services, OPS, "cancel hbase-orders")
    assert "cancelled" in api_cancel.message.text
    text, data = press(services, value, who=BOB)  # the run is over: the card does not start another
    assert "refused" in data and "already used" in text
    assert started(services) == 1


def test_an_expired_value_starts_nothing(services):
    value = confirm_value(services)
    services.clock.advance(hours=2)
    text, data = press(services, value)
    assert "refused" in data and "expired" in text and "/migrate start hbase-orders" in text
    assert started(services) == 0


def test_a_value_of_another_transfer_cannot_be_relabelled(services):
    value = confirm_value(services)
    token = value.split("|", 1)[1]
    text, data = press(services, f"hbase-events|{token}")
    assert "refused" in data and "not one Ferry issued" in text
    assert not runs.recent(services.store, kind="transfer", subject="hbase-events")


def test_cancel_on_the_card_spends_it(services):
    value = confirm_value(services)
    text, _ = press(services, value, "dismiss")
    assert "was not started" in text
    text, data = press(services, value, who=BOB)
    assert "refused" in data and started(services) == 0
