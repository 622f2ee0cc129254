"""The local channel in a real headless Chromium, against Ferry served over HTTP."""

from __future__ import annotations

import pytest
from slack_sdk.models.blocks import Block

from bot import blocks as block_kit
from commands import registry
from commands.context import Reply
from commands.registry import Action, Permission, Verb
from core.errors import Refused
from core.message import (
    Actions,
    Button,
    Confirm,
    Context,
    Divider,
    Header,
    Message,
    Section,
    progress_bar,
)
from tests.channel.conftest import NAMES
from tests.fixtures.slack import APPROVERS, CHANNEL, OPERATOR, VIEWER

BOB, CAROL = APPROVERS[0], APPROVERS[1]


def gate_card(step: str, requester: str, state: str = "waiting", by: str | None = None,
              reason: str = "") -> Message:
    lines = {"waiting": ":hourglass_flowing_sand: Waiting for a second approver.",
             "approved": f":white_check_mark: Approved by <@{by}>.",
             "rejected": f":x: Rejected by <@{by}>: {reason}"}
    blocks = [Header(f"Step {step}"), Section(f"*{step}* requested by <@{requester}>", fields=[
        "*State*\n" + state, f"*Channel*\n<#{CHANNEL}>"]), Section(lines[state])]
    if state == "waiting":
        blocks += [Divider(), Actions([
            Button("Approve", "ferry:gate:approve", step, style="primary",
                   confirm=Confirm("Approve this step?", f"Approve *{step}* for the cutover.", "Approve")),
            Button("Reject", "ferry:gate:reject", step, style="danger")])]
    return Message(f"Step {step}: {state}", blocks)


@pytest.fixture
def gate_verb():
    """A four-eyes step for the page to drive (the cutover verb's shape): an approver requests
    it, another approver approves it from the card, a rejection asks for a reason in a modal."""
    requested: dict[str, str] = {}

    def request(inv):
        step = inv.args[0]
        requested[step] = inv.who.user_id
        return Reply(gate_card(step, inv.who.user_id), ephemeral=False, card_key=f"gate:{step}")

    def approve(inv):
        if requested.get(inv.value) == inv.who.user_id:
            raise Refused(f"You requested step `{inv.value}`; another approver must approve it (four eyes).")
        card = gate_card(inv.value, requested[inv.value], "approved", by=inv.who.user_id)
        return Reply(card, ephemeral=False, card_key=f"gate:{inv.value}")

    def reject(inv):
        return Reply(modal={"title": "Reject step", "label": "Why reject it?", "submit": "Reject",
                            "action_id": "ferry:gate:rejected", "value": inv.value})

    def rejected(inv):
        card = gate_card(inv.value, requested[inv.value], "rejected", by=inv.who.user_id,
                         reason=inv.inputs["input"])
        return Reply(card, ephemeral=False, card_key=f"gate:{inv.value}")

    registry.verbs()["gate"] = Verb("gate", "gate <step>", "test: request a four-eyes step", request,
                                    Permission.APPROVE, actions={
                                        "approve": Action(approve, Permission.APPROVE),
                                        "reject": Action(reject, Permission.APPROVE),
                                        "rejected": Action(rejected, Permission.APPROVE)})
    yield requested
    registry.verbs().pop("gate", None)


def assert_all_blocks_valid(standin):
    for m in standin.messages:
        assert len(m.blocks) <= 50
        for b in m.blocks:
            Block.parse(b).validate_json()


def test_status_command_shows_the_card_to_its_asker_only(channel):
    channel.type("/migrate status")
    card = channel.message("Nothing started yet")
    card.wait_for()
    assert card.locator(".ephemeral-note").inner_text().strip().endswith("Only visible to you")
    assert card.locator(".author").inner_text() == "Ferry"
    channel.act_as(VIEWER)
    channel.page.wait_for_selector("#messages .message", state="detached")
    assert channel.message("Nothing started yet").count() == 0
    channel.act_as(OPERATOR)
    channel.message("Nothing started yet").wait_for()


def test_help_renders_mrkdwn(channel):
    channel.type("/migrate help")
    card = channel.message("/migrate verbs")
    card.wait_for()
    assert card.locator("code").count() >= 2  # the usages are `code`
    assert card.locator("hr.bk-divider").count() == 1 and card.locator(".bk-context").count() == 1
    channel.type("/migrate help status")
    one = channel.message("who: anyone")
    one.wait_for()
    assert one.locator("b > code").inner_text() == "/migrate status"  # *`code`* is bold code


