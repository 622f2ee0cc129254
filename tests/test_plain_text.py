"""The console, `run` and the demo's terminal print plain text, not Slack's markup (issue 15):
no `*bold*` marks, emoji shortcodes as emoji, mentions as names where known; `/as bob` in the demo
does not replay the channel; a button number that does not exist is answered."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bot import text
from bot.console import Console
from bot.demo import TerminalClient
from core.message import Context, Header, Message, Section

ROOT = Path(__file__).resolve().parent.parent
NAMES = {"U0ALICE01": "alice"}


@pytest.mark.parametrize("mrkdwn, shown", [
    ("*Transfers*", "Transfers"),
    (":large_orange_circle: *Kerberos is off*", "🟠 Kerberos is off"),
    ("started by <@U0ALICE01> · by hand", "started by @alice · by hand"),
    ("approved by <@U0BOB0001>", "approved by @U0BOB0001"),  # no name known: the ID
    ("_silenced_ by ~nobody~", "silenced by nobody"),
    ("`hbase_tables` and hbase_tables and 2*3*4", "`hbase_tables` and hbase_tables and 2*3*4"),
    ("`*as typed*` :not_an_emoji: 19:40:12", "`*as typed*` :not_an_emoji: 19:40:12"),
    ("```\n*code block* :x:\n```", "```\n*code block* :x:\n```"),
    ("_waits for step 1, `freeze-writes`_", "waits for step 1, `freeze-writes`"),
    ("&lt;b&gt; <https://x.example|docs>", "<b> docs (https://x.example)"),
])
def test_plain_reads_mrkdwn_as_a_person_would(mrkdwn, shown):
    assert text.plain(mrkdwn, NAMES) == shown


def test_a_rendered_card_has_no_markup_left():
    message = Message("x", [Header("Ferry status"), Section("*Transfers*\n:white_check_mark: `a` — done"),
                            Section(fields=["*Started by*\n<@U0ALICE01>"]), Context([":warning: _stalled_"])])
    body, _ = text.render(message, names=NAMES)
    assert "Transfers\n✅ `a` — done" in body and "Started by @alice" in body and "⚠️ stalled" in body
    assert not re.search(r"\*\w|:[a-z_]+:|<@", body), body


def test_every_emoji_ferry_writes_has_a_character():
    used = set()
    for folder in ("bot", "commands", "features", "jobs"):
        for source in (ROOT / folder).rglob("*.py"):
            if source.name == "text.py":
                continue
            used |= set(re.findall(r"(?<=[\s\"'(\[]):([a-z](?:[a-z0-9_+]*[a-z0-9])?):(?=[\s\"')\],.])",
                                   source.read_text()))
    assert used and used - set(text.EMOJI) == set(), "add these to EMOJI in bot/text.py"


def test_the_console_prints_names_and_no_markup(tmp_path):
    config = tmp_path / "app.yaml"
    config.write_text("""
slack: {channel: C0FERRY01}
people: {operators: [U0ALICE01], approvers: [U0BOB0001], names: {U0ALICE01: alice}}
state: {path: state.sqlite}
estates: {as-is: {}, to-be: {}}
""")
    buffer = io.StringIO()
    console = Console(str(config), out=buffer)
    console.loop(["/migrate status", "/migrate cutover", "999"])
    out = buffer.getvalue()
    assert "you are alice" in out and "[only you, alice]" in out
    assert "Nothing started yet." in out and "🌱" in out and "*Nothing" not in out and ":seedling:" not in out
    assert "No button 999." in out


def test_the_demo_terminal_does_not_replay_the_channel_when_switching_user(slack_standin, capsys):
    from slack_sdk import WebClient

    from tests.fixtures.slack import BOT_TOKEN

    slack = WebClient(token=BOT_TOKEN, base_url=slack_standin.api_url)
    for i in range(30):  # a channel with some history
        slack.chat_postMessage(channel="C0FERRY01", text=f"card {i}",
                               blocks=[{"type": "section", "text": {"type": "mrkdwn",
                                                                    "text": f"*card {i}* by <@U0ALICE01>"}}])
    client = TerminalClient(slack_standin, driver=None, user="U0ALICE01")
    try:
        client.refresh()
        first = capsys.readouterr().out
        assert first.count("--- [#migration]") == 30 and "card 29 by @alice" in first and "*card" not in first
        client.handle("/as bob")
        out = capsys.readouterr().out
        assert "You are now bob" in out and "card 1 by" not in out and "--- [" not in out
        slack.chat_postMessage(channel="C0FERRY01", text="new",
                               blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "a new card"}}])
        client.refresh()
        assert "a new card" in capsys.readouterr().out  # what comes next is shown
        client.handle("999")
        assert "No button 999. Buttons are numbered 1 to 0." not in capsys.readouterr().out
    finally:
        slack_standin._listeners.remove(client.refresh)


def test_a_button_number_that_does_not_exist_is_answered(slack_standin, capsys):
    client = TerminalClient(slack_standin, driver=None, user="U0ALICE01")
    try:
        client.handle("999")
        assert capsys.readouterr().out.strip() == "No button 999."
    finally:
        slack_standin._listeners.remove(client.refresh)


def test_run_prints_plain_text_with_names(tmp_path, capsys):
    from bot import cli
    from features.registry import open_store
    from state import runs

    config = tmp_path / "app.yaml"
    config.write_text("""
slack: {channel: C0FERRY01}
people: {operators: [U0ALICE01], approvers: [U0BOB0001], names: {U0ALICE01: alice, U0BOB0001: bob}}
state: {path: state.sqlite}
estates: {as-is: {}, to-be: {}}
""")
    store = open_store(str(tmp_path / "state.sqlite"))
    runs.create(store, "assessment", "as-is", state="done", detail={"summary": "4 high"})
    store.close()
    assert cli.main(["run", "status", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "✅ assessment `as-is` — done (4 high)" in out and "Recent runs" in out
    assert "*" not in out and not re.search(r":[a-z_]+:", out.replace("`", "")), out
