"""The poster when Slack misbehaves half-way, and reports too long for a thread (real poster,
real HTTP to the Slack stand-in)."""

from __future__ import annotations

import time

from core.message import Message, Section
from tests.fixtures.slack import CHANNEL


def posted(standin, text: str) -> list:
    return [m for m in standin.messages if m.text == text and m.thread_ts is None]


def test_a_report_failing_half_way_does_not_post_its_card_twice(ferry):
    standin = ferry.standin
    armed = []

    def on_message():  # the card is in: Slack starts refusing (429 beyond the client's retries)
        if not armed and posted(standin, "card with a report"):
            armed.append(True)
            standin.rate_limit("chat.postMessage", times=8, retry_after=0)

    standin.subscribe(on_message)
    ferry.runtime.services.post(Message("card with a report", [Section("see the thread")],
                                        attachment="\n".join(f"row {i}" for i in range(2_000))))
    standin.wait_for(lambda s: len(s.calls_of("chat.postMessage")) >= 7, timeout=30)  # the card, then 429s
    time.sleep(3)
    assert len(posted(standin, "card with a report")) == 1


def test_a_report_longer_than_the_thread_holds_says_what_was_left_out(ferry):
    standin = ferry.standin
    ferry.runtime.services.post(Message("long report", [Section("see the thread")],
                                        attachment="\n".join(f"row {i:06d} " + "x" * 80 for i in range(20_000))))
    card = standin.wait_for(lambda s: posted(s, "long report"), timeout=10)[0]
    time.sleep(0.5)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        thread = [m for m in standin.messages if m.thread_ts == card.ts]
        if any("not posted" in str(m.blocks) for m in thread):
            break
        time.sleep(0.2)
    thread = [m for m in standin.messages if m.thread_ts == card.ts and m.channel == CHANNEL]
    assert len(thread) <= 21
    assert "not posted" in str(thread[-1].blocks)