def test_card_updated_in_place_moves_its_progress_bar(channel):
    services = channel.ferry.runtime.services

    def transfer(fraction: float) -> Message:
        return Message(f"orders {fraction:.0%}", [Header("Transfer orders"),
                                                  Section(f"`{progress_bar(fraction)}`", fields=["*Copied*\n1.2 GB"]),
                                                  Context([":arrows_counterclockwise: running"])])

    services.post(transfer(0.1), card_key="transfer:orders")
    card = channel.message("Transfer orders")
    card.wait_for()
    assert "10%" in card.inner_text()
    ts = card.get_attribute("data-ts")
    for fraction in (0.45, 0.8):
        services.post(transfer(fraction), card_key="transfer:orders")
        channel.page.wait_for_function(
            "([ts, pct]) => (document.querySelector(`#messages .message[data-ts='${ts}']`) || {}).innerText"
            "?.includes(pct)", arg=[ts, f"{fraction:.0%}"])
    assert card.count() == 1 and card.get_attribute("data-ts") == ts
    assert int(card.get_attribute("data-edited")) >= 1
    assert "▓" * 16 in card.inner_text() and "🔄" in card.inner_text()


def test_thread_replies_open_in_a_panel(channel):
    services = channel.ferry.runtime.services
    services.post(Message("Validation orders", [Header("Validation orders"), Section("3 differences")]),
                  card_key="validation:orders")
    services.post(Message("first rows", [Section("```\nrow 17  asis=3  tobe=4\n```")]),
                  thread_of="validation:orders")
    link = channel.message("Validation orders").locator(".thread-link")
    link.wait_for()
    assert link.inner_text() == "1 reply"
    link.click()
    panel = channel.page.locator("#thread")
    panel.locator(".message", has_text="row 17").wait_for()
    assert panel.locator("pre.code-block").inner_text() == "row 17  asis=3  tobe=4"
    assert channel.message("row 17").count() == 0  # replies stay in the thread
    channel.page.fill("#thread-input", "looking at row 17 now")
    channel.page.press("#thread-input", "Enter")
    panel.locator(".message", has_text="looking at row 17 now").locator(".author", has_text="Alice").wait_for()
    link.filter(has_text="2 replies").wait_for()
    assert channel.ferry.standin.channel_messages(CHANNEL)[-1].thread_ts == channel.message(
        "Validation orders").get_attribute("data-ts")


def test_viewer_click_refused_to_the_viewer_only(channel, gate_verb):
    channel.act_as(BOB)
    channel.type("/migrate gate dns")
    card = channel.message("Step dns")
    card.wait_for()
    channel.act_as(VIEWER)
    channel.message("Step dns").locator("button", has_text="Reject").click()
    refusal = channel.message("for approvers only")
    refusal.wait_for()
    assert "Only visible to you" in refusal.inner_text() and "⛔" in refusal.inner_text()
    channel.act_as(BOB)
    channel.message("Step dns").wait_for()
    assert channel.message("for approvers only").count() == 0


def test_four_eyes_requester_refused_then_second_approver_approves(channel, gate_verb):
    channel.act_as(BOB)
    channel.type("/migrate gate cutover-dns")
    card = channel.message("Step cutover-dns")
    card.wait_for()
    assert card.locator(".user-mention").first.inner_text() == "@" + NAMES[BOB]
    assert card.locator(".channel-mention").inner_text() == "#migration"
    approve = card.locator("button.bk-button.primary", has_text="Approve")
    approve.click()
    dialog = channel.page.locator(".confirm-dialog")
    assert "Approve this step?" in dialog.inner_text()
    dialog.locator("button.confirm").click()
    refusal = channel.message("another approver must approve it")
    refusal.wait_for()
    assert "Only visible to you" in refusal.inner_text()

    channel.act_as(CAROL)
    card = channel.message("Step cutover-dns")
    card.wait_for()
    assert channel.message("another approver must approve it").count() == 0
    ts = card.get_attribute("data-ts")
    card.locator("button", has_text="Approve").click()
    channel.page.locator(".confirm-dialog button.confirm").click()
    channel.page.locator(f"#messages .message[data-ts='{ts}']", has_text="Approved by @Carol").wait_for()
    assert card.locator("button").count() == 0  # the buttons went with the update
    assert "✅" in card.inner_text()
    assert_all_blocks_valid(channel.ferry.standin)


