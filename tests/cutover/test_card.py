"""The runbook card stays inside Slack's limits whatever the runbook, and status shows the stage."""

from __future__ import annotations

import json

from bot import blocks as block_kit
from commands.context import Services
from config import load
from config.cutover import MAX_STEPS
from features.cutover import card
from features.registry import open_store
from tests.cutover.conftest import ALICE, assert_valid_blocks, write


def test_the_largest_runbook_fits_in_one_valid_message(tmp_path):
    steps = []
    for i in range(MAX_STEPS):
        after = ", ".join(f"step-{j:02d}" for j in range(i))
        steps.append(f"""
    - id: step-{i:02d}
      title: "Step {i}: {'a very long title that goes on ' * 3}"
      description: "{'This step does many careful things. ' * 40}"
      approvals: 3
      gates: {{after: [{after}]}}""")
    path = write(tmp_path, "cutover:\n  steps:" + "".join(steps) + "\n")
    cfg = load(str(path))
    services = Services(config=cfg, store=open_store(cfg.state.path))
    rendered = block_kit.render(card.build(services))
    assert_valid_blocks(rendered["blocks"])
    assert len(rendered["blocks"]) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in rendered["blocks"])
    assert "Request approval" in json.dumps(rendered["blocks"])  # the current step's buttons survive


def test_no_runbook_is_said_plainly(tmp_path, slack_standin):
    from tests.cutover.conftest import Cutover
    from tests.fixtures.slack import start_ferry, stop_ferry

    ferry = start_ferry(write(tmp_path, ""), slack_standin)
    try:
        Cutover(ferry).command("cutover")
        message = slack_standin.wait_for(
            lambda s: [m for m in s.channel_messages() if m.text == "No cutover runbook"] or None)[0]
        assert "No cutover runbook is configured" in str(message.blocks)
    finally:
        stop_ferry(ferry)


def test_status_shows_the_cutover_stage(cut):
    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), ALICE)
    before = len(cut.standin.responses)
    cut.command("status")
    reply = cut.standin.wait_for(lambda s: s.responses[before:] or None)[0]
    assert_valid_blocks(reply["blocks"])
    text = str(reply["blocks"])
    assert "*Cutover*" in text and "Step 1 of 2" in text and "requested (0 of 2 approvals)" in text
    assert "cutover-step" not in text  # nothing has run yet


def test_approvals_are_pluralised_on_the_card_and_in_the_request_reply(cut):
    """Issue 15: "needs 2 approvals", "needs 1 approval", never "approval(s)"."""
    from tests.cutover.conftest import ALICE as operator

    cut.command("cutover")
    found = cut.card(lambda t: "needs 2 approvals" in t)
    text = str(found.blocks)
    assert "needs 1 approval," in text and "(s)" not in text
    request = next(e for b in found.blocks if b["type"] == "actions" for e in b["elements"])
    assert "ask 2 approvers to approve it" in request["confirm"]["text"]["text"]
    answer = cut.press("request", cut.button("Request approval"), operator)
    assert "it needs 2 approvals from `people.approvers`" in answer and "(s)" not in answer


def test_a_second_cutover_command_reposts_the_card_at_the_bottom(cut):
    """Issue 15: with other messages posted since, `/migrate cutover` does not silently update the card
    far up the channel: the card is posted again at the bottom, the old one points to it."""
    from core.message import Message, Section
    from tests.fixtures.slack import CHANNEL

    cut.command("cutover")
    first = cut.card()
    cut.command("cutover")  # nothing posted since: the same card, updated in place
    assert cut.card().ts == first.ts
    cut.services.post(Message("A transfer card", [Section("something else in the channel")]), card_key="other")
    cut.standin.wait_for(lambda s: any(m.text == "A transfer card" for m in s.channel_messages(CHANNEL)))
    cut.command("cutover")
    moved = cut.standin.wait_for(lambda s: next((m for m in s.channel_messages(CHANNEL)
                                                if m.ts == first.ts and "moved" in str(m.blocks)), None))
    assert_valid_blocks(moved.blocks)
    assert "moved to the bottom of the channel" in str(moved.blocks)
    now = cut.card()
    order = [m.ts for m in cut.standin.channel_messages(CHANNEL) if not m.thread_ts and not m.ephemeral_to]
    assert now.ts != first.ts and order[-1] == now.ts  # the card is the newest message
    # the moved card keeps working: its buttons and thread notes go to the new one
    cut.press("request", cut.button("Request approval"), ALICE)
    cut.card(lambda t: "Requested by" in t)
