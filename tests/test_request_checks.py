"""Requests Slack itself would never send, as an attacker would send them: each gets a clean
HTTP answer (never a 500) and is never obeyed."""

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from commands import registry
from commands.context import Reply
from commands.registry import Action, Permission, Verb
from core.message import Message, Section
from sandbox.slack.driver import sign
from state import audit
from tests.fixtures.slack import CHANNEL, OPERATOR, SIGNING_SECRET


@pytest.fixture
def poke_verb():
    """A mutating verb with a button that records each time it acts."""
    calls = []

    def act(inv):
        calls.append(inv.value or inv.args)
        return Reply(Message("poked", [Section("poked")]))

    registry.verbs()["poke"] = Verb("poke", "poke <thing>", "test verb", act, Permission.OPERATE,
                                    actions={"press": Action(act, Permission.OPERATE)})
    yield calls
    registry.verbs().pop("poke", None)


def post(ferry, body: str, *, timestamp: str | None = None, secret: str = SIGNING_SECRET) -> tuple[int, str]:
    ts = timestamp if timestamp is not None else str(int(time.time()))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
               "X-Slack-Signature": sign(secret, ts, body)}
    req = urllib.request.Request(ferry.driver.events_url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def command_fields(ferry, text: str, **over) -> dict:
    fields = {"team_id": "T0SANDBOX", "channel_id": CHANNEL, "user_id": OPERATOR, "command": "/migrate",
              "text": text, "response_url": ferry.standin.response_url_for(CHANNEL, OPERATOR), "trigger_id": f"{time.time_ns()}.1.x"}
    fields.update(over)
    return {k: v for k, v in fields.items() if v is not None}


def test_non_numeric_timestamp_is_401_not_500(ferry, caplog):
    for ts in ("abc", "", "12e3", "\u00b2", "9" * 40, "-5"):
        status, _ = post(ferry, urllib.parse.urlencode(command_fields(ferry, "help")), timestamp=ts)
        assert status == 401, ts
    assert not [r for r in caplog.records if r.exc_info]
    assert ferry.standin.responses == []


def test_command_without_channel_is_refused(ferry, poke_verb):
    status, body = post(ferry, urllib.parse.urlencode(command_fields(ferry, "poke x", channel_id=None)))
    assert status == 200
    text = body if body.strip() else json.dumps(ferry.responses_for(1)[0])
    assert f"<#{CHANNEL}>" in text
    time.sleep(0.3)
    assert poke_verb == []
    entry = audit.recent(ferry.runtime.store, 1)[0]
    assert (entry["action"], entry["outcome"], entry["reason"]) == ("poke", "refused", "wrong channel")


def test_click_without_channel_is_refused(ferry, poke_verb):
    payload = {"type": "block_actions", "user": {"id": OPERATOR, "team_id": "T0SANDBOX"},
               "team": {"id": "T0SANDBOX"}, "container": {"type": "message", "message_ts": "1.1"},
               "trigger_id": "1.2.x", "response_url": ferry.standin.response_url_for(CHANNEL, OPERATOR),
               "actions": [{"type": "button", "action_id": "ferry:poke:press", "block_id": "b", "value": "v1",
                            "action_ts": "1.3"}]}
    status, _ = post(ferry, urllib.parse.urlencode({"payload": json.dumps(payload)}))
    assert status == 200
    ferry.responses_for(1)
    time.sleep(0.3)
    assert poke_verb == []
    entry = audit.recent(ferry.runtime.store, 1)[0]
    assert (entry["action"], entry["outcome"], entry["reason"]) == ("poke:press", "refused", "wrong channel")
