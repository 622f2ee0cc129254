"""The page with Ferry's real verbs: a transfer's progress card moving, and a cutover step
approved under four eyes, all by clicking in Chromium."""

from __future__ import annotations

import re

import pytest

from tests.channel.conftest import ARTIFACTS, open_channel
from tests.cutover.conftest import MANUAL_RUNBOOK, write
from tests.fixtures.slack import CHANNEL, GROUP, OPERATOR, VIEWER, start_ferry, stop_ferry
from tests.transfers.conftest import config_text

ALICE, BOB, CAROL = OPERATOR, "U0BOB0001", "U0CAROL01"
CUTOVER_USERS = [
    {"id": ALICE, "name": "Alice", "role": "operator"},
    {"id": BOB, "name": "Bob", "role": "operator, approver"},
    {"id": CAROL, "name": "Carol", "role": "approver"},
    {"id": VIEWER, "name": "Victor", "role": "viewer"},
]
TRANSFER = """
- id: hbase-orders
  kind: hbase-copy
  description: The orders table, region by region
  table: orders
  batch_rows: 200
  rate: 250kB/s
  tables: [orders]
  poll_every: 0.3s
  stall_alert_after: 1m
"""


@pytest.fixture
def ferry_transfers(tmp_path, slack_standin, hbase_seeded, hbase_server_factory, monkeypatch):
    text, env = config_text(TRANSFER, asis={"hbase": hbase_seeded.asis}, tobe={"hbase": hbase_server_factory()})
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("FERRY_CARD_INTERVAL", "1")
    path = tmp_path / "app.yaml"
    path.write_text(text)
    ferry = start_ferry(path, slack_standin)
    yield ferry
    stop_ferry(ferry)


@pytest.fixture
def ferry_cutover(tmp_path, slack_standin):
    ferry = start_ferry(write(tmp_path, MANUAL_RUNBOOK), slack_standin)
    yield ferry
    stop_ferry(ferry)


def percent(text: str) -> int | None:
    found = re.search(r"(\d+)%", text)
    return int(found.group(1)) if found else None


def test_start_a_transfer_and_watch_its_progress_bar_move(browser, ferry_transfers):
    with open_channel(browser, ferry_transfers) as channel:
        channel.type("/migrate start hbase-orders")
        confirm = channel.message("Start transfer hbase-orders?")
        confirm.wait_for()
        assert "Only visible to you" in confirm.inner_text()
        confirm.locator("button.primary", has_text="Start").click()
        card = channel.page.locator("#messages .message:not(.ephemeral)", has_text="Transfer hbase-orders")
        card.wait_for(timeout=15_000)
        ts = card.get_attribute("data-ts")
        seen = set()
        for _ in range(60):  # until the bar has shown two different values
            shown = percent(card.inner_text())
            if shown is not None:
                seen.add(shown)
            if len(seen) >= 2 or 100 in seen:
                break
            channel.page.wait_for_timeout(250)
        assert len(seen) >= 2, f"the progress bar did not move: {seen} {card.inner_text()}"
        assert card.count() == 1 and card.get_attribute("data-ts") == ts  # updated in place
        assert int(card.get_attribute("data-edited")) >= 1
        assert "▓" in card.inner_text()
        pause(channel, card)


def pause(channel, card) -> None:
    """Pause the transfer from the page, so no copy worker outlives the test's Ferry."""
    channel.type("/migrate pause hbase-orders")
    card.filter(has_text=re.compile(r"\bpaused\b|100%")).wait_for(timeout=15_000)


def test_approve_a_cutover_step_under_four_eyes(browser, ferry_cutover):
    with open_channel(browser, ferry_cutover, users=CUTOVER_USERS, as_user=BOB) as channel:
        page = channel.page
        channel.type("/migrate cutover")
        card = page.locator("#messages .message:not(.ephemeral)", has_text="Cutover runbook")
        card.wait_for()
        ts = card.get_attribute("data-ts")

        card.locator("button", has_text="Request approval").click()
        page.locator(".confirm-dialog button.confirm").click()
        card.locator("button", has_text="Approve").wait_for()
        assert "Requested by @Bob" in card.inner_text()

        # Bob requested the step: his own approval is refused, and only he sees why.
        card.locator("button", has_text="Approve").click()
        page.locator(".confirm-dialog button.confirm").click()
        refusal = channel.message("four-eyes")
        refusal.wait_for()
        assert "Only visible to you" in refusal.inner_text()

        channel.act_as(CAROL)
        card.wait_for()
        assert channel.message("four-eyes").count() == 0
        card.locator("button", has_text="Approve").click()
        page.locator(".confirm-dialog button.confirm").click()
        page.locator(f"#messages .message[data-ts='{ts}']", has_text="Approvals 1 of 2: @Carol").wait_for()
        assert card.count() == 1  # the same card, updated in place

        channel.act_as(VIEWER)
        card.locator("button", has_text="Approve").click()
        page.locator(".confirm-dialog button.confirm").click()
        channel.message("for approvers only").wait_for()
        channel.act_as(CAROL)
        card.wait_for()
        assert channel.message("for approvers only").count() == 0
        assert [m for m in ferry_cutover.standin.channel_messages(CHANNEL) if m.ts == ts][0].edited >= 2


