"""`/migrate cancel <transfer>` (or the card's Cancel button): stop the run for good.
`/migrate cancel <validation>` stops a validation running on the clusters' MapReduce (its YARN
applications are killed)."""

from __future__ import annotations

from commands.context import Invocation, Reply
from commands.registry import Action, Permission, Verb
from commands.transfer_verbs.common import act, said, transfer_arg
from core.errors import Refused
from core.message import Context, Message, Section
from features.transfers import api
from features.validation import api as validation


def handle(inv: Invocation) -> Reply:
    tid = transfer_arg(inv, "cancel")
    if not inv.value and tid not in inv.config.transfers.ids:
        cancelled = _validation(inv, tid)
        if cancelled is not None:
            return cancelled
    run = act(inv, lambda: api.cancel(inv.services, tid, inv.who))
    return said(f":no_entry_sign: `{tid}` is cancelled. What was copied stays.", run)


def _validation(inv: Invocation, name: str) -> Reply | None:
    """The validation run of that name, cancelled; None when no validation goes by that name."""
    try:
        run, killed = validation.cancel(inv.services, name, inv.who)
    except validation.NothingToCancel:
        return None  # not a validation either: the transfers' answer names what exists
    except validation.CannotCancel as e:
        raise Refused(str(e)) from None
    text = f":no_entry_sign: The validation run of `{run.subject}` is cancelled: {killed} YARN application(s) killed."
    return Reply(Message(text, [Section(text), Context([f"run `{run.id}`"])]),
                 data={"run_id": run.id, "validation": run.subject, "killed": killed})


VERB = Verb(
    name="cancel",
    usage="cancel <transfer|validation>",
    summary="stop a transfer run for good (what was copied stays), or a validation running on MapReduce",
    handler=handle,
    permission=Permission.OPERATE,
    actions={"press": Action(handle, Permission.OPERATE)},
    examples=("cancel hbase-orders", "cancel orders-full"),
)
