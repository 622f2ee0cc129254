"""Any command text: a sentence in time, never a trace; the audit trail only grows."""

from __future__ import annotations

from hypothesis import given

from commands.dispatch import run_command
from tests.fuzz.properties import FUZZ, AuditLedger, assert_sentence, timed
from tests.fuzz.strategies import COMMAND
from tests.hardening.conftest import BOB, OPS, WATCHER

PEOPLE = (OPS, BOB, WATCHER)


@FUZZ
@given(text=COMMAND)
def test_any_command_text_gets_a_sentence_in_time(paused_jobs, text):
    ledger = getattr(paused_jobs, "_ledger", None) or AuditLedger(paused_jobs.store)
    paused_jobs._ledger = ledger  # one ledger across the examples: the trail only grows
    for who in PEOPLE[: 1 + len(text) % 3]:
        reply = timed(lambda who=who: run_command(paused_jobs, who, text))
        assert_sentence(reply)
    ledger.check()
