"""Any command text: a sentence in time, never a trace; the audit trail only grows."""

from __future__ import annotations

import pytest
from hypothesis import given

from commands.dispatch import run_command
from tests.fuzz.properties import FUZZ, AuditLedger, assert_sentence, timed
from tests.fuzz.strategies import COMMAND
from tests.hardening.conftest import BOB, OPS, WATCHER

PEOPLE = (OPS, BOB, WATCHER)


@pytest.fixture
def ledger(paused_jobs) -> AuditLedger:
    """Made once per test, kept across its examples (hypothesis runs them all in one call)."""
    return AuditLedger(paused_jobs.store)


@FUZZ
@given(text=COMMAND)
def test_any_command_text_gets_a_sentence_in_time(paused_jobs, ledger, text):
    for who in PEOPLE[: 1 + len(text) % 3]:
        reply = timed(lambda who=who: run_command(paused_jobs, who, text))
        assert_sentence(reply)
    ledger.check()
