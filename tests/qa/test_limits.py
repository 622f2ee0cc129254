"""Messages bigger than Slack allows are cut to its limits, and say so truthfully."""

from __future__ import annotations

from bot.blocks import render
from core.message import Message, Section
from tests.qa.helpers import assert_clear


def test_a_card_of_sixty_sections_is_cut_to_fifty_blocks_without_promising_a_thread():
    payload = render(Message("many", [Section(f"step {i}") for i in range(60)]))
    assert_clear(payload)
    last = payload["blocks"][-1]["elements"][0]["text"]
    assert "11 more blocks not shown" in last and "thread" not in last
    with_report = render(Message("many", [Section(f"step {i}") for i in range(60)], attachment="report"))
    assert "in the thread" in with_report["blocks"][-1]["elements"][0]["text"]
