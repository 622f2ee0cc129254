"""`/migrate resume <transfer>` (or the card's Resume button): carry on from where it stopped."""

from __future__ import annotations

from commands.context import Invocation, Reply
from commands.registry import Action, Permission, Verb
from commands.transfer_verbs.common import act, said, transfer_arg
from features.transfers import api


def handle(inv: Invocation) -> Reply:
    tid = transfer_arg(inv, "resume")
    run = act(inv, lambda: api.resume(inv.services, tid, inv.who))
    return said(f":arrow_forward: `{tid}` is {run.state}.", run)


VERB = Verb(
    name="resume",
    usage="resume <transfer>",
    summary="resume a paused transfer",
    handler=handle,
    permission=Permission.OPERATE,
    actions={"press": Action(handle, Permission.OPERATE)},
    examples=("resume hbase-orders",),
)
