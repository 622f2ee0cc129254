"""A silenced alert's quiet ends by Ferry's clock (Services.clock), the one it was silenced by:
both the silence's end and the check against it read it, so a test can move time instead of
sleeping, and the two can never disagree."""

from __future__ import annotations

from datetime import timedelta

from features.services import Services
from features.validation import alerts
from features.validation.model import CountResult
from features.validation.store import get_alert
from state import outbox

FP = alerts.fingerprint("orders", "count")


def thread_notes(services: Services) -> int:
    return len([r for r in outbox.pending(services.store, limit=1000) if r.thread_of is not None])


def fail(services: Services, run_id: str) -> str | None:
    return alerts.on_result(services, CountResult("orders", 100, 97), table_id="orders", check="count",
                            run_id=run_id, validation_id=None, may_open=True)


def test_a_silence_ends_when_ferrys_clock_says_so(services):
    clock = services.clock
    assert fail(services, "r1") == "open"
    with services.store.transaction() as db:
        alert = get_alert(db, FP)
    assert alert is not None
    silenced = alerts.silence(services, FP, alert.generation, 3, "U0OPS")
    assert silenced is not None
    assert silenced.silenced_until == (clock.now().replace(microsecond=0) + timedelta(hours=3)).isoformat()
    before = thread_notes(services)
    assert fail(services, "r2") == "update" and thread_notes(services) == before  # silent
    clock.advance(hours=2, minutes=59)
    assert fail(services, "r3") == "update" and thread_notes(services) == before  # still silent
    clock.advance(minutes=1, seconds=1)
    assert fail(services, "r4") == "update" and thread_notes(services) == before + 1  # a note again