def request_step(channel, card) -> None:
    card.locator("button", has_text="Request approval").click()
    channel.page.locator(".confirm-dialog button.confirm").click()
    card.locator("button", has_text="Approve").wait_for()


def test_reject_a_cutover_step_with_a_reason_in_a_modal(browser, ferry_cutover):
    with open_channel(browser, ferry_cutover, users=CUTOVER_USERS, as_user=ALICE) as channel:
        channel.type("/migrate cutover")
        card = channel.page.locator("#messages .message:not(.ephemeral)", has_text="Cutover runbook")
        request_step(channel, card)
        channel.act_as(CAROL)
        card.locator("button.danger", has_text="Reject").click()
        modal = channel.page.locator(".modal")
        modal.wait_for()
        assert "Reject step" in modal.inner_text()
        modal.locator("textarea").fill("the DNS change window is tomorrow")
        modal.locator("button.submit").click()
        modal.wait_for(state="detached")
        card.locator("button", has_text="Request approval").wait_for()  # rejected: it may be requested again
        assert "rejected" in card.inner_text()


def test_screenshot_of_the_channel(browser, tmp_path, slack_standin, hbase_seeded, hbase_server_factory,
                                   monkeypatch):
    """What a newcomer sees: a transfer's card moving, the cutover runbook, and the four-eyes
    refusal its requester gets. Saved to artifacts/channel.png (docs/channel.png is a copy)."""
    transfer = TRANSFER.replace("rate: 250kB/s", "rate: 60kB/s")  # mid-way while the cutover is clicked
    text, env = config_text(transfer, asis={"hbase": hbase_seeded.asis}, tobe={"hbase": hbase_server_factory()},
                            extra=MANUAL_RUNBOOK)
    text = text.replace(f"operators: [{OPERATOR}, {GROUP}]", f"operators: [{OPERATOR}, {GROUP}, {BOB}]")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("FERRY_CARD_INTERVAL", "0.5")
    path = tmp_path / "app.yaml"
    path.write_text(text)
    ferry = start_ferry(path, slack_standin)
    try:
        with open_channel(browser, ferry, users=CUTOVER_USERS, as_user=ALICE) as channel:
            page = channel.page
            channel.type("/migrate start hbase-orders")
            channel.message("Start transfer hbase-orders?").locator("button.primary", has_text="Start").click()
            transfer_card = page.locator("#messages .message:not(.ephemeral)", has_text="Transfer hbase-orders")
            transfer_card.wait_for()
            channel.act_as(BOB)
            channel.type("/migrate cutover")
            card = page.locator("#messages .message:not(.ephemeral)", has_text="Cutover runbook")
            request_step(channel, card)
            card.locator("button", has_text="Approve").click()
            page.locator(".confirm-dialog button.confirm").click()
            channel.message("four-eyes").wait_for()
            channel.message("Requested step").locator(".dismiss").click()  # Bob's own receipt, for room
            page.set_viewport_size({"width": 1200, "height": 1130})
            page.wait_for_function(  # a bar well on its way
                "() => [...document.querySelectorAll('#messages .message')].some(m =>"
                " /Transfer hbase-orders/.test(m.innerText) && /\\b[3-8]\\d%/.test(m.innerText))", timeout=20_000)
            page.mouse.move(5, 700)  # no hover highlight
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / "channel.png"
            page.screenshot(path=str(shot), animations="disabled")
            assert shot.stat().st_size > 10_000
            channel.act_as(ALICE)
            pause(channel, transfer_card)
    finally:
        stop_ferry(ferry)
