"""Ferry over real HTTP: signed slash commands and clicks, replies seen by the Slack stand-in."""

import time

import pytest
from slack_sdk.models.blocks import Block

from commands import registry
from commands.context import Reply
from commands.registry import Action, Permission, Verb
from core.message import Message, Section
from state import audit
from tests.fixtures.slack import CHANNEL, GROUP_MEMBER, VIEWER


def assert_valid_blocks(blocks):
    assert len(blocks) <= 50
    for b in blocks:
        Block.parse(b).validate_json()


def ephemeral_text(response: dict) -> str:
    assert response.get("response_type") == "ephemeral"
    assert_valid_blocks(response.get("blocks") or [])
    return response["text"] + "\n" + str(response.get("blocks"))


@pytest.fixture
def poke_verb():
    """A mutating verb for permission tests: counts its runs, so a test can see it acted once."""
    calls = []

    def handle(inv):
        calls.append(inv.args)
        return Reply(Message("poked", [Section("poked")]), data={"poked": True})

    def on_button(inv):
        calls.append(("button", inv.value))
        return Reply(Message("button pressed", [Section("button pressed")]))

    verb = Verb("poke", "poke <thing>", "test verb", handle, Permission.OPERATE,
                actions={"press": Action(on_button, Permission.OPERATE)})
    registry.verbs()["poke"] = verb
    yield calls
    registry.verbs().pop("poke", None)


def test_help_lists_every_verb(ferry):
    delivery = ferry.command("help")
    assert delivery.status == 200
    text = ephemeral_text(ferry.responses_for(1)[0])
    for name, verb in registry.verbs().items():
        assert f"/migrate {verb.usage}" in text, name


def test_empty_command_is_help(ferry):
    ferry.command("")
    assert "Ferry: /migrate verbs" in ephemeral_text(ferry.responses_for(1)[0])


def test_status_on_empty_state(ferry):
    ferry.command("status")
    text = ephemeral_text(ferry.responses_for(1)[0])
    assert "Nothing started yet" in text


def test_unknown_verb_suggests(ferry):
    ferry.command("stauts")
    text = ephemeral_text(ferry.responses_for(1)[0])
    assert "`stauts` is not a `/migrate` verb" in text
    assert "Did you mean `/migrate status`?" in text


def test_bad_arguments_get_usage(ferry):
    ferry.command("status now please")
    text = ephemeral_text(ferry.responses_for(1)[0])
    assert "takes no arguments" in text and "Usage: `/migrate status`" in text


def test_unbalanced_quote_is_a_usage_error(ferry):
    ferry.command('help "count')
    assert "Could not read the command" in ephemeral_text(ferry.responses_for(1)[0])


def test_forged_signature_gets_401_and_does_nothing(ferry):
    delivery = ferry.command("help", secret="not-the-secret")
    assert delivery.status == 401
    time.sleep(0.3)
    assert ferry.standin.responses == []


def test_stale_timestamp_gets_401(ferry):
    delivery = ferry.command("help", timestamp=int(time.time()) - 301)
    assert delivery.status == 401
    time.sleep(0.3)
    assert ferry.standin.responses == []


def test_retried_delivery_acts_once(ferry, poke_verb):
    first = ferry.command("poke a", trigger_id="111.222.abc")
    retry = ferry.command("poke a", trigger_id="111.222.abc", retry_num=1)
    assert first.status == retry.status == 200
    ferry.responses_for(1)
    time.sleep(0.5)
    assert poke_verb == [["a"]]
    assert len(ferry.standin.responses) == 1


def test_command_outside_the_channel_is_refused_and_audited(ferry):
    ferry.command("status", channel="C0ELSEWHERE")
    text = ephemeral_text(ferry.responses_for(1)[0])
    assert f"<#{CHANNEL}>" in text
    entry = audit.recent(ferry.runtime.store, 1)[0]
    assert (entry["outcome"], entry["reason"], entry["channel_id"]) == ("refused", "wrong channel", "C0ELSEWHERE")


def test_non_operator_mutating_verb_is_refused_and_audited(ferry, poke_verb):
    ferry.command("poke x", user=VIEWER)
    text = ephemeral_text(ferry.responses_for(1)[0])
    assert "for operators only" in text
    assert poke_verb == []
    entry = audit.recent(ferry.runtime.store, 1)[0]
    assert (entry["user_id"], entry["action"], entry["outcome"]) == (VIEWER, "poke", "refused")
    assert entry["team_id"] == "T0SANDBOX"


def test_operator_through_user_group(ferry, poke_verb):
    ferry.command("poke y", user=GROUP_MEMBER)
    ferry.responses_for(1)
    assert poke_verb == [["y"]]
    assert ferry.standin.calls_of("usergroups.users.list")
    entry = audit.recent(ferry.runtime.store, 1)[0]
    assert (entry["user_id"], entry["outcome"]) == (GROUP_MEMBER, "ok")


def test_double_click_acts_once(ferry, poke_verb):
    ferry.click("ferry:poke:press", "nonce-1")
    ferry.click("ferry:poke:press", "nonce-1")
    ferry.responses_for(2)
    assert poke_verb == [("button", "nonce-1")]
    assert "already handled" in str(ferry.standin.responses)


def test_viewer_click_refused(ferry, poke_verb):
    ferry.click("ferry:poke:press", "nonce-2", user=VIEWER)
    assert "operators only" in ephemeral_text(ferry.responses_for(1)[0])
    assert poke_verb == []


def test_verb_crash_is_a_sentence_not_a_trace(ferry):
    def boom(inv):
        raise RuntimeError("disk on fire")

    registry.verbs()["boom"] = Verb("boom", "boom", "crashes", boom)
    try:
        ferry.command("boom")
        text = ephemeral_text(ferry.responses_for(1)[0])
        assert "could not finish `/migrate boom`" in text and "Traceback" not in text
        ferry.command("help")  # the bot keeps answering
        ferry.responses_for(2)
    finally:
        registry.verbs().pop("boom")


def test_healthz(ferry):
    import json
    import urllib.request

    with urllib.request.urlopen(ferry.server.url + "/healthz", timeout=5) as resp:
        body = json.loads(resp.read())
    assert body["ok"] is True and "core.v1" in body["migrations"]
