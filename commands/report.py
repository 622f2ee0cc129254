"""`/migrate report`: the migration so far in one HTML document, posted to the channel as a file.

The report reads every feature and draws charts (seconds), so the verb only queues it
(features/report/api.py) and answers at once; the file follows in the channel. At most one
report per MIN_INTERVAL_S: a report asked twice in a row is built once.
"""

from __future__ import annotations

import secrets
import time

from commands.context import Invocation, Reply
from commands.registry import Verb
from core.errors import UsageError
from core.message import Context, Message, Section
from state import processed

MIN_INTERVAL_S = 30


def handle(inv: Invocation) -> Reply:
    if inv.args:
        raise UsageError("`report` takes no arguments: it covers the whole migration so far.")
    window = int(time.time() // MIN_INTERVAL_S)
    if not processed.claim(inv.store, f"report-window:{window}"):
        text = "A report was asked for moments ago; it follows in the channel."
        return Reply(Message(text, [Section(f":hourglass_flowing_sand: {text}")]), data={"queued": False})
    from features.report import (
        api,  # it reads every feature: loaded when a report is asked for, not by `run status`
    )

    key = inv.request_key or secrets.token_hex(8)
    api.queue(inv.services, inv.who, key)
    text = "Building the migration report… (an HTML file follows in the channel)"
    return Reply(Message(text, [Section(f":page_facing_up: {text}"), Context([
        "Assessment findings and fixes, each transfer's volume and rate, every validation's history, the cutover's "
        "requests and approvals, and the audit trail's size and hash. Also: `python -m bot report --out FILE`."])]),
        data={"queued": True, "request_key": key})


VERB = Verb(
    name="report",
    usage="report",
    summary="the migration so far in one HTML document, posted to the channel",
    handler=handle,
    examples=("report",),
)
