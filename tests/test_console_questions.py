"""`python -m bot console` asks what Slack asks (issue 12, items 11-12): a button's confirmation
(y/N) before acting, and a modal's text (a rejection's reason) before the action runs."""

import io

import pytest

from bot.console import Console
from commands import registry
from commands.context import Reply
from commands.registry import Action, Permission, Verb
from core.message import Actions, Button, Confirm, Message, Section
from state import audit


@pytest.fixture
def pick():
    pressed = []

    def handle(inv):
        buttons = [Button("Launch", "ferry:pick:go", "n1", "primary", Confirm("Launch it?", "This starts *n1*.")),
                   Button("Refuse", "ferry:pick:no", "n1", "danger")]
        return Reply(Message("pick", [Section("Launch?"), Actions(buttons)]), ephemeral=False, card_key="pick")

    def go(inv):
        pressed.append(("go", inv.value))
        return Reply(Message("launched", [Section("launched")]))

    def no(inv):
        if not inv.inputs.get("input"):
            return Reply(None, modal={"action_id": "ferry:pick:no", "value": inv.value, "label": "Why not?"})
        pressed.append(("no", inv.inputs["input"]))
        return Reply(Message("refused", [Section("refused")]), data={"audited": False})

    registry.verbs()["pick"] = Verb("pick", "pick", "test", handle, Permission.OPERATE,
                                    actions={"go": Action(go), "no": Action(no)})
    yield pressed
    registry.verbs().pop("pick")


def test_a_confirmation_is_asked_and_no_means_no(ferry_config, pick):
    out = io.StringIO()
    Console(str(ferry_config), out=out).loop(["/migrate pick", "1", "n", "1", "y"])
    text = out.getvalue()
    assert "Launch it?" in text and "This starts *n1*." in text and "[y/N]" in text
    assert pick == [("go", "n1")]


def test_a_modal_asks_its_text_before_the_action_runs(ferry_config, pick):
    out = io.StringIO()
    console = Console(str(ferry_config), out=out)
    console.loop(["/migrate pick", "2", "Not today"])
    assert "Why not?" in out.getvalue()
    assert pick == [("no", "Not today")]
    actions = [(e["action"], e["outcome"]) for e in audit.all_entries(console.runtime.store)]
    assert actions.count(("pick:no", "ok")) == 1  # the answer, not the question
