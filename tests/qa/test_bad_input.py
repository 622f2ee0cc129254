"""The adversarial user, through signed Slack requests: odd arguments and forged or stale
buttons get a clear answer with the usage, never a trace, and Ferry keeps answering."""

from __future__ import annotations

import json

import pytest

from tests.cutover.conftest import ALICE, CAROL, MANUAL_RUNBOOK, Cutover, write
from tests.fixtures.slack import start_ferry, stop_ferry
from tests.qa.helpers import assert_clear, sections


def ask(ferry, text: str, user: str | None = None) -> dict:
    before = len(ferry.standin.responses)
    delivery = ferry.command(text, **({"user": user} if user else {}))
    assert delivery.status == 200
    return ferry.standin.wait_for(lambda s: s.responses[before] if len(s.responses) > before else None)


@pytest.mark.parametrize("text", ["audit ²", "audit ١٢٣٤", "audit 1e3", "audit ０"])
def test_audit_with_odd_digits_gets_its_usage(ferry, text):
    reply = ask(ferry, text)
    shown = assert_clear(reply)
    assert "is not a number of entries" in shown and "Usage: `/migrate audit [N]`" in shown
    assert "help" in assert_clear(ask(ferry, "help"))  # and Ferry still answers


def test_very_long_input_keeps_the_problem_and_the_usage_visible(ferry):
    reply = ask(ferry, "audit " + "9" * 3900)  # longer than a section, within the command's 4,000
    text = sections(reply)
    assert_clear(reply)
    assert "is not a number of entries" in text and "Usage: `/migrate audit [N]`" in text
    reply = ask(ferry, "x" * 3500)
    text = sections(reply)
    assert_clear(reply)
    assert "is not a `/migrate` verb" in text and "`/migrate help` lists every verb." in text


@pytest.fixture
def cut(tmp_path, slack_standin):
    running = start_ferry(write(tmp_path, MANUAL_RUNBOOK), slack_standin)
    yield Cutover(running)
    stop_ferry(running)


def open_reject(cut) -> dict:
    before = len(cut.standin.calls_of("views.open"))
    cut.ferry.click("ferry:cutover:reject", cut.button("Reject"), user=CAROL)
    view = cut.standin.wait_for(lambda s: s.calls_of("views.open")[before:] or None)[0].params["view"]
    return view if isinstance(view, dict) else json.loads(view)


def test_a_rejection_refused_for_its_reason_can_be_given_again(cut):
    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), ALICE)
    view = open_reject(cut)
    before = len(cut.standin.messages)
    cut.ferry.driver.submit_view(view["callback_id"], view["private_metadata"], "  ", user=CAROL)
    first = cut.standin.wait_for(lambda s: [m for m in s.messages[before:] if m.ephemeral_to == CAROL] or None)[0]
    assert "needs a reason" in first.text
    assert cut.state_of("freeze-writes") == "requested"
    # the same modal, submitted again with a reason: the rejection happens (it was not lost)
    cut.ferry.driver.submit_view(view["callback_id"], view["private_metadata"], "Backups not verified", user=CAROL)
    cut.wait_state("freeze-writes", "rejected")


@pytest.mark.parametrize("metadata", ["[]", '"text"', '{"value": 5}', '{"value": null, "channel": 7}', "{"])
def test_a_forged_modal_submission_gets_an_answer_not_a_crash(cut, metadata):
    before = len(cut.standin.messages)
    delivery = cut.ferry.driver.submit_view("ferry:cutover:reject", metadata, "a reason", user=CAROL)
    assert delivery.status == 200
    answers = cut.standin.wait_for(lambda s: [m for m in s.messages[before:] if m.ephemeral_to == CAROL] or None)
    assert_clear({"text": answers[0].text, "blocks": answers[0].blocks})
    assert "help" in assert_clear(ask(cut.ferry, "help"))


def test_a_button_refusal_names_the_button_not_the_read_only_verb(cut):
    cut.command("cutover")
    text = cut.press("request", cut.button("Request approval"), "U0VIEWER1")
    assert "operators only" in text and "*Request* button" in text
    assert not text.startswith("`/migrate cutover` is for")  # the verb itself is open to anyone


@pytest.mark.parametrize("text, expected", [
    ("compare events --sample", "needs a number"),
    ("compare events --seed", "needs a number"),
])
def test_a_flag_without_its_value_says_so(tmp_path, slack_standin, text, expected):
    config = write(tmp_path, """
    tables:
      - id: events
        as-is: {warehouse: public.events}
        to-be: {warehouse: public.events}
        key: [event_id]
    """)
    # endpoints never called: a usage error is answered before anything is contacted
    config.write_text(config.read_text().replace(
        "as-is: {}", "as-is: {warehouse: {dsn: 'postgresql://ferry@127.0.0.1:9/asis'}}").replace(
        "to-be: {}", "to-be: {warehouse: {dsn: 'postgresql://ferry@127.0.0.1:9/tobe'}}"))
    ferry = start_ferry(config, slack_standin)
    try:
        reply = ask(ferry, text)
        shown = assert_clear(reply)
        assert expected in shown and "Usage: `/migrate compare" in shown
    finally:
        stop_ferry(ferry)


