"""`/migrate assess` and `/migrate plan` as Slack sends them: signed requests over HTTP to Ferry,
Ferry's answers seen by the Slack Web API stand-in; Cloudera Manager is the simulator."""

from __future__ import annotations

import json

import pytest
from slack_sdk.models.blocks import Block

from state import runs
from tests.assess.conftest import WRONG_PASSWORD_ENV, config_text
from tests.fixtures.slack import CHANNEL, VIEWER, start_ferry, stop_ferry


def valid(blocks: list[dict]) -> None:
    assert len(blocks) <= 50
    for b in blocks:
        Block.parse(b).validate_json()


def cards(standin, thread_ts=None):
    return [m for m in standin.channel_messages(CHANNEL) if m.thread_ts == thread_ts and not m.ephemeral_to]


@pytest.fixture
def ferry_on(tmp_path, slack_standin):
    started = []

    def start(**kw):
        path = tmp_path / "app.yaml"
        path.write_text(config_text(**kw))
        ferry = start_ferry(path, slack_standin)
        started.append(ferry)
        return ferry

    yield start
    for ferry in started:
        stop_ferry(ferry)


def test_assess_over_slack(ferry_on, cm_fieldnote):
    ferry = ferry_on(as_is=cm_fieldnote.url)
    delivery = ferry.command("assess", user=VIEWER)  # read-only: anyone in the channel
    assert delivery.status == 200
    ack = ferry.responses_for(1)[0]
    assert ack["response_type"] == "ephemeral" and "Assessing AS-IS" in ack["text"] and "card follows" in ack["text"]
    valid(ack["blocks"])
    card = ferry.standin.wait_for(lambda s: [m for m in cards(s) if "Assessment of AS-IS" in m.text], 20)[0]
    valid(card.blocks)
    text = json.dumps(card.blocks)
    assert "ZooKeeper shares hosts with Kafka brokers" in text and "4/3/3" in text and "Kerberos is off" in text
    assert "fn-worker-3 at 82% vs a mean of 65%" in text
    # the complete report in the card's thread
    def thread_text(s):
        text = "".join(b["text"]["text"] for m in cards(s, thread_ts=card.ts) for b in m.blocks)
        return text if "*Transfer-time estimate*" in text else None  # the last paragraph

    report = ferry.standin.wait_for(thread_text, 20)
    assert "Disk-image (AMI/EBS snapshot) copies do not migrate HDFS" in report and "HOSTS x ROLES" in report
    run = runs.latest(ferry.runtime.store, "assessment", "as-is")
    assert run.state == "done" and run.detail["counts"]["high"] == 4


def test_cm_failure_over_slack_then_the_bot_keeps_answering(ferry_on, cm_fieldnote):
    ferry = ferry_on(as_is=cm_fieldnote.url, password_env=WRONG_PASSWORD_ENV)
    ferry.command("assess")
    assert "Assessing AS-IS" in ferry.responses_for(1)[0]["text"]
    card = ferry.standin.wait_for(lambda s: [m for m in cards(s) if "failed" in m.text], 20)[0]
    valid(card.blocks)
    assert "Assessment of AS-IS failed" in card.text and "user name and password" in card.text
    assert "not-the-password" not in json.dumps(card.blocks)
    run = ferry.standin.wait_for(lambda s: (r := runs.latest(ferry.runtime.store, "assessment", "as-is"))
                                 and r.state == "failed" and r)
    assert "401" in run.error or "refused" in run.error.lower()
    ferry.command("help")
    assert "Ferry: /migrate verbs" in ferry.responses_for(2)[1]["text"]


def test_plan_over_slack(ferry_on, cm_fieldnote):
    ferry = ferry_on(as_is=cm_fieldnote.url)
    ferry.command("plan")
    answer = ferry.responses_for(1)[0]
    valid(answer["blocks"])
    assert "Migration plan" in answer["text"] and "875.0 MB/s" in json.dumps(answer["blocks"])
