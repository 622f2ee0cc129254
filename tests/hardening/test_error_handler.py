"""What Bolt's error handler makes of an exception: a payload Ferry cannot read is refused with
400 and a line in the log; the same exception types raised by Ferry's own code are a bug,
logged in full as an error, not passed off as the sender's fault."""

from __future__ import annotations

import json
import logging
import urllib.parse

from commands import dispatch


def errors_and_warnings(caplog) -> tuple[list[logging.LogRecord], list[logging.LogRecord]]:
    records = [r for r in caplog.records if r.name == "bot.app"]
    return ([r for r in records if r.levelno >= logging.ERROR],
            [r for r in records if r.levelno == logging.WARNING])


def test_a_payload_not_shaped_as_slacks_is_refused_with_400_and_a_warning(ferry, caplog):
    caplog.set_level(logging.WARNING, logger="bot.app")
    payload = {"type": "block_actions", "user": {"id": "U0ALICE01"}, "actions": "x"}
    delivery = ferry.driver._post(urllib.parse.urlencode({"payload": json.dumps(payload)}))
    assert delivery.status == 400
    errors, warnings = errors_and_warnings(caplog)
    assert not errors and any("cannot read" in r.getMessage() for r in warnings)


def test_a_key_error_in_ferrys_own_code_is_logged_as_a_bug(ferry, caplog, monkeypatch):
    caplog.set_level(logging.WARNING, logger="bot.app")

    def broken(text: str) -> bool:
        return {}["verbs"]  # a bug in Ferry, not in the request

    monkeypatch.setattr(dispatch, "answers_inline", broken)
    delivery = ferry.command("status")
    assert delivery.status != 200
    errors, warnings = errors_and_warnings(caplog)
    assert not [r for r in warnings if "cannot read" in r.getMessage()]
    assert len(errors) == 1 and errors[0].exc_info and errors[0].exc_info[0] is KeyError