def test_cancelled_confirm_sends_nothing(channel, gate_verb):
    channel.act_as(CAROL)
    channel.type("/migrate gate kafka")
    card = channel.message("Step kafka")
    card.locator("button", has_text="Approve").click()
    channel.page.locator(".confirm-dialog button.deny").click()
    assert channel.page.locator(".confirm-dialog").count() == 0
    channel.page.wait_for_timeout(300)
    assert not [c for c in channel.ferry.standin.calls if c.method == "chat.update"]


def test_reject_opens_a_modal_and_submits_the_reason(channel, gate_verb):
    channel.act_as(BOB)
    channel.type("/migrate gate hbase")
    channel.act_as(CAROL)
    card = channel.message("Step hbase")
    card.locator("button.danger", has_text="Reject").click()
    modal = channel.page.locator(".modal")
    modal.wait_for()
    assert "Reject step" in modal.inner_text() and "Why reject it?" in modal.inner_text()
    assert channel.ferry.standin.calls_of("views.open")
    modal.locator("textarea").fill("row counts differ on `orders`")
    modal.locator("button.submit").click()
    modal.wait_for(state="detached")
    rejected = channel.message("Rejected by @Carol")
    rejected.wait_for()
    assert rejected.locator("code").inner_text() == "orders"


def test_unknown_slash_command_and_plain_messages(channel):
    channel.type("/deploy now")
    note = channel.message("is not a valid command")
    note.wait_for()
    assert note.locator(".author").inner_text() == "Slackbot"
    channel.type("hello <team> & *all*")
    said = channel.message("hello")
    said.wait_for()
    assert said.locator(".author").inner_text() == "Alice"
    assert said.locator(".message-content").inner_text() == "hello <team> & all"
    channel.act_as(VIEWER)
    channel.message("hello").wait_for()  # a plain message is for everyone
    assert channel.message("is not a valid command").count() == 0


def test_mrkdwn_and_blocks_render_as_slack_would(channel):
    text = ("*bold* _italic_ ~gone~ `code` <https://example.invalid/runbook|the runbook> "
            f"<@{CAROL}> <#{CHANNEL}> :white_check_mark: :x: :warning: :rotating_light: :no_entry: "
            ":arrows_counterclockwise: :not_an_emoji: a_b_c 2*3*4\n> quoted &lt;x&gt;")
    message = Message("mrkdwn sample", [Header("Sample :rotating_light:"), Section(text),
                                        Section("with a button", button=Button("Open", "ferry:none:open", "v"))])
    payload = block_kit.render(message)
    channel.ferry.runtime.services.post(message)
    card = channel.message("Sample")
    card.wait_for()
    body = card.locator(".bk-section").first
    assert body.locator("b").inner_text() == "bold"
    assert body.locator("i").inner_text() == "italic"
    assert body.locator("s").inner_text() == "gone"
    assert body.locator("code").inner_text() == "code"
    link = body.locator("a")
    assert link.inner_text() == "the runbook" and link.get_attribute("href") == "https://example.invalid/runbook"
    assert body.locator(".user-mention").inner_text() == "@Carol"
    assert body.locator(".channel-mention").inner_text() == "#migration"
    shown = body.inner_text()
    for emoji in ("✅", "❌", "⚠️", "🚨", "⛔", "🔄"):
        assert emoji in shown
    assert ":not_an_emoji:" in shown and "a_b_c" in shown and "2*3*4" in shown
    assert body.locator(".quote").inner_text() == "quoted <x>"
    assert card.locator(".bk-header").inner_text() == "Sample 🚨"
    assert card.locator(".bk-accessory button").inner_text() == "Open"
    assert [b["type"] for b in payload["blocks"]] == ["header", "section", "section"]



def tiny_png(width: int = 40, height: int = 20) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x12\x64\xa3" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_a_chart_uploaded_to_a_thread_shows_as_an_image(channel):
    services = channel.ferry.runtime.services
    services.post(Message("Transfer orders", [Header("Transfer orders"), Section("done")]),
                  card_key="transfer-card:x")
    services.upload("throughput.png", tiny_png(), title="Throughput <b>x</b>", comment=Message("Throughput"),
                    thread_of="transfer-card:x")
    services.upload("report.html", b"<script>alert(1)</script>", title="Report", mimetype="text/html",
                    comment=Message("The report"))
    channel.message("The report").locator(".file-download", has_text="report.html").wait_for()
    channel.message("Transfer orders").locator(".thread-link").click()
    image = channel.page.locator("#thread .file-image")
    image.wait_for()
    channel.page.wait_for_function("() => document.querySelector('#thread .file-image').naturalWidth === 40")
    assert channel.page.locator("#thread .file-title").inner_text() == "Throughput <b>x</b>"  # shown as text