def test_a_click_that_failed_outside_may_be_pressed_again(ferry):
    from commands import registry
    from commands.context import Reply
    from core.errors import OutsideFailure
    from core.message import Message, Section

    calls = []

    def go(inv):
        calls.append(inv.value)
        if len(calls) == 1:
            raise OutsideFailure("Cloudera Manager at http://cm:7180 cannot be reached; try again when it is back.")
        return Reply(Message("done", [Section("done")]))

    registry.verbs()["flaky"] = registry.Verb("flaky", "flaky", "fails once", go,
                                             actions={"go": registry.Action(go, registry.Permission.OPERATE)})
    try:
        before = len(ferry.standin.responses)
        ferry.click("ferry:flaky:go", "run-1")
        first = ferry.standin.wait_for(lambda s: s.responses[before] if len(s.responses) > before else None)
        assert "cannot be reached" in assert_clear(first)
        ferry.click("ferry:flaky:go", "run-1")  # the system is back: the same button acts this time
        second = ferry.standin.wait_for(lambda s: s.responses[before + 1] if len(s.responses) > before + 1 else None)
        assert "done" in assert_clear(second) and calls == ["run-1", "run-1"]
        ferry.click("ferry:flaky:go", "run-1")  # and now it is done: a third press acts no more
        third = ferry.standin.wait_for(lambda s: s.responses[before + 2] if len(s.responses) > before + 2 else None)
        assert "already handled" in third["text"] and len(calls) == 2
    finally:
        registry.verbs().pop("flaky")


def test_a_rejection_reason_cannot_ping_the_channel_or_forge_a_link(cut):
    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), ALICE)
    view = open_reject(cut)
    reason = "Backups <!channel> not <https://evil.test|verified> & <@U0BOB0001> knows"
    cut.ferry.driver.submit_view(view["callback_id"], view["private_metadata"], reason, user=CAROL)
    cut.wait_state("freeze-writes", "rejected")
    card = cut.card(lambda t: "Backups" in t)
    shown = str(card.blocks)
    assert "<!channel>" not in shown and "<https://evil.test|verified>" not in shown
    assert "&lt;!channel&gt;" in shown and "&amp;" in shown
    status = assert_clear(ask(cut.ferry, "status"))
    assert "<!channel>" not in status


@pytest.mark.parametrize("text, expected", [
    ("\u00a0audit\u00a05", "Audit trail"),  # a non-breaking space, as pasted from a document
    ("audit \u201c5\u201d", "Audit trail"),  # typographic quotes, as macOS types them
    ("audit 5\x00", "Audit trail"),
    ("start --help", "/migrate start <transfer>"),
    ("count -h", "/migrate count <table|all>"),
    ("--help", "/migrate verbs"),
])
def test_typing_habits_are_understood(ferry, text, expected):
    shown = assert_clear(ask(ferry, text))
    assert expected.lower() in shown.lower() and "is not a" not in shown


def test_a_flag_with_equals_is_read(tmp_path, slack_standin):
    config = write(tmp_path, """
    tables:
      - id: events
        as-is: {warehouse: public.events}
        to-be: {warehouse: public.events}
        key: [event_id]
    """)
    config.write_text(config.read_text().replace(
        "as-is: {}", "as-is: {warehouse: {dsn: 'postgresql://ferry@127.0.0.1:9/asis'}}").replace(
        "to-be: {}", "to-be: {warehouse: {dsn: 'postgresql://ferry@127.0.0.1:9/tobe'}}"))
    ferry = start_ferry(config, slack_standin)
    try:
        shown = assert_clear(ask(ferry, "compare events --sample=0"))
        assert "at least 1" in shown
    finally:
        stop_ferry(ferry)


def test_count_all_in_capitals_and_a_near_miss_of_a_table(tmp_path, slack_standin):
    config = write(tmp_path, """
    tables:
      - id: events
        as-is: {warehouse: public.events}
        to-be: {warehouse: public.events}
        key: [event_id]
    """)
    config.write_text(config.read_text().replace(
        "as-is: {}", "as-is: {warehouse: {dsn: 'postgresql://ferry@127.0.0.1:9/asis'}}").replace(
        "to-be: {}", "to-be: {warehouse: {dsn: 'postgresql://ferry@127.0.0.1:9/tobe'}}"))
    ferry = start_ferry(config, slack_standin)
    try:
        assert "Did you mean `events`?" in assert_clear(ask(ferry, "compare Events"))
        assert "Counting all" in assert_clear(ask(ferry, "count ALL"))  # the warehouse is down: the card says so
    finally:
        stop_ferry(ferry)


def test_help_for_a_misspelt_verb_suggests_it(ferry):
    shown = assert_clear(ask(ferry, "help thrtotle"))
    assert "Did you mean `throttle`?" in shown


def test_status_with_many_transfers_shows_every_one_within_limits(tmp_path, slack_standin):
    transfers = "".join(f"""
  - id: copy-number-{i:03d}-of-the-orders-table
    kind: hbase-copy
    table: orders_{i:03d}""" for i in range(90))
    config = write(tmp_path, "transfers:" + transfers + "\n")
    config.write_text(config.read_text().replace(
        "as-is: {}", "as-is: {hbase: {host: 127.0.0.1, port: 9}}").replace(
        "to-be: {}", "to-be: {hbase: {host: 127.0.0.1, port: 9}}"))
    ferry = start_ferry(config, slack_standin)
    try:
        shown = assert_clear(ask(ferry, "status"))
        assert "copy-number-089-of-the-orders-table" in shown
    finally:
        stop_ferry(ferry)
