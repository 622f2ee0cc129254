"""Set-ups for the assessment tests: app.yaml files whose estates point at CM simulators, and a
Ferry runtime (no Slack) to run verbs and jobs in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from slack_sdk.models.blocks import Block

from bot import blocks as block_kit
from bot.runtime import Runtime
from commands import dispatch
from core.message import Message
from core.who import Who
from sandbox.cloudera.estate import ESTATES_DIR
from tests.fixtures.slack import APPROVERS, CHANNEL, GROUP, OPERATOR

PASSWORD_ENV = "FERRY_TEST_CM_PASSWORD"
WRONG_PASSWORD_ENV = "FERRY_TEST_CM_WRONG_PASSWORD"


def config_text(*, as_is: str | None, to_be: str | None = None, cluster: str = "Cluster 1",
                password_env: str = PASSWORD_ENV, state: str = "state.sqlite", extra: str = "") -> str:
    """A complete app.yaml (tests/fixtures/slack.py's BASE_CONFIG has empty estates of its own)."""
    def side(url: str | None) -> str:
        if url is None:
            return "{}"
        return (f'{{cloudera: {{url: "{url}", username: admin, password: "${{{password_env}}}", '
                f'cluster: "{cluster}", timeout: 5}}}}')

    return (f"slack: {{channel: {CHANNEL}}}\n"
            f"people: {{operators: [{OPERATOR}, {GROUP}], approvers: [{', '.join(APPROVERS)}]}}\n"
            f"state: {{path: {state}}}\n"
            f"estates:\n  as-is: {side(as_is)}\n  to-be: {side(to_be)}\n"
            "network: {source_bandwidth: 10Gbit/s, usable_fraction: 0.7}\n" + extra)


@pytest.fixture(autouse=True)
def cm_passwords(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "admin")
    monkeypatch.setenv(WRONG_PASSWORD_ENV, "not-the-password")


@pytest.fixture
def write_app_yaml(tmp_path) -> Callable[..., Path]:
    def write(name: str = "app.yaml", **kw) -> Path:
        path = tmp_path / name
        path.write_text(config_text(**kw))
        return path

    return write


@pytest.fixture
def runtime_for() -> Iterator[Callable[[Path], Runtime]]:
    """A Ferry runtime without Slack and without a scheduler: jobs the verbs queue run inline."""
    made: list[Runtime] = []

    def make(path: Path) -> Runtime:
        rt = Runtime(str(path), with_scheduler=False)
        made.append(rt)
        return rt

    yield make
    for rt in made:
        rt.stop()
        rt.store.close()


def run_verb(rt: Runtime, text: str, user: str = OPERATOR):
    return dispatch.run_command(rt.services, Who(user_id=user, team_id="T1", channel_id=CHANNEL), text)


def posted(rt: Runtime) -> list[Message]:
    """Channel messages queued in the outbox, oldest first."""
    rows = rt.store.db.execute("SELECT message FROM outbox WHERE user_id IS NULL ORDER BY id").fetchall()
    import json

    return [Message.from_dict(json.loads(r[0])) for r in rows]


def assert_slack_valid(message: Message) -> dict:
    """Rendered as Slack gets it: at most 50 blocks, each valid Block Kit (3,000 chars a section)."""
    payload = block_kit.render(message)
    assert len(payload["blocks"]) <= 50
    for b in payload["blocks"]:
        Block.parse(b).validate_json()
        if b.get("type") == "section" and "text" in b:
            assert len(b["text"]["text"]) <= 3000
    return payload


def fieldnote_dict() -> dict:
    return yaml.safe_load((ESTATES_DIR / "fieldnote.yaml").read_text())


@pytest.fixture
def plan_rt(tmp_path, runtime_for):
    """A runtime on an app.yaml of the given text (the plan tests)."""
    def make(text: str):
        path = tmp_path / "app.yaml"
        path.write_text(text)
        return runtime_for(path)

    return make
