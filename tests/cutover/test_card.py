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
