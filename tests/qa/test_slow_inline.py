"""Verbs answered inside Slack's ack (status, help, audit) must still ack within Slack's 3 s
when Ferry is busy (a compare or a copy hogging the process): the answer then comes through
the response_url instead of a timeout in Slack."""

from __future__ import annotations

import threading
import time

from commands import registry
from commands.context import Reply
from core.message import Message, Section


def test_a_slow_inline_answer_acks_in_time_and_arrives_later(ferry):
    release = threading.Event()

    def slow(inv):
        release.wait(6)  # what a busy process does to `status`
        return Reply(Message("slow answer", [Section("slow answer")]))

    registry.verbs()["slowpoke"] = registry.Verb("slowpoke", "slowpoke", "answers slowly", slow, inline=True)
    try:
        started = time.monotonic()
        delivery = ferry.command("slowpoke")
        acked_in = time.monotonic() - started
        assert delivery.status == 200 and acked_in < 3.0, acked_in
        release.set()
        answer = ferry.standin.wait_for(lambda s: [r for r in s.responses if r.get("text") == "slow answer"] or None)
        assert answer[0].get("response_type") == "ephemeral"
        assert len([r for r in ferry.standin.responses if r.get("text") == "slow answer"]) == 1
        ferry.command("help")  # and Ferry keeps answering
        ferry.standin.wait_for(lambda s: any("/migrate verbs" in str(r) for r in s.responses))
    finally:
        release.set()
        registry.verbs().pop("slowpoke")
