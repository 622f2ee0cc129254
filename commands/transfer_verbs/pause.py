"""`/migrate pause <transfer>` (or the card's Pause button): stop the copy where it is."""

from __future__ import annotations

from commands.context import Invocation, Reply
from commands.registry import Action, Permission, Verb
from commands.transfer_verbs.common import act, said, transfer_arg
from features.transfers import api


def handle(inv: Invocation) -> Reply:
    tid = transfer_arg(inv, "pause")
    run = act(inv, lambda: api.pause(inv.services, tid, inv.who))
    return said(f":double_vertical_bar: `{tid}` is paused. `/migrate resume {tid}` carries on.", run)


VERB = Verb(
    name="pause",
    usage="pause <transfer>",
    summary="pause a transfer (or explain why its engine cannot)",
    handler=handle,
    permission=Permission.OPERATE,
    actions={"press": Action(handle, Permission.OPERATE)},
    examples=("pause hbase-orders",),
)
