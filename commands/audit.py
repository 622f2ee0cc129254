"""`/migrate audit [N]`: the last N entries of the audit trail (who did what, when, under which
plan). The whole trail: `python -m bot audit --config app.yaml --format csv|json`."""

from __future__ import annotations

import re

from commands.audit_hint import export_command
from commands.context import Invocation, Reply
from commands.registry import Verb
from core.errors import UsageError
from core.message import shown
from features.audit import card
from state import audit

DEFAULT_N = 20
MAX_N = 200


def handle(inv: Invocation) -> Reply:
    if len(inv.args) > 1:
        raise UsageError("`audit` takes at most one number.")
    n = DEFAULT_N
    if inv.args:
        # ASCII digits only: str.isdigit() also accepts '²' (int() refuses it), and int() of a
        # few thousand digits raises instead of answering.
        if not re.fullmatch(r"[0-9]{1,6}", inv.args[0]) or not 1 <= int(inv.args[0]) <= MAX_N:
            raise UsageError(f"`{shown(inv.args[0], 40)}` is not a number of entries between 1 and {MAX_N}.")
        n = int(inv.args[0])
    entries = list(reversed(audit.recent(inv.store, n)))  # oldest first, like a log
    message, data = card.message(entries, export_command(inv.services.config.source_path))
    return Reply(message, data=data)


VERB = Verb(
    name="audit",
    usage="audit [N]",
    summary="who did what, when (the last N entries of the audit trail, default 20)",
    handler=handle,
    inline=True,  # from state alone, in milliseconds: answered inside Slack's ack
    examples=("audit", "audit 50"),
)
