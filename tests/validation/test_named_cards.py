"""A named validation keeps one card, updated in place by each of its runs, with every run's result
in the card's thread (issue 15); its card says why it ran (a schedule, a cutover approval); figures
are pluralised. Read from the Slack stand-in's channel (Block Kit validated) or the rendered card."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot import blocks as block_kit
from core.who import Who
from features.cutover import peers
from features.validation import cards, runner
from state import runs
from tests.validation.conftest import bot_messages


def valid(blocks: list[dict]) -> str:
    assert 0 < len(blocks) <= 50
    for b in blocks:
        Block.parse(b).validate_json()
    return str(blocks)


def test_scheduled_runs_update_one_card_and_keep_their_history_in_its_thread(vferry):
    services = vferry.runtime.services
    ids = []
    for _ in range(3):  # three scheduled runs, as APScheduler would start them
        runner.scheduled(services, "orders-count")
        ids = [r.id for r in runs.recent(services.store, kind="validation", subject="orders-count", limit=10)]
    assert len(set(ids)) == 3
    latest = runs.latest(services.store, "validation", "orders-count").id

    def settled(s):
        cards_ = [m for m in bot_messages(s) if m.text.startswith("Count: orders-count")]
        if len(cards_) != 1 or latest not in str(cards_[0].blocks):
            return None
        notes = bot_messages(s, cards_[0].ts)
        return (cards_[0], notes) if sum("UTC ·" in n.text for n in notes) == 3 else None

    card, notes = vferry.standin.wait_for(settled, timeout=30)
    text = valid(card.blocks)
    assert "the sides differ" in text and "on its schedule" in text and "started by" not in text
    history = [n for n in notes if "UTC ·" in n.text]
    assert {i for i in ids if any(i in str(n.blocks) for n in history)} == set(ids)  # one note per run
    for note in history:
        assert "the sides differ" in note.text
        valid(note.blocks)
    # the channel has that one card, not one per run
    assert sum(m.text.startswith("Count: orders-count") for m in bot_messages(vferry.standin)) == 1


def test_a_check_run_for_a_cutover_approval_says_so(vferry):
    services = vferry.runtime.services
    run = peers.run_validation(services, "orders-count", Who("U0DAVE001"), "final-validation")
    run = runs.get(services.store, run.id)
    text = valid(block_kit.render(cards.run_card(run))["blocks"])
    assert "ran for cutover step `final-validation` (on the approval of <@U0DAVE001>)" in text
    assert "by hand" not in text and "started by" not in text


def test_levels_and_rows_are_pluralised(vferry):
    services = vferry.runtime.services
    run = runs.create(services.store, "validation", "orders:full", state="mismatch", detail={
        "check": "full", "tables": ["orders"], "origin": "by hand", "results": {"orders": {
            "table": "orders", "check": "full", "rows_asis": 10, "rows_tobe": 9,
            "missing": ["k1"], "n_missing": 1, "stats": {"strategy": "key ranges", "levels": 1, "rows_fetched": 1}}}})
    text = valid(block_kit.render(cards.run_card(run))["blocks"])
    assert "1 level ·" in text and "1 row fetched" in text and "1 levels" not in text
