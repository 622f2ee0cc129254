"""Verbs answered inside Slack's ack (status, help, audit, plan) are computed in the request
thread from the state database alone. What can hold them up is that database: another process
holding its write lock (a refusal is audited), or a read that runs long. Either way Slack gets its ack within 3 s and the
answer follows through the response_url, exactly once; Ferry keeps answering."""

from __future__ import annotations

import sqlite3
import threading
import time

from commands import registry
from commands.context import Reply
from core.message import Message, Section


def answers(ferry, text: str) -> list[dict]:
    return [r for r in ferry.standin.responses if r.get("text") == text]


def test_an_answer_that_must_write_acks_in_time_while_another_process_holds_the_write_lock(ferry):
    """WAL readers never wait, so `status` is answered in the ack even then; a refusal must be
    audited, which waits for the lock: Slack gets its ack in time and the refusal follows."""
    held = sqlite3.connect(ferry.runtime.store.path, isolation_level=None)
    try:
        held.execute("BEGIN IMMEDIATE")  # what `python -m bot run start …` or a backup holds
        held.execute("INSERT INTO audit (at, action, outcome) VALUES ('t', 'lock', 'ok')")
        started = time.monotonic()
        delivery = ferry.command("status")
        assert delivery.status == 200 and "blocks" in delivery.body  # read: in the ack
        assert time.monotonic() - started < 1.0
        before = len(ferry.standin.responses)
        started = time.monotonic()
        delivery = ferry.command("status", channel="C0ELSEWHERE")
        acked_in = time.monotonic() - started
        assert delivery.status == 200 and acked_in < 3.0, acked_in
        assert "blocks" not in delivery.body  # the refusal waits for its audit entry
        time.sleep(0.5)
        assert len(ferry.standin.responses) == before
    finally:
        held.execute("ROLLBACK")
        held.close()
    late = ferry.standin.wait_for(lambda s: s.responses[before:] or None, 10)
    assert len(late) == 1 and late[0].get("via") != "ack" and "channel" in late[0]["text"], late[0]
    time.sleep(0.3)
    assert len(ferry.standin.responses) == before + 1
    refusals = ferry.runtime.store.db.execute(
        "SELECT count(*) FROM audit WHERE action = 'status' AND outcome = 'refused'").fetchone()
    assert refusals == (1,)
    started = time.monotonic()
    ferry.command("help")  # and Ferry answers in the ack again
    assert time.monotonic() - started < 1.0


def test_a_read_that_runs_past_the_budget_is_cut_short_and_answered_later(ferry):
    calls = []

    def runaway(inv):
        calls.append(threading.current_thread().name)
        # The first try is a read that would take minutes; the deadline interrupts it. The
        # second (after the ack, no deadline) is quick, as when a busy moment has passed.
        limit = 10**10 if len(calls) == 1 else 10
        (n,) = inv.store.db.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) "
                                    "SELECT count(*) FROM c", [limit]).fetchone()
        return Reply(Message(f"counted {n}", [Section(f"counted {n}")]))

    registry.verbs()["runaway"] = registry.Verb("runaway", "runaway", "reads for ever", runaway, inline=True)
    try:
        started = time.monotonic()
        delivery = ferry.command("runaway")
        acked_in = time.monotonic() - started
        assert delivery.status == 200 and acked_in < 3.0, acked_in
        answer = ferry.standin.wait_for(lambda s: answers(ferry, "counted 10") or None, 10)
        assert answer[0].get("response_type") == "ephemeral"
        time.sleep(0.3)
        assert len(answers(ferry, "counted 10")) == 1 and len(calls) == 2
        # Cut short is not a failure: nothing went to the audit trail as one.
        audit = ferry.runtime.store.db.execute("SELECT count(*) FROM audit WHERE outcome = 'failed'").fetchone()
        assert audit == (0,)
        ferry.command("help")
        ferry.standin.wait_for(lambda s: any("/migrate verbs" in str(r) for r in s.responses))
    finally:
        registry.verbs().pop("runaway")


def test_an_inline_answer_for_the_channel_is_queued_after_the_ack(ferry):
    """An answer posted to the channel is a write (the outbox): it is queued after the ack, so
    a held write lock delays the message, never the ack."""
    def announce(inv):
        return Reply(Message("announced", [Section("announced")]), ephemeral=False)

    registry.verbs()["announce"] = registry.Verb("announce", "announce", "posts to the channel", announce, inline=True)
    held = sqlite3.connect(ferry.runtime.store.path, isolation_level=None)
    try:
        held.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        delivery = ferry.command("announce")
        assert delivery.status == 200 and time.monotonic() - started < 1.0
        assert "blocks" not in delivery.body
        held.execute("ROLLBACK")
        posted = ferry.standin.wait_for(lambda s: [m for m in s.channel_messages("C0FERRY01") if m.text == "announced"]
                                        or None, 10)
        assert len(posted) == 1
    finally:
        if held.in_transaction:
            held.execute("ROLLBACK")
        held.close()
        registry.verbs().pop("announce")
