"""The terminal of `make demo` (bot/demo.py's TerminalClient) against a real Ferry over HTTP and
the Slack stand-in (issue 12, items 10-12): no input ends it but `quit`; a button that carries a
confirmation asks y/N first; Reject asks for the reason, as Slack's modal does, and nothing is
audited as a rejection without one."""

from __future__ import annotations

import time

import pytest

from bot.demo import TerminalClient
from state import audit
from tests.cutover.conftest import BOB, CAROL

ODD_LINES = ["²", "٣", "0", "-1", "99999999999999999999999999", "1e3", "\x00", "   ", "/as", "/as nobody",
             "/migrate", "/migrate \"open", "?", "1 2"]


@pytest.fixture
def terminal(cut):
    client = TerminalClient(cut.standin, cut.ferry.driver, BOB)
    yield client
    cut.standin._listeners.remove(client.refresh)


def press(cut, client: TerminalClient, label: str) -> str:
    """The line to type for the button `label` once it shows."""
    def find(_):
        client.refresh()
        numbers = [str(i + 1) for i, (button, _ts) in enumerate(client.buttons) if button.label == label]
        return numbers[-1] if numbers else None
    return cut.standin.wait_for(find, 10)


def wait_output(capsys, needle: str, timeout: float = 10.0) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen += capsys.readouterr().out
        if needle in seen:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"{needle!r} never shown; shown:\n{seen}")


def test_no_input_ends_the_terminal_but_quit(terminal):
    for line in ODD_LINES:
        assert terminal.handle(line) is True, line
    assert terminal.handle("quit") is False


def test_a_confirmation_is_asked_before_the_click(cut, terminal, capsys):
    terminal.handle("/migrate cutover")
    line = press(cut, terminal, "Request approval")
    terminal.handle(line)
    shown = wait_output(capsys, "Request this step?")
    assert "[y/N]" in shown
    terminal.handle("n")
    time.sleep(0.5)
    assert cut.state_of("freeze-writes") == "ready"  # no click was sent
    terminal.handle(line)
    terminal.handle("y")
    cut.wait_state("freeze-writes", "requested")


def test_reject_asks_for_the_reason_and_audits_only_a_reasoned_rejection(cut, terminal, capsys):
    terminal.handle("/migrate cutover")
    terminal.handle(press(cut, terminal, "Request approval"))
    terminal.handle("y")
    cut.wait_state("freeze-writes", "requested")
    terminal.user = CAROL
    terminal.handle(press(cut, terminal, "Reject"))
    wait_output(capsys, "Why do you reject")
    assert not [e for e in audit.all_entries(cut.services.store) if e["action"] == "cutover:reject"]
    terminal.handle("Clients are not ready")
    cut.wait_state("freeze-writes", "rejected")
    rejections = [e for e in audit.all_entries(cut.services.store) if e["action"] == "cutover:reject"]
    assert [(e["outcome"], e["reason"]) for e in rejections] == [("rejected", "Clients are not ready")]


def test_an_empty_reason_cancels_the_rejection(cut, terminal, capsys):
    terminal.handle("/migrate cutover")
    terminal.handle(press(cut, terminal, "Request approval"))
    terminal.handle("y")
    cut.wait_state("freeze-writes", "requested")
    terminal.user = CAROL
    terminal.handle(press(cut, terminal, "Reject"))
    wait_output(capsys, "Why do you reject")
    terminal.handle("")
    wait_output(capsys, "Cancelled")
    time.sleep(0.3)
    assert cut.state_of("freeze-writes") == "requested"
    assert not [e for e in audit.all_entries(cut.services.store) if e["action"] == "cutover:reject"]


@pytest.mark.parametrize("label, shown", [("Mark done", "*Mark done*"),
                                          ("<!channel> *Approve* <https://evil.example|here>", "*!channel Approve")])
def test_a_refusal_names_the_button_by_its_label(cut, label, shown):
    before = len(cut.standin.responses)
    cut.ferry.click("ferry:cutover:complete", "freeze-writes|freeze-writes#1", user=CAROL, label=label)
    answer = cut.standin.wait_for(lambda s: s.responses[before:] or None, 10)[0]["text"]
    assert shown in answer and "*Complete*" not in answer
    assert "<!channel>" not in answer and "<https" not in answer
