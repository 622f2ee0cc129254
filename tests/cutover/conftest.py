"""Set-up for the cutover tests: Ferry over HTTP against the Slack stand-in, with a runbook, and
helpers that press the buttons the card actually shows (signed block_actions requests)."""

from __future__ import annotations

import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block

from features.cutover import approvals
from tests.fixtures.slack import CHANNEL, FerryHttp, start_ferry, stop_ferry

ALICE = "U0ALICE01"  # operator
BOB = "U0BOB0001"  # operator and approver: may request, then never approve his own request
CAROL = "U0CAROL01"  # approver
DAVE = "U0DAVE001"  # approver
VIEWER = "U0VIEWER1"  # neither

PEOPLE = f"""
slack:
  channel: {CHANNEL}
people:
  operators: [{ALICE}, S0DATAENG1, {BOB}]
  approvers: [{BOB}, {CAROL}, {DAVE}]
state:
  path: state.sqlite
estates:
  as-is: {{}}
  to-be: {{}}
"""

MANUAL_RUNBOOK = """
cutover:
  watch_interval: 0.3s
  steps:
    - id: freeze-writes
      title: Freeze writes on AS-IS
      description: Put the AS-IS applications in read-only mode.
      approvals: 2
      approval_ttl: 2h
    - id: switch-clients
      title: Switch clients to TO-BE
      approvals: 1
      gates:
        after: [freeze-writes]
"""


def write(directory: Path, extra: str, name: str = "app.yaml") -> Path:
    path = directory / name
    path.write_text(PEOPLE + textwrap.dedent(extra))
    return path


def assert_valid_blocks(blocks: list[dict]) -> None:
    assert 0 < len(blocks) <= 50
    for b in blocks:
        Block.parse(b).validate_json()


@dataclass
class Cutover:
    """Ferry with a runbook, and what a person in the channel can do and see."""

    ferry: FerryHttp

    @property
    def services(self):
        return self.ferry.runtime.services

    @property
    def standin(self):
        return self.ferry.standin

    def command(self, text: str, user: str = ALICE) -> None:
        self.ferry.command(text, user=user)

    def press(self, action: str, value: str, user: str, timeout: float = 10.0) -> str:
        """Click a button as `user`; return the ephemeral answer they get (validated Block Kit)."""
        before = len(self.standin.responses)
        delivery = self.ferry.click(f"ferry:cutover:{action}", value, user=user)
        assert delivery.status == 200
        got = self.standin.wait_for(lambda s: s.responses[before:] if len(s.responses) > before else None, timeout)
        answer = got[0]
        assert answer.get("response_type") == "ephemeral"
        assert_valid_blocks(answer["blocks"])
        return answer["text"]

    def cards(self) -> list:
        return [m for m in self.standin.channel_messages(CHANNEL)
                if not m.ephemeral_to and not m.thread_ts and m.text.startswith("Cutover runbook")]

    def card(self, predicate=lambda text: True, timeout: float = 10.0):
        """The runbook card once its text (all blocks) satisfies `predicate`."""
        def look(s):
            cards = self.cards()
            if len(cards) > 1:
                raise AssertionError("the runbook card was posted twice instead of updated in place")
            return cards[0] if cards and predicate(str(cards[0].blocks)) else None
        found = self.standin.wait_for(look, timeout)
        assert_valid_blocks(found.blocks)
        return found

    def button(self, label: str, timeout: float = 10.0, other_than: str | None = None, step: str = "") -> str:
        """The value of the button `label` on the card, once it shows (for `step`, and with a
        value other than `other_than`, when given)."""
        def look(s):
            cards = self.cards()
            for block in (cards[0].blocks if cards else []):
                for el in block.get("elements", []) if block.get("type") == "actions" else []:
                    if el["text"]["text"] == label and el.get("value") != other_than \
                            and el.get("value", "").startswith(step):
                        return el.get("value")
            return None
        return self.standin.wait_for(look, timeout)

    def view(self):
        return approvals.view(self.services)

    def state_of(self, step_id: str) -> str:
        return self.view().get(step_id).state

    def wait_state(self, step_id: str, state: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.state_of(step_id) != state:
            if time.monotonic() > deadline:
                raise AssertionError(f"step {step_id} is {self.state_of(step_id)}, not {state}")
            time.sleep(0.05)


@pytest.fixture
def runbook_config(tmp_path) -> Path:
    return write(tmp_path, MANUAL_RUNBOOK)


@pytest.fixture
def cut(runbook_config, slack_standin):
    running = start_ferry(runbook_config, slack_standin)
    yield Cutover(running)
    stop_ferry(running)
