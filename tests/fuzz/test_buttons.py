"""Any click, any value, any modal submission: a sentence in time, never a trace; Ferry acts only
on a value it issued (a card's button as it stands), and the audit trail only grows."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from commands.dispatch import run_action, run_command
from features.validation import alerts
from features.validation.model import CountResult
from tests.fuzz.properties import FUZZ, AuditLedger, assert_sentence, timed
from tests.fuzz.strategies import ACTION_ID, ANY_TEXT, VALUE
from tests.hardening.conftest import APPROVER, BOB, OPS, WATCHER

PEOPLE = st.sampled_from([OPS, BOB, APPROVER, WATCHER])
# What a click can change: transfer runs, the cutover's requests and approvals, alert silences.
ACTING_STATE = ("SELECT id, state FROM runs WHERE kind = 'transfer' ORDER BY id",
                "SELECT id, state, closed_by FROM cutover_requests ORDER BY id",
                "SELECT * FROM cutover_approvals ORDER BY 1",
                "SELECT fingerprint, silenced_until FROM validation_alerts ORDER BY 1")


def acting_state(services) -> str:
    rows = [services.store.db.execute(q).fetchall() for q in ACTING_STATE]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


class Channel:
    """The buttons Ferry has issued and that still stand: the current cutover card, the open
    alert's card, the Start card asked for, and the card of a transfer run (if one started)."""

    def __init__(self, services) -> None:
        self.services = services
        self.ledger = AuditLedger(services.store)
        alerts.on_result(services, CountResult("orders", 100, 97), table_id="orders", check="count",
                         run_id="seed-run", validation_id=None, may_open=True)
        self.start_card = run_command(services, OPS, "start hbase-orders").message

    def issued(self) -> set[tuple[str, str]]:
        from features.cutover import approvals, card
        from features.transfers import card as transfer_card
        from features.validation import cards
        from features.validation.store import get_alert
        from state import runs

        buttons = list(card.build(self.services, approvals.view(self.services)).buttons())
        buttons += self.start_card.buttons()
        alert = get_alert(self.services.store.db, "orders:count")
        buttons += cards.alert_card(alert, alerts.silence_hours(self.services, None)).buttons()
        for run in runs.recent(self.services.store, kind="transfer", active_only=True):
            transfer = self.services.config.transfers.get(run.subject)
            buttons += transfer_card.render(transfer, run, now=0).buttons()
        values = {(b.action_id, b.value) for b in buttons}
        # Approve/Reject carry `|e<N>`, the approvals expired when the card was drawn: the cards
        # drawn before (e0 … eN) were issued too.
        for a, v in list(values):
            head, _, mark = v.rpartition("|e")
            if a in ("ferry:cutover:approve", "ferry:cutover:reject") and mark.isdigit():
                values |= {(a, f"{head}|e{n}") for n in range(int(mark))} | {(a, head)}  # the mark is a salt
        # A reason's modal comes back with the Reject button's value and `|reason`.
        return values | {(a, f"{v}|reason") for a, v in values if a == "ferry:cutover:reject"}


@pytest.fixture
def channel(services) -> Channel:
    """Made once per test, kept across its examples (hypothesis runs them all in one call)."""
    return Channel(services)


def click(channel: Channel, who, action_id: str, value: str, inputs: dict | None = None) -> None:
    services = channel.services
    issued = channel.issued()
    before = acting_state(services)
    reply = timed(lambda: run_action(services, who, action_id, value, inputs=inputs))
    if reply is not None:
        assert_sentence(reply)
    if acting_state(services) != before:
        assert (action_id, value) in issued, f"acted on {action_id} {value!r}, a value Ferry did not issue"
    channel.ledger.check()


@FUZZ
@given(action_id=ACTION_ID, value=VALUE, who=PEOPLE)
# The forgeries issue 12 found, always tried: a Start no card issued, a bare transfer id on a card's
# button, a silence of the operator's choosing, a cutover value with something after it.
@example(action_id="ferry:start:confirm", value="hbase-orders|deadbeef", who=OPS)
@example(action_id="ferry:cancel:press", value="hbase-orders", who=OPS)
@example(action_id="ferry:compare:silence", value="orders:count|1|8000", who=OPS)
@example(action_id="ferry:cutover:request", value="freeze-writes|1|x", who=OPS)
def test_any_click_gets_a_sentence_and_acts_only_on_issued_values(channel, action_id, value, who):
    click(channel, who, action_id, value)


def mutate(value: str, kind: int, text: str, n: int) -> str:
    """The value as issued (kind 0), or with something added, cut or replaced."""
    if kind == 1:
        return value + text
    if kind == 2:
        return value[: n % max(1, len(value))]
    if kind == 3 and value:
        i = n % len(value)
        return value[:i] + text + value[i + 1:]
    return value


@FUZZ
@given(pick=st.integers(0, 10_000), kind=st.integers(0, 3), text=st.text(min_size=1, max_size=6),
       n=st.integers(0, 10_000), who=PEOPLE)
def test_mutations_of_issued_values_act_only_when_unchanged(channel, pick, kind, text, n, who):
    # (Picked by index: a strategy must not depend on what earlier examples changed.)
    issued = sorted(channel.issued())
    action_id, value = issued[pick % len(issued)]
    click(channel, who, action_id, mutate(value, kind, text, n))


@FUZZ
@given(pick=st.integers(0, 10_000), reason=ANY_TEXT, who=PEOPLE, forged=VALUE)
def test_any_modal_submission_gets_a_sentence(channel, pick, reason, who, forged):
    # First a real request, so there is something to reject.
    run_action(channel.services, OPS, "ferry:cutover:request", "freeze-writes|1")
    rejects = sorted(v for a, v in channel.issued() if a == "ferry:cutover:reject") + [forged]
    click(channel, who, "ferry:cutover:reject", rejects[pick % len(rejects)], inputs={"input": reason})
