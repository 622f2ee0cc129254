"""What the transfer verbs share: argument parsing, the run a button points at, error replies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from commands.context import Invocation, Reply
from core.errors import OutsideFailure, Refused, UsageError
from core.message import Context, Message, Section, shown
from features.transfers import api
from state.runs import Run


def transfer_arg(inv: Invocation, verb: str, extra: int = 0) -> str:
    """The transfer id of `/migrate <verb> <transfer> ...` (or of the button's value)."""
    if inv.action:  # a card's button: transfer|run|change; act only on the card as it stands now
        parts = inv.value.split("|")
        if len(parts) != 3 or not all(parts):
            raise Refused("That button's value is not one Ferry issued, so it does nothing. "
                          "`/migrate status` shows the transfers and their cards.")
        current = api.active(inv.services, parts[0])
        if current is None or current.id != parts[1]:
            raise Refused(f"That card is for run `{shown(parts[1])}`, which is over. `/migrate status` shows "
                          f"where `{shown(parts[0])}` stands.")
        if parts[2] != str(current.detail.get("seq", 0)):
            raise Refused(f"That card of `{shown(parts[0])}` is out of date (the run changed since); "
                          "its card in the channel has the buttons that apply now.")
        return parts[0]
    if len(inv.args) > 1 + extra:
        too_many = " ".join(inv.args[1 + extra:])
        raise UsageError(f"`{verb}` takes {'one transfer' if not extra else 'a transfer and a rate'}; "
                         f"`{shown(too_many)}` is more than it understands.")
    if len(inv.args) != 1 + extra:
        known = ", ".join(f"`{t}`" for t in inv.config.transfers.ids) or "none configured"
        raise UsageError(f"`{verb}` needs {'a transfer' if not extra else 'a transfer and a rate'} "
                         f"(transfers: {known}).")
    return inv.args[0]


def act(inv: Invocation, fn: Callable[[], Any]) -> Any:
    """Run an api call; its errors become the dispatcher's (usage, refusal, outside failure)."""
    try:
        return fn()
    except api.UnknownTransfer as e:
        raise UsageError(str(e)) from None
    except (api.NotActive, api.Unsupported) as e:
        raise Refused(str(e)) from None
    except api.EngineUnavailable as e:
        raise OutsideFailure(str(e)) from None


def run_data(run: Run) -> dict[str, Any]:
    return {"run_id": run.id, "transfer": run.subject, "state": run.state,
            "progress": (run.detail.get("progress") or {}).get("fraction"), "rate": run.detail.get("rate")}


def said(text: str, run: Run, **data: Any) -> Reply:
    return Reply(Message(text, [Section(text), Context([f"run `{run.id}` · state {run.state}"])]),
                 data={**run_data(run), **data})
