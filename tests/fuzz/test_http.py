"""Signed requests with any text, any button value, any modal and any body, over real HTTP to
Ferry's Bolt app: acknowledged in time, never a 500, nothing logged as an error."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sandbox.slack import SlackStandIn
from sandbox.slack.driver import sign
from tests.fixtures.slack import (
    BOT_TOKEN,
    CHANNEL,
    GROUP,
    GROUP_MEMBER,
    OPERATOR,
    SIGNING_SECRET,
    start_ferry,
    stop_ferry,
    write_config,
)
from tests.fuzz.properties import EXAMPLES, FUZZ, IN_TIME_S, NOT_FOR_PEOPLE
from tests.fuzz.strategies import ACTION_ID, ANY_TEXT, COMMAND, VALUE

HTTP = settings(FUZZ, max_examples=max(10, EXAMPLES // 3))  # each example is a real round trip


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def ferry(tmp_path_factory):
    errors = Errors()
    logging.getLogger().addHandler(errors)
    with SlackStandIn(token=BOT_TOKEN, usergroups={GROUP: [GROUP_MEMBER]}) as standin:
        running = start_ferry(write_config(tmp_path_factory.mktemp("ferry"), """
cutover:
  steps:
    - id: freeze-writes
      title: Freeze writes
      approvals: 1
"""), standin)
        running.errors = errors
        yield running
        stop_ferry(running)
    logging.getLogger().removeHandler(errors)


def in_time(ferry, send):
    started = time.monotonic()
    delivery = send()
    took = time.monotonic() - started
    assert delivery.status < 500, delivery
    assert took < IN_TIME_S, f"acknowledged in {took:.2f} s"
    assert not ferry.errors.records, [r.getMessage() for r in ferry.errors.records]
    return delivery


@HTTP
@given(text=COMMAND)
def test_any_command_is_acknowledged(ferry, text):
    delivery = in_time(ferry, lambda: ferry.command(text))
    assert delivery.status == 200
    if delivery.body.strip().startswith("{"):  # answered inside the ack: a sentence, no trace
        shown = json.dumps(json.loads(delivery.body), ensure_ascii=False)
        assert not [w for w in NOT_FOR_PEOPLE if w in shown], shown[:400]


@HTTP
@given(action_id=ACTION_ID, value=VALUE)
def test_any_click_is_acknowledged(ferry, action_id, value):
    in_time(ferry, lambda: ferry.click(action_id, value, user=OPERATOR, channel=CHANNEL))


@HTTP
@given(callback=st.one_of(st.just("ferry:cutover:reject"), ANY_TEXT), metadata=ANY_TEXT, text=ANY_TEXT)
def test_any_modal_submission_is_acknowledged(ferry, callback, metadata, text):
    in_time(ferry, lambda: ferry.driver.submit_view(callback, metadata, text, user=OPERATOR))


@HTTP
@given(body=st.one_of(ANY_TEXT, st.builds(lambda t: "payload=" + urllib.parse.quote(t), ANY_TEXT),
                      st.builds(lambda d: "payload=" + urllib.parse.quote(json.dumps(d)),
                                st.dictionaries(st.sampled_from(["type", "user", "actions", "view", "channel"]),
                                                st.one_of(st.none(), st.text(max_size=10), st.integers(),
                                                          st.lists(st.none(), max_size=2)), max_size=5))),
       signed=st.booleans())
@example(body="payload", signed=True)
@example(body="payload=%7B", signed=False)
def test_any_body_gets_a_status_not_a_crash(ferry, body, signed):
    def send():
        ts = str(int(time.time()))
        req = urllib.request.Request(ferry.driver.events_url, data=body.encode(), method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(SIGNING_SECRET if signed else "not-the-secret", ts, body)})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return _Status(resp.status)
        except urllib.error.HTTPError as e:
            return _Status(e.code)

    in_time(ferry, send)


class _Status:
    def __init__(self, status: int) -> None:
        self.status = status

    def __repr__(self) -> str:
        return f"HTTP {self.status}"
