"""The cutover's part of `/migrate status`: the current step and how many are done."""

from __future__ import annotations

from core.message import escape
from core.status import StatusPart
from features.cutover import approvals
from features.services import Services


def status_part(services: Services) -> StatusPart | None:
    """The cutover stage for `/migrate status`."""
    if not len(approvals.runbook(services)):
        return None
    rv = approvals.view(services)
    current = rv.current
    done = sum(1 for s in rv.steps if s.state == "done")
    if current is None:
        lines = [f":white_check_mark: All {len(rv.steps)} steps done."]
    else:
        line = f"Step {current.index + 1} of {len(rv.steps)}, *{escape(current.step.title)}* — {current.state}"
        if current.open_request:
            line += f" ({len(current.approvals)} of {current.step.approvals} approvals)"
        lines = [line]
        lines.extend(f"_{n}_" for n in (current.note, current.void_note) if n)
    lines.append(f"{done} of {len(rv.steps)} done · `/migrate cutover` for the card")
    return StatusPart("Cutover", lines, {"cutover": {"current": current.step.id if current else None,
                                                     "state": current.state if current else "done",
                                                     "done": done, "steps": len(rv.steps)}})
