"""Issue 12 item 2, the other buttons: a value names something to act on, so it is acted on only
when it is the value the current card carries (a transfer card's run and change number, an alert's
generation and offered silence, a cutover request Ferry stored)."""

from __future__ import annotations

from commands.dispatch import run_action, run_command
from features.transfers import api
from features.validation import alerts
from features.validation.model import CountResult
from features.validation.store import get_alert
from state import runs
from tests.hardening.conftest import APPROVER, BOB, OPS


def press(services, action_id: str, value: str, who=OPS):
    reply = run_action(services, who, action_id, value)
    return reply.message.text, reply.data


def test_a_transfer_button_needs_the_value_of_the_card_it_is_on(services):
    run = api.start(services, "hbase-orders", OPS)
    seq = run.detail.get("seq", 0)
    for forged in ("hbase-orders", "hbase-orders|", f"hbase-orders|{run.id}", f"hbase-orders|{run.id}|{seq + 7}",
                   f"hbase-orders|{run.id}|x", f"hbase-events|{run.id}|{seq}"):
        text, data = press(services, "ferry:cancel:press", forged)
        assert "refused" in data or "error" in data, (forged, text)
        assert (runs.get(services.store, run.id)).active, forged
    text, _ = press(services, "ferry:cancel:press", f"hbase-orders|{run.id}|{seq}", who=BOB)
    assert "cancelled" in text and not runs.get(services.store, run.id).active


def open_alert(services) -> str:
    result = CountResult("orders", 100, 97)
    assert alerts.on_result(services, result, table_id="orders", check="count", run_id="run-1",
                            validation_id=None, may_open=True) == "open"
    alert = get_alert(services.store.db, alerts.fingerprint("orders", "count"))
    return f"{alert.fingerprint}|{alert.generation}"


def test_silence_only_for_the_hours_the_button_offered(services):
    prefix = open_alert(services)
    text, data = press(services, "ferry:compare:silence", f"{prefix}|8000")  # offered: 4 h
    assert "refused" in data or "error" in data
    assert get_alert(services.store.db, "orders:count").silenced_until is None
    text, _ = press(services, "ferry:compare:silence", f"{prefix}|4|0")  # as the card issues it (0 unsilences)
    assert "Silenced" in text and get_alert(services.store.db, "orders:count").silenced_until


def test_cutover_values_are_checked_against_stored_requests(services):
    run_command(services, OPS, "cutover")
    for action, value, who in (("approve", "freeze-writes|freeze-writes#1", APPROVER),
                               ("reject", "freeze-writes|freeze-writes#1", APPROVER),
                               ("complete", "freeze-writes|freeze-writes#1", OPS),
                               ("request", "freeze-writes|7", OPS),
                               ("request", "no-such-step|1", OPS)):
        text, data = press(services, f"ferry:cutover:{action}", value, who)
        assert "refused" in data or "error" in data, (action, value, text)
    from features.cutover import store as cutover_store
    assert cutover_store.get_request(services.store, "freeze-writes#1") is None
