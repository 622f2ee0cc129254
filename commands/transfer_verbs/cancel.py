"""`/migrate cancel <transfer>` (or the card's Cancel button): stop the run for good."""

from __future__ import annotations

from commands.context import Invocation, Reply
from commands.registry import Action, Permission, Verb
from commands.transfer_verbs.common import act, said, transfer_arg
from features.transfers import api


def handle(inv: Invocation) -> Reply:
    tid = transfer_arg(inv, "cancel")
    run = act(inv, lambda: api.cancel(inv.services, tid, inv.who))
    return said(f":no_entry_sign: `{tid}` is cancelled. What was copied stays.", run)


VERB = Verb(
    name="cancel",
    usage="cancel <transfer>",
    summary="stop a transfer run for good (what was copied stays)",
    handler=handle,
    permission=Permission.OPERATE,
    actions={"press": Action(handle, Permission.OPERATE)},
    examples=("cancel hbase-orders",),
)
